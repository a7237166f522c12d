"""Which WeChat accounts are configured, from settings (config/settings.py, docs/wechat.md).

An account whose app id or secret is missing is off; the endpoints that need it answer 503
`wechat_unavailable` and say which one. Under WECHAT_SANDBOX every account takes the simulator's
credentials wherever none are set.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from sharemall.core.errors import DomainError

OA, MP, COMPONENT = "OA", "MP", "COMPONENT"
# WeChat's hosts, as wechatpy calls them; http.session() sends them to the configured bases.
API_HOST_BASE = "https://api.weixin.qq.com"


class WechatUnavailable(DomainError):
    status = 503
    code = "wechat_unavailable"


@dataclass(frozen=True)
class Account:
    kind: str
    app_id: str
    secret: str
    token: str = ""  # the server URL's token (OA, component)
    aes_key: str = ""  # EncodingAESKey: set means safe mode (encrypted messages)
    original_id: str = ""  # gh_…, the OA's own id in messages

    @property
    def safe_mode(self) -> bool:
        return bool(self.aes_key)


def _settings(kind: str) -> dict[str, str]:
    return dict(getattr(settings, f"WECHAT_{kind}", {}) or {})


def account(kind: str) -> Account | None:
    values = _settings(kind)
    if not values.get("APP_ID") or not values.get("APP_SECRET"):
        return None
    return Account(
        kind=kind,
        app_id=values["APP_ID"],
        secret=values["APP_SECRET"],
        token=values.get("TOKEN", ""),
        aes_key=values.get("AES_KEY", ""),
        original_id=values.get("ORIGINAL_ID", ""),
    )


_NAMES = {
    OA: "WECHAT_OA_APP_ID / WECHAT_OA_APP_SECRET",
    MP: "WECHAT_MP_APP_ID / WECHAT_MP_APP_SECRET",
    COMPONENT: "WECHAT_COMPONENT_APP_ID / WECHAT_COMPONENT_APP_SECRET",
}


def require(kind: str) -> Account:
    """The account, or 503 `wechat_unavailable` naming the settings that switch it on."""
    found = account(kind)
    if found is None:
        raise WechatUnavailable(
            _("WeChat is not set up here: set %(names)s (or WECHAT_SANDBOX=1).")
            % {"names": _NAMES[kind]}
        )
    return found


def sandbox() -> bool:
    return bool(settings.WECHAT_SANDBOX)


def api_base() -> str:
    return str(settings.WECHAT_API_BASE)


def open_base() -> str:
    """Where a browser is sent for OAuth (open.weixin.qq.com, or the simulator's pages)."""
    return str(settings.WECHAT_OPEN_BASE)


def mp_web_base() -> str:
    """Where a browser is sent for QR images and component authorisation (mp.weixin.qq.com)."""
    return str(settings.WECHAT_MP_WEB_BASE)
