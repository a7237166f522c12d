"""Property: whatever the order (lines, prices, commission plan and region agent, shipping) and
whatever is refunded before and after settlement, every fen the buyer paid is accounted for:

    paid = merchant (pending + available + withdrawing + withdrawn) + platform fees
           + commissions (members' balances) + refunds

and the ledger checks clean, with every settled order's own account at zero."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharemall.config.jobs import run_due_jobs
from sharemall.core.errors import DomainError
from sharemall.distribution import rules as distribution_rules
from sharemall.distribution.models import RegionAgent
from sharemall.distribution.services import region_agent_appoint
from sharemall.freight import rules as freight_rules
from sharemall.orders import services as orders
from sharemall.orders.models import Order
from sharemall.settlement.selectors import merchant_balance
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet.models import Account
from sharemall.wallet.services import balance, order_receivable, platform
from tests.factories import MemberFactory
from tests.settlement_support import (
    after_window,
    ledger_clean,
    receive,
    refund_lines,
    sell,
    shop_with_plan,
)
from tests.test_settlement import _pay_out, _withdraw

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    lines: list[tuple[int, int]]
    plan: distribution_rules.Plan | None
    agent: bool
    shipping: freight_rules.Template | None
    fee_bp: int
    before: list[tuple[int, int]]  # (line index, quantity) refunded before settlement
    after: list[tuple[int, int]]  # and after
    withdraw_bp: int  # the share of the available balance withdrawn before the late refunds


@st.composite
def cases(draw: st.DrawFn) -> Case:
    lines = draw(
        st.lists(st.tuples(st.integers(1, 30_000), st.integers(1, 4)), min_size=1, max_size=3)
    )
    plan = None
    if draw(st.booleans()):
        levels = draw(st.lists(st.integers(0, 800), min_size=1, max_size=3))
        agent_bp = draw(st.integers(0, 300))
        spent = sum(levels) + agent_bp
        budget = min(spent + draw(st.integers(0, 1000)), 3000)  # the platform's default cap
        plan = distribution_rules.plan_parse(
            distribution_rules.BP,
            share_budget=budget,
            buyer_discount=draw(st.integers(0, budget - spent)),
            levels=levels,
            region_agent=agent_bp,
        )
    shipping = None
    if draw(st.booleans()):
        shipping = freight_rules.Template(
            by="piece",
            rules=(
                freight_rules.Rule((), 1, draw(st.integers(0, 2000)), 1, draw(st.integers(0, 800))),
            ),
            free_over_fen=draw(st.sampled_from([None, 10_000])),
        )

    def refunds() -> list[tuple[int, int]]:
        parts = st.tuples(st.integers(0, len(lines) - 1), st.integers(1, 4))
        return draw(st.lists(parts, max_size=3))

    return Case(
        lines=lines,
        plan=plan,
        agent=draw(st.booleans()),
        shipping=shipping,
        fee_bp=draw(st.integers(0, 2000)),
        before=refunds(),
        after=refunds(),
        withdraw_bp=draw(st.sampled_from([0, 5000, 10_000])),
    )


def _members_total() -> int:
    """What members hold, read on the normal side of their accounts."""
    total = Account.objects.filter(kind__in=wallet_rules.MEMBER_KINDS).aggregate(
        s=Sum("balance_fen")
    )["s"]
    return int(total or 0)


def _refund(order: Order, parts: list[tuple[int, int]], tag: str) -> None:
    lines = list(order.lines.order_by("pk"))
    for n, (index, quantity) in enumerate(parts):
        line = lines[index]
        line.refresh_from_db()
        left = line.quantity - line.claimed_quantity
        if left <= 0:
            continue
        refund_lines(order, [(line.pk, min(quantity, left))], key=f"manual:{order.pk}:{tag}{n}")


def _agent(wanted: bool) -> None:
    active = RegionAgent.objects.filter(region_code="440305", is_active=True)
    if wanted and not active.exists():
        region_agent_appoint(member_id=MemberFactory.create().pk, region_code="440305")
    elif not wanted:
        active.update(is_active=False)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases())
def test_every_fen_the_buyer_paid_is_accounted_for(case: Case) -> None:
    _agent(case.agent)
    fees_before, members_before = balance(platform("platform_fees")), _members_total()
    shop = shop_with_plan(case.plan, fee_bp=case.fee_bp)
    sale = sell(shop, case.lines, shipping_template=case.shipping)
    order = sale.order

    _refund(order, case.before, "b")
    order = orders.order_close_if_fully_refunded(Order.objects.get(pk=order.pk), actor=None)
    if order.status == "paid":
        # Every unit refunded, shipping kept: nothing to send, so it never settles.
        with contextlib.suppress(DomainError):
            order = receive(sale)
    run_due_jobs(after_window())
    order.refresh_from_db()
    if order.status in ("completed", "closed"):
        assert order.settled_at is not None
        assert balance(order_receivable(order.pk)) == 0
        available = merchant_balance(shop.pk).available_fen
        if available > 0 and case.withdraw_bp:
            amount = available * case.withdraw_bp // 10_000
            if amount:
                _withdraw(shop.pk, amount)
                if case.withdraw_bp == 10_000:
                    _pay_out(shop.pk, amount)
        _refund(order, case.after, "a")
        order.refresh_from_db()
        assert balance(order_receivable(order.pk)) == 0

    money = merchant_balance(shop.pk)
    merchant_total = (
        money.pending_fen + money.available_fen + money.withdrawing_fen + money.withdrawn_fen
    )
    fees = balance(platform("platform_fees")) - fees_before
    commissions = _members_total() - members_before
    assert order.total_fen == merchant_total + fees + commissions + order.refunded_fen
    assert ledger_clean() == []
