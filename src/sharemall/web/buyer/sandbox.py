"""The sandbox provider's pay page."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from sharemall.accounts.auth import caller
from sharemall.accounts.identities import openid_of
from sharemall.accounts.models import Member
from sharemall.checkout import services as checkout
from sharemall.orders import selectors as order_selectors
from sharemall.payments.providers.registry import provider_for
from sharemall.payments.providers.sandbox import SandboxProvider
from sharemall.web.actions import run_action
from sharemall.web.wechat_browser import in_wechat, login_redirect
from sharemall.wechat import config


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
        {
            "payment": payment,
            "orders": order_selectors.orders_of_payment(payment.pk),
            "wechat_pay": _wechat_pay(request, member, payment_no),
        },
    )


def _wechat_pay(request: HttpRequest, member: Member, payment_no: str) -> str:
    """Inside WeChat with the WeChat simulator on, a member whose WeChat is linked pays as with
    WeChat Pay's JSAPI: the simulator's pay sheet (its WeixinJSBridge) confirms, and the
    sandbox payment completes. The JSAPI parameters as JSON, or "" to show the plain button."""
    account = config.account(config.OA)
    if request.GET.get("wechat") == "0":  # back from WeChat Pay's sheet without paying
        return ""
    if not (settings.WECHAT_SANDBOX and in_wechat(request) and account):
        return ""
    if not openid_of(member, account.app_id):
        return ""
    sandbox = provider_for("sandbox")
    assert isinstance(sandbox, SandboxProvider)
    return json.dumps(sandbox.jsapi_params(payment_no=payment_no, app_id=account.app_id))
