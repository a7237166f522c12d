"""Orders settle into their merchant's available balance T+N days after completion, net of the
platform fee and the commissions; refunds and commission reversals after settlement move the
available balance, which may go negative."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import Api
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from sharemall.config.jobs import all_jobs, run_due_jobs
from sharemall.distribution.models import CommissionEntry
from sharemall.distribution.services import hold_reject, region_agent_appoint
from sharemall.merchants.models import Staff
from sharemall.notifications.models import Notice
from sharemall.notifications.rules import COMMISSION_SETTLED
from sharemall.orders.ledger import merchant_side, platform_fee
from sharemall.orders.models import Order
from sharemall.settlement.selectors import merchant_balance, merchant_ledger_check
from sharemall.settlement.services import merchants_settle_due, order_settle
from sharemall.wallet.rules import MERCHANT_AVAILABLE, MERCHANT_WITHDRAWING
from sharemall.wallet.services import (
    balance,
    ledger_post,
    merchant,
    order_receivable,
    platform,
    transfer,
)
from tests.factories import MemberFactory, OperatorFactory
from tests.settlement_support import (
    after_window,
    commissions_of,
    ledger_clean,
    receive,
    refund_lines,
    sell,
    set_delay,
    shop_with_plan,
)

pytestmark = pytest.mark.django_db


def _available(merchant_id: int) -> int:
    return balance(merchant(MERCHANT_AVAILABLE, merchant_id))


def test_settlement_runs_right_after_completion() -> None:
    names = [job.name for job in all_jobs()]
    assert names.index("merchant_settlement") == names.index("order_completion") + 1


def test_one_run_of_the_jobs_completes_and_settles_an_order_with_no_delay(api: Api) -> None:
    region_agent_appoint(member_id=MemberFactory.create().pk, region_code="440305")
    shop = shop_with_plan()
    sale = sell(shop, [(9999, 2), (2500, 1)])
    order = receive(sale)
    commissions = commissions_of(order)
    assert commissions > 0
    assert CommissionEntry.objects.filter(order=order, kind="region_agent").exists()
    paid, fee = order.total_fen, platform_fee(order)
    # Pending until it settles: the order's own account holds it.
    assert merchant_balance(shop.pk).pending_fen == paid - fee - commissions
    assert _available(shop.pk) == 0

    ran = run_due_jobs(after_window())

    assert ran["order_completion"] >= 1 and ran["merchant_settlement"] == 1
    order.refresh_from_db()
    assert order.status == "completed" and order.settled_at is not None
    answer = api.get(f"/merchants/{shop.pk}/balance", as_=shop.owner)
    assert answer.status == 200, answer.body
    assert answer.body == {
        "pending_fen": 0,
        "available_fen": paid - fee - commissions,
        "withdrawing_fen": 0,
        "withdrawn_fen": 0,
    }
    assert balance(order_receivable(order.pk)) == 0
    assert ledger_clean() == []
    # Again: nothing more to settle, nothing posted twice.
    assert run_due_jobs(after_window())["merchant_settlement"] == 0
    assert _available(shop.pk) == paid - fee - commissions


def test_with_a_delay_of_three_days_the_order_settles_three_days_after_completion() -> None:
    set_delay(3)
    shop = shop_with_plan()
    order = receive(sell(shop, [(5000, 1)]))
    completed_at = after_window()
    run_due_jobs(completed_at)
    order.refresh_from_db()
    assert order.status == "completed" and order.completed_at == completed_at
    assert order.settled_at is None and _available(shop.pk) == 0

    assert merchants_settle_due(completed_at + timedelta(days=3) - timedelta(seconds=1)) == 0
    assert merchants_settle_due(completed_at + timedelta(days=3)) == 1
    order.refresh_from_db()
    assert order.settled_at == completed_at + timedelta(days=3)
    net = order.total_fen - platform_fee(order) - commissions_of(order)
    assert _available(shop.pk) == net and merchant_balance(shop.pk).pending_fen == 0
    assert ledger_clean() == []


def test_an_order_closed_by_a_full_refund_settles_with_nothing_to_move() -> None:
    shop = shop_with_plan()
    sale = sell(shop, [(3000, 2)])
    order = sale.order
    refund_lines(order, [(order.lines.get().pk, 2)], key=f"manual:{order.pk}:1")
    from sharemall.orders import services as orders  # noqa: PLC0415

    order = orders.order_close_if_fully_refunded(order, actor=None)
    assert order.status == "closed"
    assert balance(order_receivable(order.pk)) == 0
    assert merchants_settle_due(after_window()) == 1
    order.refresh_from_db()
    assert order.settled_at is not None
    assert _available(shop.pk) == 0 and merchant_balance(shop.pk).pending_fen == 0
    assert ledger_clean() == []


def test_settling_twice_moves_the_money_once() -> None:
    shop = shop_with_plan(None)
    order = receive(sell(shop, [(5000, 1)], through_share=False))
    run_due_jobs(after_window())
    assert order_settle(order.pk, now=after_window()) is False
    assert _available(shop.pk) == order.total_fen - platform_fee(order)


def _withdraw(merchant_id: int, amount: int) -> None:
    """What a merchant withdrawal's hold posts (built elsewhere): available → withdrawing."""
    ledger_post(
        key=f"withdrawal:test-{merchant_id}-{amount}:hold",
        kind="withdrawal_hold",
        entries=transfer(
            debit=merchant(MERCHANT_AVAILABLE, merchant_id),
            credit=merchant(MERCHANT_WITHDRAWING, merchant_id),
            amount_fen=amount,
        ),
    )


def _pay_out(merchant_id: int, amount: int) -> None:
    ledger_post(
        key=f"withdrawal:test-{merchant_id}-{amount}:paid",
        kind="withdrawal_paid",
        entries=transfer(
            debit=merchant(MERCHANT_WITHDRAWING, merchant_id),
            credit=platform("payouts"),
            amount_fen=amount,
        ),
    )


def test_a_refund_after_settlement_and_withdrawal_leaves_a_debt(api: Api) -> None:
    shop = shop_with_plan()
    order = receive(sell(shop, [(8000, 2)]))
    run_due_jobs(after_window())
    net = _available(shop.pk)
    assert net == order.total_fen - platform_fee(order) - commissions_of(order) > 0
    _withdraw(shop.pk, net)
    _pay_out(shop.pk, net)

    refunded = refund_lines(order, [(order.lines.get().pk, 1)], key=f"manual:{order.pk}:1")

    order.refresh_from_db()
    fee_back = platform_fee(order) * refunded // (order.total_fen - order.shipping_fen)
    reversed_ = sum(
        CommissionEntry.objects.filter(order=order, reversal_of__isnull=False).values_list(
            "amount_fen", flat=True
        )
    )
    assert reversed_ > 0
    available = _available(shop.pk)
    assert available == -(refunded - fee_back - reversed_) < 0
    assert balance(order_receivable(order.pk)) == 0  # the order's account stays settled
    answer = api.get(f"/merchants/{shop.pk}/balance", as_=shop.owner).body
    assert answer == {
        "pending_fen": 0,
        "available_fen": available,
        "withdrawing_fen": 0,
        "withdrawn_fen": net,
    }
    assert ledger_clean() == []


def test_a_commission_reversed_after_settlement_goes_back_to_the_available_balance() -> None:
    shop = shop_with_plan()
    order = receive(sell(shop, [(6000, 1)]))
    run_due_jobs(after_window())
    before = _available(shop.pk)
    entries = list(CommissionEntry.objects.filter(order=order, reversal_of=None))
    assert entries and all(e.status == "settled" for e in entries)

    refunded = refund_lines(order, [(order.lines.get().pk, 1)], key=f"manual:{order.pk}:1")

    # Everything refunded: the whole fee and every commission come back to the merchant's side.
    order.refresh_from_db()
    gave_back = sum(e.amount_fen for e in entries)
    assert _available(shop.pk) == before - refunded + platform_fee(order) + gave_back
    assert _available(shop.pk) == 0
    assert ledger_clean() == []


def test_merchant_side_is_the_order_account_until_settled_then_the_available_balance() -> None:
    shop = shop_with_plan(None)
    order = receive(sell(shop, [(5000, 1)], through_share=False))
    assert merchant_side(order) == order_receivable(order.pk)
    run_due_jobs(after_window())
    assert merchant_side(Order.objects.get(pk=order.pk)) == merchant(MERCHANT_AVAILABLE, shop.pk)


def test_ledger_check_finds_money_left_on_a_settled_order_and_accounts_of_unpaid_orders() -> None:
    shop = shop_with_plan(None)
    order = receive(sell(shop, [(5000, 1)], through_share=False))
    run_due_jobs(after_window())
    assert merchant_ledger_check() == []
    ledger_post(
        key="test:stray",
        kind="test",
        entries=transfer(
            debit=platform("platform_fees"), credit=order_receivable(order.pk), amount_fen=7
        ),
    )
    ledger_post(
        key="test:nobody",
        kind="test",
        entries=transfer(
            debit=platform("platform_fees"), credit=order_receivable(987654), amount_fen=3
        ),
    )
    problems = merchant_ledger_check()
    assert len(problems) == 2
    assert f"订单 {order.pk} 已结算，但其账户仍有 7 分。" in problems
    assert "订单 987654 从未付款，却有账本账户。" in problems
    with pytest.raises(CommandError):
        call_command("ledger_check")


def test_balance_is_for_the_merchants_owner_only(api: Api) -> None:
    shop = shop_with_plan(None)
    other = shop_with_plan(None)
    clerk = MemberFactory.create()
    Staff.objects.create(merchant=shop, member=clerk, role=Staff.Role.STAFF)
    assert api.get(f"/merchants/{shop.pk}/balance", as_=shop.owner).status == 200
    # A clerk runs the counter, not the shop's money.
    assert api.get(f"/merchants/{shop.pk}/balance", as_=clerk).status == 403
    assert api.get(f"/merchants/{shop.pk}/balance", as_=other.owner).status == 404
    assert api.get(f"/merchants/{shop.pk}/balance", as_=MemberFactory.create()).status == 404
    assert api.get(f"/merchants/{shop.pk}/balance").status == 401
    assert api.get("/merchants/999999/balance", as_=shop.owner).status == 404


def test_a_held_commission_rejected_after_settlement_goes_to_the_available_balance() -> None:
    shop = shop_with_plan()
    order = receive(sell(shop, [(9000, 1)]))
    held = CommissionEntry.objects.filter(order=order, reversal_of=None).first()
    assert held is not None
    CommissionEntry.objects.filter(pk=held.pk).update(status="held")  # as the risk rules do
    run_due_jobs(after_window())
    before = _available(shop.pk)
    assert before == order.total_fen - platform_fee(order) - commissions_of(order)

    hold_reject(held, operator=OperatorFactory.create(), reason="刷单")

    assert _available(shop.pk) == before + held.amount_fen
    assert balance(order_receivable(order.pk)) == 0
    assert ledger_clean() == []


def test_settled_commissions_tell_each_sharer_once() -> None:
    sale = sell(shop_with_plan(), [(10_000, 1)])
    receive(sale)
    call_command("run_due_jobs", "--now", after_window().isoformat())
    call_command("run_due_jobs", "--now", after_window().isoformat())

    paid = dict(
        CommissionEntry.objects.filter(order=sale.order, reversal_of=None)
        .values_list("beneficiary_id")
        .annotate(total=Sum("amount_fen"))
    )
    told = Notice.objects.filter(kind=COMMISSION_SETTLED)
    assert paid and sorted(told.values_list("recipient_id", flat=True)) == sorted(paid)
