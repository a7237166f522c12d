"""WeChat's server-to-server endpoints (api.weixin.qq.com paths under /wechat-sim/) and the
simulator's own JSON helpers for tests and checkers (/wechat-sim/api/…).

WeChat's endpoints answer as WeChat does: HTTP 200 with `{errcode, errmsg}` on failure. They
are called in process without middleware (core/inprocess.py), so they are csrf-exempt and read
only the request."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from sharemall.wechat_sim import images, push, rules, selectors, services
from sharemall.wechat_sim.models import IssuedToken, MerchantAccount, SimUser
from sharemall.wechat_sim.rules import WeChatError

Kind = IssuedToken.Kind
View = Callable[..., HttpResponse]


def _json(data: object, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def wechat(method: str) -> Callable[[Callable[..., Any]], View]:
    """One of WeChat's endpoints: the method it takes, errors as `{errcode, errmsg}`."""

    def wrap(view: Callable[..., Any]) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method != method:
                    raise WeChatError(rules.REQUIRE_GET if method == "GET" else rules.REQUIRE_POST)
                answer = view(request, *args, **kwargs)
            except WeChatError as exc:
                return _json({"errcode": exc.errcode, "errmsg": rules.with_rid(exc.errmsg)})
            return answer if isinstance(answer, HttpResponse) else _json(answer)

        return run

    return wrap


def _body(request: HttpRequest) -> dict[str, Any]:
    """A JSON object body; wechatpy sends it without a Content-Type, so none is required."""
    if not request.body:
        raise WeChatError(rules.EMPTY_POST)
    try:
        data = json.loads(request.body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise WeChatError(rules.DATA_FORMAT) from exc
    if not isinstance(data, dict):
        raise WeChatError(rules.DATA_FORMAT)
    return data


def _token(request: HttpRequest, *kinds: IssuedToken.Kind) -> IssuedToken:
    return services.authenticate(request.GET.get("access_token"), kinds)


def _ok(**extra: Any) -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok", **extra}


def _left(row: IssuedToken) -> int:
    return max(0, int((row.expires_at - timezone.now()).total_seconds()))


# ---- access token, jsapi ticket ------------------------------------------------------------


@wechat("GET")
def token(request: HttpRequest) -> dict[str, Any]:
    if request.GET.get("grant_type") != "client_credential":
        raise WeChatError(rules.INVALID_GRANT_TYPE)
    app = services.check_app(request.GET.get("appid"), request.GET.get("secret"), ["oa", "mp"])
    row = services.issue_token(Kind.ACCESS, app.app_id)
    return {"access_token": row.token, "expires_in": rules.ACCESS_TOKEN_TTL}


@wechat("GET")
def getticket(request: HttpRequest) -> dict[str, Any]:
    row = _token(request, Kind.ACCESS, Kind.AUTHORIZER)
    services.require_app_kind(row, ["oa", "merchant_oa"])
    if request.GET.get("type", "jsapi") != "jsapi":
        raise WeChatError(rules.INVALID_ARGS)
    ticket = services.jsapi_ticket(row.app_id)
    return _ok(ticket=ticket.token, expires_in=_left(ticket))


# ---- official account --------------------------------------------------------------------


@wechat("POST")
def qrcode_create(request: HttpRequest) -> dict[str, Any]:
    row = _token(request, Kind.ACCESS, Kind.AUTHORIZER)
    services.require_app_kind(row, ["oa", "merchant_oa"])
    qr = services.create_qr(row.app_id, _body(request))
    answer: dict[str, Any] = {"ticket": qr.ticket, "url": scan_url(request, qr.ticket)}
    if qr.expires_at is not None:
        answer["expire_seconds"] = int((qr.expires_at - qr.created_at).total_seconds())
    return answer


def scan_url(request: HttpRequest, ticket: str) -> str:
    """What the QR code holds: WeChat's is a weixin.qq.com/q/… link only WeChat can open; ours
    opens the simulator's "scan" page, where a fake user follows the account."""
    return public_url(reverse("wechat_sim:scan", args=[ticket]))


@wechat("GET")
def user_info(request: HttpRequest) -> dict[str, Any]:
    row = _token(request, Kind.ACCESS, Kind.AUTHORIZER)
    services.require_app_kind(row, ["oa", "merchant_oa"])
    openid = request.GET.get("openid")
    if not openid:
        raise WeChatError(rules.MISSING_OPENID)
    found = selectors.openid_row(openid)
    if found is None or found.app_id != row.app_id:
        raise WeChatError(rules.INVALID_OPENID)
    user = found.user
    if not found.subscribed:
        return {"subscribe": 0, "openid": openid, "unionid": user.unionid}
    return {
        "subscribe": 1,
        "openid": openid,
        "nickname": user.nickname,
        "sex": 0,
        "language": request.GET.get("lang", "zh_CN"),
        "city": "",
        "province": "",
        "country": "",
        "headimgurl": avatar_url(request, user),
        "subscribe_time": int(found.subscribed_at.timestamp()) if found.subscribed_at else 0,
        "unionid": user.unionid,
        "remark": "",
        "groupid": 0,
        "tagid_list": [],
        "subscribe_scene": found.subscribe_scene,
        "qr_scene": 0,
        "qr_scene_str": found.qr_scene_str,
    }


def avatar_url(request: HttpRequest, user: SimUser) -> str:
    return public_url(reverse("wechat_sim:avatar", args=[user.pk]))


def public_url(path: str) -> str:
    """A browser-facing address: these calls come in process, so the request's own host
    (sandbox.invalid) is no address a browser or phone could open."""
    return settings.PUBLIC_BASE_URL + path


@wechat("POST")
def subscribe_bizsend(request: HttpRequest) -> dict[str, Any]:
    row = _token(request, Kind.ACCESS, Kind.AUTHORIZER)
    services.require_app_kind(row, ["oa", "merchant_oa"])
    sent = services.send_subscribe_message(row.app_id, "bizsend", _body(request))
    return _ok(msgid=sent.pk)


@wechat("POST")
def subscribe_send(request: HttpRequest) -> dict[str, Any]:
    row = _token(request, Kind.ACCESS)
    services.require_app_kind(row, ["mp"])
    sent = services.send_subscribe_message(row.app_id, "send", _body(request))
    return _ok(msgid=sent.pk)


# ---- web OAuth ------------------------------------------------------------------------------


def _sns_answer(row: IssuedToken) -> dict[str, Any]:
    assert row.user is not None
    return {
        "access_token": row.token,
        "expires_in": rules.ACCESS_TOKEN_TTL,
        "refresh_token": row.refresh_token,
        "openid": services.openid_for(row.user, row.app_id).openid,
        "scope": row.scope,
        "unionid": row.user.unionid,
    }


@wechat("GET")
def sns_access_token(request: HttpRequest) -> dict[str, Any]:
    if request.GET.get("grant_type") != "authorization_code":
        raise WeChatError(rules.INVALID_GRANT_TYPE)
    app = services.check_app(request.GET.get("appid"), request.GET.get("secret"), ["oa"])
    return _sns_answer(services.oauth_exchange(app, request.GET.get("code")))


@wechat("GET")
def sns_refresh_token(request: HttpRequest) -> dict[str, Any]:
    if request.GET.get("grant_type") != "refresh_token":
        raise WeChatError(rules.INVALID_GRANT_TYPE)
    app = selectors.app_by_id(request.GET.get("appid", ""))
    if app is None or app.kind != "oa":
        raise WeChatError(rules.INVALID_APPID)
    return _sns_answer(services.sns_refresh(app, request.GET.get("refresh_token")))


def _sns_user(request: HttpRequest) -> IssuedToken:
    row = _token(request, Kind.SNS)
    assert row.user is not None
    openid = request.GET.get("openid")
    if not openid:
        raise WeChatError(rules.MISSING_OPENID)
    if services.openid_for(row.user, row.app_id).openid != openid:
        raise WeChatError(rules.INVALID_OPENID)
    return row


@wechat("GET")
def sns_userinfo(request: HttpRequest) -> dict[str, Any]:
    row = _sns_user(request)
    assert row.user is not None
    if row.scope != "snsapi_userinfo":
        raise WeChatError(rules.API_UNAUTHORIZED)
    return {
        "openid": request.GET["openid"],
        "nickname": row.user.nickname,
        "sex": 0,
        "province": "",
        "city": "",
        "country": "",
        "headimgurl": avatar_url(request, row.user),
        "privilege": [],
        "unionid": row.user.unionid,
    }


@wechat("GET")
def sns_auth(request: HttpRequest) -> dict[str, Any]:
    _sns_user(request)
    return _ok()


# ---- mini-program ----------------------------------------------------------------------------


@wechat("GET")
def jscode2session(request: HttpRequest) -> dict[str, Any]:
    if request.GET.get("grant_type") != "authorization_code":
        raise WeChatError(rules.INVALID_GRANT_TYPE)
    app = services.check_app(request.GET.get("appid"), request.GET.get("secret"), ["mp"])
    return services.code2session(app, request.GET.get("js_code"))


@wechat("POST")
def getuserphonenumber(request: HttpRequest) -> dict[str, Any]:
    row = _token(request, Kind.ACCESS)
    services.require_app_kind(row, ["mp"])
    code = _body(request).get("code")
    return _ok(
        phone_info=services.phone_number(row.app_id, code if isinstance(code, str) else None)
    )


@wechat("POST")
def getwxacodeunlimit(request: HttpRequest) -> HttpResponse:
    row = _token(request, Kind.ACCESS)
    services.require_app_kind(row, ["mp"])
    body = _body(request)
    scene = rules.check_wxacode_scene(body.get("scene"))
    page = body.get("page") if isinstance(body.get("page"), str) else "pages/index/index"
    png = images.qr_png(
        f"wxacode:{page}?scene={scene}", width=images.clamp_width(body.get("width"))
    )
    return HttpResponse(png, content_type="image/png")


# ---- Open Platform component --------------------------------------------------------------


@wechat("POST")
def component_token(request: HttpRequest) -> dict[str, Any]:
    row = services.component_token(_body(request))
    return {"component_access_token": row.token, "expires_in": rules.ACCESS_TOKEN_TTL}


def _component(request: HttpRequest) -> tuple[str, dict[str, Any]]:
    row = services.authenticate(request.GET.get("component_access_token"), [Kind.COMPONENT])
    body = _body(request)
    return services.component_of(row, body), body


@wechat("POST")
def create_preauthcode(request: HttpRequest) -> dict[str, Any]:
    component_app_id = _component(request)[0]
    code = services.pre_auth_code(component_app_id)
    return {"pre_auth_code": code.code, "expires_in": rules.PRE_AUTH_CODE_TTL}


@wechat("POST")
def query_auth(request: HttpRequest) -> dict[str, Any]:
    component_app_id, body = _component(request)
    found, row = services.query_auth(component_app_id, body)
    return {
        "authorization_info": {
            "authorizer_appid": found.authorizer_app_id,
            "authorizer_access_token": row.token,
            "expires_in": rules.ACCESS_TOKEN_TTL,
            "authorizer_refresh_token": found.refresh_token,
            "func_info": found.func_info,
        }
    }


@wechat("POST")
def authorizer_token(request: HttpRequest) -> dict[str, Any]:
    component_app_id, body = _component(request)
    found, row = services.authorizer_token(component_app_id, body)
    return {
        "authorizer_access_token": row.token,
        "expires_in": rules.ACCESS_TOKEN_TTL,
        "authorizer_refresh_token": found.refresh_token,
    }


@wechat("POST")
def get_authorizer_info(request: HttpRequest) -> dict[str, Any]:
    component_app_id, body = _component(request)
    found = services.authorization(component_app_id, body.get("authorizer_appid"))
    account = MerchantAccount.objects.get(app_id=found.authorizer_app_id)
    return {
        "authorizer_info": {
            "nick_name": account.name,
            "head_img": "",
            "service_type_info": {"id": 2},  # a service account
            "verify_type_info": {"id": 0},  # WeChat-certified
            "user_name": account.original_id,
            "principal_name": account.principal_name,
            "alias": "",
            "business_info": {
                "open_store": 0,
                "open_scan": 0,
                "open_pay": 0,
                "open_card": 0,
                "open_shake": 0,
            },
            "qrcode_url": "",
            "signature": "",
            "idc": 1,
        },
        "authorization_info": {
            "authorizer_appid": found.authorizer_app_id,
            "authorizer_refresh_token": found.refresh_token,
            "func_info": found.func_info,
        },
    }


# ---- the simulator's own helpers (JSON, for tests and acceptance checks) -------------------


def _problem(status: int, code: str, message: str) -> JsonResponse:
    return _json({"error": {"code": code, "message": message}}, status=status)


def helper(methods: set[str]) -> Callable[[Callable[..., HttpResponse]], View]:
    """A helper endpoint: its methods, a JSON object body, errors as `{error: {code, message}}`."""

    def wrap(view: Callable[..., HttpResponse]) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                answer = _problem(
                    405, "method_not_allowed", _("This endpoint does not accept that method.")
                )
                answer["Allow"] = ", ".join(sorted(methods))
                return answer
            if request.method == "POST":
                try:
                    data = json.loads(request.body or b"{}")
                except (UnicodeDecodeError, ValueError):
                    data = None
                if not isinstance(data, dict):
                    return _problem(400, "malformed_request", _("The body must be a JSON object."))
                request.json = data  # type: ignore[attr-defined]
            try:
                return view(request, *args, **kwargs)
            except push.PushRefused as exc:
                return _problem(400, exc.code, exc.message)

        return run

    return wrap


def user_json(request: HttpRequest, user: SimUser) -> dict[str, Any]:
    return {
        "id": user.pk,
        "nickname": user.nickname,
        "avatar_colour": user.avatar_colour,
        "avatar_url": avatar_url(request, user),
        "phone": user.phone,
        "unionid": user.unionid,
        "openids": {row.app_id: row.openid for row in user.openids.all()},
        "following": [row.app_id for row in user.openids.all() if row.subscribed],
        "declined_templates": user.declined_templates,
    }


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _user(data: dict[str, Any]) -> SimUser | None:
    return selectors.user_by_id(data.get("user_id"))


@helper({"GET", "POST"})
def users(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _json({"users": [user_json(request, u) for u in selectors.users()[:200]]})
    data = request.json  # type: ignore[attr-defined]
    user = services.create_user(nickname=_text(data, "nickname"), phone=_text(data, "phone"))
    return _json(user_json(request, user), status=201)


@helper({"POST"})
def user_templates(request: HttpRequest, user_id: int) -> HttpResponse:
    user = selectors.user_by_id(user_id)
    data = request.json  # type: ignore[attr-defined]
    if user is None:
        return _problem(404, "not_found", _("No such user."))
    template_id = _text(data, "template_id")
    if not template_id or not isinstance(data.get("accept"), bool):
        return _problem(400, "invalid_input", _("Give template_id and accept (true or false)."))
    services.set_template_accepted(user, template_id, accepted=data["accept"])
    return _json(user_json(request, user))


def _mp_app_id() -> str | None:
    app = selectors.app_of_kind("mp")
    return app.app_id if app else None


@helper({"POST"})
def mp_login_code(request: HttpRequest) -> HttpResponse:
    data = request.json  # type: ignore[attr-defined]
    app_id = _mp_app_id()
    if app_id is None:
        return _problem(400, "app_not_configured", _("No mini-program in settings."))
    if data.get("user_id") is None:
        user = services.create_user()
    elif (found := _user(data)) is None:
        return _problem(404, "not_found", _("No such user."))
    else:
        user = found
    code = services.login_code(app_id, user)
    return _json(
        {
            "code": code.code,
            "user_id": user.pk,
            "openid": services.openid_for(user, app_id).openid,
            "unionid": user.unionid,
        },
        status=201,
    )


@helper({"POST"})
def phone_code(request: HttpRequest) -> HttpResponse:
    app_id = _mp_app_id()
    if app_id is None:
        return _problem(400, "app_not_configured", _("No mini-program in settings."))
    user = _user(request.json)  # type: ignore[attr-defined]
    if user is None:
        return _problem(404, "not_found", _("No such user."))
    code = services.phone_code(app_id, user)
    return _json({"code": code.code, "phone": user.phone}, status=201)


def message_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "app_id": row.app_id,
        "api": row.api,
        "openid": row.openid,
        "template_id": row.template_id,
        "page": row.page,
        "data": row.data,
        "sent_at": row.sent_at.isoformat(),
    }


@helper({"GET"})
def messages(request: HttpRequest) -> HttpResponse:
    rows = selectors.messages(request.GET.get("openid") or None)[:200]
    return _json({"messages": [message_json(row) for row in rows]})


@helper({"GET"})
def state(request: HttpRequest) -> HttpResponse:
    """The live tokens of an app (the OA by default), so a checker can verify a JS-SDK
    signature or call WeChat's API as our server would."""
    app_id = request.GET.get("app_id") or (
        app.app_id if (app := selectors.app_of_kind("oa")) else ""
    )
    app = selectors.app_by_id(app_id)
    if app is None:
        return _problem(404, "not_found", _("No such app."))
    token_kind = {"component": Kind.COMPONENT, "merchant_oa": Kind.AUTHORIZER}.get(
        app.kind, Kind.ACCESS
    )
    access = selectors.current_token(token_kind, app.app_id)
    ticket = selectors.current_token(Kind.JSAPI, app.app_id)
    answer: dict[str, Any] = {
        "app_id": app.app_id,
        "kind": app.kind,
        "access_token": access.token if access else None,
        "access_token_expires_in": _left(access) if access else None,
        "jsapi_ticket": ticket.token if ticket else None,
        "jsapi_ticket_expires_in": _left(ticket) if ticket else None,
    }
    if app.kind == "component":
        verify = selectors.current_verify_ticket(app.app_id)
        answer["component_verify_ticket"] = verify.code if verify else None
    return _json(answer)


@helper({"POST"})
def push_event(request: HttpRequest) -> HttpResponse:
    data = request.json  # type: ignore[attr-defined]
    scene = data.get("scene")
    if scene is not None and not isinstance(scene, str | int):
        return _problem(400, "invalid_scene", _("A scene is text."))
    delivery = push.push_event(
        app_id=_text(data, "app_id") or None,
        user_id=data.get("user_id"),
        openid=data.get("openid"),
        event=_text(data, "event"),
        scene=None if scene is None else str(scene),
        content=_text(data, "content") or None,
    )
    return _json(delivery.as_json())


@helper({"POST"})
def component_ticket(request: HttpRequest) -> HttpResponse:
    return _json(push.push_component_ticket().as_json())
