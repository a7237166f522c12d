"""The WeChat sandbox in tests: our real WeChat code against the built-in simulator, end to
end, with nothing mocked (the simulator is answered in process, core/inprocess.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from django.conf import settings as django_settings

from sharemall.core import inprocess

SIM = f"{inprocess.SANDBOX_BASE}/wechat-sim"
ACCOUNTS = django_settings.WECHAT_SANDBOX_ACCOUNTS


@pytest.fixture
def wechat_sandbox(settings: Any, db: None) -> None:
    """Settings as WECHAT_SANDBOX=1 makes them, with the simulator mounted."""
    settings.WECHAT_SANDBOX = True
    settings.WECHAT_API_BASE = SIM
    settings.WECHAT_OPEN_BASE = "/wechat-sim"
    settings.WECHAT_MP_WEB_BASE = "/wechat-sim"
    settings.WECHAT_OA = dict(ACCOUNTS["OA"])
    settings.WECHAT_MP = dict(ACCOUNTS["MP"])
    settings.WECHAT_COMPONENT = dict(ACCOUNTS["COMPONENT"])
    settings.ROOT_URLCONF = "tests.wechat_urls"


class Simulator:
    """The simulator's JSON helpers, as a test or an acceptance check calls them."""

    def __init__(self) -> None:
        self.http = inprocess.session()

    def call(self, method: str, path: str, body: object = None, **params: Any) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        answer = self.http.request(method, f"{SIM}/{path}", params=params, data=data)
        assert answer.status_code < 400, (path, answer.status_code, answer.text)
        return answer.json()

    def user(self, nickname: str = "微信用户") -> dict[str, Any]:
        return dict(self.call("POST", "api/users", {"nickname": nickname}))

    def mp_login_code(self, user_id: int | None = None) -> dict[str, Any]:
        body = {} if user_id is None else {"user_id": user_id}
        return dict(self.call("POST", "api/mp-login-code", body))

    def push(self, **body: Any) -> dict[str, Any]:
        return dict(self.call("POST", "api/push", body))

    def state(self, app_id: str | None = None) -> dict[str, Any]:
        params = {"app_id": app_id} if app_id else {}
        return dict(self.call("GET", "api/state", **params))

    def token(self, account: str = "OA") -> str:
        """A new access token fetched by someone else: ours is replaced at once."""
        app = ACCOUNTS[account]
        answer = self.call(
            "GET",
            "cgi-bin/token",
            grant_type="client_credential",
            appid=app["APP_ID"],
            secret=app["APP_SECRET"],
        )
        return str(answer["access_token"])


@pytest.fixture
def simulator(wechat_sandbox: None) -> Simulator:
    return Simulator()


def sandbox_session() -> requests.Session:
    return inprocess.session()
