"""The official account's server URL: WeChat's check, pushed events and messages in plain and
safe mode, follows through a share's QR code binding the follower, retries acted on once, and
every bad request a 4xx (WeChat is mocked with `responses` wherever a call goes out)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
import responses
from django.test import Client
from tests.factories import MemberFactory, product

from sharemall.accounts.binding import bind
from sharemall.accounts.identities import WechatUser, member_from_wechat
from sharemall.accounts.models import Binding, Member, WechatIdentity
from sharemall.platform import services as platform
from sharemall.sharing.models import ShareLink
from sharemall.sharing.services import share_create
from sharemall.wechat.models import OaEvent, OaFollower
from sharemall.wechat.tests.oa_support import (
    CALLBACK,
    OA,
    SAMPLE_AES_KEY,
    SAMPLE_TOKEN,
    TOKEN_URL,
    USER_URL,
    event_xml,
    push,
    push_safe,
    reply_of,
    sha1_of,
    signed_query,
    text_xml,
    use_oa,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def oa(settings: Any) -> None:
    use_oa(settings)
    settings.PUBLIC_BASE_URL = "https://shop.example.com"


@pytest.fixture
def safe_oa(settings: Any) -> None:
    use_oa(settings, safe=True)
    settings.PUBLIC_BASE_URL = "https://shop.example.com"


def wechat_profiles(**unionids: str) -> None:
    """WeChat's token and user-info answers; each openid given gets its unionid."""
    responses.get(TOKEN_URL, json={"access_token": "t", "expires_in": 7200})
    for openid, unionid in unionids.items():
        responses.get(
            USER_URL,
            json={"subscribe": 1, "openid": openid, "unionid": unionid},
            match=[responses.matchers.query_param_matcher({"openid": openid}, strict_match=False)],
        )


def link_of(sharer: Member) -> ShareLink:
    return share_create(sharer=sharer, target_type="product", target_id=product().pk).link


def member_of(openid: str) -> Member:
    return WechatIdentity.objects.select_related("member").get(openid=openid).member


def user_info_calls() -> int:
    return sum(1 for c in responses.calls if str(c.request.url).startswith(USER_URL))


# --- the server-URL check ---------------------------------------------------------------


def check(query: dict[str, str]) -> Any:
    return Client().get(f"{CALLBACK}?{urlencode(query)}")


def test_the_url_check_echoes_for_the_right_signature(oa: None) -> None:
    # WeChat's signature is sha1 of the sorted token, timestamp and nonce.
    query = {
        "signature": sha1_of(SAMPLE_TOKEN, "1409735669", "1320562132"),
        "timestamp": "1409735669",
        "nonce": "1320562132",
        "echostr": "5838479218127813673",
    }
    answer = check(query)
    assert answer.status_code == 200
    assert answer.content == b"5838479218127813673"
    assert answer["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "change",
    [
        {"signature": "0" * 40},
        {"nonce": "1320562133"},  # signed for another nonce
        {"signature": ""},
        {"timestamp": ""},
    ],
)
def test_the_url_check_refuses_a_wrong_or_missing_signature(
    oa: None, change: dict[str, str]
) -> None:
    query = {**signed_query("1409735669", "1320562132"), "echostr": "echo-7781", **change}
    answer = check({k: v for k, v in query.items() if v})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "invalid_signature"
    assert b"echo-7781" not in answer.content


def test_the_url_check_without_echostr_is_a_bad_request(oa: None) -> None:
    answer = check(signed_query())
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_input"


def test_the_url_check_refuses_with_another_token(oa: None, settings: Any) -> None:
    settings.WECHAT_OA = {**OA, "TOKEN": "another"}
    assert check({**signed_query(), "echostr": "e"}).status_code == 403


def test_without_the_account_everything_is_unavailable(settings: Any, member: Member) -> None:
    settings.WECHAT_OA = {"APP_ID": "", "APP_SECRET": ""}
    for answer in (
        check({**signed_query(), "echostr": "e"}),
        push(event_xml("o1", "subscribe")),
    ):
        assert answer.status_code == 503
        assert answer.json()["error"]["code"] == "wechat_unavailable"


# --- follows through a share's QR code --------------------------------------------------


@responses.activate
def test_a_follow_through_a_share_code_makes_a_member_bound_to_the_sharer(oa: None) -> None:
    sharer = MemberFactory.create()
    link = link_of(sharer)
    wechat_profiles(o_new="u_new")

    answer = push(event_xml("o_new", "subscribe", f"qrscene_{link.code}"))

    assert answer.status_code == 200
    newcomer = member_of("o_new")
    assert newcomer.parent_id == sharer.pk
    binding = Binding.objects.get(member=newcomer)
    assert (binding.parent_id, binding.source) == (sharer.pk, f"wechat-qr:{link.code}")
    assert WechatIdentity.objects.get(member=newcomer).unionid == "u_new"
    reply = reply_of(answer)
    assert reply["ToUserName"] == "o_new"
    assert reply["FromUserName"] == OA["ORIGINAL_ID"]
    assert reply["MsgType"] == "text"
    assert f"https://shop.example.com/s/{link.code}" in reply["Content"]
    assert "感谢关注" in reply["Content"]  # Chinese, whatever the request's language
    follower = OaFollower.objects.get(openid="o_new")
    assert follower.subscribed and follower.member_id == newcomer.pk


@responses.activate
def test_a_retried_follow_is_acted_on_once_and_answered_the_same(oa: None) -> None:
    link = link_of(MemberFactory.create())
    wechat_profiles(o_twice="u_twice")
    xml = event_xml("o_twice", "subscribe", f"qrscene_{link.code}")

    first = push(xml)
    members = Member.objects.count()
    again = [push(xml), push(xml)]

    assert [a.status_code for a in again] == [200, 200]
    assert {reply_of(a)["Content"] for a in again} == {reply_of(first)["Content"]}
    assert Member.objects.count() == members
    assert OaEvent.objects.count() == 1
    assert Binding.objects.filter(member=member_of("o_twice")).count() == 1
    assert user_info_calls() == 1


@responses.activate
def test_a_plain_follow_makes_the_member_unbound_and_points_home(oa: None) -> None:
    wechat_profiles(o_plain="")
    answer = push(event_xml("o_plain", "subscribe"))
    newcomer = member_of("o_plain")
    assert newcomer.parent_id is None
    assert not Binding.objects.filter(member=newcomer).exists()
    assert "https://shop.example.com/" in reply_of(answer)["Content"]


@responses.activate
def test_a_scene_that_is_no_share_code_is_a_plain_follow(oa: None) -> None:
    wechat_profiles(o_odd="")
    answer = push(event_xml("o_odd", "subscribe", "qrscene_no-such-code"))
    assert answer.status_code == 200
    assert member_of("o_odd").parent_id is None


@responses.activate
def test_a_follow_goes_ahead_when_wechat_gives_no_profile(oa: None) -> None:
    responses.get(TOKEN_URL, json={"access_token": "t", "expires_in": 7200})
    responses.get(USER_URL, json={"errcode": 45009, "errmsg": "api freq out of limit"})
    link = link_of(MemberFactory.create())
    answer = push(event_xml("o_quiet", "subscribe", f"qrscene_{link.code}"))
    assert answer.status_code == 200
    assert member_of("o_quiet").parent_id == link.sharer_id
    assert WechatIdentity.objects.get(openid="o_quiet").unionid == ""


@responses.activate
def test_a_known_follower_is_not_looked_up_again(oa: None) -> None:
    member_from_wechat(WechatUser(app_id=OA["APP_ID"], openid="o_known"))
    wechat_profiles()
    assert push(event_xml("o_known", "subscribe")).status_code == 200
    assert user_info_calls() == 0


def _existing_member_bound_to(parent: Member, openid: str) -> Member:
    member, _ = member_from_wechat(WechatUser(app_id=OA["APP_ID"], openid=openid))
    assert bind(member, parent, source="signup:test")
    return member


@responses.activate
def test_a_scan_under_first_touch_keeps_the_existing_binding(oa: None) -> None:
    first, second = MemberFactory.create(), MemberFactory.create()
    member = _existing_member_bound_to(first, "o_scan")
    link = link_of(second)

    answer = push(event_xml("o_scan", "SCAN", link.code))

    assert answer.status_code == 200
    member.refresh_from_db()
    assert member.parent_id == first.pk
    assert Binding.objects.filter(member=member).count() == 1
    assert link.code in reply_of(answer)["Content"]


@responses.activate
def test_a_scan_under_last_touch_rebinds_to_the_new_sharer(oa: None) -> None:
    platform.settings_update({"binding_mode": "last_touch"}, actor=None)
    first, second = MemberFactory.create(), MemberFactory.create()
    member = _existing_member_bound_to(first, "o_scan2")
    link = link_of(second)

    assert push(event_xml("o_scan2", "SCAN", link.code)).status_code == 200

    member.refresh_from_db()
    assert member.parent_id == second.pk
    latest = Binding.objects.filter(member=member).latest("bound_at", "id")
    assert (latest.previous_parent_id, latest.source) == (first.pk, f"wechat-qr:{link.code}")


@responses.activate
def test_an_unbound_member_scanning_is_bound_even_under_first_touch(oa: None) -> None:
    member, _ = member_from_wechat(WechatUser(app_id=OA["APP_ID"], openid="o_free"))
    link = link_of(MemberFactory.create())
    push(event_xml("o_free", "SCAN", link.code))
    member.refresh_from_db()
    assert member.parent_id == link.sharer_id


@responses.activate
def test_a_sharer_scanning_their_own_code_binds_nobody(oa: None) -> None:
    sharer, _ = member_from_wechat(WechatUser(app_id=OA["APP_ID"], openid="o_self"))
    link = link_of(sharer)
    assert push(event_xml("o_self", "SCAN", link.code)).status_code == 200
    sharer.refresh_from_db()
    assert sharer.parent_id is None


@responses.activate
def test_a_switched_off_member_following_again_is_welcomed_but_not_bound(oa: None) -> None:
    member, _ = member_from_wechat(WechatUser(app_id=OA["APP_ID"], openid="o_off"))
    Member.objects.filter(pk=member.pk).update(is_active=False)
    link = link_of(MemberFactory.create())
    answer = push(event_xml("o_off", "SCAN", link.code))
    assert answer.status_code == 200
    assert link.code in reply_of(answer)["Content"]
    member.refresh_from_db()
    assert member.parent_id is None
    assert OaEvent.objects.get().member_id is None


# --- unfollows and messages -------------------------------------------------------------


def test_an_unfollow_is_recorded_and_needs_no_reply(oa: None) -> None:
    answer = push(event_xml("o_gone", "unsubscribe"))
    assert answer.status_code == 200
    assert answer.content == b"success"
    follower = OaFollower.objects.get(openid="o_gone")
    assert not follower.subscribed and follower.unsubscribed_at is not None
    assert not WechatIdentity.objects.filter(openid="o_gone").exists()


@responses.activate
def test_a_late_event_never_overwrites_a_newer_state(oa: None) -> None:
    wechat_profiles(o_flip="")
    push(event_xml("o_flip", "subscribe", create_time=1_700_000_100))
    push(event_xml("o_flip", "unsubscribe", create_time=1_700_000_050))
    assert OaFollower.objects.get(openid="o_flip").subscribed
    push(event_xml("o_flip", "unsubscribe", create_time=1_700_000_200))
    assert not OaFollower.objects.get(openid="o_flip").subscribed


def test_a_text_message_gets_the_shop_link(oa: None) -> None:
    answer = push(text_xml("o_talk", "你好"))
    reply = reply_of(answer)
    assert reply["ToUserName"] == "o_talk"
    assert "https://shop.example.com/" in reply["Content"]


def test_other_events_are_answered_success(oa: None) -> None:
    answer = push(event_xml("o_menu", "CLICK", "MENU_1"))
    assert answer.content == b"success"
    assert not OaEvent.objects.exists()


# --- safe mode --------------------------------------------------------------------------

# WeChat's published sample push (WXBizMsgCrypt's demo): a text message, encrypted and signed.
SAMPLE_PUSH = (
    "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
    "<Encrypt><![CDATA[hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87w"
    "zQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWy"
    "WNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwM"
    "rCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD"
    "+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=]]>"
    "</Encrypt></xml>"
)
SAMPLE_QUERY = signed_query(
    "1409735669",
    "1320562132",
    encrypt_type="aes",
    msg_signature="5d197aaffba7e9b25a30732f161a50dee96bd5fa",
)


def test_wechats_sample_push_decrypts_and_gets_an_encrypted_reply(safe_oa: None) -> None:
    answer = push(SAMPLE_PUSH, SAMPLE_QUERY)
    assert answer.status_code == 200
    reply = reply_of(answer, safe=True)
    assert reply["ToUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"  # the sample's sender
    assert "https://shop.example.com/" in reply["Content"]


def test_a_tampered_msg_signature_is_refused(safe_oa: None) -> None:
    answer = push(SAMPLE_PUSH, {**SAMPLE_QUERY, "msg_signature": "0" * 40})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "invalid_signature"


def test_a_wrong_url_signature_is_refused_before_decrypting(safe_oa: None) -> None:
    assert push(SAMPLE_PUSH, {**SAMPLE_QUERY, "signature": "0" * 40}).status_code == 403


def test_an_encrypted_push_to_an_account_without_a_key_is_a_bad_request(oa: None) -> None:
    answer = push(SAMPLE_PUSH, SAMPLE_QUERY)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_message"


@responses.activate
def test_a_safe_mode_follow_through_a_share_code_binds(safe_oa: None) -> None:
    link = link_of(MemberFactory.create())
    wechat_profiles(o_safe="u_safe")
    answer = push_safe(event_xml("o_safe", "subscribe", f"qrscene_{link.code}"))
    assert answer.status_code == 200
    assert member_of("o_safe").parent_id == link.sharer_id
    assert link.code in reply_of(answer, safe=True)["Content"]
    assert push_safe(text_xml("o_safe", "hi"), tamper=True).status_code == 403


def test_the_sample_key_is_wechats(safe_oa: None) -> None:
    assert len(SAMPLE_AES_KEY) == 43


# --- bodies that are not WeChat's -------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml at all",
        b"<xml></xml>",  # no MsgType
        b"<other><MsgType>text</MsgType></other>",  # not WeChat's root
        (
            b"<xml><MsgType>text</MsgType><CreateTime>soon</CreateTime>"
            b"<FromUserName>o</FromUserName></xml>"
        ),
        b"<xml><MsgType>event</MsgType><Event>subscribe</Event><CreateTime>1</CreateTime></xml>",
        b"<xml><MsgType><a>1</a></MsgType></xml>",
        b"\xff\xfe<xml/>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><MsgType>&a;</MsgType></xml>',
        b"<xml><MsgType>text</MsgType><FromUserName>" + b"o" * 200 + b"</FromUserName>"
        b"<CreateTime>1</CreateTime></xml>",
    ],
)
def test_a_body_that_is_not_wechat_xml_is_a_bad_request(oa: None, body: bytes) -> None:
    answer = push(body)
    assert answer.status_code == 400, answer.content
    assert answer.json()["error"]["code"] == "invalid_message"


@pytest.mark.parametrize("encrypt", ["", "not base64!", "QUJD", "A" * 64])
def test_an_unreadable_ciphertext_is_a_bad_request(safe_oa: None, encrypt: str) -> None:
    query = signed_query(encrypt_type="aes")
    query["msg_signature"] = sha1_of(SAMPLE_TOKEN, query["timestamp"], query["nonce"], encrypt)
    answer = push(f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>", query)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_message"
