"""The buyer's orders: the list with its status tabs, one order's page, confirming receipt."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharemall.accounts.models import Member
from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.aftersales.models import AfterSale
from sharemall.checkout import services as checkout
from sharemall.merchants import selectors as merchant_selectors
from sharemall.orders import rules as order_rules
from sharemall.orders import selectors as order_selectors
from sharemall.orders import services as orders
from sharemall.orders.models import Order, OrderEvent, OrderLine
from sharemall.payments.models import Payment
from sharemall.posts import selectors as post_selectors
from sharemall.web.access import member_page, not_found
from sharemall.web.actions import run_action
from sharemall.web.buyer import order_views
from sharemall.web.buyer.common import _back_to, _buyer_order, _region_name

PAGE_SIZE = 20


@member_page
def orders_page(request: HttpRequest, member: Member) -> HttpResponse:
    """All orders, or one tab of them (?status=unpaid…); the 售后 tab lists the requests."""
    tab = request.GET.get("status", "")
    tab = tab if tab in order_rules.BUYER_TABS else ""
    counts = order_selectors.buyer_status_counts(member.pk)
    context: dict[str, object] = {
        "tab": tab,
        "tabs": [(value, label, counts.get(value, 0)) for value, label in order_views.TABS],
    }
    number = request.GET.get("page")
    if tab == order_rules.AFTERSALES:
        requests = Paginator(aftersale_selectors.aftersales_of_buyer(member), PAGE_SIZE)
        context["page"] = requests_page = requests.get_page(number)
        context["aftersale_cards"] = order_views.aftersale_cards(list(requests_page))
    else:
        found = order_selectors.orders_of_buyer_tab(member, tab).select_related(
            "merchant", "payment"
        )
        context["page"] = listed = Paginator(found, PAGE_SIZE).get_page(number)
        context["cards"] = order_views.order_cards(member, list(listed))
    return render(request, "web/buyer/orders.html", context)


@dataclass(frozen=True)
class LineView:
    line: OrderLine
    cover: str
    post_id: int | None
    can_post: bool

    @property
    def refundable(self) -> int:
        return self.line.quantity - self.line.claimed_quantity


def line_views(member: Member, order: Order) -> list[LineView]:
    posted = {
        p.order_line_id: p.pk
        for p in post_selectors.posts_of(member).filter(order_line__order_id=order.pk)
    }
    postable = set(
        post_selectors.postable_lines(member).filter(order_id=order.pk).values_list("pk", flat=True)
    )
    lines = list(order.lines.all())
    covers = order_views.covers_of(lines)
    return [
        LineView(line, covers.get(line.product_id, ""), posted.get(line.pk), line.pk in postable)
        for line in lines
    ]


@dataclass(frozen=True)
class TimelineEntry:
    label: str
    event: OrderEvent


def _timeline(order: Order) -> list[TimelineEntry]:
    """What happened to the order, newest first."""
    events = OrderEvent.objects.filter(order=order).order_by("-created_at", "-id")
    return [
        TimelineEntry(str(order_views.EVENT_LABELS.get(e.to_status, e.to_status)), e)
        for e in events
    ]


def can_request_aftersale(order: Order, lines: list[LineView]) -> bool:
    """Paid, not past the quality guarantee once completed, and some units not claimed yet."""
    return any(view.refundable > 0 for view in lines) and aftersale_selectors.can_request(order)


def _aftersales(order: Order) -> list[tuple[AfterSale, str]]:
    return [
        (a, str(order_views.AFTERSALE_STATUS_LABELS.get(a.status, a.status)))
        for a in aftersale_selectors.aftersales_of_order(order.pk)
    ]


@member_page
def order_page(request: HttpRequest, member: Member, order_id: int) -> HttpResponse:
    order = _buyer_order(member, order_id)
    if order is None:
        return not_found(request)
    lines = line_views(member, order)
    can_pay = (
        order.status == order_rules.PENDING_PAYMENT
        and order.payment.status == Payment.Status.PENDING
    )
    can_request = can_request_aftersale(order, lines)
    return render(
        request,
        "web/buyer/order.html",
        {
            "order": order,
            "shop": merchant_selectors.shops([order.merchant_id]).get(order.merchant_id),
            "status_label": order_views.status_label(
                order, unreviewed=any(view.can_post for view in lines)
            ),
            "status_hint": order_views.STATUS_HINTS.get(order.status, ""),
            "region_name": _region_name(order.region_code),
            "lines": lines,
            "units": sum(view.line.quantity for view in lines),
            "aftersales": _aftersales(order),
            "timeline": _timeline(order),
            "can_pay": can_pay,
            "pay_for_me_url": checkout.pay_for_me_url(order.payment) if can_pay else "",
            "can_confirm": order.status == order_rules.SHIPPED,
            "can_request": can_request,
            # A completed order takes requests until its quality guarantee ends: say until when.
            "guarantee_until": aftersale_selectors.guarantee_until(order) if can_request else None,
        },
    )


@require_POST
@member_page
def order_confirm_receipt(request: HttpRequest, member: Member, order_id: int) -> HttpResponse:
    order = _buyer_order(member, order_id)
    if order is None:
        return not_found(request)
    run_action(
        request,
        lambda: orders.order_confirm_receipt(order, actor=member),
        _("Thank you! The order is marked as received."),
    )
    return _back_to(order.pk)
