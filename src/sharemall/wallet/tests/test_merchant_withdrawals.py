"""A merchant's withdrawals go through the same mechanism as a member's: held at request on the
merchant's own accounts, returned on a rejection or a failure, held again on a retry, paid with
the fee to the platform; the merchant's terms and daily cap are its own."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from tests.factories import MemberFactory, OperatorFactory

from sharemall.accounts.models import Member
from sharemall.core.errors import Forbidden
from sharemall.wallet import payouts, rules, selectors, services
from sharemall.wallet.models import LedgerTransaction, Posting, Withdrawal, WithdrawalDay
from sharemall.wallet.services import (
    InsufficientBalance,
    balance,
    balances_for_member,
    ledger_check,
    ledger_post,
    member,
    merchant,
    merchant_receivable,
    platform,
    transfer,
)
from sharemall.wallet.services_withdrawals import (
    MerchantWithdrawalSummary,
    WithdrawalRefused,
    merchant_withdrawal_summary,
    wallet_summary,
    withdrawal_approve,
    withdrawal_mark_failed,
    withdrawal_mark_paid,
    withdrawal_policy,
    withdrawal_reject,
    withdrawal_request,
    withdrawal_retry,
)
from sharemall.wallet.tests.test_withdrawals import FakeProvider, snapshot

MERCHANT_ID = 41
OTHER_MERCHANT_ID = 42
CARD = "6222021234567890"
_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def _no_cached_accounts() -> Iterator[None]:
    services.forget_cached_accounts()
    yield
    services.forget_cached_accounts()


def settle(merchant_id: int, amount_fen: int) -> None:
    """Sales settled: what the merchant was owed becomes available to withdraw."""
    ledger_post(
        key=f"test:settled:{next(_keys)}",
        kind="order_settled",
        entries=transfer(
            debit=merchant_receivable(merchant_id),
            credit=merchant(rules.MERCHANT_AVAILABLE, merchant_id),
            amount_fen=amount_fen,
        ),
    )


def refund_after_settlement(merchant_id: int, amount_fen: int) -> None:
    """A refund after settlement takes the sale back, even below zero (a debt)."""
    ledger_post(
        key=f"test:refund:{next(_keys)}",
        kind="order_refunded_after_settlement",
        entries=transfer(
            debit=merchant(rules.MERCHANT_AVAILABLE, merchant_id),
            credit=merchant_receivable(merchant_id),
            amount_fen=amount_fen,
        ),
    )


def shop(merchant_id: int = MERCHANT_ID) -> tuple[int, int]:
    """The merchant's (available, withdrawing)."""
    return selectors.merchant_withdrawal_balances(merchant_id)


def postings(key: str) -> list[tuple[str, int | None, int]]:
    return sorted(
        Posting.objects.filter(transaction__key=key).values_list(
            "account__kind", "account__owner_id", "amount_fen"
        )
    )


def ask(owner: Member, amount_fen: int, channel: str = "bank", **kw: Any) -> Withdrawal:
    payee = kw.pop("payee", CARD if channel == "bank" else "o-owner")
    return withdrawal_request(
        member=owner,
        merchant_id=kw.pop("merchant_id", MERCHANT_ID),
        amount_fen=amount_fen,
        channel=channel,
        payee=payee,
        **kw,
    )


@pytest.fixture
def owner(db: None) -> Member:
    who = MemberFactory.create()
    settle(MERCHANT_ID, 1_000_000)  # ¥10,000 of settled sales
    return who


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    fake = FakeProvider(["succeeded"])
    monkeypatch.setattr(payouts, "provider_for_payout", lambda name: fake)
    yield fake


# --- terms --------------------------------------------------------------------------------------


def test_merchants_have_their_own_terms(settings: Any) -> None:
    settings.MERCHANT_WITHDRAWAL_MIN_FEN = 500
    settings.MERCHANT_WITHDRAWAL_DAILY_CAP_FEN = 9_000
    settings.MERCHANT_WITHDRAWAL_FEE_FREE_FEN = 1_000
    settings.MERCHANT_WITHDRAWAL_FEE_BP = 100

    terms = withdrawal_policy(rules.HOLDER_MERCHANT)

    assert terms == rules.WithdrawalPolicy(
        minimum_fen=500, daily_cap_fen=9_000, fee_free_fen=1_000, fee_bp=100
    )
    assert withdrawal_policy() == withdrawal_policy(rules.HOLDER_MEMBER) != terms


def test_a_merchant_pays_no_fee_by_default(settings: Any) -> None:
    for name in (
        "MERCHANT_WITHDRAWAL_MIN_FEN",
        "MERCHANT_WITHDRAWAL_DAILY_CAP_FEN",
        "MERCHANT_WITHDRAWAL_FEE_FREE_FEN",
        "MERCHANT_WITHDRAWAL_FEE_BP",
    ):
        delattr(settings, name)

    assert withdrawal_policy(rules.HOLDER_MERCHANT) == rules.WithdrawalPolicy(
        minimum_fen=100, daily_cap_fen=50_000_000, fee_free_fen=0, fee_bp=0
    )


def test_bad_merchant_terms_fail_loudly(settings: Any) -> None:
    settings.MERCHANT_WITHDRAWAL_FEE_BP = -1
    with pytest.raises(ImproperlyConfigured):
        withdrawal_policy(rules.HOLDER_MERCHANT)


def test_a_holder_names_its_two_accounts() -> None:
    assert rules.holder_of(7, None) == rules.Holder("member", 7)
    assert rules.holder_of(7, 41) == rules.Holder("merchant", 41)
    shop_money = rules.Holder("merchant", 41)
    assert (shop_money.available, shop_money.withdrawing) == (
        merchant(rules.MERCHANT_AVAILABLE, 41),
        merchant(rules.MERCHANT_WITHDRAWING, 41),
    )
    with pytest.raises(ValueError):
        rules.Holder("agent", 1)


# --- the request --------------------------------------------------------------------------------


def test_a_request_holds_the_merchants_money_not_the_owners(owner: Member) -> None:
    withdrawal = ask(owner, 400_000, payee_name="某某有限公司")

    assert (withdrawal.merchant_id, withdrawal.member_id) == (MERCHANT_ID, owner.pk)
    assert (withdrawal.status, withdrawal.fee_fen, withdrawal.payout_fen) == (
        "requested",
        0,
        400_000,
    )
    assert shop() == (600_000, 400_000)
    assert postings(f"withdrawal:{withdrawal.pk}:hold") == [
        (rules.MERCHANT_AVAILABLE, MERCHANT_ID, 400_000),
        (rules.MERCHANT_WITHDRAWING, MERCHANT_ID, -400_000),
    ]
    assert balances_for_member(owner.pk) == {
        rules.MEMBER_PENDING: 0,
        rules.MEMBER_AVAILABLE: 0,
        rules.MEMBER_WITHDRAWING: 0,
    }
    assert ledger_check() == []


def test_more_than_the_merchants_balance_is_refused_with_nothing_written(owner: Member) -> None:
    before = snapshot()

    with pytest.raises(InsufficientBalance) as refused:
        ask(owner, 1_000_001)

    assert refused.value.code == "insufficient_balance"
    assert snapshot() == before


def test_a_merchants_debt_blocks_its_next_withdrawal(owner: Member) -> None:
    refund_after_settlement(MERCHANT_ID, 1_000_050)  # ¥0.50 below zero
    assert shop() == (-50, 0)
    before = snapshot()

    with pytest.raises(InsufficientBalance):
        ask(owner, 100)

    assert snapshot() == before
    settle(MERCHANT_ID, 150)
    ask(owner, 100)
    assert shop() == (0, 100)


def test_the_owners_own_money_does_not_cover_the_merchants_withdrawal(db: None) -> None:
    who = MemberFactory.create()
    ledger_post(
        key="test:commission",
        kind="commission_settled",
        entries=transfer(
            debit=merchant_receivable(OTHER_MERCHANT_ID),
            credit=member(rules.MEMBER_AVAILABLE, who.pk),
            amount_fen=50_000,
        ),
    )
    with pytest.raises(InsufficientBalance):
        ask(who, 1_000)
    assert balances_for_member(who.pk)[rules.MEMBER_AVAILABLE] == 50_000


def test_the_daily_cap_counts_each_holder_apart(owner: Member, settings: Any) -> None:
    settings.MERCHANT_WITHDRAWAL_DAILY_CAP_FEN = 5_000
    settings.WITHDRAWAL_DAILY_CAP_FEN = 3_000
    ledger_post(
        key="test:commission",
        kind="commission_settled",
        entries=transfer(
            debit=merchant_receivable(OTHER_MERCHANT_ID),
            credit=member(rules.MEMBER_AVAILABLE, owner.pk),
            amount_fen=50_000,
        ),
    )
    settle(OTHER_MERCHANT_ID, 50_000)

    ask(owner, 4_000)
    withdrawal_request(member=owner, amount_fen=3_000, channel="bank", payee=CARD)  # their own
    ask(owner, 5_000, merchant_id=OTHER_MERCHANT_ID)  # another shop of theirs
    with pytest.raises(WithdrawalRefused) as refused:
        ask(owner, 1_001)

    assert refused.value.code == "daily_cap_exceeded"
    assert refused.value.details["left_today_fen"] == 1_000
    ask(owner, 1_000)
    assert set(WithdrawalDay.objects.values_list("member_id", "merchant_id", "requested_fen")) == {
        (owner.pk, None, 3_000),
        (None, MERCHANT_ID, 5_000),
        (None, OTHER_MERCHANT_ID, 5_000),
    }
    now = Withdrawal.objects.first().requested_at  # type: ignore[union-attr]
    assert selectors.merchant_requested_today(MERCHANT_ID, now) == 5_000
    assert selectors.requested_today(owner, now) == 3_000


# --- the operator's decision --------------------------------------------------------------------


def test_approving_in_the_sandbox_pays_at_once_with_the_fee_to_the_platform(
    owner: Member, operator: Member, settings: Any
) -> None:
    settings.MERCHANT_WITHDRAWAL_FEE_BP = 100  # 1 %
    withdrawal = ask(owner, 200_000, channel="alipay", payee="shop@example.cn")
    assert withdrawal.fee_fen == 2_000

    paid = withdrawal_approve(withdrawal, operator=operator)

    assert paid.status == "paid"
    assert shop() == (800_000, 0)
    assert balance(platform(rules.PAYOUTS)) == 198_000
    assert balance(platform(rules.PLATFORM_FEES)) == 2_000
    assert postings(f"withdrawal:{paid.pk}:paid") == [
        (rules.MERCHANT_WITHDRAWING, MERCHANT_ID, 200_000),
        (rules.PAYOUTS, None, -198_000),
        (rules.PLATFORM_FEES, None, -2_000),
    ]
    assert merchant_withdrawal_summary(MERCHANT_ID) == MerchantWithdrawalSummary(
        available_fen=800_000, withdrawing_fen=0, withdrawn_fen=200_000
    )
    assert ledger_check() == []


def test_rejecting_gives_the_merchant_its_money_and_its_cap_back(
    owner: Member, operator: Member
) -> None:
    withdrawal = ask(owner, 300_000)

    rejected = withdrawal_reject(withdrawal, operator=operator, reason="wrong card")

    assert rejected.status == "rejected"
    assert shop() == (1_000_000, 0)
    assert postings(f"withdrawal:{withdrawal.pk}:returned") == [
        (rules.MERCHANT_AVAILABLE, MERCHANT_ID, -300_000),
        (rules.MERCHANT_WITHDRAWING, MERCHANT_ID, 300_000),
    ]
    assert selectors.merchant_requested_today(MERCHANT_ID, withdrawal.requested_at) == 0
    assert ledger_check() == []


def test_a_provider_failure_returns_the_money_and_a_retry_holds_it_again(
    owner: Member, operator: Member, provider: FakeProvider
) -> None:
    provider.answers = ["failed", "succeeded"]
    withdrawal = ask(owner, 100_000, channel="wechat", payee="o-owner")

    failed = withdrawal_approve(withdrawal, operator=operator)

    assert failed.status == "failed"
    assert shop() == (1_000_000, 0)

    retried = withdrawal_retry(failed, operator=operator)

    assert retried.status == "paid"
    assert shop() == (900_000, 0)
    assert [call.transfer_no for call in provider.calls] == [withdrawal.out_bill_no] * 2
    assert list(
        LedgerTransaction.objects.filter(key__startswith=f"withdrawal:{withdrawal.pk}:")
        .order_by("pk")
        .values_list("key", flat=True)
    ) == [
        f"withdrawal:{withdrawal.pk}:hold",
        f"withdrawal:{withdrawal.pk}:returned",
        f"withdrawal:{withdrawal.pk}:hold:1",
        f"withdrawal:{withdrawal.pk}:paid",
    ]
    assert ledger_check() == []


def test_a_retry_needs_the_merchants_money_again(owner: Member, operator: Member) -> None:
    withdrawal = ask(owner, 1_000_000)
    withdrawal_approve(withdrawal, operator=operator)
    failed = withdrawal_mark_failed(withdrawal, operator=operator, reason="bounced")
    assert shop() == (1_000_000, 0)
    refund_after_settlement(MERCHANT_ID, 1)

    with pytest.raises(InsufficientBalance):
        withdrawal_retry(failed, operator=operator)

    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "failed"
    assert shop() == (999_999, 0)


def test_a_bank_card_is_paid_by_hand(owner: Member, operator: Member) -> None:
    withdrawal = withdrawal_approve(ask(owner, 50_000), operator=operator)
    assert withdrawal.status == "approved"

    paid = withdrawal_mark_paid(withdrawal, operator=operator, reference="B-77")

    assert (paid.status, paid.provider_transfer_id) == ("paid", "B-77")
    assert shop() == (950_000, 0)
    assert ledger_check() == []


def test_an_operator_cannot_review_a_withdrawal_they_asked_for_their_shop(db: None) -> None:
    operator_owner = OperatorFactory.create()
    settle(MERCHANT_ID, 10_000)
    withdrawal = ask(operator_owner, 1_000)

    with pytest.raises(Forbidden) as refused:
        withdrawal_approve(withdrawal, operator=operator_owner)

    assert refused.value.code == "own_withdrawal"


# --- what each side sees ------------------------------------------------------------------------


def test_a_members_own_lists_and_figures_leave_out_the_merchants(
    owner: Member, operator: Member
) -> None:
    withdrawal_approve(ask(owner, 1_000, channel="alipay", payee="a@b.cn"), operator=operator)
    other = ask(owner, 2_000)

    assert list(selectors.withdrawals_of(owner)) == []
    with pytest.raises(Exception) as missing:
        selectors.withdrawal_of_member(owner, other.pk)
    assert getattr(missing.value, "code", None) == "not_found"
    assert wallet_summary(owner.pk).withdrawn_fen == 0
    assert [w.pk for w in selectors.withdrawals_of_merchant(MERCHANT_ID)] == [
        other.pk,
        other.pk - 1,
    ]
    assert list(selectors.withdrawals_of_merchant(OTHER_MERCHANT_ID)) == []
    assert [w.pk for w in selectors.withdrawal_queue(holder_kind="merchant")] == [
        other.pk - 1,
        other.pk,
    ]
    assert list(selectors.withdrawal_queue(holder_kind="member")) == []
