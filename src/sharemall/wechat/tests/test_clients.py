"""The wechatpy clients against WeChat's real host, with HTTP mocked (responses): the shared
token, one refresh and one retry when WeChat refuses the token, never a loop; and a base URL
that sends the same calls elsewhere (the simulator)."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from responses import matchers
from wechatpy.exceptions import WeChatClientException

from sharemall.wechat import clients, config
from sharemall.wechat.config import WechatUnavailable
from sharemall.wechat.models import Credential

pytestmark = pytest.mark.django_db

OA = {
    "APP_ID": "wx1234567890abcdef",
    "APP_SECRET": "s3cret",
    "TOKEN": "tok",
    "AES_KEY": "",
    "ORIGINAL_ID": "gh_1",
}
TOKEN_URL = "https://api.weixin.qq.com/cgi-bin/token"
USER_URL = "https://api.weixin.qq.com/cgi-bin/user/info"


@pytest.fixture
def oa(settings: Any) -> None:
    settings.WECHAT_OA = OA
    settings.WECHAT_API_BASE = config.API_HOST_BASE


def token_answers(*values: str) -> None:
    for value in values:
        responses.get(
            TOKEN_URL,
            json={"access_token": value, "expires_in": 7200},
            match=[
                matchers.query_param_matcher(
                    {"grant_type": "client_credential", "appid": OA["APP_ID"], "secret": "s3cret"}
                )
            ],
        )


def calls(url: str) -> list[Any]:
    return [c for c in responses.calls if str(c.request.url).startswith(url)]


@responses.activate
def test_a_refused_token_is_refreshed_once_and_the_call_retried(oa: None) -> None:
    token_answers("old", "new")
    responses.get(
        USER_URL,
        json={"errcode": 40001, "errmsg": "invalid credential"},
        match=[
            matchers.query_param_matcher({"access_token": "old", "openid": "o1", "lang": "zh_CN"})
        ],
    )
    responses.get(
        USER_URL,
        json={"openid": "o1", "nickname": "小明"},
        match=[
            matchers.query_param_matcher({"access_token": "new", "openid": "o1", "lang": "zh_CN"})
        ],
    )
    assert clients.oa_client().user.get("o1")["nickname"] == "小明"
    assert Credential.objects.get().value == "new"
    assert Credential.objects.get().refreshes == 2


@responses.activate
def test_an_expired_token_refused_twice_fails_instead_of_looping(oa: None) -> None:
    token_answers("old", "new")
    responses.get(USER_URL, json={"errcode": 42001, "errmsg": "access_token expired"})
    with pytest.raises(WeChatClientException) as refused:
        clients.oa_client().user.get("o1")
    assert refused.value.errcode == 42001
    assert len(calls(TOKEN_URL)) == 2
    assert len(calls(USER_URL)) == 2


@responses.activate
def test_a_rate_limit_is_an_error_not_a_refresh(oa: None) -> None:
    token_answers("only")
    responses.get(USER_URL, json={"errcode": 45009, "errmsg": "reach max api daily quota limit"})
    with pytest.raises(WeChatClientException) as refused:
        clients.oa_client().user.get("o1")
    assert refused.value.errcode == 45009
    assert Credential.objects.get().refreshes == 1


@responses.activate
def test_the_jsapi_ticket_is_shared_like_the_token(oa: None) -> None:
    token_answers("t")
    responses.get(
        "https://api.weixin.qq.com/cgi-bin/ticket/getticket",
        json={"errcode": 0, "errmsg": "ok", "ticket": "jsticket", "expires_in": 7200},
    )
    client = clients.oa_client()
    assert clients.jsapi_ticket(client) == "jsticket"
    assert clients.jsapi_ticket(clients.oa_client()) == "jsticket"
    assert len(calls("https://api.weixin.qq.com/cgi-bin/ticket/getticket")) == 1


@responses.activate
def test_another_base_url_gets_the_same_calls(oa: None, settings: Any) -> None:
    settings.WECHAT_API_BASE = "https://wechat-proxy.example.com/wx"
    responses.get(
        "https://wechat-proxy.example.com/wx/cgi-bin/token",
        json={"access_token": "p", "expires_in": 7200},
    )
    responses.get("https://wechat-proxy.example.com/wx/cgi-bin/user/info", json={"openid": "o9"})
    assert clients.oa_client().user.get("o9")["openid"] == "o9"


def test_an_account_without_settings_is_off_and_says_which(settings: Any) -> None:
    settings.WECHAT_OA = {"APP_ID": "", "APP_SECRET": ""}
    with pytest.raises(WechatUnavailable) as off:
        clients.oa_client()
    assert off.value.status == 503
    assert "WECHAT_OA_APP_ID" in off.value.message
