"""The sandbox provider's pay page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from sharemall.accounts.auth import caller
from sharemall.checkout import services as checkout
from sharemall.orders import selectors as order_selectors
from sharemall.web.actions import run_action
from sharemall.web.wechat_browser import login_redirect


@never_cache
def sandbox_pay(request: HttpRequest, payment_no: str) -> HttpResponse:
    """The sandbox's pay page: a signed-in buyer (or the friend paying for them) pays."""
    member = caller(request)
    if not settings.SANDBOX_PAYMENTS:
        return render(request, "web/not_found.html", status=404)
    if member is None:
        return login_redirect(request, request.get_full_path())
    payment = checkout.payment_payable_by(member, payment_no)
    if payment is None:
        return render(request, "web/not_found.html", status=404)
    if request.method == "POST":
        run_action(request, lambda: checkout.sandbox_pay_page_complete(payment, member))
        payment.refresh_from_db()
    return render(
        request,
        "web/sandbox_pay.html",
        {"payment": payment, "orders": order_selectors.orders_of_payment(payment.pk)},
    )
