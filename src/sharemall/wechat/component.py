"""Our WeChat Open Platform component (第三方平台) as a wechatpy client, on the shared credentials.

- `component()`: a `WeChatComponent` on wechat/http.py's session (WeChat's host rebased onto
  WECHAT_API_BASE). Its verify ticket is the one WeChat last pushed to our callback (a
  `Credential`, kind component_verify_ticket); its component access token is shared and
  refreshed under the row's lock like every other token (wechat/tokens.py), and a call refused
  for the token refreshes once and is retried once (wechatpy's own auto-retry is off).
- `authorizer_client(account)`: a client for a merchant's connected official account, whose
  access token is the authorizer token, renewed through the component with the account's
  refresh token (WeChat may rotate it: the new one is kept).
WeChat's refusals become our 502 `wechat_error` through `failures.translated()`.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from wechatpy.component import WeChatComponent

from sharemall.core.errors import Conflict
from sharemall.wechat import component_rules, config, http, tokens
from sharemall.wechat.clients import SharedTokenClient
from sharemall.wechat.failures import WechatError
from sharemall.wechat.models import MerchantWechatAccount

logger = logging.getLogger(__name__)

COMPONENT_API = f"{config.API_HOST_BASE}/cgi-bin/component"


class NotConnected(Conflict):
    code = "wechat_not_connected"


def answer_value(answer: Any, key: str) -> str:
    """`answer[key]` from a WeChat answer, or 502 `wechat_error` when WeChat left it out."""
    value = answer.get(key) if isinstance(answer, dict) else None
    if not value:
        logger.warning("WeChat answered without %s: %r", key, answer)
        raise WechatError(_("WeChat answered without %(key)s; try again later.") % {"key": key})
    return str(value)


def require_account() -> config.Account:
    """The component's settings; its callback needs the message token and the AES key too."""
    account = config.require(config.COMPONENT)
    if not account.token or not account.aes_key:
        raise config.WechatUnavailable(
            _("WeChat is not set up here: set %(names)s (or WECHAT_SANDBOX=1).")
            % {"names": "WECHAT_COMPONENT_TOKEN / WECHAT_COMPONENT_AES_KEY"}
        )
    return account


class Component(WeChatComponent):  # type: ignore[misc]
    """wechatpy's component client with the verify ticket and token from our database."""

    def __init__(self, account: config.Account) -> None:
        super().__init__(
            account.app_id, account.secret, account.token, account.aes_key, auto_retry=False
        )
        self.account = account
        self._http = http.session()

    @property
    def component_verify_ticket(self) -> str:
        ticket = tokens.stored(self.component_appid, tokens.VERIFY_TICKET)
        if not ticket:
            raise config.WechatUnavailable(
                _(
                    "WeChat has not sent the verify ticket (component_verify_ticket) yet: the "
                    "component's callback gets "
                    "one every ten minutes once the platform is set up on WeChat's side."
                )
            )
        return ticket

    def _fetch(self) -> tuple[str, int]:
        # Under the credential row's lock: a timeout so a silent WeChat cannot hold it long.
        answer = self._http.post(
            f"{COMPONENT_API}/api_component_token",
            data=json.dumps(
                {
                    "component_appid": self.component_appid,
                    "component_appsecret": self.component_appsecret,
                    "component_verify_ticket": self.component_verify_ticket,
                }
            ),
            timeout=http.TIMEOUT_SECONDS,
        )
        answer.raise_for_status()
        result = self._handle_result(answer)
        return answer_value(result, "component_access_token"), int(result.get("expires_in", 7200))

    @property
    def access_token(self) -> str:
        return tokens.current(self.component_appid, tokens.COMPONENT_TOKEN, self._fetch)

    def fetch_access_token(self) -> dict[str, Any]:
        value = tokens.refresh_stale(self.component_appid, tokens.COMPONENT_TOKEN, "", self._fetch)
        return {"component_access_token": value}

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        params = dict(kwargs.pop("params", None) or {})
        kwargs.setdefault("timeout", http.TIMEOUT_SECONDS)
        send = super()._request

        def call(token: str) -> Any:
            return send(
                method,
                url_or_endpoint,
                params={**params, "component_access_token": token},
                **kwargs,
            )

        return tokens.with_token(
            self.component_appid,
            tokens.COMPONENT_TOKEN,
            self._fetch,
            call,
            given=str(params.get("component_access_token") or ""),
        )

    def login_page_url(self, redirect_uri: str) -> str:
        """Where the merchant's owner authorises an official account (auth_type=1: official
        accounts only): WeChat's page, or the simulator's under the sandbox."""
        pre_auth_code = answer_value(self.create_preauthcode(), "pre_auth_code")
        query = urlencode(
            {
                "component_appid": self.component_appid,
                "pre_auth_code": pre_auth_code,
                "redirect_uri": redirect_uri,
                "auth_type": "1",
            }
        )
        return f"{config.mp_web_base()}/cgi-bin/componentloginpage?{query}"


def component() -> Component:
    return Component(require_account())


def available() -> bool:
    """Whether the component is set up here (app id, secret, token and key)."""
    try:
        require_account()
    except config.WechatUnavailable:
        return False
    return True


class AuthorizerClient(SharedTokenClient):
    """A WeChatClient on a merchant's connected official account (`user.get`,
    `qrcode.create`, …): its token is the authorizer token, shared like any other."""

    token_kind = tokens.AUTHORIZER_TOKEN

    def __init__(self, account: MerchantWechatAccount, component: Component) -> None:
        super().__init__(config.Account(kind="AUTHORIZER", app_id=account.app_id, secret=""))
        self.merchant_account = account
        self.component = component

    def _fetch(self) -> tuple[str, int]:
        # Runs under the authorizer token's row lock, so one renewal at a time: the refresh
        # token read here is the latest, and a rotated one is saved before the lock is let go.
        current = MerchantWechatAccount.objects.get(pk=self.merchant_account.pk)
        if current.status != component_rules.CONNECTED or not current.refresh_token:
            raise NotConnected(_("This official account is no longer connected."))
        answer = self.component.refresh_authorizer_token(current.app_id, current.refresh_token)
        rotated = str(answer.get("authorizer_refresh_token") or "")
        if rotated and rotated != current.refresh_token:
            MerchantWechatAccount.objects.filter(pk=current.pk).update(refresh_token=rotated)
        return answer_value(answer, "authorizer_access_token"), int(answer.get("expires_in", 7200))


def authorizer_client(account: MerchantWechatAccount) -> AuthorizerClient:
    """The client for a connected account (409 `wechat_not_connected` otherwise)."""
    if account.status != component_rules.CONNECTED:
        raise NotConnected(_("This official account is no longer connected."))
    return AuthorizerClient(account, component())
