from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from sharemall.core.errors import DomainError
from sharemall.wallet import services
from sharemall.wallet.models import Account, AppendOnlyViolation, LedgerTransaction, Posting
from sharemall.wallet.rules import (
    BUYER_PAYMENTS_CLEARING,
    MEMBER_AVAILABLE,
    MEMBER_PENDING,
    MEMBER_WITHDRAWING,
    MERCHANT_AVAILABLE,
    MERCHANT_WITHDRAWING,
    PLATFORM_FEES,
    PROVIDER_FUNDS,
)
from sharemall.wallet.services import (
    Entry,
    IdempotencyConflict,
    InsufficientBalance,
    UnbalancedTransaction,
    balance,
    balances_for_member,
    hold,
    ledger_check,
    ledger_post,
    member,
    merchant,
    merchant_receivable,
    platform,
    transfer,
)

pytestmark = pytest.mark.django_db

PROVIDER = platform(PROVIDER_FUNDS)
CLEARING = platform(BUYER_PAYMENTS_CLEARING)
FEES = platform(PLATFORM_FEES)
MEMBER_ID = 7
MERCHANT_ID = 3


@pytest.fixture(autouse=True)
def _no_cached_accounts() -> Iterator[None]:
    services.forget_cached_accounts()
    yield
    services.forget_cached_accounts()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are asserted word for word; the default language is Chinese.
    with translation.override("en"):
        yield


def capture(amount: int, key: str = "payment:1:captured") -> services.PostResult:
    return ledger_post(
        key=key,
        kind="payment_captured",
        entries=transfer(debit=PROVIDER, credit=CLEARING, amount_fen=amount),
    )


def credit_available(amount: int, key: str = "credit:1", member_id: int = MEMBER_ID) -> None:
    ledger_post(
        key=key,
        kind="commission_settled",
        entries=transfer(
            debit=merchant_receivable(MERCHANT_ID),
            credit=member(MEMBER_AVAILABLE, member_id),
            amount_fen=amount,
        ),
    )


def hold_out(*, key: str, amount_fen: int) -> services.PostResult:
    """Hold the member's money for a withdrawal: available → withdrawing."""
    return hold(
        key=key,
        source=member(MEMBER_AVAILABLE, MEMBER_ID),
        destination=member(MEMBER_WITHDRAWING, MEMBER_ID),
        amount_fen=amount_fen,
    )


def counts() -> tuple[int, int, int]:
    return LedgerTransaction.objects.count(), Posting.objects.count(), Account.objects.count()


def postings_of(key: str) -> list[tuple[str, int | None, int]]:
    return sorted(
        Posting.objects.filter(transaction__key=key).values_list(
            "account__kind", "account__owner_id", "amount_fen"
        )
    )


# --- posting -------------------------------------------------------------------------------


def test_a_balanced_posting_is_recorded_with_its_entries() -> None:
    result = capture(12_345)

    assert result.created is True
    assert result.transaction.pk is not None
    assert LedgerTransaction.objects.get().key == "payment:1:captured"
    assert LedgerTransaction.objects.get().kind == "payment_captured"
    assert postings_of("payment:1:captured") == [
        (BUYER_PAYMENTS_CLEARING, None, -12_345),
        (PROVIDER_FUNDS, None, 12_345),
    ]
    assert balance(PROVIDER) == 12_345
    assert balance(CLEARING) == 12_345  # read on its normal (credit) side: buyers' money waiting
    assert ledger_check() == []


def test_an_allocation_splits_clearing_between_merchant_and_fees() -> None:
    capture(10_000)
    ledger_post(
        key="order:1:allocated",
        kind="order_allocated",
        entries=[
            Entry(CLEARING, 10_000),
            Entry(merchant_receivable(MERCHANT_ID), -9_400),
            Entry(FEES, -600),
        ],
        memo="order 1",
    )

    assert balance(CLEARING) == 0
    assert balance(merchant_receivable(MERCHANT_ID)) == 9_400
    assert balance(FEES) == 600
    assert balance(PROVIDER) == 10_000
    # Platform and merchant accounts keep no cached balance: it is the sum of their postings.
    assert set(Account.objects.values_list("kind", "tracks_balance", "balance_fen")) == {
        (PROVIDER_FUNDS, False, 0),
        (BUYER_PAYMENTS_CLEARING, False, 0),
        (PLATFORM_FEES, False, 0),
        ("merchant_receivable", False, 0),
    }
    assert LedgerTransaction.objects.get(key="order:1:allocated").memo == "order 1"


def test_member_accounts_cache_their_balance() -> None:
    credit_available(800)
    ledger_post(
        key="commission:1",
        kind="commission_pending",
        entries=transfer(
            debit=merchant_receivable(MERCHANT_ID),
            credit=member(MEMBER_PENDING, MEMBER_ID),
            amount_fen=150,
        ),
    )

    assert balances_for_member(MEMBER_ID) == {
        MEMBER_PENDING: 150,
        MEMBER_AVAILABLE: 800,
        MEMBER_WITHDRAWING: 0,
    }
    assert balance(member(MEMBER_AVAILABLE, MEMBER_ID)) == 800
    assert Account.objects.get(kind=MEMBER_AVAILABLE, owner_id=MEMBER_ID).balance_fen == 800
    assert balance(merchant_receivable(MERCHANT_ID)) == -950  # the merchant paid it
    assert balances_for_member(999) == dict.fromkeys(
        (MEMBER_PENDING, MEMBER_AVAILABLE, MEMBER_WITHDRAWING), 0
    )
    assert ledger_check() == []


def test_a_member_balance_may_go_into_debt_and_stays_tracked() -> None:
    credit_available(100)
    ledger_post(
        key="clawback:1",
        kind="commission_reversed",
        entries=transfer(
            debit=member(MEMBER_AVAILABLE, MEMBER_ID),
            credit=merchant_receivable(MERCHANT_ID),
            amount_fen=250,
        ),
    )

    assert balance(member(MEMBER_AVAILABLE, MEMBER_ID)) == -150
    assert ledger_check() == []


@pytest.mark.parametrize(
    "entries",
    [
        pytest.param([Entry(PROVIDER, 100), Entry(CLEARING, -99)], id="sum-not-zero"),
        pytest.param([Entry(PROVIDER, 100)], id="single-entry"),
        pytest.param([], id="no-entries"),
        pytest.param([Entry(PROVIDER, 0), Entry(CLEARING, 0)], id="zero-amounts"),
        pytest.param(
            [Entry(PROVIDER, 100), Entry(CLEARING, -100), Entry(FEES, 0)], id="one-zero-amount"
        ),
        pytest.param([Entry(PROVIDER, 100), Entry(PROVIDER, -100)], id="one-account-only"),
        pytest.param(
            [Entry(member(MEMBER_AVAILABLE, MEMBER_ID), -5), Entry(CLEARING, 4)],
            id="new-member-account-unbalanced",
        ),
    ],
)
def test_an_unbalanced_transaction_is_refused_before_anything_is_written(
    entries: list[Entry],
) -> None:
    with pytest.raises(UnbalancedTransaction) as refused:
        ledger_post(key="bad:1", kind="test", entries=entries)

    assert refused.value.code == "unbalanced_transaction"
    assert counts() == (0, 0, 0)


def test_a_refused_posting_leaves_the_callers_transaction_usable() -> None:
    with transaction.atomic():
        capture(100, key="first")
        with pytest.raises(UnbalancedTransaction):
            ledger_post(key="bad", kind="test", entries=[Entry(PROVIDER, 1), Entry(CLEARING, 1)])
        capture(200, key="second")

    assert list(LedgerTransaction.objects.order_by("pk").values_list("key", flat=True)) == [
        "first",
        "second",
    ]


def test_a_repeated_key_returns_the_first_transaction_and_posts_nothing() -> None:
    first = capture(500)
    before = counts()

    again = capture(500)

    assert again.created is False
    assert again.transaction.pk == first.transaction.pk
    assert again.transaction.key == "payment:1:captured"
    assert counts() == before
    assert balance(PROVIDER) == 500
    assert balance(CLEARING) == 500


def test_a_repeated_key_with_other_entries_is_a_conflict_and_posts_nothing() -> None:
    capture(500)
    before = counts()

    with pytest.raises(IdempotencyConflict) as conflict:
        capture(501)
    with pytest.raises(IdempotencyConflict):
        ledger_post(
            key="payment:1:captured",
            kind="something_else",
            entries=transfer(debit=PROVIDER, credit=CLEARING, amount_fen=500),
        )

    assert conflict.value.code == "idempotency_key_reused"
    assert counts() == before
    assert balance(PROVIDER) == 500


def test_bad_keys_and_references_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="idempotency key"):
        capture(1, key="")
    with pytest.raises(ValueError, match="idempotency key"):
        capture(1, key="k" * 201)
    with pytest.raises(ValueError, match="not a platform"):
        platform(MEMBER_AVAILABLE)
    with pytest.raises(ValueError, match="not a member"):
        member(PLATFORM_FEES, 1)
    with pytest.raises(ValueError, match="positive owner"):
        merchant_receivable(0)
    with pytest.raises(ValueError, match="whole number"):
        Entry(PROVIDER, 1.5)  # type: ignore[arg-type]
    assert counts() == (0, 0, 0)


# --- append-only ---------------------------------------------------------------------------


def test_the_orm_refuses_to_change_or_remove_history() -> None:
    capture(100)
    posting = Posting.objects.first()
    txn = LedgerTransaction.objects.get()
    assert posting is not None

    posting.amount_fen = 1
    with pytest.raises(AppendOnlyViolation):
        posting.save()
    with pytest.raises(AppendOnlyViolation):
        posting.delete()
    txn.memo = "rewritten"
    with pytest.raises(AppendOnlyViolation):
        txn.save()
    with pytest.raises(AppendOnlyViolation):
        txn.delete()
    with pytest.raises(AppendOnlyViolation):
        Posting.objects.update(amount_fen=1)
    with pytest.raises(AppendOnlyViolation):
        Posting.objects.filter(pk=posting.pk).delete()
    with pytest.raises(AppendOnlyViolation):
        LedgerTransaction.objects.update(memo="x")
    with pytest.raises(AppendOnlyViolation):
        LedgerTransaction.objects.all().delete()
    with pytest.raises(AppendOnlyViolation):
        Posting.objects.bulk_update([posting], ["amount_fen"])
    with pytest.raises(AppendOnlyViolation):
        Account.objects.all().delete()

    assert postings_of("payment:1:captured") == [
        (BUYER_PAYMENTS_CLEARING, None, -100),
        (PROVIDER_FUNDS, None, 100),
    ]
    assert LedgerTransaction.objects.get().memo == ""


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE wallet_posting SET amount_fen = amount_fen + 1",
        "DELETE FROM wallet_posting",
        "UPDATE wallet_ledgertransaction SET memo = 'rewritten'",
        "DELETE FROM wallet_ledgertransaction",
    ],
)
def test_the_database_refuses_to_change_or_remove_history(sql: str) -> None:
    capture(100)

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert postings_of("payment:1:captured") == [
        (BUYER_PAYMENTS_CLEARING, None, -100),
        (PROVIDER_FUNDS, None, 100),
    ]
    assert LedgerTransaction.objects.get().memo == ""


def test_the_database_refuses_an_account_for_the_wrong_owner() -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        Account.objects.create(kind=PLATFORM_FEES, owner_id=5)
    with pytest.raises(DatabaseError), transaction.atomic():
        Account.objects.create(kind=MEMBER_AVAILABLE, owner_id=None, tracks_balance=True)
    with pytest.raises(DatabaseError), transaction.atomic():
        Account.objects.create(kind=PLATFORM_FEES, balance_fen=5)
    Account.objects.create(kind=PLATFORM_FEES)
    with pytest.raises(DatabaseError), transaction.atomic():
        Account.objects.create(kind=PLATFORM_FEES)
    assert Account.objects.count() == 1


# --- holds ---------------------------------------------------------------------------------


def test_a_hold_moves_available_money_to_withdrawing() -> None:
    credit_available(500)

    result = hold_out(key="withdrawal:1:hold", amount_fen=300)

    assert result.created is True
    assert result.transaction.kind == "withdrawal_hold"
    assert balances_for_member(MEMBER_ID) == {
        MEMBER_PENDING: 0,
        MEMBER_AVAILABLE: 200,
        MEMBER_WITHDRAWING: 300,
    }
    assert postings_of("withdrawal:1:hold") == [
        (MEMBER_AVAILABLE, MEMBER_ID, 300),
        (MEMBER_WITHDRAWING, MEMBER_ID, -300),
    ]
    assert ledger_check() == []


def test_a_hold_of_exactly_the_balance_succeeds() -> None:
    credit_available(500)

    hold_out(key="withdrawal:1:hold", amount_fen=500)

    assert balances_for_member(MEMBER_ID)[MEMBER_AVAILABLE] == 0


@pytest.mark.parametrize("available", [0, 299, -50])
def test_a_hold_the_balance_does_not_cover_is_refused_and_writes_nothing(available: int) -> None:
    if available > 0:
        credit_available(available)
    elif available < 0:
        credit_available(100)
        ledger_post(
            key="clawback",
            kind="commission_reversed",
            entries=transfer(
                debit=member(MEMBER_AVAILABLE, MEMBER_ID),
                credit=merchant_receivable(MERCHANT_ID),
                amount_fen=100 - available,
            ),
        )
    before = counts()

    with transaction.atomic():  # the caller's transaction stays usable after the refusal
        with pytest.raises(InsufficientBalance) as refused:
            hold_out(key="withdrawal:1:hold", amount_fen=300)
        capture(1, key="after-the-refusal")

    assert refused.value.code == "insufficient_balance"
    assert refused.value.details == {"needed_fen": 300}
    assert not LedgerTransaction.objects.filter(key="withdrawal:1:hold").exists()
    assert counts() == (before[0] + 1, before[1] + 2, before[2] + 2)
    assert balances_for_member(MEMBER_ID)[MEMBER_AVAILABLE] == available
    assert balances_for_member(MEMBER_ID)[MEMBER_WITHDRAWING] == 0
    assert ledger_check() == []


def test_a_repeated_hold_returns_the_first_even_when_the_money_is_gone() -> None:
    credit_available(300)
    first = hold_out(key="withdrawal:1:hold", amount_fen=300)

    again = hold_out(key="withdrawal:1:hold", amount_fen=300)

    assert (again.created, again.transaction.pk) == (False, first.transaction.pk)
    assert balances_for_member(MEMBER_ID)[MEMBER_WITHDRAWING] == 300
    with pytest.raises(IdempotencyConflict):
        hold_out(key="withdrawal:1:hold", amount_fen=299)


def test_a_hold_can_return_withdrawing_money() -> None:
    credit_available(300)
    hold_out(key="withdrawal:1:hold", amount_fen=300)

    hold(
        key="withdrawal:1:rejected",
        source=member(MEMBER_WITHDRAWING, MEMBER_ID),
        destination=member(MEMBER_AVAILABLE, MEMBER_ID),
        amount_fen=300,
        kind="withdrawal_rejected",
    )

    assert balances_for_member(MEMBER_ID)[MEMBER_AVAILABLE] == 300
    assert balances_for_member(MEMBER_ID)[MEMBER_WITHDRAWING] == 0


def test_a_hold_moves_a_merchants_money_only_while_its_balance_covers_it() -> None:
    available = merchant(MERCHANT_AVAILABLE, MERCHANT_ID)
    withdrawing = merchant(MERCHANT_WITHDRAWING, MERCHANT_ID)
    ledger_post(
        key="order:1:settled",
        kind="order_settled",
        entries=transfer(debit=merchant_receivable(MERCHANT_ID), credit=available, amount_fen=500),
    )

    hold(key="withdrawal:1:hold", source=available, destination=withdrawing, amount_fen=500)
    with pytest.raises(InsufficientBalance):
        hold(key="withdrawal:2:hold", source=available, destination=withdrawing, amount_fen=1)

    assert (balance(available), balance(withdrawing)) == (0, 500)
    assert not LedgerTransaction.objects.filter(key="withdrawal:2:hold").exists()
    assert ledger_check() == []


@pytest.mark.parametrize(
    ("source", "destination"),
    [
        # Not one owner's.
        (member(MEMBER_AVAILABLE, MEMBER_ID), member(MEMBER_WITHDRAWING, MEMBER_ID + 1)),
        # A member's and a merchant's that happen to share an id.
        (member(MEMBER_AVAILABLE, MEMBER_ID), merchant(MERCHANT_WITHDRAWING, MEMBER_ID)),
        # Not tracked, so nothing could guard the balance.
        (merchant_receivable(MERCHANT_ID), merchant(MERCHANT_WITHDRAWING, MERCHANT_ID)),
        (member(MEMBER_AVAILABLE, MEMBER_ID), member(MEMBER_AVAILABLE, MEMBER_ID)),
    ],
)
def test_a_hold_is_between_two_tracked_accounts_of_one_owner(
    source: services.AccountRef, destination: services.AccountRef
) -> None:
    credit_available(300)
    with pytest.raises(ValueError):
        hold(key="withdrawal:1:hold", source=source, destination=destination, amount_fen=100)


@pytest.mark.parametrize("amount", [0, -1])
def test_a_hold_needs_a_positive_amount(amount: int) -> None:
    credit_available(300)
    with pytest.raises(DomainError) as refused:
        hold_out(key="withdrawal:1:hold", amount_fen=amount)
    assert refused.value.code == "invalid_amount"


# --- checking ------------------------------------------------------------------------------


def test_ledger_check_is_empty_when_healthy() -> None:
    assert ledger_check() == []
    capture(1_000)
    credit_available(400)
    hold_out(key="h", amount_fen=100)
    assert ledger_check() == []


def test_ledger_check_finds_a_drifted_cached_balance() -> None:
    credit_available(400)
    account = Account.objects.get(kind=MEMBER_AVAILABLE, owner_id=MEMBER_ID)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE wallet_account SET balance_fen = balance_fen + 1 WHERE id = %s", [account.pk]
        )

    drift = f"Account member_available:{MEMBER_ID} caches a balance of 401 fen"
    assert ledger_check() == [f"{drift} but its postings give 400 fen."]


def test_ledger_check_finds_unbalanced_and_thin_transactions() -> None:
    capture(100, key="good")
    provider = Account.objects.get(kind=PROVIDER_FUNDS)
    lonely = LedgerTransaction.objects.create(key="lonely", kind="test")
    Posting.objects.create(transaction=lonely, account=provider, amount_fen=7)
    LedgerTransaction.objects.create(key="empty", kind="test")

    assert ledger_check() == [
        "Transaction lonely has 1 posting(s); every transaction needs two or more.",
        "Transaction lonely does not balance: its postings sum to 7 fen.",
        "Transaction empty has 0 posting(s); every transaction needs two or more.",
        "All postings together sum to 7 fen instead of 0.",
    ]


def test_the_command_reports_a_healthy_ledger(capsys: pytest.CaptureFixture[str]) -> None:
    capture(100)
    call_command("ledger_check")
    assert capsys.readouterr().out == "ledger OK: 1 transactions, 2 postings\n"


def test_the_command_fails_on_drift(capsys: pytest.CaptureFixture[str]) -> None:
    credit_available(400)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE wallet_account SET balance_fen = 0")

    with pytest.raises(CommandError, match="1 problem"):
        call_command("ledger_check")
    assert "caches a balance of 0 fen but its postings give 400 fen" in capsys.readouterr().err


# --- statements ----------------------------------------------------------------------------


def test_platform_ids_are_not_cached_from_a_transaction_that_may_roll_back(
    django_capture_on_commit_callbacks: object,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        capture(100)
    assert services._platform_account_ids == {}


@pytest.mark.usefixtures("committing_db")
def test_statements_per_posting_once_accounts_are_known() -> None:
    # Commit once so the platform account ids are known, as in a running server.
    credit_available(1_000, key="warm-up")
    capture(100, key="warm-up-2")
    hold_out(key="warm-up-hold", amount_fen=1)
    ledger_post(
        key="warm-up-3",
        kind="test",
        entries=[
            Entry(CLEARING, 100),
            Entry(merchant_receivable(MERCHANT_ID), -90),
            Entry(FEES, -10),
        ],
    )

    with transaction.atomic(), CaptureQueriesContext(connection) as platform_only:
        capture(500, key="payment:2:captured")
    with transaction.atomic(), CaptureQueriesContext(connection) as with_merchant:
        ledger_post(
            key="order:2:allocated",
            kind="order_allocated",
            entries=[
                Entry(CLEARING, 500),
                Entry(merchant_receivable(MERCHANT_ID), -470),
                Entry(FEES, -30),
            ],
        )
    with transaction.atomic(), CaptureQueriesContext(connection) as with_member:
        ledger_post(
            key="commission:2",
            kind="commission_settled",
            entries=transfer(
                debit=merchant_receivable(MERCHANT_ID),
                credit=member(MEMBER_AVAILABLE, MEMBER_ID),
                amount_fen=20,
            ),
        )
    with transaction.atomic(), CaptureQueriesContext(connection) as replay:
        capture(500, key="payment:2:captured")
    with transaction.atomic(), CaptureQueriesContext(connection) as a_hold:
        hold_out(key="withdrawal:1:hold", amount_fen=100)

    # INSERT transaction, INSERT postings.
    assert len(platform_only) == 2
    # + one SELECT for the merchant's account.
    assert len(with_merchant) == 3
    # + one UPDATE of the member's cached balance.
    assert len(with_member) == 4
    # INSERT (nothing), SELECT the transaction, SELECT its postings to compare.
    assert len(replay) == 3
    # SAVEPOINT, INSERT, SELECT accounts, two UPDATEs, INSERT postings, RELEASE.
    assert len(a_hold) == 7
    assert ledger_check() == []


@pytest.mark.usefixtures("committing_db")
def test_a_rolled_back_first_posting_leaves_no_cached_id_behind() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        capture(100, key="rolled-back")
        raise RuntimeError

    assert services._platform_account_ids == {}
    capture(100, key="committed")
    assert set(services._platform_account_ids.values()) == set(
        Account.objects.values_list("pk", flat=True)
    )
    assert ledger_check() == []


def test_the_triggers_are_back_after_a_committing_test() -> None:
    # Runs after the committing tests above: their flush must not have left the tables open.
    capture(100)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM wallet_posting")
