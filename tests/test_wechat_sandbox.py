"""Our WeChat client code against the built-in simulator, nothing mocked: the demo's and the
acceptance checks' path, which differs from production only in its base URLs."""

from __future__ import annotations

import pytest

from sharemall.wechat import clients
from sharemall.wechat.models import Credential
from tests.wechat_support import ACCOUNTS, Simulator, simulator, wechat_sandbox

__all__ = ["simulator", "wechat_sandbox"]  # fixtures

pytestmark = pytest.mark.django_db


def test_the_official_account_client_talks_to_the_simulator(simulator: Simulator) -> None:
    user = simulator.user("小周")
    openid = user["openids"][ACCOUNTS["OA"]["APP_ID"]]
    info = clients.oa_client().user.get(openid)
    assert info["openid"] == openid
    assert info["unionid"] == user["unionid"]
    ticket = clients.jsapi_ticket(clients.oa_client())
    assert ticket == simulator.state()["jsapi_ticket"]


def test_a_token_replaced_elsewhere_is_refreshed_once_and_the_call_retried(
    simulator: Simulator,
) -> None:
    user = simulator.user()
    openid = user["openids"][ACCOUNTS["OA"]["APP_ID"]]
    clients.oa_client().user.get(openid)  # our token is fetched
    simulator.token("OA")  # someone else fetched one: ours answers 40001 now
    assert clients.oa_client().user.get(openid)["openid"] == openid
    row = Credential.objects.get(app_id=ACCOUNTS["OA"]["APP_ID"], kind="access_token")
    assert row.refreshes == 2
    assert row.value == simulator.state()["access_token"]
