"""Withdrawals: the hold at request, the fee, the minimum and the daily cap, the payout through
a provider or by hand, the money given back on a rejection or a failure, and the API."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.factories import MemberFactory, OperatorFactory
from tests.races import all_at_once, postgres_only

from sharemall.accounts.models import Member
from sharemall.accounts.services import token_issue
from sharemall.core.errors import DomainError, Forbidden, InvalidTransition
from sharemall.wallet import payouts, rules, services
from sharemall.wallet.models import (
    Account,
    LedgerTransaction,
    Withdrawal,
    WithdrawalDay,
    WithdrawalEvent,
)
from sharemall.wallet.services import (
    InsufficientBalance,
    balance,
    balances_for_member,
    ledger_check,
    ledger_counts,
    ledger_post,
    member,
    merchant_receivable,
    platform,
    transfer,
)
from sharemall.wallet.services_withdrawals import (
    RECHECK_AFTER,
    WithdrawalRefused,
    wallet_summary,
    withdrawal_approve,
    withdrawal_mark_failed,
    withdrawal_mark_paid,
    withdrawal_policy,
    withdrawal_reject,
    withdrawal_request,
    withdrawal_retry,
    withdrawals_check,
)

MERCHANT_ID = 3
YUAN = 100
_keys = itertools.count(1)


# --- set-up -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_cached_accounts() -> Iterator[None]:
    services.forget_cached_accounts()
    yield
    services.forget_cached_accounts()


def fund(who: Member, amount_fen: int) -> None:
    """Settled commission: the merchant owes the member, who may withdraw it."""
    ledger_post(
        key=f"test:fund:{next(_keys)}",
        kind="commission_settled",
        entries=transfer(
            debit=merchant_receivable(MERCHANT_ID),
            credit=member(rules.MEMBER_AVAILABLE, who.pk),
            amount_fen=amount_fen,
        ),
    )


def claw_back(who: Member, amount_fen: int) -> None:
    """A refund after settlement takes commission back, even below zero (a debt)."""
    ledger_post(
        key=f"test:clawback:{next(_keys)}",
        kind="commission_reversed",
        entries=transfer(
            debit=member(rules.MEMBER_AVAILABLE, who.pk),
            credit=merchant_receivable(MERCHANT_ID),
            amount_fen=amount_fen,
        ),
    )


def figures(who: Member) -> tuple[int, int]:
    """(available, withdrawing)."""
    found = balances_for_member(who.pk)
    return found[rules.MEMBER_AVAILABLE], found[rules.MEMBER_WITHDRAWING]


def day_total(who: Member) -> int:
    return sum(WithdrawalDay.objects.filter(member=who).values_list("requested_fen", flat=True))


def keys() -> list[str]:
    return list(
        LedgerTransaction.objects.filter(key__startswith="withdrawal:")
        .order_by("pk")
        .values_list("key", flat=True)
    )


def snapshot() -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    return (
        ledger_counts(),
        Withdrawal.objects.count(),
        WithdrawalEvent.objects.count(),
        sorted(WithdrawalDay.objects.values_list("member_id", "day", "requested_fen")),
        sorted(Account.objects.values_list("kind", "owner_id", "balance_fen")),
    )


@dataclass
class FakeProvider:
    """Answers transfers with the given statuses in turn (the last one repeats)."""

    answers: list[str | Exception]
    calls: list[Any] = field(default_factory=list)

    def transfer(self, request: Any) -> Any:
        self.calls.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        raw = {"fail_reason": "PAYEE_ACCOUNT_ABNORMAL"} if answer == "failed" else {}
        return SimpleNamespace(
            status=answer, provider_transfer_id=f"T-{request.transfer_no}", raw=raw
        )


class ProviderDown(DomainError):
    status = 502
    code = "provider_error"


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    fake = FakeProvider(["succeeded"])
    monkeypatch.setattr(payouts, "provider_for_payout", lambda name: fake)
    yield fake


@pytest.fixture
def rich(db: None) -> Member:
    who = MemberFactory.create()
    fund(who, 1_000_000)  # ¥10,000
    return who


# --- rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount_fen", "fee_fen"),
    [
        (100, 0),
        (100_000, 0),  # ¥1,000: free
        (100_999, 0),  # 0.1 % of ¥9.99 is under a fen
        (101_000, 1),
        (200_000, 100),  # ¥2,000 → ¥1.00
        (500_000, 400),
        (200_999, 100),  # rounded down
    ],
)
def test_the_fee_is_a_tenth_of_a_percent_of_the_part_above_1000_yuan(
    amount_fen: int, fee_fen: int
) -> None:
    assert withdrawal_policy().fee_for(amount_fen) == fee_fen


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WITHDRAWAL_FEE_BP", 10_000),
        ("WITHDRAWAL_FEE_BP", -1),
        ("WITHDRAWAL_MIN_FEN", 0),
        ("WITHDRAWAL_DAILY_CAP_FEN", 50),
        ("WITHDRAWAL_FEE_FREE_FEN", "1000"),
    ],
)
def test_bad_withdrawal_settings_fail_loudly(settings: Any, name: str, value: Any) -> None:
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured):
        withdrawal_policy()


def test_the_cap_day_is_the_day_in_china() -> None:
    assert rules.cap_day(datetime(2026, 3, 1, 15, 59, tzinfo=UTC)).isoformat() == "2026-03-01"
    assert rules.cap_day(datetime(2026, 3, 1, 16, 0, tzinfo=UTC)).isoformat() == "2026-03-02"


def test_only_a_bank_card_is_masked() -> None:
    assert rules.mask_payee("bank", "6222021234567890") == "**** 7890"
    assert rules.mask_payee("wechat", "o-openid-123456") == "o-openid-123456"


# --- the request ----------------------------------------------------------------------------


def test_a_request_holds_the_money_at_once(rich: Member) -> None:
    withdrawal = withdrawal_request(member=rich, amount_fen=200_000, channel="wechat", payee="o1")

    assert (withdrawal.status, withdrawal.amount_fen, withdrawal.fee_fen) == (
        "requested",
        200_000,
        100,
    )
    assert withdrawal.payout_fen == 199_900
    assert figures(rich) == (800_000, 200_000)
    assert keys() == [f"withdrawal:{withdrawal.pk}:hold"]
    assert day_total(rich) == 200_000
    assert len(withdrawal.out_bill_no) <= 32 and withdrawal.out_bill_no.isalnum()
    assert list(withdrawal.events.values_list("from_status", "to_status", "actor")) == [
        ("", "requested", rich.pk)
    ]
    assert ledger_check() == []


@pytest.mark.parametrize("amount_fen", [99, 0, -100])
def test_below_the_minimum_is_refused_with_nothing_written(rich: Member, amount_fen: int) -> None:
    before = snapshot()

    with pytest.raises(WithdrawalRefused) as refused:
        withdrawal_request(member=rich, amount_fen=amount_fen, channel="wechat")

    assert refused.value.code == "below_minimum"
    assert snapshot() == before


def test_an_unknown_channel_is_refused(rich: Member) -> None:
    with pytest.raises(WithdrawalRefused) as refused:
        withdrawal_request(member=rich, amount_fen=1_000, channel="paypal")
    assert refused.value.code == "invalid_channel"
    assert Withdrawal.objects.count() == 0


def test_a_bad_bank_card_is_refused(rich: Member) -> None:
    with pytest.raises(WithdrawalRefused) as refused:
        withdrawal_request(member=rich, amount_fen=1_000, channel="bank", payee="1234")
    assert refused.value.code == "invalid_payee"


def test_the_daily_cap_counts_a_day_in_china_and_frees_what_is_rejected(
    rich: Member, operator: Member
) -> None:
    evening = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    first = withdrawal_request(member=rich, amount_fen=300_000, channel="wechat", now=evening)
    before = snapshot()

    with pytest.raises(WithdrawalRefused) as refused:
        withdrawal_request(member=rich, amount_fen=200_001, channel="wechat", now=evening)

    assert refused.value.code == "daily_cap_exceeded"
    assert refused.value.details["left_today_fen"] == 200_000
    assert snapshot() == before
    withdrawal_request(member=rich, amount_fen=200_000, channel="wechat", now=evening)
    with pytest.raises(WithdrawalRefused) as again:
        withdrawal_request(member=rich, amount_fen=100, channel="wechat", now=evening)
    assert again.value.code == "daily_cap_exceeded"
    # Midnight in Shanghai is 16:00 UTC: a new day, a new cap.
    withdrawal_request(
        member=rich, amount_fen=100, channel="wechat", now=evening + timedelta(hours=1)
    )
    # A rejection gives the day back its share.
    withdrawal_reject(first, operator=operator, reason="duplicate request")
    withdrawal_request(member=rich, amount_fen=300_000, channel="wechat", now=evening)
    assert WithdrawalDay.objects.get(member=rich, day="2026-03-01").requested_fen == 500_000
    assert ledger_check() == []


def test_one_request_above_the_cap_is_refused_with_nothing_written(rich: Member) -> None:
    before = snapshot()
    with pytest.raises(WithdrawalRefused) as refused:
        withdrawal_request(member=rich, amount_fen=500_001, channel="alipay")
    assert refused.value.code == "daily_cap_exceeded"
    assert snapshot() == before


def test_more_than_the_available_balance_is_refused_with_nothing_written(db: None) -> None:
    who = MemberFactory.create()
    fund(who, 1_000)
    before = snapshot()

    with pytest.raises(InsufficientBalance) as refused:
        withdrawal_request(member=who, amount_fen=1_001, channel="wechat")

    assert refused.value.code == "insufficient_balance"
    assert snapshot() == before  # the day counter's claim rolled back too
    assert day_total(who) == 0
    assert figures(who) == (1_000, 0)


def test_a_debt_blocks_withdrawals(db: None) -> None:
    who = MemberFactory.create()
    fund(who, 1_000)
    claw_back(who, 1_500)
    assert figures(who) == (-500, 0)
    before = snapshot()

    with pytest.raises(InsufficientBalance) as refused:
        withdrawal_request(member=who, amount_fen=100, channel="wechat")

    assert refused.value.code == "insufficient_balance"
    assert snapshot() == before
    assert ledger_check() == []


def test_a_member_without_money_is_refused(member: Member) -> None:
    with pytest.raises(InsufficientBalance):
        withdrawal_request(member=member, amount_fen=100, channel="wechat")
    assert Withdrawal.objects.count() == WithdrawalDay.objects.count() == 0


# --- approval and payout ----------------------------------------------------------------------


def test_approving_in_the_sandbox_pays_at_once(rich: Member, operator: Member) -> None:
    withdrawal = withdrawal_request(member=rich, amount_fen=200_000, channel="wechat")

    paid = withdrawal_approve(withdrawal, operator=operator)

    assert paid.status == "paid"
    assert paid.provider == "sandbox"
    assert paid.provider_transfer_id == f"SBXT{paid.out_bill_no}"
    assert paid.reviewed_by == operator and paid.decided_at and paid.paid_at
    assert figures(rich) == (800_000, 0)
    assert balance(platform(rules.PAYOUTS)) == 199_900
    assert balance(platform(rules.PLATFORM_FEES)) == 100
    assert keys() == [f"withdrawal:{paid.pk}:hold", f"withdrawal:{paid.pk}:paid"]
    assert day_total(rich) == 200_000  # paid money stays counted
    assert list(paid.events.values_list("to_status", flat=True)) == [
        "requested",
        "approved",
        "paid",
    ]
    assert ledger_check() == []


def test_a_payout_without_a_fee_posts_no_fee(rich: Member, operator: Member) -> None:
    withdrawal = withdrawal_request(member=rich, amount_fen=5_000, channel="alipay")
    withdrawal_approve(withdrawal, operator=operator)
    assert balance(platform(rules.PAYOUTS)) == 5_000
    assert balance(platform(rules.PLATFORM_FEES)) == 0
    assert ledger_check() == []


def test_a_withdrawal_is_approved_once(rich: Member, operator: Member) -> None:
    withdrawal = withdrawal_request(member=rich, amount_fen=5_000, channel="wechat")
    stale = Withdrawal.objects.get(pk=withdrawal.pk)
    withdrawal_approve(withdrawal, operator=operator)

    with pytest.raises(InvalidTransition):
        withdrawal_approve(stale, operator=operator)
    with pytest.raises(InvalidTransition):
        withdrawal_reject(stale, operator=operator, reason="too late")
    assert balance(platform(rules.PAYOUTS)) == 5_000
    assert ledger_check() == []


def test_an_operator_cannot_review_their_own_withdrawal(operator: Member) -> None:
    fund(operator, 10_000)
    withdrawal = withdrawal_request(member=operator, amount_fen=5_000, channel="wechat")
    with pytest.raises(Forbidden):
        withdrawal_approve(withdrawal, operator=operator)
    assert Withdrawal.objects.get().status == "requested"


def test_rejecting_gives_the_money_back(rich: Member, operator: Member) -> None:
    withdrawal = withdrawal_request(member=rich, amount_fen=200_000, channel="wechat")

    rejected = withdrawal_reject(withdrawal, operator=operator, reason="  payee   unknown ")

    assert (rejected.status, rejected.reason) == ("rejected", "payee unknown")
    assert rejected.reviewed_by == operator
    assert figures(rich) == (1_000_000, 0)
    assert keys() == [f"withdrawal:{rejected.pk}:hold", f"withdrawal:{rejected.pk}:returned"]
    assert day_total(rich) == 0
    assert balance(platform(rules.PAYOUTS)) == 0
    assert ledger_check() == []


def test_a_rejection_needs_a_reason(rich: Member, operator: Member) -> None:
    withdrawal = withdrawal_request(member=rich, amount_fen=1_000, channel="wechat")
    with pytest.raises(WithdrawalRefused) as refused:
        withdrawal_reject(withdrawal, operator=operator, reason="   ")
    assert refused.value.code == "invalid_input"
    assert Withdrawal.objects.get().status == "requested"


def test_a_provider_failure_fails_and_gives_the_money_back(
    rich: Member, operator: Member, provider: FakeProvider
) -> None:
    provider.answers = ["failed"]
    withdrawal = withdrawal_request(member=rich, amount_fen=200_000, channel="wechat", payee="o1")

    failed = withdrawal_approve(withdrawal, operator=operator)

    assert failed.status == "failed"
    assert failed.reason == "PAYEE_ACCOUNT_ABNORMAL"
    assert figures(rich) == (1_000_000, 0)
    assert day_total(rich) == 0
    assert keys() == [f"withdrawal:{failed.pk}:hold", f"withdrawal:{failed.pk}:returned"]
    assert balance(platform(rules.PAYOUTS)) == 0
    assert ledger_check() == []


def test_a_processing_payout_is_finished_by_the_job_with_the_same_bill_number(
    rich: Member, operator: Member, provider: FakeProvider
) -> None:
    provider.answers = ["processing", "processing", "succeeded"]
    withdrawal = withdrawal_request(
        member=rich, amount_fen=200_000, channel="alipay", payee="a@b.cn"
    )

    approved = withdrawal_approve(withdrawal, operator=operator)

    assert approved.status == "approved"
    assert approved.provider_transfer_id == f"T-{approved.out_bill_no}"
    assert figures(rich) == (800_000, 200_000)
    assert approved.decided_at is not None
    # Too fresh: left to the call that approved it.
    assert withdrawals_check(approved.decided_at) == 0
    assert len(provider.calls) == 1
    later = approved.decided_at + RECHECK_AFTER
    assert withdrawals_check(later) == 0  # still processing
    assert withdrawals_check(later) == 1
    assert withdrawals_check(later) == 0  # nothing left to ask about

    paid = Withdrawal.objects.get(pk=withdrawal.pk)
    assert paid.status == "paid"
    assert [c.transfer_no for c in provider.calls] == [paid.out_bill_no] * 3
    assert {(c.amount_fen, c.payee) for c in provider.calls} == {(199_900, "a@b.cn")}
    assert figures(rich) == (800_000, 0)
    assert balance(platform(rules.PAYOUTS)) == 199_900
    assert ledger_check() == []


def test_a_provider_error_keeps_it_approved_until_asked_again(
    rich: Member, operator: Member, provider: FakeProvider
) -> None:
    provider.answers = [ProviderDown("timeout"), "succeeded"]
    withdrawal = withdrawal_request(member=rich, amount_fen=1_000, channel="wechat", payee="o1")

    assert withdrawal_approve(withdrawal, operator=operator).status == "approved"
    assert figures(rich) == (999_000, 1_000)

    assert withdrawals_check(timezone.now() + RECHECK_AFTER) == 1
    assert Withdrawal.objects.get().status == "paid"
    assert [c.transfer_no for c in provider.calls] == [withdrawal.out_bill_no] * 2
    assert ledger_check() == []


def test_a_payout_refused_before_sending_fails_at_once(
    rich: Member, operator: Member, provider: FakeProvider, settings: Any
) -> None:
    settings.SANDBOX_PAYMENTS = False
    withdrawal = withdrawal_request(member=rich, amount_fen=1_000, channel="alipay")  # no payee

    failed = withdrawal_approve(withdrawal, operator=operator)

    assert (failed.status, failed.provider) == ("failed", "alipay")
    assert provider.calls == []
    assert figures(rich) == (1_000_000, 0)
    assert ledger_check() == []


def test_a_failed_withdrawal_can_be_retried_with_the_same_bill_number(
    rich: Member, operator: Member, provider: FakeProvider
) -> None:
    provider.answers = ["failed", "succeeded"]
    withdrawal = withdrawal_request(member=rich, amount_fen=200_000, channel="wechat", payee="o1")
    failed = withdrawal_approve(withdrawal, operator=operator)

    paid = withdrawal_retry(failed, operator=operator)

    assert (paid.status, paid.retries, paid.reason) == ("paid", 1, "")
    assert [c.transfer_no for c in provider.calls] == [paid.out_bill_no] * 2
    assert keys() == [
        f"withdrawal:{paid.pk}:hold",
        f"withdrawal:{paid.pk}:returned",
        f"withdrawal:{paid.pk}:hold:1",
        f"withdrawal:{paid.pk}:paid",
    ]
    assert figures(rich) == (800_000, 0)
    assert day_total(rich) == 200_000
    assert ledger_check() == []


def test_a_retry_needs_the_money_again(operator: Member, provider: FakeProvider) -> None:
    provider.answers = ["failed"]
    who = MemberFactory.create()
    fund(who, 5_000)
    withdrawal = withdrawal_request(member=who, amount_fen=4_000, channel="wechat", payee="o1")
    failed = withdrawal_approve(withdrawal, operator=operator)
    withdrawal_request(member=who, amount_fen=3_000, channel="wechat")
    before = snapshot()

    with pytest.raises(InsufficientBalance):
        withdrawal_retry(failed, operator=operator)

    assert snapshot() == before
    assert Withdrawal.objects.get(pk=failed.pk).status == "failed"


def test_a_bank_card_is_paid_by_hand(
    rich: Member, operator: Member, provider: FakeProvider
) -> None:
    withdrawal = withdrawal_request(
        member=rich,
        amount_fen=200_000,
        channel="bank",
        payee="6222 0212 3456 7890",
        payee_name="李四",
    )
    assert withdrawal.payee == "6222021234567890"

    approved = withdrawal_approve(withdrawal, operator=operator)
    assert (approved.status, approved.provider) == ("approved", "")
    assert provider.calls == []
    assert withdrawals_check(timezone.now() + timedelta(days=1)) == 0

    paid = withdrawal_mark_paid(approved, operator=operator, reference="ICBC-20260301-0001")

    assert (paid.status, paid.provider_transfer_id) == ("paid", "ICBC-20260301-0001")
    assert figures(rich) == (800_000, 0)
    assert balance(platform(rules.PAYOUTS)) == 199_900
    assert balance(platform(rules.PLATFORM_FEES)) == 100
    assert ledger_check() == []


def test_a_bank_card_that_bounced_is_failed_by_hand_and_retried(
    rich: Member, operator: Member
) -> None:
    withdrawal = withdrawal_request(
        member=rich, amount_fen=1_000, channel="bank", payee="6222021234567890"
    )
    approved = withdrawal_approve(withdrawal, operator=operator)

    failed = withdrawal_mark_failed(approved, operator=operator, reason="card closed")
    assert (failed.status, failed.reason) == ("failed", "card closed")
    assert figures(rich) == (1_000_000, 0)

    again = withdrawal_retry(failed, operator=operator)
    assert again.status == "approved"
    assert figures(rich) == (999_000, 1_000)
    assert withdrawal_mark_paid(again, operator=operator, reference="ref-2").status == "paid"
    assert figures(rich) == (999_000, 0)
    assert ledger_check() == []


def test_only_a_bank_card_is_settled_by_hand(
    rich: Member, operator: Member, provider: FakeProvider
) -> None:
    provider.answers = ["processing"]
    withdrawal = withdrawal_request(member=rich, amount_fen=1_000, channel="wechat", payee="o1")
    approved = withdrawal_approve(withdrawal, operator=operator)

    settles: tuple[Callable[[], object], ...] = (
        lambda: withdrawal_mark_paid(approved, operator=operator, reference="x"),
        lambda: withdrawal_mark_failed(approved, operator=operator, reason="x"),
    )
    for settle in settles:
        with pytest.raises(WithdrawalRefused) as refused:
            settle()
        assert refused.value.code == "not_manual_channel"
    assert Withdrawal.objects.get().status == "approved"


def test_the_wallet_figures(rich: Member, operator: Member) -> None:
    ledger_post(
        key="test:pending",
        kind="commission_pending",
        entries=transfer(
            debit=merchant_receivable(MERCHANT_ID),
            credit=member(rules.MEMBER_PENDING, rich.pk),
            amount_fen=700,
        ),
    )
    paid = withdrawal_request(member=rich, amount_fen=200_000, channel="wechat")
    withdrawal_approve(paid, operator=operator)
    withdrawal_request(member=rich, amount_fen=5_000, channel="wechat")
    rejected = withdrawal_request(member=rich, amount_fen=3_000, channel="wechat")
    withdrawal_reject(rejected, operator=operator, reason="no")

    summary = wallet_summary(rich.pk)

    assert (
        summary.pending_fen,
        summary.available_fen,
        summary.withdrawing_fen,
        summary.withdrawn_fen,
    ) == (700, 795_000, 5_000, 200_000)


# --- the API ------------------------------------------------------------------------------------


def test_api_request_and_approve_in_the_sandbox(api: Any, rich: Member, operator: Member) -> None:
    created = api.post("/withdrawals", {"amount_fen": 200_000, "channel": "wechat"}, as_=rich)

    assert created.status == 201, created.body
    assert {k: created.body[k] for k in ("status", "amount_fen", "fee_fen", "payout_fen")} == {
        "status": "requested",
        "amount_fen": 200_000,
        "fee_fen": 100,
        "payout_fen": 199_900,
    }
    wid = created.body["id"]
    wallet = api.get("/wallet", as_=rich)
    assert wallet.body == {
        "pending_fen": 0,
        "available_fen": 800_000,
        "withdrawing_fen": 200_000,
        "withdrawn_fen": 0,
    }

    approved = api.post(f"/platform/withdrawals/{wid}/approve", as_=operator)

    assert (approved.status, approved.body) == (200, {"id": wid, "status": "paid"})
    assert api.get("/wallet", as_=rich).body == {
        "pending_fen": 0,
        "available_fen": 800_000,
        "withdrawing_fen": 0,
        "withdrawn_fen": 200_000,
    }
    again = api.post(f"/platform/withdrawals/{wid}/approve", as_=operator)
    assert (again.status, again.error_code) == (409, "invalid_transition")
    assert ledger_check() == []


def test_api_refusals(api: Any, db: None) -> None:
    who = MemberFactory.create()
    fund(who, 1_000)

    def post(body: dict[str, Any]) -> tuple[int, str | None]:
        answer = api.post("/withdrawals", body, as_=who)
        return answer.status, answer.error_code

    assert post({"amount_fen": 1_001, "channel": "wechat"}) == (400, "insufficient_balance")
    assert post({"amount_fen": 99, "channel": "wechat"}) == (400, "below_minimum")
    assert post({"amount_fen": 500_001, "channel": "wechat"}) == (400, "daily_cap_exceeded")
    assert post({"amount_fen": 100, "channel": "paypal"}) == (400, "invalid_input")
    assert post({"amount_fen": 10**15, "channel": "wechat"}) == (400, "invalid_input")
    assert post({"channel": "wechat"}) == (400, "invalid_input")
    claw_back(who, 2_000)
    assert post({"amount_fen": 100, "channel": "wechat"}) == (400, "insufficient_balance")
    assert Withdrawal.objects.count() == 0
    assert ledger_check() == []


def test_api_repeated_request_with_an_idempotency_key_withdraws_once(
    api: Any, rich: Member
) -> None:
    headers = {"Idempotency-Key": "3f1c7a52-withdraw-1"}
    body = {"amount_fen": 1_000, "channel": "alipay", "payee": "a@b.cn", "payee_name": "王五"}

    token = token_issue(rich)  # one caller: the key is scoped to the credential

    first = api.post("/withdrawals", body, as_=token, headers=headers)
    second = api.post("/withdrawals", body, as_=token, headers=headers)

    assert (first.status, second.status) == (201, 201)
    assert first.body == second.body
    assert Withdrawal.objects.count() == 1
    assert figures(rich) == (999_000, 1_000)


def test_api_bank_card_flow_and_what_each_side_sees(
    api: Any, rich: Member, operator: Member
) -> None:
    created = api.post(
        "/withdrawals",
        {"amount_fen": 1_000, "channel": "bank", "payee": "6222021234567890", "payee_name": "李四"},
        as_=rich,
    )
    wid = created.body["id"]
    assert created.body["payee"] == "**** 7890"

    assert api.post(f"/platform/withdrawals/{wid}/approve", as_=operator).body == {
        "id": wid,
        "status": "approved",
    }
    queue = api.get("/platform/withdrawals?status=approved", as_=operator)
    assert [(w["id"], w["payee"], w["payee_name"]) for w in queue.body] == [
        (wid, "6222021234567890", "李四")
    ]
    assert api.get("/platform/withdrawals?status=paid", as_=operator).body == []
    assert api.get("/platform/withdrawals?status=bogus", as_=operator).status == 400
    missing = api.post(f"/platform/withdrawals/{wid}/mark-paid", {"reference": ""}, as_=operator)
    assert (missing.status, missing.error_code) == (400, "invalid_input")

    paid = api.post(f"/platform/withdrawals/{wid}/mark-paid", {"reference": "B-1"}, as_=operator)

    assert paid.body == {"id": wid, "status": "paid"}
    mine = api.get("/withdrawals", as_=rich)
    assert [(w["id"], w["status"], w["payee"]) for w in mine.body] == [(wid, "paid", "**** 7890")]
    assert api.get(f"/withdrawals/{wid}", as_=rich).body["status"] == "paid"
    assert ledger_check() == []


def test_api_reject_mark_failed_and_retry(api: Any, rich: Member, operator: Member) -> None:
    rejected = withdrawal_request(member=rich, amount_fen=1_000, channel="wechat")
    bank = withdrawal_request(
        member=rich, amount_fen=2_000, channel="bank", payee="6222021234567890"
    )
    withdrawal_approve(bank, operator=operator)

    no_reason = api.post(
        f"/platform/withdrawals/{rejected.pk}/reject", {"reason": ""}, as_=operator
    )
    assert (no_reason.status, no_reason.error_code) == (400, "invalid_input")
    answer = api.post(
        f"/platform/withdrawals/{rejected.pk}/reject", {"reason": "bad"}, as_=operator
    )
    assert answer.body == {"id": rejected.pk, "status": "rejected"}
    assert api.get(f"/withdrawals/{rejected.pk}", as_=rich).body["reason"] == "bad"

    failed = api.post(
        f"/platform/withdrawals/{bank.pk}/mark-failed", {"reason": "closed"}, as_=operator
    )
    assert failed.body == {"id": bank.pk, "status": "failed"}
    retried = api.post(f"/platform/withdrawals/{bank.pk}/retry", as_=operator)
    assert retried.body == {"id": bank.pk, "status": "approved"}
    assert figures(rich) == (998_000, 2_000)
    assert ledger_check() == []


def test_api_permissions(api: Any, rich: Member, operator: Member) -> None:
    stranger = MemberFactory.create()
    mine = withdrawal_request(member=rich, amount_fen=1_000, channel="wechat")
    platform_calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/platform/withdrawals", None),
        ("POST", f"/platform/withdrawals/{mine.pk}/approve", None),
        ("POST", f"/platform/withdrawals/{mine.pk}/reject", {"reason": "x"}),
        ("POST", f"/platform/withdrawals/{mine.pk}/mark-paid", {"reference": "x"}),
        ("POST", f"/platform/withdrawals/{mine.pk}/mark-failed", {"reason": "x"}),
        ("POST", f"/platform/withdrawals/{mine.pk}/retry", None),
    ]
    member_calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/wallet", None),
        ("GET", "/withdrawals", None),
        ("GET", f"/withdrawals/{mine.pk}", None),
        ("POST", "/withdrawals", {"amount_fen": 100, "channel": "wechat"}),
    ]

    def status(who: Member | None, method: str, path: str, body: Any) -> int:
        answer: int = api.call(method, path, as_=who, json_body=body).status
        return answer

    for method, path, body in platform_calls + member_calls:
        assert status(None, method, path, body) == 401, path
    for method, path, body in platform_calls:
        assert status(rich, method, path, body) == 403, path  # the owner is no operator
        assert status(stranger, method, path, body) == 403, path
    assert status(stranger, "GET", f"/withdrawals/{mine.pk}", None) == 404
    assert api.get("/withdrawals", as_=stranger).body == []
    assert api.get("/wallet", as_=stranger).body == {
        "pending_fen": 0,
        "available_fen": 0,
        "withdrawing_fen": 0,
        "withdrawn_fen": 0,
    }
    assert status(operator, "GET", f"/withdrawals/{mine.pk}", None) == 404  # not theirs either
    assert status(operator, "POST", "/platform/withdrawals/999999/approve", None) == 404
    assert Withdrawal.objects.get(pk=mine.pk).status == "requested"

    fund(operator, 1_000)
    own = withdrawal_request(member=operator, amount_fen=1_000, channel="wechat")
    refused = api.post(f"/platform/withdrawals/{own.pk}/approve", as_=operator)
    assert (refused.status, refused.error_code) == (403, "own_withdrawal")
    assert api.post(
        f"/platform/withdrawals/{own.pk}/approve", as_=OperatorFactory.create()
    ).body == {
        "id": own.pk,
        "status": "paid",
    }
    assert ledger_check() == []


# --- committed transactions -------------------------------------------------------------------


@pytest.mark.usefixtures("committing_db")
def test_the_provider_is_called_after_the_approval_commits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    who, operator = MemberFactory.create(), OperatorFactory.create()
    fund(who, 10_000)
    withdrawal = withdrawal_request(member=who, amount_fen=5_000, channel="wechat", payee="o1")
    seen: list[tuple[bool, str]] = []

    class Watching(FakeProvider):
        def transfer(self, request: Any) -> Any:
            status = Withdrawal.objects.get(pk=withdrawal.pk).status
            seen.append((connection.in_atomic_block, status))
            return super().transfer(request)

    fake = Watching(["succeeded"])
    monkeypatch.setattr(payouts, "provider_for_payout", lambda name: fake)

    assert withdrawal_approve(withdrawal, operator=operator).status == "paid"

    assert seen == [(False, "approved")]
    assert ledger_check() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_spend_the_same_fen() -> None:
    postgres_only()
    threads = 50
    who = MemberFactory.create()
    fund(who, 5_000)  # 50 × ¥50 stays within the daily cap: only the balance can refuse
    outcomes = all_at_once(
        [
            lambda: withdrawal_request(member=who, amount_fen=5_000, channel="wechat")
            for _ in range(threads)
        ]
    )

    won = [o for o in outcomes if isinstance(o, Withdrawal)]
    refused = [o for o in outcomes if isinstance(o, InsufficientBalance)]
    assert (len(won), len(refused)) == (1, threads - 1), outcomes
    assert Withdrawal.objects.count() == 1
    assert figures(who) == (0, 5_000)
    assert day_total(who) == 5_000
    assert LedgerTransaction.objects.filter(kind="withdrawal_hold").count() == 1
    assert ledger_check() == []


def test_api_lists_take_the_same_queries_for_more_rows(
    api: Any, rich: Member, operator: Member
) -> None:
    def queries(who: Member, path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(path, as_=who).status == 200
        return len(captured)

    withdrawal_request(member=rich, amount_fen=1_000, channel="wechat")
    few = queries(rich, "/withdrawals"), queries(operator, "/platform/withdrawals")
    for _i in range(4):
        withdrawal_request(member=rich, amount_fen=1_000, channel="bank", payee="6222021234567890")

    assert (queries(rich, "/withdrawals"), queries(operator, "/platform/withdrawals")) == few
    assert len(api.get("/platform/withdrawals?limit=3", as_=operator).body) == 3
