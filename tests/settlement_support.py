"""Sales through a share with a commission plan, taken to completion, and refunds posted at
service level (as the after-sales flow posts them), for the settlement tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from sharemall.accounts.binding import bind
from sharemall.accounts.models import Member
from sharemall.checkout import services as checkout
from sharemall.distribution import rules as distribution_rules
from sharemall.distribution import services as distribution
from sharemall.distribution.models import CommissionEntry
from sharemall.freight import rules as freight_rules
from sharemall.freight import services as freight_services
from sharemall.merchants.models import Merchant
from sharemall.orders import ledger as order_ledger
from sharemall.orders import services as orders
from sharemall.orders.models import Order
from sharemall.platform.models import PlatformSettings
from sharemall.platform.services import current
from sharemall.sharing import services as sharing
from sharemall.wallet.services import ledger_check
from tests.factories import MemberFactory, merchant, product

EXPRESS = checkout.Delivery("express", "440305", "科技园 1 号", "王小二", "13912345678")

PLAN = distribution_rules.plan_parse(
    distribution_rules.BP,
    share_budget=2000,
    buyer_discount=500,
    levels=[800, 400, 200],
    region_agent=100,
)


def set_delay(days: int) -> None:
    current()
    PlatformSettings.objects.filter(pk=1).update(settlement_delay_days=days)


@dataclass
class Sale:
    shop: Merchant
    buyer: Member
    order: Order


def shop_with_plan(plan: distribution_rules.Plan | None = PLAN, *, fee_bp: int = 600) -> Merchant:
    shop = merchant()
    Merchant.objects.filter(pk=shop.pk).update(platform_fee_bp=fee_bp)
    shop.refresh_from_db()
    if plan is not None:
        distribution.plan_set(shop, actor=shop.owner, plan=plan)
    return shop


def sell(
    shop: Merchant,
    lines: Sequence[tuple[int, int]],
    *,
    through_share: bool = True,
    shipping_template: freight_rules.Template | None = None,
    levels: int = 2,
) -> Sale:
    """A paid order of `lines` (price in fen, quantity), bought through a share by a buyer
    bound under `levels` sharers when `through_share`."""
    template = (
        freight_services.template_create(shop, name="运费", template=shipping_template)
        if shipping_template is not None
        else None
    )
    skus = []
    for price, quantity in lines:
        p = product(shop, price_fen=price, stock=quantity)
        if template is not None:
            type(p).objects.filter(pk=p.pk).update(freight_template=template)
        skus.append((p, p.skus.get(), quantity))
    code = None
    if through_share:
        upline: Member | None = None
        for _level in range(levels):
            sharer = MemberFactory.create()
            if upline is not None:
                bind(sharer, upline, source="test", newcomer=True)
            upline = sharer
        assert upline is not None
        code = sharing.share_create(
            sharer=upline, target_type="product", target_id=skus[0][0].pk
        ).link.code
    buyer = MemberFactory.create()
    if through_share and upline is not None:
        bind(buyer, upline, source="test", newcomer=True)
    created = checkout.order_create(
        buyer=buyer,
        items=[checkout.Item(sku.pk, quantity) for _p, sku, quantity in skus],
        delivery=EXPRESS,
        share_code=code,
    )
    checkout.sandbox_complete(created.payment)
    order = Order.objects.get(pk=created.orders[0].pk)
    assert order.status == "paid"
    return Sale(shop, buyer, order)


def receive(sale: Sale) -> Order:
    order = orders.order_ship(
        Order.objects.get(pk=sale.order.pk), actor=sale.shop.owner, carrier="SF", tracking_no="1"
    )
    return orders.order_confirm_receipt(order, actor=sale.buyer)


def after_window(moment: datetime | None = None) -> datetime:
    """A moment when every order received now is past its after-sales window."""
    return (moment or timezone.now()) + timedelta(days=settings.AFTERSALES_WINDOW_DAYS + 1)


def commissions_of(order: Order) -> int:
    """What the order's commission entries still take from the merchant (reversals netted)."""
    total = CommissionEntry.objects.filter(
        order=order, reversal_of=None, status__in=["pending", "settled", "held"]
    ).aggregate(s=Sum("amount_fen"))["s"]
    return int(total or 0)


def refund_lines(order: Order, parts: Sequence[tuple[int, int]], *, key: str) -> int:
    """Refund (line, quantity) parts of `order` as the after-sales flow books them, whatever
    the order's status (after-sales on completed orders is built elsewhere): the lines and the
    order's refunded total, the ledger, the commissions. Returns the fen refunded."""
    with transaction.atomic():
        claimed = []
        for line_id, quantity in parts:
            line = order.lines.get(pk=line_id)
            amount = orders.line_claim(line, quantity)
            claimed.append((line_id, quantity, amount))
        orders.lines_refunded(order, claimed)
        order.refresh_from_db()
        amount = sum(a for _l, _q, a in claimed)
        order_ledger.post_refund_approved(
            order,
            key=key,
            amount=amount,
            refunded_fen=order.refunded_fen,
            earlier_keys=[k for k in refund_keys(order) if k != key],
        )
        distribution.commissions_reverse(order, refund_key=key)
    return amount


def refund_keys(order: Order) -> list[str]:
    prefix = f"refund:manual:{order.pk}:"
    from sharemall.wallet.models import LedgerTransaction  # noqa: PLC0415

    keys = LedgerTransaction.objects.filter(key__startswith=prefix).values_list("key", flat=True)
    return [k.removeprefix("refund:").removesuffix(":approved") for k in keys]


def ledger_clean() -> list[str]:
    from sharemall.settlement.selectors import merchant_ledger_check  # noqa: PLC0415

    return ledger_check() + merchant_ledger_check()
