"""The JS-SDK configuration: WeChat's published signature example, the URL rules, and
POST /wechat/jssdk-config signed with the official account's shared jsapi ticket."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import responses
from conftest import Api

from sharemall.wechat import jssdk, rules
from sharemall.wechat.tests.mp_support import OA, TICKET_URL, calls, token_answer, wechat_on

_ = wechat_on
TICKET = "kgt8ON7yVITDhtdwci0qeRKkO8O5wFlaFBUgo-9VwKSnv7WEBNM-Oz9vgvY8JfAQ1n1KJdTpy2QuE9uQcMkrUg"


def ticket_answer(ticket: str = TICKET) -> None:
    responses.get(
        TICKET_URL, json={"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": 7200}
    )


def verifies(config: dict[str, Any], url: str, ticket: str = TICKET) -> bool:
    """What a verifier who knows the ticket computes, written out independently."""
    text = (
        f"jsapi_ticket={ticket}&noncestr={config['nonce_str']}"
        f"&timestamp={config['timestamp']}&url={url}"
    )
    return bool(hashlib.sha1(text.encode()).hexdigest() == config["signature"])  # noqa: S324


# --- the pure rules ----------------------------------------------------------------------------


def test_wechats_published_example_signs_as_published() -> None:
    signature = rules.jssdk_signature(
        ticket="sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
        nonce_str="Wm3WZYTPz0wzccnW",
        timestamp=1414587457,
        url="http://mp.weixin.qq.com?params=value",
    )
    assert signature == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


@pytest.mark.parametrize(
    ("given", "signed"),
    [
        (
            "https://shop.example.com/p/1?from=singlemessage#top",
            "https://shop.example.com/p/1?from=singlemessage",
        ),
        ("http://mp.weixin.qq.com?params=value", "http://mp.weixin.qq.com?params=value"),
        # Never re-encoded: the page signs what location.href says.
        ("https://a.cn/s/%E4%B8%AD?x=a%20b&y=中", "https://a.cn/s/%E4%B8%AD?x=a%20b&y=中"),
        ("  https://a.cn/  ", "https://a.cn/"),
    ],
)
def test_the_url_signed_is_the_page_without_its_fragment(given: str, signed: str) -> None:
    assert rules.signable_url(given) == signed


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "#top",
        "not a url",
        "/p/1",
        "ftp://a.cn/x",
        "javascript:alert(1)",
        "https://",
        "https://a.cn/\x00",
        "https://a.cn/" + "x" * 3000,
        "http://[::1",
    ],
)
def test_anything_but_an_http_address_is_invalid_url(bad: str) -> None:
    with pytest.raises(rules.InvalidUrl):
        rules.signable_url(bad)


# --- the endpoint ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("wechat_on")
@responses.activate
def test_the_config_verifies_for_the_page_without_its_fragment(api: Api) -> None:
    token_answer("oa-token")
    ticket_answer()

    answer = api.post("/wechat/jssdk-config", {"url": "https://shop.example.com/p/7?a=1#buy"})

    assert answer.status == 200, answer.body
    config = answer.body
    assert set(config) == {"app_id", "timestamp", "nonce_str", "signature"}
    assert config["app_id"] == OA["APP_ID"]
    assert isinstance(config["timestamp"], int)
    assert len(config["nonce_str"]) == jssdk.NONCE_LENGTH
    assert verifies(config, "https://shop.example.com/p/7?a=1")


@pytest.mark.django_db
@pytest.mark.usefixtures("wechat_on")
@responses.activate
def test_the_ticket_is_fetched_once_and_each_config_has_its_own_nonce(api: Api) -> None:
    token_answer("oa-token")
    ticket_answer()

    first = api.post("/wechat/jssdk-config", {"url": "https://a.cn/1"}).body
    second = api.post("/wechat/jssdk-config", {"url": "https://a.cn/2"}).body

    assert len(calls(TICKET_URL)) == 1
    assert first["nonce_str"] != second["nonce_str"]
    assert verifies(first, "https://a.cn/1")
    assert verifies(second, "https://a.cn/2")
    assert not verifies(second, "https://a.cn/1")


@pytest.mark.django_db
@pytest.mark.usefixtures("wechat_on")
def test_not_a_url_is_400_invalid_url(api: Api) -> None:
    answer = api.post("/wechat/jssdk-config", {"url": "javascript:alert(1)"})

    assert (answer.status, answer.error_code) == (400, "invalid_url")


@pytest.mark.django_db
@pytest.mark.usefixtures("wechat_on")
@responses.activate
def test_a_refused_ticket_is_502_wechat_error(api: Api) -> None:
    token_answer("oa-token")
    responses.get(TICKET_URL, json={"errcode": 45009, "errmsg": "reach max api daily quota"})

    answer = api.post("/wechat/jssdk-config", {"url": "https://a.cn/"})

    assert (answer.status, answer.error_code) == (502, "wechat_error")


@pytest.mark.django_db
def test_without_an_official_account_it_is_503(api: Api, settings: Any) -> None:
    settings.WECHAT_OA = {"APP_ID": "", "APP_SECRET": ""}

    answer = api.post("/wechat/jssdk-config", {"url": "https://a.cn/"})

    assert (answer.status, answer.error_code) == (503, "wechat_unavailable")
    assert "WECHAT_OA_APP_ID" in answer.body["error"]["message"]
