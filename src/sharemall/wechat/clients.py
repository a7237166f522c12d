"""wechatpy clients for our accounts, wired to the shared credentials and the configured base.

- `oa_client()` / `mp_client()`: `WeChatClient` for the official account and the mini-program.
  Their access token comes from wechat/tokens.py (shared, refreshed under a lock); a call WeChat
  refuses for the token (40001, 40014, 42001) refreshes it once and is retried once — never a
  loop (wechatpy's own auto-retry is off: it would refetch without the lock, and forever).
- `jsapi_ticket(client)`: the JS-SDK ticket, shared the same way.
- `oauth(account, redirect_uri, scope)`: web OAuth (snsapi_base / snsapi_userinfo).
Every client's HTTP session is wechat/http.py's: WeChat's host rebased onto WECHAT_API_BASE.
"""

from __future__ import annotations

from typing import Any

from wechatpy.client import WeChatClient
from wechatpy.oauth import WeChatOAuth

from sharemall.wechat import config, http, tokens

TOKEN_REFUSED = tokens.TOKEN_REFUSED


class SharedTokenClient(WeChatClient):  # type: ignore[misc]
    """A WeChatClient whose access token is the shared one of its app. A subclass whose token
    comes from elsewhere (a merchant's account run through the component) sets `token_kind`
    and overrides `_fetch`."""

    token_kind = tokens.ACCESS_TOKEN

    def __init__(self, account: config.Account) -> None:
        super().__init__(account.app_id, account.secret, auto_retry=False)
        self.account = account
        self._http = http.session()
        self.timeout = http.TIMEOUT_SECONDS

    def _fetch(self) -> tuple[str, int]:
        answer = self._fetch_access_token(
            url=f"{config.API_HOST_BASE}/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
            },
        )
        return str(answer["access_token"]), int(answer.get("expires_in", 7200))

    @property
    def access_token(self) -> str:
        return tokens.current(self.appid, self.token_kind, self._fetch)

    def fetch_access_token(self) -> dict[str, Any]:
        value = tokens.refresh_stale(self.appid, self.token_kind, "", self._fetch)
        return {"access_token": value}

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        params = dict(kwargs.pop("params", None) or {})
        send = super()._request

        def call(token: str) -> Any:
            return send(method, url_or_endpoint, params={**params, "access_token": token}, **kwargs)

        return tokens.with_token(
            self.appid,
            self.token_kind,
            self._fetch,
            call,
            given=str(params.get("access_token") or ""),
        )


def oa_client() -> SharedTokenClient:
    return SharedTokenClient(config.require(config.OA))


def mp_client() -> SharedTokenClient:
    return SharedTokenClient(config.require(config.MP))


def jsapi_ticket(client: SharedTokenClient) -> str:
    def fetch() -> tuple[str, int]:
        answer = client.jsapi.get_ticket()
        return str(answer["ticket"]), int(answer.get("expires_in", 7200))

    return tokens.current(client.appid, tokens.JSAPI_TICKET, fetch)


def oauth(account: config.Account, redirect_uri: str, scope: str, state: str = "") -> WeChatOAuth:
    """Web OAuth for the official account; the page to send a browser to is
    `authorize_url(...)` below (the configured open base, not wechatpy's fixed host)."""
    client = WeChatOAuth(account.app_id, account.secret, redirect_uri, scope=scope, state=state)
    client._http = http.session()  # wechatpy keeps its session here
    return client
