"""WeChat's log-in inside its browser (OAuth start, callback and the consent page) and the
member's own share link that a WeChat share card carries. The decisions are
sharemall.wechat.oauth's; these views only carry the browser through them."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from sharemall.accounts.auth import caller
from sharemall.core.devices import device_of, remember_wechat_device
from sharemall.core.errors import DomainError
from sharemall.core.http import client_address
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing import selectors as sharing_selectors
from sharemall.sharing import services as sharing
from sharemall.web.accounts import PHONE_BACKEND, _safe_next, welcome
from sharemall.web.common import _int_param
from sharemall.web.wechat_browser import SESSION_TRIED, oauth_start_url
from sharemall.wechat import oauth

SHARE_CHANNEL = "wechat"


def _failed(request: HttpRequest, error: DomainError) -> HttpResponse:
    # Whatever went wrong, the silent log-in is not tried again in this session: the member
    # reaches the ordinary log-in page instead of coming back here.
    request.session[SESSION_TRIED] = True
    return render(
        request,
        "web/wechat/oauth_error.html",
        {"message": error.message, "code": error.code},
        status=error.status,
    )


@require_GET
@never_cache
def oauth_start(request: HttpRequest) -> HttpResponse:
    """Off to WeChat's authorisation page; it comes back to `oauth_callback`."""
    next_path = _safe_next(request, request.GET.get("next"))
    scope = request.GET.get("scope") or oauth.BASE
    try:
        url = oauth.authorize_url(request.session, next_path=next_path, scope=scope)
    except DomainError as exc:
        return _failed(request, exc)
    return HttpResponseRedirect(url)


@require_GET
@never_cache
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """Back from WeChat: link, sign in, make a member, or ask first (wechat/oauth.py)."""
    code, state = request.GET.get("code", ""), request.GET.get("state", "")
    try:
        trip = oauth.read_state(request.session, state)
    except DomainError as exc:
        return _failed(request, exc)
    try:
        if not code:  # the member said no on WeChat's page
            raise oauth.OAuthFailed(_("WeChat log-in was cancelled."))
        user = oauth.user_from_code(code, trip.scope)
        referrer, source = sharing_selectors.cookie_referrer(request)
        arrival = oauth.arrive(
            user,
            trip.scope,
            signed_in=caller(request),
            referrer=referrer,
            source=source,
            address=client_address(request),
        )
    except DomainError as exc:
        if exc.code == "wechat_taken":
            messages.error(request, exc.message)
            return HttpResponseRedirect(_safe_next(request, trip.next_path))
        return _failed(request, exc)
    next_path = _safe_next(request, trip.next_path)
    if arrival.outcome == "consent" or arrival.member is None:
        request.session[SESSION_TRIED] = True
        return HttpResponseRedirect(oauth_consent_url(next_path))
    if arrival.outcome == "linked":
        messages.success(request, _("Your WeChat account is linked."))
        return HttpResponseRedirect(next_path)
    auth_login(request, arrival.member, backend=PHONE_BACKEND)
    # Logged in through WeChat: the WeChat account is this session's device from now on.
    remember_wechat_device(request, user.openid)
    request.session.pop(SESSION_TRIED, None)
    if arrival.outcome == "created":
        welcome(request, arrival.member)
    return HttpResponseRedirect(next_path)


def oauth_consent_url(next_path: str) -> str:
    return f"{reverse('web:wechat_consent')}?{urlencode({'next': next_path})}"


@require_GET
@never_cache
def oauth_consent(request: HttpRequest) -> HttpResponse:
    """使用微信登录: a newcomer from WeChat agrees to an account made from their WeChat
    profile (snsapi_userinfo), or signs up with a phone number instead."""
    next_path = _safe_next(request, request.GET.get("next"))
    return render(
        request,
        "web/wechat/consent.html",
        {
            "next": next_path,
            "wechat_url": oauth_start_url(next_path, oauth.USERINFO) if oauth.available() else "",
        },
    )


@require_POST
@never_cache
def share_link(request: HttpRequest) -> JsonResponse:
    """The signed-in member's own link for a page's target, for the WeChat share card (the
    same one-link-per-target as the share sheet). Strangers share the page's own address."""
    member = caller(request)
    if member is None:
        return JsonResponse(
            {"code": "unauthenticated", "message": _("Log in to share.")}, status=401
        )
    target_type = request.POST.get("target_type", "")
    target_id = _int_param(request.POST.get("target_id"))
    if target_type not in sharing_rules.TARGET_TYPES or target_id is None:
        return JsonResponse(
            {"code": "invalid_target", "message": _("Nothing to share here.")}, status=400
        )
    try:
        result = sharing.share_reuse(
            sharer=member,
            target_type=target_type,
            target_id=target_id,
            channel=SHARE_CHANNEL,
            device=device_of(request),
            ip=client_address(request),
        )
    except DomainError as exc:
        return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)
    return JsonResponse(
        {"url": sharing_rules.share_url(settings.PUBLIC_BASE_URL, result.link.code)}
    )
