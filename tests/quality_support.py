"""Sales and what became of them, made through the services as the product makes them: orders
paid, shipped and received, after-sales requests, disputes and experience posts."""

from __future__ import annotations

from datetime import datetime
from itertools import count

from sharemall.accounts.models import Member
from sharemall.aftersales import services as aftersales
from sharemall.aftersales.models import AfterSale
from sharemall.catalog.models import Sku
from sharemall.checkout import services as checkout
from sharemall.merchants.models import Merchant
from sharemall.orders import services as orders
from sharemall.orders.models import Order
from sharemall.posts import services as posts
from sharemall.posts.models import Post
from tests.factories import MemberFactory, OperatorFactory, merchant, product, with_return_address

EXPRESS = checkout.Delivery("express", "440305", "科技园 1 号", "王小二", "13912345678")
_texts = count(1)


def on_sale(shop: Merchant | None = None, *, title: str = "好物") -> Sku:
    """A SKU on sale (plenty of stock) of a shop that has set its return address."""
    shop = with_return_address(shop or merchant())
    return product(shop, stock=1000, title=title).skus.get()


def owner_of(sku: Sku) -> Member:
    return sku.product.merchant.owner


def sold(sku: Sku, *, buyer: Member | None = None, units: int = 1) -> Order:
    """A paid order of `units` of the SKU."""
    buyer = buyer or MemberFactory.create()
    created = checkout.order_create(
        buyer=buyer, items=[checkout.Item(sku.pk, units)], delivery=EXPRESS
    )
    checkout.sandbox_complete(created.payment)
    return Order.objects.get(pk=created.orders[0].pk)


def shipped(sku: Sku, *, buyer: Member | None = None, units: int = 1) -> Order:
    order = sold(sku, buyer=buyer, units=units)
    return orders.order_ship(order, actor=owner_of(sku), no_logistics=True)


def received(sku: Sku, *, buyer: Member | None = None) -> Order:
    order = shipped(sku, buyer=buyer)
    return orders.order_confirm_receipt(order, actor=order.buyer)


def ask(order: Order, *, kind: str = "refund", reason_code: str = "") -> AfterSale:
    line = order.lines.get()
    return aftersales.aftersale_request(
        buyer=order.buyer,
        order=order,
        kind=kind,
        lines=[(line.pk, line.quantity)],
        reason="有问题",
        reason_code=reason_code,
    )


def returned(order: Order, *, reason_code: str = "quality") -> AfterSale:
    """The goods sent back and refunded."""
    request = ask(order, kind="return_refund", reason_code=reason_code)
    owner = order.merchant.owner
    request = aftersales.aftersale_approve(request, actor=owner)
    request = aftersales.aftersale_return_shipped(
        request, actor=order.buyer, carrier="SF", tracking_no="SF123"
    )
    return aftersales.aftersale_confirm_return(request, actor=owner)


def rejected(order: Order, *, reason_code: str = "quality") -> AfterSale:
    request = ask(order, reason_code=reason_code)
    return aftersales.aftersale_reject(request, actor=order.merchant.owner, reason="没问题")


def disputed(order: Order, *, ruling: str = "", reason_code: str = "quality") -> AfterSale:
    """A rejected request the buyer takes to the platform; ruled when `ruling` is given."""
    request = rejected(order, reason_code=reason_code)
    dispute = aftersales.aftersale_escalate(request, actor=order.buyer, statement="确实有问题")
    if not ruling:
        return AfterSale.objects.get(pk=request.pk)
    return aftersales.dispute_rule(
        dispute, operator=OperatorFactory.create(), ruling=ruling, note="已核实"
    )


def posted(order: Order, rating: int) -> Post:
    return posts.post_create(
        author=order.buyer,
        order_line_id=order.lines.get().pk,
        # Short texts: the near-copy check (posts.similarity) compares from 20 characters on.
        text=f"第{next(_texts)}次买，{rating}星",
        rating=rating,
        images=[],
    )


def paid_at(order: Order, when: datetime) -> Order:
    """Move the order's payment to `when` (the window and the weeks are read from it)."""
    Order.objects.filter(pk=order.pk).update(paid_at=when)
    order.refresh_from_db()
    return order
