"""The simulator on, with its sandbox accounts, whatever the environment says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.conf import settings
from django.test import Client

from sharemall.core import inprocess
from sharemall.wechat_sim.tests import urls as test_urls

BASE = f"{inprocess.SANDBOX_BASE}/wechat-sim"
OA = settings.WECHAT_SANDBOX_ACCOUNTS["OA"]
MP = settings.WECHAT_SANDBOX_ACCOUNTS["MP"]
COMPONENT = settings.WECHAT_SANDBOX_ACCOUNTS["COMPONENT"]


@pytest.fixture(autouse=True)
def sandbox(settings: Any, db: None) -> Iterator[None]:
    settings.WECHAT_SANDBOX = True
    settings.WECHAT_OA = dict(OA)
    settings.WECHAT_MP = dict(MP)
    settings.WECHAT_COMPONENT = dict(COMPONENT)
    settings.ROOT_URLCONF = "sharemall.wechat_sim.tests.urls"
    settings.PUBLIC_BASE_URL = "http://testserver"
    test_urls.received.clear()
    yield


class Sim:
    """Calls the simulator over the in-process transport, as our client code would."""

    def __init__(self) -> None:
        self.http = inprocess.session()

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(f"{BASE}/{path}", params=params)

    def post(self, path: str, body: object = None, **params: Any) -> requests.Response:
        data = json.dumps(body if body is not None else {}, ensure_ascii=False).encode()
        return self.http.post(f"{BASE}/{path}", params=params, data=data)

    def token(self, app: dict[str, str] = OA) -> str:
        answer = self.get(
            "cgi-bin/token",
            grant_type="client_credential",
            appid=app["APP_ID"],
            secret=app["APP_SECRET"],
        ).json()
        return str(answer["access_token"])

    def user(self, **fields: str) -> dict[str, Any]:
        answer = self.post("api/users", fields)
        assert answer.status_code == 201, answer.text
        return dict(answer.json())


@pytest.fixture
def sim() -> Sim:
    return Sim()


@pytest.fixture
def browser() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
