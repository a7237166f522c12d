"""The Open Platform component against WeChat's real host, HTTP mocked (responses): the
callback's signatures and decryption, the verify ticket and the shared component token (one
refresh and one retry), connecting a shop's account (who may, which account, which shop), and
the authorizer token renewed with a rotating refresh token."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.core import signing
from django.test import Client
from tests.factories import MemberFactory, merchant

from sharemall.core.errors import DomainError
from sharemall.merchants import services as merchant_services
from sharemall.wechat import component_accounts, component_rules, config, tokens
from sharemall.wechat.component import authorizer_client, component
from sharemall.wechat.models import Credential, MerchantWechatAccount
from sharemall.wechat.tests import component_support

pytestmark = pytest.mark.django_db

COMPONENT = {
    "APP_ID": "wxcomponent000000a",
    "APP_SECRET": "c0mp0nent-s3cret",
    "TOKEN": "componenttoken",
    "AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
}
API = "https://api.weixin.qq.com/cgi-bin/component"
SHOP_APP = "wxshop0000000001"


@pytest.fixture
def comp(settings: Any) -> None:
    settings.WECHAT_COMPONENT = COMPONENT
    settings.WECHAT_API_BASE = config.API_HOST_BASE
    settings.WECHAT_MP_WEB_BASE = "https://mp.weixin.qq.com"


def push(client: Client, xml: str, **tamper: str) -> Any:
    url, body = component_support.sealed(
        COMPONENT["TOKEN"], COMPONENT["AES_KEY"], COMPONENT["APP_ID"], xml
    )
    if tamper:
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()} | tamper
        url = f"{parts.path}?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, data=body, content_type="text/xml")


def ticket_xml(ticket: str = "ticket@@@1") -> str:
    return component_support.notice_xml(
        COMPONENT["APP_ID"], "component_verify_ticket", ComponentVerifyTicket=ticket
    )


def body_of(call: Any) -> dict[str, Any]:
    return dict(json.loads(call.request.body))


# ---- the callback ------------------------------------------------------------------------------


def test_a_verify_ticket_is_kept_and_answered_success(comp: None, client: Client) -> None:
    answer = push(client, ticket_xml("ticket@@@abc"))
    assert (answer.status_code, answer.content) == (200, b"success")
    assert answer["Content-Type"].startswith("text/plain")
    assert tokens.stored(COMPONENT["APP_ID"], tokens.VERIFY_TICKET) == "ticket@@@abc"
    push(client, ticket_xml("ticket@@@def"))  # every ten minutes a new one replaces it
    assert tokens.stored(COMPONENT["APP_ID"], tokens.VERIFY_TICKET) == "ticket@@@def"


@pytest.mark.parametrize(
    "tamper",
    [
        {"signature": "0" * 40},
        {"timestamp": "1"},
        {"msg_signature": "0" * 40},
        {"msg_signature": ""},
        {"signature": ""},
    ],
)
def test_a_wrong_signature_is_refused_403(
    comp: None, client: Client, tamper: dict[str, str]
) -> None:
    answer = push(client, ticket_xml(), **tamper)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "invalid_signature"
    assert tokens.stored(COMPONENT["APP_ID"], tokens.VERIFY_TICKET) == ""


@pytest.mark.parametrize(
    "body",
    [
        "not xml at all",
        "<xml><Encrypt><![CDATA[bm90IGFlcw==]]></Encrypt></xml>",
        '<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>',
        "",
    ],
)
def test_a_body_that_is_not_wechats_is_refused_400(comp: None, client: Client, body: str) -> None:
    url, _ = component_support.sealed(
        COMPONENT["TOKEN"], COMPONENT["AES_KEY"], COMPONENT["APP_ID"], ticket_xml()
    )
    # The msg_signature covers the Encrypt text, so a forged body also fails it: either way a
    # 4xx with a code, never a 500.
    answer = client.post(url, data=body, content_type="text/xml")
    assert answer.status_code in {400, 403}
    assert answer.json()["error"]["code"] in {"invalid_message", "invalid_signature"}


def test_a_signed_body_that_decrypts_to_nonsense_is_400(comp: None, client: Client) -> None:
    answer = push(client, "<notxml>")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_message"


def test_the_callback_is_503_without_a_component(client: Client, settings: Any) -> None:
    settings.WECHAT_COMPONENT = {}
    answer = client.post(component_support.CALLBACK, data="<xml/>", content_type="text/xml")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "wechat_unavailable"


def test_unknown_notices_are_taken_and_ignored(comp: None, client: Client) -> None:
    xml = component_support.notice_xml(COMPONENT["APP_ID"], "notify_third_fasteregister")
    assert push(client, xml).content == b"success"
    xml = component_support.notice_xml(
        COMPONENT["APP_ID"], "authorized", AuthorizerAppid=SHOP_APP, AuthorizationCode="code"
    )
    assert push(client, xml).content == b"success"
    assert not MerchantWechatAccount.objects.exists()  # the console page connects, not this


# ---- the component token ----------------------------------------------------------------------


def component_tokens(*values: str) -> None:
    for value in values:
        responses.post(
            f"{API}/api_component_token",
            json={"component_access_token": value, "expires_in": 7200},
        )


@responses.activate
def test_without_a_verify_ticket_the_component_is_unavailable(comp: None) -> None:
    with pytest.raises(DomainError) as refused:
        component().create_preauthcode()
    assert refused.value.code == "wechat_unavailable"
    assert "component_verify_ticket" in refused.value.message
    assert not responses.calls


@responses.activate
def test_the_component_token_is_shared_refreshed_once_and_retried(
    comp: None, client: Client
) -> None:
    push(client, ticket_xml("ticket@@@now"))
    component_tokens("old", "new")
    responses.post(f"{API}/api_create_preauthcode", json={"pre_auth_code": "p1"})
    responses.post(f"{API}/api_create_preauthcode", json={"errcode": 40001, "errmsg": "invalid"})
    responses.post(f"{API}/api_create_preauthcode", json={"pre_auth_code": "p2"})
    assert component().create_preauthcode()["pre_auth_code"] == "p1"
    assert component().create_preauthcode()["pre_auth_code"] == "p2"
    token_calls = [c for c in responses.calls if "api_component_token" in str(c.request.url)]
    assert len(token_calls) == 2
    assert body_of(token_calls[0]) == {
        "component_appid": COMPONENT["APP_ID"],
        "component_appsecret": COMPONENT["APP_SECRET"],
        "component_verify_ticket": "ticket@@@now",
    }
    used = [
        parse_qs(urlsplit(str(c.request.url)).query)["component_access_token"][0]
        for c in responses.calls
        if "api_create_preauthcode" in str(c.request.url)
    ]
    assert used == ["old", "old", "new"]
    row = Credential.objects.get(app_id=COMPONENT["APP_ID"], kind=tokens.COMPONENT_TOKEN)
    assert (row.value, row.refreshes) == ("new", 2)


@responses.activate
def test_a_token_refused_twice_fails_with_wechat_error_instead_of_looping(
    comp: None, owner_with_ticket: Any
) -> None:
    component_tokens("old", "new", "newer")
    responses.post(f"{API}/api_create_preauthcode", json={"errcode": 42001, "errmsg": "expired"})
    with pytest.raises(DomainError) as refused:
        component_accounts.connect_url(owner_with_ticket.owner, owner_with_ticket.pk)
    assert (refused.value.status, refused.value.code) == (502, "wechat_error")
    assert len([c for c in responses.calls if "preauthcode" in str(c.request.url)]) == 2


# ---- connecting ------------------------------------------------------------------------------


@pytest.fixture
def owner_with_ticket(comp: None) -> Any:
    tokens.store(COMPONENT["APP_ID"], tokens.VERIFY_TICKET, "ticket@@@x", 43200)
    return merchant()


def authorisation(app_id: str = SHOP_APP, *, verify_type: int = 0) -> None:
    responses.post(
        f"{API}/api_query_auth",
        json={
            "authorization_info": {
                "authorizer_appid": app_id,
                "authorizer_access_token": f"at-{app_id}",
                "expires_in": 7200,
                "authorizer_refresh_token": f"rt-{app_id}",
                "func_info": [],
            }
        },
    )
    responses.post(
        f"{API}/api_get_authorizer_info",
        json={
            "authorizer_info": {
                "nick_name": f"{app_id} 的公众号",
                "user_name": "gh_0123456789ab",
                "verify_type_info": {"id": verify_type},
                "service_type_info": {"id": 2},
            }
        },
    )


def state_for(shop: Any, member: Any) -> str:
    component_tokens("ct")
    responses.post(f"{API}/api_create_preauthcode", json={"pre_auth_code": "pre"})
    url = component_accounts.connect_url(member, shop.pk)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://mp.weixin.qq.com/cgi-bin/componentloginpage"
    )
    query = parse_qs(parts.query)
    assert query["pre_auth_code"] == ["pre"]
    assert query["auth_type"] == ["1"]
    back = urlsplit(query["redirect_uri"][0])
    assert back.path == component_accounts.AUTHORIZED_PATH
    return parse_qs(back.query)["state"][0]


@responses.activate
def test_connecting_keeps_the_account_and_its_authorizer_token(owner_with_ticket: Any) -> None:
    shop = owner_with_ticket
    state = state_for(shop, shop.owner)
    authorisation(verify_type=-1)
    account = component_accounts.connect(shop.owner, state=state, auth_code="auth")
    assert (account.app_id, account.original_id, account.certified) == (
        SHOP_APP,
        "gh_0123456789ab",
        False,
    )
    assert account.refresh_token == f"rt-{SHOP_APP}"
    assert tokens.stored(SHOP_APP, tokens.AUTHORIZER_TOKEN) == f"at-{SHOP_APP}"
    shown = component_accounts.state_of(shop.pk)
    assert shown["connected"] and not shown["certified"]


@responses.activate
def test_the_state_ties_the_answer_to_the_owner_and_shop_who_asked(
    owner_with_ticket: Any,
) -> None:
    shop = owner_with_ticket
    state = state_for(shop, shop.owner)
    other = merchant()
    for member, given in (
        (other.owner, state),  # another owner replaying someone's link
        (shop.owner, "forged"),
        (shop.owner, signing.dumps({"merchant": shop.pk}, salt="elsewhere")),
    ):
        with pytest.raises(DomainError) as refused:
            component_accounts.connect(member, state=given, auth_code="auth")
        assert refused.value.code == "invalid_state"
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    with pytest.raises(DomainError) as clerk_refused:
        component_accounts.connect_url(clerk, shop.pk)
    assert clerk_refused.value.code == "owner_only"
    assert not [c for c in responses.calls if "query_auth" in str(c.request.url)]


@responses.activate
def test_an_account_connected_to_another_shop_is_refused(owner_with_ticket: Any) -> None:
    first, second = owner_with_ticket, merchant()
    authorisation()
    component_accounts.connect(first.owner, state=state_for(first, first.owner), auth_code="a")
    authorisation()
    with pytest.raises(DomainError) as taken:
        component_accounts.connect(
            second.owner, state=state_for(second, second.owner), auth_code="b"
        )
    assert (taken.value.status, taken.value.code) == (409, "wechat_account_taken")


@responses.activate
def test_a_second_account_replaces_the_first(owner_with_ticket: Any) -> None:
    shop = owner_with_ticket
    authorisation("wxfirst")
    first = component_accounts.connect(shop.owner, state=state_for(shop, shop.owner), auth_code="a")
    authorisation("wxsecond")
    component_accounts.connect(shop.owner, state=state_for(shop, shop.owner), auth_code="b")
    first.refresh_from_db()
    assert first.status == component_rules.DISCONNECTED
    assert first.events.order_by("pk")[1].note == component_accounts.NOTE_REPLACED
    assert component_accounts.live_account(shop.pk).app_id == "wxsecond"  # type: ignore[union-attr]
    assert tokens.stored("wxfirst", tokens.AUTHORIZER_TOKEN) == ""


@responses.activate
def test_the_authorizer_token_is_renewed_with_the_rotated_refresh_token(
    owner_with_ticket: Any,
) -> None:
    shop = owner_with_ticket
    authorisation()
    account = component_accounts.connect(
        shop.owner, state=state_for(shop, shop.owner), auth_code="a"
    )
    Credential.objects.filter(app_id=SHOP_APP, kind=tokens.AUTHORIZER_TOKEN).update(expires_at=None)
    responses.post(
        f"{API}/api_authorizer_token",
        json={
            "authorizer_access_token": "at-2",
            "expires_in": 7200,
            "authorizer_refresh_token": "rt-2",
        },
    )
    responses.get(
        "https://api.weixin.qq.com/cgi-bin/user/info",
        json={"openid": "o1", "nickname": "粉丝"},
    )
    assert authorizer_client(account).user.get("o1")["nickname"] == "粉丝"
    renew = next(c for c in responses.calls if "api_authorizer_token" in str(c.request.url))
    assert body_of(renew) == {
        "component_appid": COMPONENT["APP_ID"],
        "authorizer_appid": SHOP_APP,
        "authorizer_refresh_token": f"rt-{SHOP_APP}",
    }
    info = next(c for c in responses.calls if "user/info" in str(c.request.url))
    assert parse_qs(urlsplit(str(info.request.url)).query)["access_token"] == ["at-2"]
    account.refresh_from_db()
    assert account.refresh_token == "rt-2"


@responses.activate
def test_revocation_disconnects_once_however_often_wechat_retries(
    owner_with_ticket: Any, client: Client
) -> None:
    shop = owner_with_ticket
    authorisation()
    account = component_accounts.connect(
        shop.owner, state=state_for(shop, shop.owner), auth_code="a"
    )
    xml = component_support.notice_xml(
        COMPONENT["APP_ID"], "unauthorized", AuthorizerAppid=SHOP_APP
    )
    for _ in range(2):
        assert push(client, xml).content == b"success"
    account.refresh_from_db()
    assert account.status == component_rules.DISCONNECTED
    assert [(e.to_status, e.note, e.actor_id) for e in account.events.order_by("pk")] == [
        ("connected", "", shop.owner.pk),
        ("disconnected", component_accounts.NOTE_REVOKED, None),
    ]
    with pytest.raises(DomainError) as refused:
        component_accounts.disconnect(shop.owner, shop.pk)
    assert refused.value.code == "wechat_not_connected"


@responses.activate
def test_odd_answers_from_wechat_are_502_not_500(owner_with_ticket: Any) -> None:
    shop = owner_with_ticket
    state = state_for(shop, shop.owner)
    responses.post(f"{API}/api_query_auth", json={"nothing": "here"})
    with pytest.raises(DomainError) as odd:
        component_accounts.connect(shop.owner, state=state, auth_code="a")
    assert (odd.value.status, odd.value.code) == (502, "wechat_error")
    responses.post(f"{API}/api_query_auth", json={"errcode": 61010, "errmsg": "code expired"})
    with pytest.raises(DomainError) as expired:
        component_accounts.connect(shop.owner, state=state, auth_code="a")
    assert expired.value.code == "wechat_error"
    assert expired.value.details["errcode"] == 61010
    assert not MerchantWechatAccount.objects.exists()
