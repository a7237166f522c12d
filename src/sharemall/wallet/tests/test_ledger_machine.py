"""A state machine drives the ledger through payments, refunds, payouts, commissions and holds,
keeping its own model of every balance, and checks after each step that the two agree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from sharemall.core.money import BP_WHOLE, split_largest_remainder
from sharemall.wallet import rules, services
from sharemall.wallet.models import Account, LedgerTransaction, Posting
from sharemall.wallet.services import (
    AccountRef,
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
    merchant_receivable,
    platform,
    transfer,
)

MEMBERS = (101, 102, 103)
MERCHANTS = (201, 202)
PROVIDER = platform(rules.PROVIDER_FUNDS)
CLEARING = platform(rules.BUYER_PAYMENTS_CLEARING)
FEES = platform(rules.PLATFORM_FEES)
PAYOUTS = platform(rules.PAYOUTS)
ALL_REFS = (
    PROVIDER,
    CLEARING,
    FEES,
    PAYOUTS,
    *(merchant_receivable(m) for m in MERCHANTS),
    *(member(kind, m) for kind in rules.MEMBER_KINDS for m in MEMBERS),
)
AMOUNTS = st.integers(min_value=1, max_value=10**7)


@dataclass
class Payment:
    merchant_id: int
    paid: int
    refunded_unallocated: int = 0
    allocated_net: int = 0
    allocated_fee: int = 0
    refunded_net: int = 0
    refunded_fee: int = 0

    @property
    def in_clearing(self) -> int:
        return self.paid - self.refunded_unallocated - self.allocated_net - self.allocated_fee


@dataclass(frozen=True)
class Posted:
    kind: str
    entries: tuple[Entry, ...]
    hold_args: tuple[int, int, str, str] | None = None  # member, amount, from, to


def nonzero(entries: Sequence[Entry]) -> list[Entry]:
    return [e for e in entries if e.amount_fen != 0]


class LedgerMachine(RuleBasedStateMachine):
    payments = Bundle("payments")

    def __init__(self) -> None:
        super().__init__()
        # Each example starts from an empty ledger and leaves nothing behind.
        self.savepoint = transaction.savepoint_create()
        self.expected: Counter[AccountRef] = Counter()
        self.posted: dict[str, Posted] = {}
        self.serial = 0

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)

    # --- helpers ---------------------------------------------------------------------------

    def _key(self, what: str) -> str:
        self.serial += 1
        return f"{what}:{self.serial}"

    def _apply(self, entries: Sequence[Entry]) -> None:
        for entry in entries:
            self.expected[entry.account] += entry.account.normal_sign * entry.amount_fen

    def _post(self, what: str, entries: Sequence[Entry]) -> None:
        key = self._key(what)
        result = ledger_post(key=key, kind=what, entries=entries, memo=f"step {self.serial}")
        assert result.created
        assert result.transaction.key == key
        self._apply(entries)
        self.posted[key] = Posted(what, tuple(entries))

    def _snapshot(self) -> tuple[Any, ...]:
        return (
            LedgerTransaction.objects.count(),
            Posting.objects.count(),
            sorted(Account.objects.values_list("kind", "owner_id", "balance_fen")),
        )

    # --- payments --------------------------------------------------------------------------

    @rule(target=payments, merchant_id=st.sampled_from(MERCHANTS), amount=AMOUNTS)
    def pay(self, merchant_id: int, amount: int) -> Payment:
        self._post("payment_captured", transfer(debit=PROVIDER, credit=CLEARING, amount_fen=amount))
        return Payment(merchant_id, amount)

    @rule(payment=payments, data=st.data())
    def refund_before_allocation(self, payment: Payment, data: st.DataObject) -> None:
        if payment.in_clearing == 0:
            return
        amount = data.draw(st.integers(1, payment.in_clearing), label="refund")
        self._post("refund_paid", transfer(debit=CLEARING, credit=PROVIDER, amount_fen=amount))
        payment.refunded_unallocated += amount

    @rule(payment=payments, fee_bp=st.integers(0, 3_000))
    def allocate(self, payment: Payment, fee_bp: int) -> None:
        total = payment.in_clearing
        if total == 0:
            return
        fee, net = split_largest_remainder(total, [fee_bp, BP_WHOLE - fee_bp])
        self._post(
            "order_allocated",
            nonzero(
                [
                    Entry(CLEARING, total),
                    Entry(merchant_receivable(payment.merchant_id), -net),
                    Entry(FEES, -fee),
                ]
            ),
        )
        payment.allocated_net += net
        payment.allocated_fee += fee

    @rule(payment=payments, data=st.data())
    def refund_after_allocation(self, payment: Payment, data: st.DataObject) -> None:
        net_left = payment.allocated_net - payment.refunded_net
        fee_left = payment.allocated_fee - payment.refunded_fee
        if net_left + fee_left == 0:
            return
        amount = data.draw(st.integers(1, net_left + fee_left), label="refund")
        net, fee = split_largest_remainder(amount, [net_left, fee_left])
        assert net <= net_left and fee <= fee_left
        self._post(
            "refund_approved",
            nonzero(
                [
                    Entry(merchant_receivable(payment.merchant_id), net),
                    Entry(FEES, fee),
                    Entry(CLEARING, -amount),
                ]
            ),
        )
        self._post("refund_paid", transfer(debit=CLEARING, credit=PROVIDER, amount_fen=amount))
        payment.refunded_net += net
        payment.refunded_fee += fee

    @rule(merchant_id=st.sampled_from(MERCHANTS), data=st.data())
    def pay_out_merchant(self, merchant_id: int, data: st.DataObject) -> None:
        owed = self.expected[merchant_receivable(merchant_id)]
        if owed <= 0:
            return
        amount = data.draw(st.integers(1, owed), label="payout")
        self._post(
            "merchant_payout",
            transfer(debit=merchant_receivable(merchant_id), credit=PAYOUTS, amount_fen=amount),
        )

    # --- members ---------------------------------------------------------------------------

    @rule(
        merchant_id=st.sampled_from(MERCHANTS), member_id=st.sampled_from(MEMBERS), data=st.data()
    )
    def commission(self, merchant_id: int, member_id: int, data: st.DataObject) -> None:
        owed = self.expected[merchant_receivable(merchant_id)]
        if owed <= 0:
            return
        amount = data.draw(st.integers(1, owed), label="commission")
        self._post(
            "commission_pending",
            transfer(
                debit=merchant_receivable(merchant_id),
                credit=member(rules.MEMBER_PENDING, member_id),
                amount_fen=amount,
            ),
        )

    @rule(member_id=st.sampled_from(MEMBERS), data=st.data())
    def settle(self, member_id: int, data: st.DataObject) -> None:
        pending = self.expected[member(rules.MEMBER_PENDING, member_id)]
        if pending <= 0:
            return
        amount = data.draw(st.integers(1, pending), label="settle")
        self._post(
            "commission_settled",
            transfer(
                debit=member(rules.MEMBER_PENDING, member_id),
                credit=member(rules.MEMBER_AVAILABLE, member_id),
                amount_fen=amount,
            ),
        )

    @rule(
        member_id=st.sampled_from(MEMBERS),
        merchant_id=st.sampled_from(MERCHANTS),
        amount=st.integers(1, 10**6),
    )
    def claw_back(self, member_id: int, merchant_id: int, amount: int) -> None:
        # A refund after settlement takes the commission back even into debt.
        self._post(
            "commission_reversed",
            transfer(
                debit=member(rules.MEMBER_AVAILABLE, member_id),
                credit=merchant_receivable(merchant_id),
                amount_fen=amount,
            ),
        )

    def _hold(self, member_id: int, amount: int, source: str, destination: str) -> None:
        key = self._key("hold")
        covered = self.expected[member(source, member_id)] >= amount
        before = self._snapshot()
        try:
            result = hold(
                key=key,
                source=member(source, member_id),
                destination=member(destination, member_id),
                amount_fen=amount,
                kind="withdrawal_hold",
            )
        except InsufficientBalance:
            assert not covered
            assert self._snapshot() == before
            return
        assert covered
        assert result.created
        entries = transfer(
            debit=member(source, member_id),
            credit=member(destination, member_id),
            amount_fen=amount,
        )
        self._apply(entries)
        self.posted[key] = Posted(
            "withdrawal_hold", entries, hold_args=(member_id, amount, source, destination)
        )

    @rule(member_id=st.sampled_from(MEMBERS), amount=st.integers(1, 10**6))
    def hold_for_withdrawal(self, member_id: int, amount: int) -> None:
        self._hold(member_id, amount, rules.MEMBER_AVAILABLE, rules.MEMBER_WITHDRAWING)

    @rule(member_id=st.sampled_from(MEMBERS), amount=st.integers(1, 10**6))
    def return_rejected_withdrawal(self, member_id: int, amount: int) -> None:
        self._hold(member_id, amount, rules.MEMBER_WITHDRAWING, rules.MEMBER_AVAILABLE)

    @rule(member_id=st.sampled_from(MEMBERS), data=st.data())
    def pay_withdrawal(self, member_id: int, data: st.DataObject) -> None:
        withdrawing = self.expected[member(rules.MEMBER_WITHDRAWING, member_id)]
        if withdrawing <= 0:
            return
        amount = data.draw(st.integers(1, withdrawing), label="withdrawal")
        self._post(
            "withdrawal_paid",
            transfer(
                debit=member(rules.MEMBER_WITHDRAWING, member_id), credit=PAYOUTS, amount_fen=amount
            ),
        )

    # --- replays and refusals --------------------------------------------------------------

    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        if not self.posted:
            return
        key = data.draw(st.sampled_from(sorted(self.posted)), label="key")
        posted = self.posted[key]
        before = self._snapshot()
        if posted.hold_args is None:
            result = ledger_post(key=key, kind=posted.kind, entries=posted.entries)
        else:
            member_id, amount, source, destination = posted.hold_args
            result = hold(
                key=key,
                source=member(source, member_id),
                destination=member(destination, member_id),
                amount_fen=amount,
                kind=posted.kind,
            )
        assert not result.created
        assert result.transaction.key == key
        assert self._snapshot() == before

    @rule(data=st.data(), extra=st.integers(1, 1_000))
    def replay_with_other_amounts(self, data: st.DataObject, extra: int) -> None:
        if not self.posted:
            return
        key = data.draw(st.sampled_from(sorted(self.posted)), label="key")
        entries = list(self.posted[key].entries)
        first, last = entries[0], entries[-1]
        entries[0] = Entry(first.account, first.amount_fen + extra)
        entries[-1] = Entry(last.account, last.amount_fen - extra)
        before = self._snapshot()
        with pytest.raises(IdempotencyConflict):
            ledger_post(key=key, kind=self.posted[key].kind, entries=nonzero(entries))
        assert self._snapshot() == before

    @rule(
        amounts=st.lists(st.integers(-(10**6), 10**6), max_size=4),
        refs=st.lists(st.sampled_from(ALL_REFS), min_size=4, max_size=4),
    )
    def unbalanced(self, amounts: list[int], refs: list[AccountRef]) -> None:
        entries = [Entry(ref, amount) for ref, amount in zip(refs, amounts, strict=False)]
        try:
            rules.check_balanced(entries)
        except UnbalancedTransaction:
            pass
        else:
            entries.append(Entry(PROVIDER, 1))  # one fen too many
        before = self._snapshot()
        with pytest.raises(UnbalancedTransaction):
            ledger_post(key=self._key("unbalanced"), kind="test", entries=entries)
        assert self._snapshot() == before

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def ledger_is_whole(self) -> None:
        assert (Posting.objects.aggregate(total=Sum("amount_fen"))["total"] or 0) == 0
        assert ledger_check() == []
        assert LedgerTransaction.objects.count() == len(self.posted)

    @invariant()
    def balances_match_the_model(self) -> None:
        for ref in ALL_REFS:
            assert balance(ref) == self.expected[ref], ref
        for member_id in MEMBERS:
            assert balances_for_member(member_id) == {
                kind: self.expected[member(kind, member_id)] for kind in rules.MEMBER_KINDS
            }
        # Never more allocated or refunded than buyers paid in.
        assert balance(CLEARING) >= 0
        # The accounting identity: what reached the providers is everything it became.
        assert balance(PROVIDER) == sum(balance(ref) for ref in ALL_REFS if ref != PROVIDER)


@pytest.mark.django_db
def test_the_ledger_agrees_with_a_model_of_every_balance() -> None:
    services.forget_cached_accounts()
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
