"""Paying: the pay page, starting a provider's payment, and pay-for-me links."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from sharemall.accounts.identities import openid_of
from sharemall.accounts.models import Member
from sharemall.checkout import services as checkout
from sharemall.core.errors import DomainError
from sharemall.core.http import client_address
from sharemall.orders import selectors as order_selectors
from sharemall.payments import services as payments
from sharemall.payments.models import Payment
from sharemall.payments.providers.base import Scene
from sharemall.payments.providers.registry import PROVIDER_NAMES, provider_for
from sharemall.sharing.qr import qr_svg
from sharemall.web.access import member_page, not_found
from sharemall.web.actions import run_action
from sharemall.web.buyer.common import _is_htmx
from sharemall.web.wechat_browser import in_wechat, oauth_start_url
from sharemall.wechat import config as wechat_config
from sharemall.wechat import oauth as wechat_oauth

PROVIDER_LABELS = {
    "sandbox": gettext_lazy("Sandbox"),
    "wechatpay": gettext_lazy("WeChat Pay"),
    "alipay": gettext_lazy("Alipay"),
}


# What WeixinJSBridge's getBrandWCPayRequest takes, signed by the merchant's key.
JSAPI_KEYS = ("appId", "timeStamp", "nonceStr", "package", "signType", "paySign")


def _pay_url(payment: Payment) -> str:
    if settings.SANDBOX_PAYMENTS:
        return reverse("web:sandbox_pay", args=[payment.payment_no])
    return reverse("web:buyer_pay", args=[payment.payment_no])


def _configured_providers() -> list[tuple[str, str]]:
    """(name, label) of the real providers set up on this ShareMall."""
    found = []
    for name in PROVIDER_NAMES:
        if name == "sandbox":
            continue  # the sandbox has a page of its own
        try:
            provider_for(name)
        except DomainError:
            continue  # switched off: its settings are missing
        found.append((name, str(PROVIDER_LABELS.get(name, name))))
    return found


def _wechat_scene(request: HttpRequest) -> Scene:
    """A phone's browser pays through WeChat's H5 page; anywhere else (a computer, or WeChat's
    own browser without the member's openid) shows a code to scan."""
    agent = request.headers.get("User-Agent", "")
    return "h5" if "Mobile" in agent and not in_wechat(request) else "native"


def _jsapi_openid(request: HttpRequest, member: Member) -> str:
    """Inside WeChat, the member's openid under WeChat Pay's app: with it they pay in place
    (JSAPI) instead of scanning a code. "" elsewhere or when none is linked."""
    if not in_wechat(request):
        return ""
    try:
        app_id = provider_for("wechatpay").app_id
    except DomainError:
        return ""
    return openid_of(member, app_id)


def _jsapi_link_url(request: HttpRequest, member: Member, payment: Payment) -> str:
    """Inside WeChat without that openid, when the official account is WeChat Pay's app too:
    WeChat's silent log-in links it and comes back here to pay in place."""
    if not in_wechat(request) or _jsapi_openid(request, member) or not wechat_oauth.available():
        return ""
    account = wechat_config.account(wechat_config.OA)
    try:
        pay_app = provider_for("wechatpay").app_id
    except DomainError:
        return ""
    if account is None or account.app_id != pay_app:
        return ""
    return oauth_start_url(reverse("web:buyer_pay", args=[payment.payment_no]))


@member_page
def pay_page(request: HttpRequest, member: Member, payment_no: str) -> HttpResponse:
    """Where "Pay" leads: the sandbox's pay page when it is on, else the providers set up."""
    payment = checkout.payment_payable_by(member, payment_no)
    if payment is None:
        return not_found(request)
    if settings.SANDBOX_PAYMENTS:
        return HttpResponseRedirect(reverse("web:sandbox_pay", args=[payment.payment_no]))
    if _is_htmx(request):  # the QR page asks every few seconds whether the money arrived
        # Only the status: no provider is loaded per poll. 286 tells htmx to stop asking once
        # the payment is paid or closed.
        status = 200 if payment.status == Payment.Status.PENDING else 286
        return render(request, "web/buyer/pay.html#pay_status", {"payment": payment}, status=status)
    return render(
        request,
        "web/buyer/pay.html",
        {
            "payment": payment,
            "orders": order_selectors.orders_of_payment(payment.pk),
            "providers": _configured_providers(),
            "in_wechat": in_wechat(request),
            "wechat_link_url": _jsapi_link_url(request, member, payment),
        },
    )


@member_page
def pay_start(request: HttpRequest, member: Member, payment_no: str, provider: str) -> HttpResponse:
    """Start paying with a real provider: off to Alipay's or WeChat's page, or a code to scan.

    A link, not a form: the page then leaves for the provider's site, which the pages' CSP
    (form-action 'self') would not let a form's redirect do."""
    payment = checkout.payment_payable_by(member, payment_no)
    if payment is None or provider not in dict(_configured_providers()):
        return not_found(request)
    back = reverse("web:buyer_pay", args=[payment.payment_no])
    openid = _jsapi_openid(request, member) if provider == "wechatpay" else ""
    scene: Scene = "wap" if provider == "alipay" else _wechat_scene(request)
    outcome = run_action(
        request,
        lambda: checkout.payment_pay(
            payment,
            member,
            provider_name=provider,
            scene="jsapi" if openid else scene,
            client_ip=client_address(request),
            payer_openid=openid,
            return_url=f"{settings.PUBLIC_BASE_URL}{back}",
        ),
    )
    if not outcome:
        return HttpResponseRedirect(back)
    started = outcome.value
    if "paySign" in started:
        # In WeChat's own browser: wechat.js hands these to WeixinJSBridge and comes back.
        params = {k: started[k] for k in JSAPI_KEYS}
        return render(
            request,
            "web/buyer/pay_jsapi.html",
            {"payment": payment, "params": json.dumps(params), "back": back},
        )
    if "code_url" in started:
        return render(
            request,
            "web/buyer/pay_qr.html",
            {"payment": payment, "qr_svg": qr_svg(str(started["code_url"]))},
        )
    return HttpResponseRedirect(str(started.get("pay_url") or started["h5_url"]))


@member_page
def pay_for_me_page(request: HttpRequest, member: Member, token: str) -> HttpResponse:
    """A pay-for-me link (找人代付): the friend sees what they would pay for, and pays."""
    payment = payments.pay_token_payment(token)
    if payment is None:
        return not_found(request)
    if request.method == "POST" and run_action(
        request, lambda: checkout.pay_for_friend(payment, member)
    ):
        return HttpResponseRedirect(_pay_url(payment))
    return render(
        request,
        "web/buyer/pay_for_me.html",
        {
            "payment": payment,
            "orders": order_selectors.orders_of_payment(payment.pk).select_related("merchant"),
            "is_buyer": payment.buyer_id == member.pk,
            "link": checkout.pay_for_me_url(payment),
        },
    )
