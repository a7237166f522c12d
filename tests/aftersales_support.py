"""Orders and after-sales requests for the after-sales tests, made through the services."""

from __future__ import annotations

from django.db.models import Sum

from sharemall.accounts.models import Member
from sharemall.aftersales import services
from sharemall.aftersales.models import AfterSale
from sharemall.checkout import services as checkout
from sharemall.orders.ledger import FEES
from sharemall.orders.models import Order
from sharemall.wallet.models import Posting
from tests.factories import MemberFactory, merchant, product

EXPRESS = checkout.Delivery("express", "440305", "科技园 1 号", "王小二", "13912345678")


def paid_order(*, units: int, price_fen: int, fee_bp: int = 600) -> tuple[Order, Member, Member]:
    """A paid order of one line; returns it with its buyer and its merchant's owner."""
    shop = merchant()
    type(shop).objects.filter(pk=shop.pk).update(platform_fee_bp=fee_bp)
    shop.refresh_from_db()
    sku = product(shop, price_fen=price_fen, stock=units).skus.get()
    buyer = MemberFactory.create()
    created = checkout.order_create(
        buyer=buyer, items=[checkout.Item(sku.pk, units)], delivery=EXPRESS
    )
    checkout.sandbox_complete(created.payment)
    order = Order.objects.get(pk=created.orders[0].pk)
    assert order.status == "paid"
    return order, buyer, shop.owner


def ask(order: Order, buyer: Member, quantity: int) -> AfterSale:
    return services.aftersale_request(
        buyer=buyer,
        order=order,
        kind="refund",
        lines=[(order.lines.get().pk, quantity)],
        reason="坏了",
    )


def fee_postings_of(order: Order) -> int:
    """The platform fee the ledger still holds for a one-order payment: its capture and the
    refunds of its after-sales requests, summed from the postings themselves."""
    keys = [f"payment:{order.payment_id}:captured"] + [
        f"refund:aftersale:{pk}:approved"
        for pk in AfterSale.objects.filter(order=order).values_list("pk", flat=True)
    ]
    total = Posting.objects.filter(
        transaction__key__in=keys, account__kind=FEES, account__owner_id__isnull=True
    ).aggregate(s=Sum("amount_fen"))["s"]
    return int(total or 0)
