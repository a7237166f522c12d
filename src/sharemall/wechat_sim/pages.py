"""The simulator's browser-facing pages: WeChat's OAuth sheet, the component authorisation page,
QR images and the "scan" page they lead to, avatars, and the index with its forms."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sharemall.wechat_sim import api, images, push, rules, selectors, services
from sharemall.wechat_sim.models import IssuedCode, QrTicket, SimUser
from sharemall.wechat_sim.rules import WeChatError
from sharemall.wechat_sim.selectors import App

USERS_SHOWN = 20


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _redirect_target(url: str) -> bool:
    """WeChat only sends a browser back to an http(s) address (or, here, our own path)."""
    if url.startswith("/"):
        return not url.startswith("//")
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def _problem_page(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "wechat_sim/problem.html", {"message": message}, status=status)


def _chosen_user(request: HttpRequest) -> SimUser | None:
    """The user picked on a form, or a new one when a nickname was typed instead."""
    nickname = request.POST.get("nickname", "").strip()
    if nickname:
        return services.create_user(nickname=nickname)
    return selectors.user_by_id(request.POST.get("user_id", ""))


# ---- OAuth ---------------------------------------------------------------------------------


def _oauth_problem(app: App | None, redirect_uri: str, scope: str, response_type: str) -> str:
    """What WeChat's error page would say about an authorize request ("" when it is fine)."""
    if app is None or app.kind not in {"oa", "merchant_oa"}:
        return _("This app id is not an official account (10016).")
    if not _redirect_target(redirect_uri):
        return _("The redirect_uri is not a web address (10003).")
    if scope not in rules.OAUTH_SCOPES:
        return _("The scope must be snsapi_base or snsapi_userinfo (10005).")
    if response_type != "code":
        return _("response_type must be code (10004).")
    return ""


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """open.weixin.qq.com/connect/oauth2/authorize: WeChat asks who (and, for
    snsapi_userinfo, whether to share the profile), then sends the browser back with a code."""
    query = request.GET
    app = selectors.app_by_id(query.get("appid", ""))
    redirect_uri, scope = query.get("redirect_uri", ""), query.get("scope", "")
    problem = _oauth_problem(app, redirect_uri, scope, query.get("response_type", ""))
    if problem or app is None:
        return _problem_page(request, problem)
    if request.method == "POST":
        user = _chosen_user(request)
        if user is None:
            return _problem_page(request, _("Pick a user or type a nickname."))
        code = services.oauth_code(app.app_id, user, scope)
        return HttpResponseRedirect(
            _with_query(redirect_uri, code=code.code, state=query.get("state", ""))
        )
    return render(
        request,
        "wechat_sim/authorize.html",
        {
            "app": app,
            "scope": scope,
            "userinfo": scope == "snsapi_userinfo",
            "users": selectors.users()[:USERS_SHOWN],
            "redirect_host": urlsplit(redirect_uri).netloc or redirect_uri,
        },
    )


# ---- component authorisation -----------------------------------------------------------------


def _component_problem(
    component: App | None, component_app_id: str, redirect_uri: str, pre_auth: str
) -> str:
    if component is None or component_app_id != component.app_id:
        return _("Unknown component_appid.")
    if not _redirect_target(redirect_uri):
        return _("The redirect_uri is not a web address.")
    code = IssuedCode.objects.filter(
        kind=IssuedCode.Kind.PRE_AUTH, app_id=component.app_id, code=pre_auth
    ).first()
    if code is None or code.used_at is not None or code.expires_at <= timezone.now():
        return _("The pre_auth_code is invalid, used or expired.")
    return ""


@require_http_methods(["GET", "POST"])
def component_login(request: HttpRequest) -> HttpResponse:
    """mp.weixin.qq.com/cgi-bin/componentloginpage: a merchant picks which of its accounts the
    third-party platform may run; the platform gets an auth_code on its redirect_uri."""
    query = request.GET
    component = selectors.component_app()
    redirect_uri, pre_auth = query.get("redirect_uri", ""), query.get("pre_auth_code", "")
    problem = _component_problem(
        component, query.get("component_appid", ""), redirect_uri, pre_auth
    )
    if problem or component is None:
        return _problem_page(request, problem)
    accounts = selectors.merchant_accounts()
    if request.method == "POST":
        chosen = accounts.filter(app_id=request.POST.get("authorizer_appid", "")).first()
        if chosen is None:
            return _problem_page(request, _("Pick an account to authorise."))
        try:
            used, auth = services.authorize_component(component.app_id, pre_auth, chosen.app_id)
        except WeChatError:
            return _problem_page(request, _("The pre_auth_code is invalid, used or expired."))
        push.push_authorized(
            component.app_id,
            chosen.app_id,
            auth.code,
            used.code,
            int(auth.expires_at.timestamp()),
        )
        return HttpResponseRedirect(
            _with_query(redirect_uri, auth_code=auth.code, expires_in=str(rules.AUTH_CODE_TTL))
        )
    return render(
        request,
        "wechat_sim/component_login.html",
        {
            "component": component,
            "accounts": accounts,
            "redirect_host": urlsplit(redirect_uri).netloc,
        },
    )


# ---- QR codes and avatars -------------------------------------------------------------------


def _live_qr(ticket: str) -> QrTicket | None:
    qr = QrTicket.objects.filter(ticket=ticket).first()
    if qr is None or (qr.expires_at is not None and qr.expires_at <= timezone.now()):
        return None
    return qr


# These answer 404 themselves rather than raise Http404: they are also fetched in process,
# where no handler turns an exception into an answer.
_GONE = b"ticket invalid or expired"


@require_http_methods(["GET"])
def showqrcode(request: HttpRequest) -> HttpResponse:
    """mp.weixin.qq.com/cgi-bin/showqrcode?ticket=…: the QR image of a ticket."""
    qr = _live_qr(request.GET.get("ticket", ""))
    if qr is None:
        return HttpResponseNotFound(_GONE, content_type="text/plain")
    return HttpResponse(images.qr_png(api.scan_url(request, qr.ticket)), content_type="image/png")


@require_http_methods(["GET", "POST"])
def scan(request: HttpRequest, ticket: str) -> HttpResponse:
    """Where a QR code leads: a fake user "scans" it, following the account (subscribe with
    the scene) or, already a follower, sending SCAN."""
    qr = _live_qr(ticket)
    app = selectors.app_by_id(qr.app_id) if qr else None
    if qr is None or app is None:
        return _problem_page(request, _("This QR code is invalid or has expired."), status=404)
    context: dict[str, Any] = {"app": app, "qr": qr, "users": selectors.users()[:USERS_SHOWN]}
    if request.method == "POST":
        user = _chosen_user(request)
        if user is None:
            return _problem_page(request, _("Pick a user or type a nickname."))
        try:
            delivery = push.push_event(
                app_id=app.app_id, user_id=user.pk, event="subscribe", scene=qr.scene
            )
        except push.PushRefused as exc:
            return _problem_page(request, exc.message)
        context["delivery"] = delivery.push
    return render(request, "wechat_sim/scan.html", context)


@require_http_methods(["GET"])
def avatar(request: HttpRequest, user_id: int) -> HttpResponse:
    user = selectors.user_by_id(user_id)
    if user is None:
        return HttpResponseNotFound(b"no such user", content_type="text/plain")
    return HttpResponse(
        images.avatar_svg(user.nickname, user.avatar_colour), content_type="image/svg+xml"
    )


# ---- the index and its forms ----------------------------------------------------------------


def _mini_program_code(action: str, user_id: str) -> tuple[str, Any]:
    mp = selectors.app_of_kind("mp")
    user = selectors.user_by_id(user_id)
    if mp is None or user is None:
        return _("Refused"), _("Pick a user (and configure the mini-program).")
    if action == "mp_login_code":
        code = services.login_code(mp.app_id, user)
        return _("wx.login code"), {"code": code.code, "user_id": user.pk}
    return _("Phone code"), {"code": services.phone_code(mp.app_id, user).code}


def _index_action(request: HttpRequest) -> tuple[str, Any]:
    """Runs one of the index's forms: (title, what to show)."""
    action = request.POST.get("action", "")
    post = request.POST
    if action == "create_user":
        user = services.create_user(nickname=post.get("nickname", ""), phone=post.get("phone", ""))
        return _("User created"), api.user_json(request, user)
    if action in {"mp_login_code", "phone_code"}:
        return _mini_program_code(action, post.get("user_id", ""))
    if action == "push":
        delivery = push.push_event(
            app_id=post.get("app_id") or None,
            user_id=post.get("user_id", ""),
            event=post.get("event", ""),
            scene=post.get("scene") or None,
            content=post.get("content") or None,
        )
        return _("Pushed"), delivery.as_json()
    if action == "component_ticket":
        return _("Verify ticket pushed"), push.push_component_ticket().as_json()
    return _("Refused"), _("Unknown action.")


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "apps": selectors.all_apps(),
        "users": selectors.users()[:USERS_SHOWN],
        "events": rules.PUSH_EVENTS,
        "messages": selectors.messages()[:10],
        "pushes": selectors.recent_pushes(),
    }
    if request.method == "POST":
        try:
            title, shown = _index_action(request)
        except push.PushRefused as exc:
            title, shown = _("Refused"), exc.message
        context["result_title"] = title
        context["result"] = (
            shown if isinstance(shown, str) else json.dumps(shown, ensure_ascii=False, indent=2)
        )
    return render(request, "wechat_sim/index.html", context)
