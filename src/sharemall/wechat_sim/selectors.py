"""Reads: which apps the simulator knows (the platform's, from settings, and the fake merchant
accounts), users, messages and current tokens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from sharemall.core.inprocess import SANDBOX_BASE
from sharemall.wechat_sim.models import (
    IssuedCode,
    IssuedToken,
    MerchantAccount,
    Push,
    SentMessage,
    SimOpenid,
    SimUser,
)

AppKind = Literal["oa", "mp", "component", "merchant_oa"]

# Where WeChat pushes to: each account's "server URL". Our server's callbacks, reached in
# process (core/inprocess.py).
OA_SERVER_URL = f"{SANDBOX_BASE}/api/v1/wechat/oa/callback"
COMPONENT_SERVER_URL = f"{SANDBOX_BASE}/api/v1/wechat/component/callback"
AUTHORIZER_SERVER_URL = SANDBOX_BASE + "/api/v1/wechat/component/events/{app_id}"


@dataclass(frozen=True)
class App:
    app_id: str
    kind: AppKind
    name: str
    secret: str = ""
    original_id: str = ""
    token: str = ""  # the message token pushes are signed with
    aes_key: str = ""  # set: safe mode, pushes are encrypted
    crypto_app_id: str = ""  # the app id inside the ciphertext (the component's, for merchants)
    server_url: str = ""


def platform_apps() -> list[App]:
    """The accounts in settings (WECHAT_OA, WECHAT_MP, WECHAT_COMPONENT) that have an app id."""
    oa, mp, component = settings.WECHAT_OA, settings.WECHAT_MP, settings.WECHAT_COMPONENT
    found = [
        App(
            app_id=oa.get("APP_ID", ""),
            kind="oa",
            name="ShareMall 公众号",
            secret=oa.get("APP_SECRET", ""),
            original_id=oa.get("ORIGINAL_ID", ""),
            token=oa.get("TOKEN", ""),
            aes_key=oa.get("AES_KEY", ""),
            crypto_app_id=oa.get("APP_ID", ""),
            server_url=OA_SERVER_URL,
        ),
        App(
            app_id=mp.get("APP_ID", ""),
            kind="mp",
            name="ShareMall 小程序",
            secret=mp.get("APP_SECRET", ""),
        ),
        App(
            app_id=component.get("APP_ID", ""),
            kind="component",
            name="ShareMall 第三方平台",
            secret=component.get("APP_SECRET", ""),
            token=component.get("TOKEN", ""),
            aes_key=component.get("AES_KEY", ""),
            crypto_app_id=component.get("APP_ID", ""),
            server_url=COMPONENT_SERVER_URL,
        ),
    ]
    return [app for app in found if app.app_id]


def merchant_app(account: MerchantAccount) -> App:
    """A merchant account as an app: its messages are signed and encrypted with the component's
    token and key, as WeChat does for every account a third-party platform runs."""
    component = component_app()
    return App(
        app_id=account.app_id,
        kind="merchant_oa",
        name=account.name,
        original_id=account.original_id,
        token=component.token if component else "",
        aes_key=component.aes_key if component else "",
        crypto_app_id=component.app_id if component else "",
        server_url=AUTHORIZER_SERVER_URL.format(app_id=account.app_id),
    )


def app_by_id(app_id: str) -> App | None:
    for app in platform_apps():
        if app.app_id == app_id:
            return app
    account = MerchantAccount.objects.filter(app_id=app_id).first()
    return merchant_app(account) if account else None


def app_of_kind(kind: AppKind) -> App | None:
    return next((app for app in platform_apps() if app.kind == kind), None)


def component_app() -> App | None:
    return app_of_kind("component")


def all_apps() -> list[App]:
    return platform_apps() + [merchant_app(a) for a in MerchantAccount.objects.all()]


def merchant_accounts() -> QuerySet[MerchantAccount]:
    return MerchantAccount.objects.all()


def users() -> QuerySet[SimUser]:
    return SimUser.objects.prefetch_related("openids")


def user_by_id(user_id: object) -> SimUser | None:
    if isinstance(user_id, bool) or not isinstance(user_id, int | str):
        return None
    try:
        pk = int(user_id)
    except ValueError:
        return None
    if not 0 < pk < 2**63:
        return None
    return SimUser.objects.filter(pk=pk).first()


def openid_row(openid: str) -> SimOpenid | None:
    return SimOpenid.objects.select_related("user").filter(openid=openid).first()


def messages(openid: str | None = None) -> QuerySet[SentMessage]:
    rows = SentMessage.objects.all()
    return rows.filter(openid=openid) if openid else rows


def current_token(kind: IssuedToken.Kind, app_id: str) -> IssuedToken | None:
    return (
        IssuedToken.objects.filter(
            kind=kind, app_id=app_id, replaced_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-id")
        .first()
    )


def current_verify_ticket(component_app_id: str) -> IssuedCode | None:
    return (
        IssuedCode.objects.filter(
            kind=IssuedCode.Kind.VERIFY_TICKET,
            app_id=component_app_id,
            expires_at__gt=timezone.now(),
        )
        .order_by("-id")
        .first()
    )


def recent_pushes(count: int = 10) -> list[Push]:
    return list(Push.objects.all()[:count])
