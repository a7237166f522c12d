"""Sharing a product from its page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from sharemall.accounts.auth import caller
from sharemall.core.devices import device_of
from sharemall.core.errors import DomainError
from sharemall.core.http import client_address
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing import services as sharing
from sharemall.web.buyer import storefront
from sharemall.web.buyer.common import _is_htmx, _product_url
from sharemall.web.wechat_browser import login_redirect

SHARE_CHANNEL = "page"


def _share_context(result: sharing.ShareResult) -> dict[str, Any]:
    code = result.link.code
    return {
        "code": code,
        "rewarded": result.rewarded,
        "message": result.message,
        "share_url": sharing_rules.share_url(settings.PUBLIC_BASE_URL, code),
        # Same-origin paths: the page's CSP allows images from 'self' only.
        "qr_src": f"/api/v1/shares/{code}/qr.png",
        "poster_src": f"/api/v1/shares/{code}/poster.png",
    }


@require_POST
@never_cache
def product_share(request: HttpRequest, product_id: int) -> HttpResponse:
    """The Share button: the member's own link for this product, its QR code and poster."""
    member = caller(request)
    if member is None:
        if _is_htmx(request):
            login = reverse("web:login")
            return HttpResponseClientRedirect(
                f"{login}?{urlencode({'next': _product_url(product_id)})}"
            )
        return login_redirect(request, _product_url(product_id))
    context: dict[str, Any] = {"product_id": product_id, "htmx": _is_htmx(request)}
    try:
        # One link per member and product: opening the share sheet again shows the same link.
        result = sharing.share_reuse(
            sharer=member,
            target_type=sharing_rules.PRODUCT,
            target_id=product_id,
            channel=SHARE_CHANNEL,
            device=device_of(request),
            ip=client_address(request),
        )
    except DomainError as exc:
        context["error"] = exc.message
    else:
        context.update(_share_context(result))
        context["earn_fen"], context["friend_discount_fen"] = storefront.share_sheet_offer(
            member, product_id, rewarded=result.rewarded
        )
    if context["htmx"]:
        return render(request, "web/buyer/share.html#share_panel", context)
    return render(request, "web/buyer/share.html", context)
