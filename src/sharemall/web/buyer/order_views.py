"""What the buyer's order pages show of an order: its status in the buyer's words, its lines
with pictures, the shop's name, and the one thing to do next. Each builder reads a page's
orders in a few batched queries, never one per order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sharemall.accounts.models import Member
from sharemall.aftersales import rules as aftersale_rules
from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.aftersales.models import AfterSale
from sharemall.catalog import selectors as catalog_selectors
from sharemall.merchants import selectors as merchant_selectors
from sharemall.orders import rules as order_rules
from sharemall.orders.models import Order, OrderLine
from sharemall.posts import selectors as post_selectors

# The tabs of the orders page: (value of ?status=, label).
TABS: list[tuple[str, Promise]] = [
    ("", _("All")),
    (order_rules.UNPAID, _("Unpaid")),
    (order_rules.TO_SHIP, _("To ship")),
    (order_rules.TO_RECEIVE, _("To receive")),
    (order_rules.TO_REVIEW, _("To review")),
    (order_rules.AFTERSALES, _("After-sales")),
]

# What the order page's header says under the status.
STATUS_HINTS = {
    order_rules.PENDING_PAYMENT: _("Pay before the time runs out, or the order is cancelled."),
    order_rules.PAID: _("The shop is getting your parcel ready."),
    order_rules.SHIPPED: _("Your parcel is on its way. Confirm once you have it."),
    order_rules.READY_FOR_PICKUP: _("Your goods are ready: show the pickup code at the store."),
    order_rules.RECEIVED: _("Enjoy! Tell other buyers what you think."),
    order_rules.COMPLETED: _("This order is complete."),
    order_rules.CANCELLED: _("The order was not paid in time and was cancelled."),
    order_rules.CLOSED: _("Everything was refunded; the order is closed."),
}

# A line of the order's timeline, by the status it moved to.
EVENT_LABELS = {
    order_rules.PENDING_PAYMENT: _("Order placed"),
    order_rules.PAID: _("Payment received"),
    order_rules.SHIPPED: _("Shipped by the shop"),
    order_rules.READY_FOR_PICKUP: _("Ready for pickup at the store"),
    order_rules.RECEIVED: _("Receipt confirmed"),
    order_rules.COMPLETED: _("Completed"),
    order_rules.CANCELLED: _("Cancelled"),
    order_rules.CLOSED: _("Closed after a full refund"),
}

AFTERSALE_STATUS_LABELS = {
    aftersale_rules.REQUESTED: _("Waiting for the merchant"),
    aftersale_rules.AWAITING_RETURN: _("Approved: send the goods back"),
    aftersale_rules.RETURN_SHIPPED: _("Goods sent back"),
    aftersale_rules.REFUNDING: _("Refund on its way"),
    aftersale_rules.REFUNDED: _("Refunded"),
    aftersale_rules.REJECTED: _("Rejected by the merchant"),
    aftersale_rules.DISPUTED: _("With the platform"),
    aftersale_rules.CANCELLED: _("Withdrawn"),
}


def status_label(order: Order, *, unreviewed: bool) -> str:
    """The status the buyer reads (order lines prefetched); `unreviewed`: a line still waits
    for the buyer's post."""
    return order_rules.buyer_status_label(
        order.status,
        [(line.quantity, line.refunded_quantity) for line in order.lines.all()],
        unreviewed=unreviewed,
    )


@dataclass(frozen=True)
class Action:
    """The one next step an order card offers: a link, or a form posted (with a question
    first when it cannot be undone)."""

    kind: str  # pay, confirm, post, pickup, aftersale
    label: str
    url: str
    post: bool = False
    confirm: str = ""


@dataclass(frozen=True)
class LineThumb:
    line: OrderLine
    cover: str


@dataclass
class OrderCard:
    order: Order
    shop: merchant_selectors.Shop | None
    lines: list[LineThumb] = field(default_factory=list)
    action: Action | None = None
    unreviewed: bool = False

    @property
    def status_label(self) -> str:
        return status_label(self.order, unreviewed=self.unreviewed)

    @property
    def shop_name(self) -> str:
        return self.shop.name if self.shop is not None else self.order.merchant.legal_name

    @property
    def units(self) -> int:
        return sum(thumb.line.quantity for thumb in self.lines)


def _next_action(
    order: Order, postable_line: int | None, open_aftersale: int | None
) -> Action | None:
    """One clear next step: what the buyer is waiting on is the first thing offered."""
    if open_aftersale is not None:
        url = reverse("web:buyer_aftersale", args=[open_aftersale])
        return Action("aftersale", str(_("View after-sales")), url)
    if order.status == order_rules.PENDING_PAYMENT:
        url = reverse("web:buyer_pay", args=[order.payment.payment_no])
        return Action("pay", str(_("Pay now")), url)
    if order.status == order_rules.SHIPPED:
        return Action(
            "confirm",
            str(_("Confirm receipt")),
            reverse("web:buyer_order_confirm_receipt", args=[order.pk]),
            post=True,
            confirm=str(_("Have you received everything in this order? This cannot be undone.")),
        )
    if order.status == order_rules.READY_FOR_PICKUP:
        url = reverse("web:buyer_order", args=[order.pk]) + "#pickup-code"
        return Action("pickup", str(_("Pickup code")), url)
    if postable_line is not None:
        url = reverse("web:buyer_post_compose", args=[order.pk, postable_line])
        return Action("post", str(_("Write a post")), url)
    return None


def covers_of(lines: Sequence[OrderLine]) -> dict[int, str]:
    return catalog_selectors.cover_urls(line.product_id for line in lines)


def order_cards(member: Member, orders: Sequence[Order]) -> list[OrderCard]:
    """Cards for a page of the buyer's orders (lines prefetched): four queries in all."""
    ids = [order.pk for order in orders]
    lines = [line for order in orders for line in order.lines.all()]
    covers = covers_of(lines)
    shops = merchant_selectors.shops(order.merchant_id for order in orders)
    postable: dict[int, int] = {}
    for order_id, line_id in (
        post_selectors.postable_lines(member)
        .filter(order_id__in=ids)
        .order_by("-id")
        .values_list("order_id", "pk")
    ):
        postable[order_id] = line_id  # the order's first line still without a post
    open_aftersales: dict[int, int] = {}
    if any(order.open_aftersales for order in orders):
        for order_id, aftersale_id in (
            aftersale_selectors.aftersales_of_buyer(member)
            .filter(order_id__in=ids, status__in=aftersale_rules.OPEN)
            .values_list("order_id", "pk")
        ):
            open_aftersales.setdefault(order_id, aftersale_id)
    return [
        OrderCard(
            order,
            shops.get(order.merchant_id),
            [LineThumb(line, covers.get(line.product_id, "")) for line in order.lines.all()],
            _next_action(order, postable.get(order.pk), open_aftersales.get(order.pk)),
            unreviewed=order.pk in postable,
        )
        for order in orders
    ]


@dataclass
class AfterSaleCard:
    aftersale: AfterSale
    shop: merchant_selectors.Shop | None
    lines: list[tuple[LineThumb, int]]  # the order line and how many of it are claimed

    @property
    def status_label(self) -> str:
        return str(AFTERSALE_STATUS_LABELS.get(self.aftersale.status, self.aftersale.status))

    @property
    def shop_name(self) -> str:
        return self.shop.name if self.shop is not None else ""


def aftersale_cards(aftersales: Sequence[AfterSale]) -> list[AfterSaleCard]:
    """Cards for a page of the buyer's requests (lines and their order lines prefetched)."""
    claimed = [(a, part.order_line, part.quantity) for a in aftersales for part in a.lines.all()]
    covers = covers_of([line for _a, line, _q in claimed])
    shops = merchant_selectors.shops(a.order.merchant_id for a in aftersales)
    cards = {a.pk: AfterSaleCard(a, shops.get(a.order.merchant_id), []) for a in aftersales}
    for aftersale, line, quantity in claimed:
        cards[aftersale.pk].lines.append(
            (LineThumb(line, covers.get(line.product_id, "")), quantity)
        )
    return list(cards.values())
