"""WeChat's log-in inside its browser, through the pages, with WeChat's HTTP mocked
(responses at https://api.weixin.qq.com): the signed state, a newcomer's consent, a new member
bound to the sharer whose link brought them, a known one signed in, a phone account linking
its WeChat, and every bad code or state answered with a page, never a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from django.test import Client
from tests.factories import MemberFactory, product

from sharemall.accounts.identities import WechatUser, wechat_link
from sharemall.accounts.models import Member, MemberDevice, WechatIdentity
from sharemall.core.devices import SESSION_KEY
from sharemall.sharing import services as sharing
from sharemall.wechat import config, oauth

pytestmark = pytest.mark.django_db

APP_ID = "wx1234567890abcdef"
OA = {"APP_ID": APP_ID, "APP_SECRET": "s3cret", "TOKEN": "tok", "AES_KEY": "", "ORIGINAL_ID": ""}
WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 MicroMessenger/8.0.50"
)
TOKEN_URL = "https://api.weixin.qq.com/sns/oauth2/access_token"
USERINFO_URL = "https://api.weixin.qq.com/sns/userinfo"


@pytest.fixture(autouse=True)
def oa(settings: Any) -> None:
    settings.WECHAT_OA = OA
    settings.WECHAT_API_BASE = config.API_HOST_BASE
    settings.WECHAT_OPEN_BASE = "https://open.weixin.qq.com"
    settings.PUBLIC_BASE_URL = "https://mall.example.com"


def wechat(member: Member | None = None) -> Client:
    client = Client(HTTP_USER_AGENT=WECHAT, headers={"accept-language": "en"})
    if member is not None:
        client.force_login(member)
    return client


def start(client: Client, next_path: str = "/orders", scope: str = "snsapi_base") -> str:
    """Start the log-in; answers the state WeChat would hand back."""
    response = client.get("/wechat/oauth/start", {"next": next_path, "scope": scope})
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "open.weixin.qq.com",
        "/connect/oauth2/authorize",
    )
    assert url.fragment == "wechat_redirect"
    query = parse_qs(url.query)
    assert query["appid"] == [APP_ID]
    assert query["redirect_uri"] == ["https://mall.example.com/wechat/oauth/callback"]
    assert query["response_type"] == ["code"]
    assert query["scope"] == [scope]
    assert len(query["state"][0]) <= oauth.STATE_MAX_BYTES
    return query["state"][0]


def wechat_answers(code: str, openid: str, *, unionid: str = "", nickname: str = "") -> None:
    token: dict[str, Any] = {
        "access_token": "at",
        "expires_in": 7200,
        "refresh_token": "rt",
        "openid": openid,
        "scope": "snsapi_userinfo",
    }
    if unionid:
        token["unionid"] = unionid
    responses.get(
        TOKEN_URL,
        json=token,
        match=[
            responses.matchers.query_param_matcher(
                {
                    "appid": APP_ID,
                    "secret": "s3cret",
                    "code": code,
                    "grant_type": "authorization_code",
                }
            )
        ],
    )
    responses.get(USERINFO_URL, json={"openid": openid, "nickname": nickname, "unionid": unionid})


@responses.activate
def test_a_newcomer_after_the_silent_log_in_is_asked_to_agree_first() -> None:
    client = wechat()
    state = start(client)
    wechat_answers("c1", "o-new")

    back = client.get("/wechat/oauth/callback", {"code": "c1", "state": state})

    assert back.status_code == 302
    assert back["Location"] == "/wechat/oauth/consent?next=%2Forders"
    assert not Member.objects.exists()
    consent = client.get(back["Location"]).content.decode()
    assert "/wechat/oauth/start?next=%2Forders&amp;scope=snsapi_userinfo" in consent
    assert len(responses.calls) == 1  # snsapi_base asks nothing more


@responses.activate
def test_a_newcomer_who_agrees_becomes_a_member_bound_to_the_sharer() -> None:
    sharer = MemberFactory.create(nickname="Alice")
    item = product()
    code = sharing.share_create(sharer=sharer, target_type="product", target_id=item.pk).link.code
    client = wechat()
    assert client.get(f"/s/{code}").status_code == 302  # the landing remembers the share
    state = start(client, f"/p/{item.pk}", "snsapi_userinfo")
    wechat_answers("c2", "o-new", unionid="u-new", nickname="小明")

    back = client.get("/wechat/oauth/callback", {"code": "c2", "state": state})

    assert back.status_code == 302
    assert back["Location"] == f"/p/{item.pk}"
    member = Member.objects.get(nickname="小明")
    assert member.parent_id == sharer.pk
    identity = WechatIdentity.objects.get(member=member)
    assert (identity.app_id, identity.openid, identity.unionid) == (APP_ID, "o-new", "u-new")
    assert client.get("/me/settings").status_code == 200  # signed in


@responses.activate
def test_a_known_wechat_user_is_signed_in_silently_and_stays_one_member() -> None:
    member = MemberFactory.create()
    wechat_link(member, WechatUser(APP_ID, "o-known"))
    client = wechat()
    state = start(client)
    wechat_answers("c3", "o-known")

    back = client.get("/wechat/oauth/callback", {"code": "c3", "state": state})

    assert back["Location"] == "/orders"
    assert client.session["_auth_user_id"] == str(member.pk)
    assert Member.objects.count() == 1


@responses.activate
def test_a_signed_in_phone_account_links_its_wechat() -> None:
    member = MemberFactory.create()
    client = wechat(member)
    body = client.get("/me/settings").content.decode()
    assert "Link WeChat" in body
    state = start(client, "/me/settings")
    wechat_answers("c4", "o-mine")

    back = client.get("/wechat/oauth/callback", {"code": "c4", "state": state})

    assert back["Location"] == "/me/settings"
    assert oauth.linked_openid(member) == "o-mine"
    assert "WeChat linked" in client.get("/me/settings").content.decode()


@responses.activate
def test_linking_someone_elses_wechat_is_a_message_not_an_error_page() -> None:
    other = MemberFactory.create()
    wechat_link(other, WechatUser(APP_ID, "o-taken"))
    member = MemberFactory.create()
    client = wechat(member)
    state = start(client, "/me/settings")
    wechat_answers("c5", "o-taken")

    back = client.get("/wechat/oauth/callback", {"code": "c5", "state": state}, follow=True)

    assert back.status_code == 200
    assert "This WeChat account is linked to another member." in back.content.decode()
    assert not WechatIdentity.objects.filter(member=member).exists()


@responses.activate
def test_a_used_or_refused_code_is_an_error_page() -> None:
    client = wechat()
    state = start(client)
    responses.get(TOKEN_URL, json={"errcode": 40163, "errmsg": "code been used"})

    back = client.get("/wechat/oauth/callback", {"code": "old", "state": state})

    assert back.status_code == 400
    assert 'data-code="wechat_oauth_failed"' in back.content.decode()
    assert not Member.objects.exists()


@responses.activate
def test_a_state_is_good_for_one_trip_in_one_browser() -> None:
    client = wechat()
    state = start(client)
    wechat_answers("c6", "o-1")
    assert client.get("/wechat/oauth/callback", {"code": "c6", "state": state}).status_code == 302

    replayed = client.get("/wechat/oauth/callback", {"code": "c6", "state": state})
    elsewhere = wechat().get("/wechat/oauth/callback", {"code": "c6", "state": state})

    assert replayed.status_code == 400
    assert elsewhere.status_code == 400
    assert len(responses.calls) == 1


@pytest.mark.parametrize(
    "query",
    [{}, {"code": "c"}, {"code": "c", "state": "forged"}, {"code": "c", "state": "a:b:c"}],
)
def test_a_missing_or_forged_state_is_an_error_page(query: dict[str, str]) -> None:
    assert wechat().get("/wechat/oauth/callback", query).status_code == 400


def test_a_cancelled_log_in_is_an_error_page() -> None:
    client = wechat()
    state = start(client)
    assert client.get("/wechat/oauth/callback", {"state": state}).status_code == 400


def test_next_never_leaves_the_site_and_a_long_one_still_comes_back() -> None:
    client = wechat()
    state = start(client, "https://evil.example.com/")
    assert oauth.read_state(client.session, state).next_path == "/"
    long_next = "/p/1?" + "x" * 300
    client = wechat()
    state = start(client, long_next)
    session = client.session
    assert oauth.read_state(session, state).next_path == long_next


def test_an_unknown_scope_is_refused() -> None:
    assert wechat().get("/wechat/oauth/start", {"scope": "snsapi_login"}).status_code == 400


def test_without_the_official_account_oauth_says_so(settings: Any) -> None:
    settings.WECHAT_OA = {}
    response = wechat().get("/wechat/oauth/start")
    assert response.status_code == 503
    assert 'data-code="wechat_unavailable"' in response.content.decode()


def test_inside_wechat_a_stranger_goes_through_the_silent_log_in() -> None:
    response = wechat().get("/orders")
    assert response.status_code == 302
    assert response["Location"] == "/wechat/oauth/start?next=%2Forders&scope=snsapi_base"


def test_after_the_silent_log_in_did_not_sign_in_the_log_in_page_follows(settings: Any) -> None:
    client = wechat()
    session = client.session
    session["wechat_oauth_tried"] = True
    session.save()
    assert client.get("/orders")["Location"] == "/login/?next=/orders"


def test_outside_wechat_or_without_the_account_nothing_changes(settings: Any) -> None:
    assert Client().get("/orders")["Location"] == "/login/?next=/orders"
    settings.WECHAT_OA = {}
    assert wechat().get("/orders")["Location"] == "/login/?next=/orders"


def test_the_log_in_page_offers_wechat_inside_wechat_only() -> None:
    inside = wechat().get("/login/", {"next": "/orders"}).content.decode()
    assert 'id="wechat-login"' in inside
    assert "/wechat/oauth/start?next=%2Forders&amp;scope=snsapi_userinfo" in inside
    assert 'id="wechat-login"' not in Client().get("/login/").content.decode()
    assert 'id="wechat-login"' in wechat().get("/login/code/").content.decode()


@responses.activate
def test_wechat_unreachable_is_an_error_page() -> None:
    client = wechat()
    state = start(client)
    responses.get(TOKEN_URL, body=requests.ConnectionError("down"))
    assert client.get("/wechat/oauth/callback", {"code": "c", "state": state}).status_code == 502


@responses.activate
def test_a_wechat_log_in_makes_the_openid_the_sessions_device() -> None:

    item = product()
    client = wechat()
    state = start(client, f"/p/{item.pk}", "snsapi_userinfo")
    wechat_answers("c9", "o-device", nickname="小红")

    client.get("/wechat/oauth/callback", {"code": "c9", "state": state})

    member = Member.objects.get(nickname="小红")
    assert member.signup_device == "wx:o-device"
    assert client.session[SESSION_KEY] == "wx:o-device"
    assert set(MemberDevice.objects.filter(member=member).values_list("device_id", flat=True)) == {
        "wx:o-device"
    }
