"""The buyer's orders and confirming receipt."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sharemall.accounts.models import Member
from sharemall.aftersales import rules as aftersale_rules
from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.aftersales.models import AfterSale
from sharemall.checkout import services as checkout
from sharemall.orders import rules as order_rules
from sharemall.orders import selectors as order_selectors
from sharemall.orders import services as orders
from sharemall.orders.models import Order, OrderLine
from sharemall.payments.models import Payment
from sharemall.posts import selectors as post_selectors
from sharemall.web.access import member_page, not_found
from sharemall.web.actions import run_action
from sharemall.web.buyer.common import _back_to, _buyer_order, _region_name
from sharemall.web.buyer.forms import (
    AfterSaleForm,
    EscalateForm,
    ReturnForm,
)

PAGE_SIZE = 20


AFTERSALE_STATUS_LABELS = {
    aftersale_rules.REQUESTED: gettext_lazy("Waiting for the merchant"),
    aftersale_rules.AWAITING_RETURN: gettext_lazy("Approved: send the goods back"),
    aftersale_rules.RETURN_SHIPPED: gettext_lazy("Goods sent back"),
    aftersale_rules.REFUNDING: gettext_lazy("Refund on its way"),
    aftersale_rules.REFUNDED: gettext_lazy("Refunded"),
    aftersale_rules.REJECTED: gettext_lazy("Rejected by the merchant"),
    aftersale_rules.DISPUTED: gettext_lazy("With the platform"),
    aftersale_rules.CANCELLED: gettext_lazy("Withdrawn"),
}


@member_page
def orders_page(request: HttpRequest, member: Member) -> HttpResponse:
    found = order_selectors.orders_of_buyer(member).select_related("merchant")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/buyer/orders.html", {"page": page})


@dataclass(frozen=True)
class LineView:
    line: OrderLine
    post_id: int | None
    can_post: bool

    @property
    def refundable(self) -> int:
        return self.line.quantity - self.line.claimed_quantity


@dataclass(frozen=True)
class AfterSaleView:
    aftersale: AfterSale
    lines: list[tuple[str, int, int]]  # title, quantity, refund fen

    @property
    def status_label(self) -> str:
        return str(AFTERSALE_STATUS_LABELS.get(self.aftersale.status, self.aftersale.status))

    @property
    def can_cancel(self) -> bool:
        return self.aftersale.status in (aftersale_rules.REQUESTED, aftersale_rules.AWAITING_RETURN)

    @property
    def can_return(self) -> bool:
        return self.aftersale.status == aftersale_rules.AWAITING_RETURN

    @property
    def can_escalate(self) -> bool:
        return self.aftersale.status in (aftersale_rules.REJECTED, aftersale_rules.RETURN_SHIPPED)


def _line_views(member: Member, order: Order) -> list[LineView]:
    posted = {
        p.order_line_id: p.pk
        for p in post_selectors.posts_of(member).filter(order_line__order_id=order.pk)
    }
    postable = set(
        post_selectors.postable_lines(member).filter(order_id=order.pk).values_list("pk", flat=True)
    )
    return [LineView(line, posted.get(line.pk), line.pk in postable) for line in order.lines.all()]


def _aftersale_views(order: Order) -> list[AfterSaleView]:
    titles = {line.pk: line.title for line in order.lines.all()}
    found = aftersale_selectors.aftersales_of_order(order.pk).select_related("dispute")
    return [
        AfterSaleView(
            a,
            [(titles.get(p.order_line_id, ""), p.quantity, p.refund_fen) for p in a.lines.all()],
        )
        for a in found
    ]


def _order_page(
    request: HttpRequest, member: Member, order: Order, aftersale_form: AfterSaleForm | None = None
) -> HttpResponse:
    lines = _line_views(member, order)
    can_request = order.status in aftersale_rules.ELIGIBLE_ORDER_STATUSES and any(
        view.refundable > 0 for view in lines
    )
    can_pay = (
        order.status == order_rules.PENDING_PAYMENT
        and order.payment.status == Payment.Status.PENDING
    )
    return render(
        request,
        "web/buyer/order.html",
        {
            "order": order,
            "region_name": _region_name(order.region_code),
            "lines": lines,
            "aftersales": _aftersale_views(order),
            "can_pay": can_pay,
            "pay_for_me_url": checkout.pay_for_me_url(order.payment) if can_pay else "",
            "can_confirm": order.status == order_rules.SHIPPED,
            "can_request": can_request,
            "can_return": order.status in aftersale_rules.RETURN_ORDER_STATUSES,
            "aftersale_form": aftersale_form or AfterSaleForm(),
            "return_form": ReturnForm(),
            "escalate_form": EscalateForm(),
        },
    )


@member_page
def order_page(request: HttpRequest, member: Member, order_id: int) -> HttpResponse:
    order = _buyer_order(member, order_id)
    if order is None:
        return not_found(request)
    return _order_page(request, member, order)


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


def _claimed_lines(request: HttpRequest, order: Order) -> list[tuple[int, int]] | None:
    """(line id, quantity) for every line given a quantity; None when one is not a number."""
    claimed = []
    for line in order.lines.all():
        raw = request.POST.get(f"quantity-{line.pk}", "").strip() or "0"
        try:
            quantity = int(raw)
        except ValueError:
            return None
        if quantity:
            claimed.append((line.pk, quantity))
    return claimed
