"""Everything the simulator writes: fake users, tokens and codes issued and consumed, QR tickets,
subscribe messages and component authorisations. Failures raise rules.WeChatError carrying the
errcode WeChat would answer."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from sharemall.wechat_sim import rules
from sharemall.wechat_sim.models import (
    Authorization,
    IssuedCode,
    IssuedToken,
    QrTicket,
    SentMessage,
    SimOpenid,
    SimUser,
)
from sharemall.wechat_sim.rules import Err, WeChatError
from sharemall.wechat_sim.selectors import (
    App,
    AppKind,
    all_apps,
    app_by_id,
    current_token,
    current_verify_ticket,
    openid_row,
)

NICKNAMES = ("小明", "小红", "阿杰", "晓燕", "大伟", "丽丽", "老张", "小芳")
NICKNAME_MAX = 64
PHONE_MAX = 20


def _later(seconds: int) -> Any:
    return timezone.now() + timedelta(seconds=seconds)


# ---- users ------------------------------------------------------------------------------------


def create_user(*, nickname: str = "", phone: str = "") -> SimUser:
    """A fake WeChat user with an openid under every app the simulator knows."""
    nickname = nickname.strip()[:NICKNAME_MAX] or secrets.choice(NICKNAMES)
    phone = phone.strip()[:PHONE_MAX] or rules.new_phone()
    with transaction.atomic():
        user = SimUser.objects.create(
            nickname=nickname,
            phone=phone,
            avatar_colour=secrets.choice(rules.AVATAR_COLOURS),
            unionid=rules.new_unionid(),
        )
        for app in all_apps():
            openid_for(user, app.app_id)
    return user


def openid_for(user: SimUser, app_id: str) -> SimOpenid:
    row, _ = SimOpenid.objects.get_or_create(
        user=user, app_id=app_id, defaults={"openid": rules.new_openid()}
    )
    return row


def set_template_accepted(user: SimUser, template_id: str, *, accepted: bool) -> SimUser:
    declined = [t for t in user.declined_templates if t != template_id]
    if not accepted:
        declined.append(template_id)
    user.declined_templates = declined
    user.save(update_fields=["declined_templates"])
    return user


def set_following(row: SimOpenid, *, following: bool, scene: str | None = None) -> None:
    if following:
        row.subscribed = True
        row.subscribed_at = timezone.now()
        row.subscribe_scene = "ADD_SCENE_QR_CODE" if scene else "ADD_SCENE_SEARCH"
        row.qr_scene_str = scene or ""
    else:
        row.subscribed = False
    row.save(update_fields=["subscribed", "subscribed_at", "subscribe_scene", "qr_scene_str"])


# ---- apps, tokens -----------------------------------------------------------------------------


def check_app(app_id: str | None, secret: str | None, kinds: Collection[AppKind]) -> App:
    """The app behind an appid/secret pair, refused as WeChat does."""
    if not app_id:
        raise WeChatError(rules.MISSING_APPID)
    app = app_by_id(app_id)
    if app is None or app.kind not in kinds or not app.secret:
        raise WeChatError(rules.INVALID_APPID)
    if not secret:
        raise WeChatError(rules.MISSING_SECRET)
    if not secrets.compare_digest(secret, app.secret):
        raise WeChatError(rules.INVALID_APPSECRET)
    return app


def issue_token(
    kind: IssuedToken.Kind,
    app_id: str,
    *,
    user: SimUser | None = None,
    scope: str = "",
    ttl: int = rules.ACCESS_TOKEN_TTL,
) -> IssuedToken:
    """A new token; the previous one of its kind (for this app, and this user for sns) stops
    working at once."""
    with transaction.atomic():
        IssuedToken.objects.filter(
            kind=kind, app_id=app_id, user=user, replaced_at__isnull=True
        ).update(replaced_at=timezone.now())
        return IssuedToken.objects.create(
            kind=kind,
            app_id=app_id,
            user=user,
            scope=scope,
            token=rules.new_token(),
            refresh_token=rules.new_token() if kind == IssuedToken.Kind.SNS else "",
            expires_at=_later(ttl),
        )


def authenticate(token: str | None, kinds: Collection[IssuedToken.Kind]) -> IssuedToken:
    """The live token behind `access_token=`: 41001 missing, 40001 unknown or replaced,
    42001 expired."""
    if not token:
        raise WeChatError(rules.MISSING_ACCESS_TOKEN)
    row = IssuedToken.objects.filter(token=token, kind__in=list(kinds)).first()
    if row is None or row.replaced_at is not None:
        raise WeChatError(rules.INVALID_CREDENTIAL)
    if row.expires_at <= timezone.now():
        raise WeChatError(rules.EXPIRED_ACCESS_TOKEN)
    return row


def require_app_kind(row: IssuedToken, kinds: Collection[AppKind]) -> App:
    """An API only some accounts may call (an OA's bizsend, an MP's phone number): 48001."""
    app = app_by_id(row.app_id)
    if app is None or app.kind not in kinds:
        raise WeChatError(rules.API_UNAUTHORIZED)
    return app


def jsapi_ticket(app_id: str) -> IssuedToken:
    """The app's jsapi_ticket: the same one until it expires."""
    return current_token(IssuedToken.Kind.JSAPI, app_id) or issue_token(
        IssuedToken.Kind.JSAPI, app_id, ttl=rules.JSAPI_TICKET_TTL
    )


# ---- single-use codes ------------------------------------------------------------------------


def issue_code(
    kind: IssuedCode.Kind,
    app_id: str,
    ttl: int,
    *,
    user: SimUser | None = None,
    scope: str = "",
    subject: str = "",
) -> IssuedCode:
    return IssuedCode.objects.create(
        kind=kind,
        app_id=app_id,
        code=rules.new_code() if kind != IssuedCode.Kind.VERIFY_TICKET else _verify_ticket(),
        user=user,
        scope=scope,
        subject=subject,
        expires_at=_later(ttl),
    )


def _verify_ticket() -> str:
    return "ticket@@@" + rules.new_ticket()


def consume_code(
    kind: IssuedCode.Kind,
    app_id: str,
    code: str | None,
    *,
    invalid: Err = rules.INVALID_CODE,
    used: Err = rules.CODE_USED,
    expired: Err = rules.INVALID_CODE,
) -> IssuedCode:
    """Uses a code once: a conditional update, so of two callers racing only one wins."""
    if not code:
        raise WeChatError(rules.MISSING_CODE)
    row = IssuedCode.objects.filter(kind=kind, app_id=app_id, code=code).first()
    if row is None:
        raise WeChatError(invalid)
    if row.used_at is not None:
        raise WeChatError(used)
    now = timezone.now()
    if row.expires_at <= now:
        raise WeChatError(expired)
    won = IssuedCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now)
    if not won:
        raise WeChatError(used)
    row.used_at = now
    return row


# ---- OAuth and mini-program log-in ----------------------------------------------------------


def oauth_code(app_id: str, user: SimUser, scope: str) -> IssuedCode:
    openid_for(user, app_id)
    return issue_code(IssuedCode.Kind.OAUTH, app_id, rules.OAUTH_CODE_TTL, user=user, scope=scope)


def oauth_exchange(app: App, code: str | None) -> IssuedToken:
    row = consume_code(IssuedCode.Kind.OAUTH, app.app_id, code)
    assert row.user is not None  # an OAuth code is always issued to a user
    return issue_token(IssuedToken.Kind.SNS, app.app_id, user=row.user, scope=row.scope)


def sns_refresh(app: App, refresh_token: str | None) -> IssuedToken:
    if not refresh_token:
        raise WeChatError(rules.INVALID_REFRESH_TOKEN)
    old = IssuedToken.objects.filter(
        kind=IssuedToken.Kind.SNS, app_id=app.app_id, refresh_token=refresh_token
    ).first()
    if old is None or old.user is None:
        raise WeChatError(rules.INVALID_REFRESH_TOKEN)
    # A refresh token lives 30 days from the authorisation.
    if old.issued_at + timedelta(days=30) <= timezone.now():
        raise WeChatError(rules.EXPIRED_REFRESH_TOKEN)
    fresh = issue_token(IssuedToken.Kind.SNS, app.app_id, user=old.user, scope=old.scope)
    fresh.refresh_token = refresh_token
    fresh.save(update_fields=["refresh_token"])
    return fresh


def login_code(app_id: str, user: SimUser) -> IssuedCode:
    """What wx.login gives the mini-program for this user."""
    openid_for(user, app_id)
    return issue_code(IssuedCode.Kind.LOGIN, app_id, rules.LOGIN_CODE_TTL, user=user)


def code2session(app: App, js_code: str | None) -> dict[str, str]:
    row = consume_code(IssuedCode.Kind.LOGIN, app.app_id, js_code)
    assert row.user is not None
    return {
        "openid": openid_for(row.user, app.app_id).openid,
        "session_key": rules.new_session_key(),
        "unionid": row.user.unionid,
    }


def phone_code(app_id: str, user: SimUser) -> IssuedCode:
    return issue_code(IssuedCode.Kind.PHONE, app_id, rules.PHONE_CODE_TTL, user=user)


def phone_number(app_id: str, code: str | None) -> dict[str, Any]:
    row = consume_code(IssuedCode.Kind.PHONE, app_id, code)
    assert row.user is not None
    return {
        "phoneNumber": row.user.phone,
        "purePhoneNumber": row.user.phone,
        "countryCode": "86",
        "watermark": {"timestamp": int(timezone.now().timestamp()), "appid": app_id},
    }


# ---- QR codes and subscribe messages ----------------------------------------------------------


def create_qr(app_id: str, body: object) -> QrTicket:
    request = rules.parse_qr_request(body)
    now = timezone.now()
    expire = request.expire_seconds
    return QrTicket.objects.create(
        app_id=app_id,
        ticket=rules.new_ticket(),
        action_name=request.action_name,
        scene=request.scene,
        created_at=now,
        expires_at=now + timedelta(seconds=expire) if expire else None,
    )


def qr_for_scene(app_id: str, scene: str) -> QrTicket:
    """A live ticket for `scene` (for a push naming only the scene), made when there is none."""
    now = timezone.now()
    found = (
        QrTicket.objects.filter(app_id=app_id, scene=scene)
        .exclude(expires_at__lte=now)
        .order_by("-id")
        .first()
    )
    if found:
        return found
    body = {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": scene}}}
    return create_qr(app_id, body)


def send_subscribe_message(app_id: str, api: str, body: object) -> SentMessage:
    if not isinstance(body, dict):
        raise WeChatError(rules.DATA_FORMAT)
    touser = body.get("touser")
    if not isinstance(touser, str) or not touser:
        raise WeChatError(rules.MISSING_OPENID)
    row = openid_row(touser)
    if row is None or row.app_id != app_id:
        raise WeChatError(rules.INVALID_OPENID)
    template_id = body.get("template_id")
    if not isinstance(template_id, str) or not template_id or len(template_id) > 128:
        raise WeChatError(rules.INVALID_TEMPLATE_ID)
    data = body.get("data")
    if not isinstance(data, dict):
        raise WeChatError(rules.DATA_FORMAT)
    if template_id in row.user.declined_templates:
        raise WeChatError(rules.USER_REFUSED)
    page = body.get("page")
    return SentMessage.objects.create(
        app_id=app_id,
        api=api,
        openid=touser,
        user=row.user,
        template_id=template_id,
        page=page[:512] if isinstance(page, str) else "",
        data=data,
    )


# ---- the Open Platform component --------------------------------------------------------------


def new_verify_ticket(component_app_id: str) -> IssuedCode:
    return issue_code(IssuedCode.Kind.VERIFY_TICKET, component_app_id, rules.VERIFY_TICKET_TTL)


def component_token(body: dict[str, Any]) -> IssuedToken:
    app = check_app(body.get("component_appid"), body.get("component_appsecret"), ["component"])
    ticket = current_verify_ticket(app.app_id)
    given = body.get("component_verify_ticket")
    if ticket is None or not isinstance(given, str) or given != ticket.code:
        raise WeChatError(rules.INVALID_VERIFY_TICKET)
    return issue_token(IssuedToken.Kind.COMPONENT, app.app_id)


def component_of(row: IssuedToken, body: dict[str, Any]) -> str:
    """The component a call is for: its `component_appid` must be the token's."""
    if body.get("component_appid") != row.app_id:
        raise WeChatError(rules.INVALID_APPID)
    return row.app_id


def pre_auth_code(component_app_id: str) -> IssuedCode:
    return issue_code(IssuedCode.Kind.PRE_AUTH, component_app_id, rules.PRE_AUTH_CODE_TTL)


FUNC_INFO = [{"funcscope_category": {"id": n}} for n in (1, 2, 3, 4, 7, 11)]


def authorize_component(
    component_app_id: str, pre_auth: str, authorizer_app_id: str
) -> tuple[IssuedCode, IssuedCode]:
    """The merchant picked its account on the authorisation page: the pre-auth code is used up,
    the account is (re)authorised and the component gets an authorization code.
    Returns (pre-auth code, auth code)."""
    with transaction.atomic():
        used = consume_code(
            IssuedCode.Kind.PRE_AUTH,
            component_app_id,
            pre_auth,
            invalid=rules.AUTH_CODE_INVALID,
            used=rules.AUTH_CODE_INVALID,
            expired=rules.AUTH_CODE_EXPIRED,
        )
        Authorization.objects.update_or_create(
            component_app_id=component_app_id,
            authorizer_app_id=authorizer_app_id,
            defaults={
                "refresh_token": "refreshtoken@@@" + rules.new_token()[:43],
                "func_info": FUNC_INFO,
                "authorized_at": timezone.now(),
            },
        )
        code = issue_code(
            IssuedCode.Kind.AUTH,
            component_app_id,
            rules.AUTH_CODE_TTL,
            subject=authorizer_app_id,
        )
    return used, code


def query_auth(component_app_id: str, body: dict[str, Any]) -> tuple[Authorization, IssuedToken]:
    row = consume_code(
        IssuedCode.Kind.AUTH,
        component_app_id,
        body.get("authorization_code"),
        invalid=rules.AUTH_CODE_INVALID,
        used=rules.AUTH_CODE_INVALID,
        expired=rules.AUTH_CODE_EXPIRED,
    )
    authorization = Authorization.objects.get(
        component_app_id=component_app_id, authorizer_app_id=row.subject
    )
    return authorization, issue_token(IssuedToken.Kind.AUTHORIZER, row.subject)


def authorization(component_app_id: str, authorizer_app_id: object) -> Authorization:
    found = Authorization.objects.filter(
        component_app_id=component_app_id, authorizer_app_id=authorizer_app_id
    ).first()
    if found is None:
        raise WeChatError(rules.NOT_AUTHORIZED)
    return found


def authorizer_token(
    component_app_id: str, body: dict[str, Any]
) -> tuple[Authorization, IssuedToken]:
    found = authorization(component_app_id, body.get("authorizer_appid"))
    given = body.get("authorizer_refresh_token")
    if not isinstance(given, str) or not secrets.compare_digest(given, found.refresh_token):
        raise WeChatError(rules.INVALID_REFRESH_TOKEN)
    return found, issue_token(IssuedToken.Kind.AUTHORIZER, found.authorizer_app_id)
