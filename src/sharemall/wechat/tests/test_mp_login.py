"""POST /wechat/mp/login: a `wx.login()` code → our bearer token, with WeChat's host mocked.
The same openid is the same member every time; a newcomer is bound to the sharer of the share
code; WeChat's refusals are 4xx/5xx with a code, never a crash."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from conftest import Api
from responses import matchers
from tests.factories import product

from sharemall.accounts.identities import WechatUser, member_from_wechat
from sharemall.accounts.models import Binding, Member, MemberDevice, WechatIdentity
from sharemall.accounts.rules import has_phone
from sharemall.sharing.models import ShareSourceDayCount
from sharemall.wechat.tests.mp_support import (
    MP,
    OA,
    SESSION_URL,
    TOKEN_URL,
    calls,
    share_link,
    token_answer,
    wechat_on,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wechat_on")]
_ = wechat_on


def session_answer(code: str, openid: str, unionid: str = "") -> None:
    body: dict[str, Any] = {"openid": openid, "session_key": "SeSsIoNkEy=="}
    if unionid:
        body["unionid"] = unionid
    responses.get(
        SESSION_URL,
        json=body,
        match=[
            matchers.query_param_matcher(
                {
                    "appid": MP["APP_ID"],
                    "secret": MP["APP_SECRET"],
                    "js_code": code,
                    "grant_type": "authorization_code",
                },
                strict_match=False,
            )
        ],
    )


def refused(errcode: int, errmsg: str) -> None:
    responses.get(SESSION_URL, json={"errcode": errcode, "errmsg": errmsg})


@responses.activate
def test_a_new_wechat_user_becomes_a_member_with_a_working_token(api: Api) -> None:
    token_answer()
    session_answer("code-1", "o-mp-1")

    answer = api.post("/wechat/mp/login", {"code": "code-1"})

    assert answer.status == 200, answer.body
    assert answer.body["is_new"] is True
    member = Member.objects.get(pk=answer.body["id"])
    assert not has_phone(member.phone)
    identity = WechatIdentity.objects.get(member=member)
    assert (identity.app_id, identity.openid) == (MP["APP_ID"], "o-mp-1")
    me = api.get("/me", as_=answer.body["token"])
    assert (me.status, me.body["id"]) == (200, member.pk)


@responses.activate
def test_the_same_openid_is_the_same_member_every_time(api: Api) -> None:
    token_answer()
    session_answer("code-1", "o-mp-1")
    session_answer("code-2", "o-mp-1")

    first = api.post("/wechat/mp/login", {"code": "code-1"})
    second = api.post("/wechat/mp/login", {"code": "code-2"})

    assert (first.status, second.status) == (200, 200)
    assert second.body["id"] == first.body["id"]
    assert (first.body["is_new"], second.body["is_new"]) == (True, False)
    assert second.body["token"] != first.body["token"]
    assert Member.objects.count() == 1
    # Two codes, two code2session calls; the access token they carry is fetched once.
    assert len(calls(SESSION_URL)) == 2
    assert len(calls(TOKEN_URL)) == 1


@responses.activate
def test_a_share_code_binds_the_newcomer_to_the_sharer(api: Api) -> None:
    token_answer()
    session_answer("code-1", "o-new")
    link = share_link()
    sharer = link.sharer

    answer = api.post("/wechat/mp/login", {"code": "code-1", "share_code": link.code})

    assert answer.status == 200, answer.body
    newcomer = Member.objects.get(pk=answer.body["id"])
    assert newcomer.parent_id == sharer.pk
    assert Binding.objects.get(member=newcomer).source == f"signup:{link.code}"


@responses.activate
def test_a_share_code_does_not_rebind_a_returning_member(api: Api) -> None:
    token_answer()
    session_answer("code-1", "o-back")
    member, _new = member_from_wechat(WechatUser(app_id=MP["APP_ID"], openid="o-back"))
    link = share_link()

    answer = api.post("/wechat/mp/login", {"code": "code-1", "share_code": link.code})

    assert (answer.status, answer.body["id"], answer.body["is_new"]) == (200, member.pk, False)


@responses.activate
def test_an_unknown_share_code_is_ignored(api: Api) -> None:
    token_answer()
    session_answer("code-1", "o-new")

    answer = api.post("/wechat/mp/login", {"code": "code-1", "share_code": "NoSuchCode"})

    assert answer.status == 200, answer.body
    assert Member.objects.get(pk=answer.body["id"]).parent_id is None


@responses.activate
def test_the_unionid_finds_the_member_known_from_the_official_account(api: Api) -> None:
    token_answer()
    session_answer("code-1", "o-mp", unionid="u-1")
    known, _new = member_from_wechat(WechatUser(app_id=OA["APP_ID"], openid="o-oa", unionid="u-1"))

    answer = api.post("/wechat/mp/login", {"code": "code-1"})

    assert (answer.status, answer.body["id"], answer.body["is_new"]) == (200, known.pk, False)
    assert WechatIdentity.objects.filter(member=known).count() == 2


@responses.activate
def test_a_closed_accounts_openid_logs_in_as_a_new_member(api: Api) -> None:
    token_answer()
    session_answer("code-1", "o-closed")
    session_answer("code-2", "o-closed")
    first = api.post("/wechat/mp/login", {"code": "code-1"})
    # A token this fresh closes the account without a password (there is none).
    closed = api.post("/me/close", as_=first.body["token"])
    assert closed.status == 200, closed.body

    again = api.post("/wechat/mp/login", {"code": "code-2"})

    assert again.status == 200, again.body
    assert again.body["is_new"] is True
    assert again.body["id"] != first.body["id"]


@pytest.mark.parametrize(
    ("errcode", "errmsg"), [(40029, "invalid code"), (40163, "code been used")]
)
@responses.activate
def test_a_wrong_or_used_code_is_400_invalid_code(api: Api, errcode: int, errmsg: str) -> None:
    token_answer()
    refused(errcode, errmsg)

    answer = api.post("/wechat/mp/login", {"code": "stale"})

    assert (answer.status, answer.error_code) == (400, "invalid_code")
    assert not Member.objects.exists()


@responses.activate
def test_wechats_other_refusals_are_502_wechat_error(api: Api) -> None:
    token_answer()
    refused(45011, "api minute-quota reach limit")

    answer = api.post("/wechat/mp/login", {"code": "c"})

    assert (answer.status, answer.error_code) == (502, "wechat_error")
    assert "45011" in answer.body["error"]["message"]


@responses.activate
def test_wechat_not_answering_is_502_wechat_error(api: Api) -> None:
    token_answer()
    responses.get(SESSION_URL, status=503, body="busy")

    answer = api.post("/wechat/mp/login", {"code": "c"})

    assert (answer.status, answer.error_code) == (502, "wechat_error")


@responses.activate
def test_an_answer_without_an_openid_is_502(api: Api) -> None:
    token_answer()
    responses.get(SESSION_URL, json={"session_key": "k"})

    answer = api.post("/wechat/mp/login", {"code": "c"})

    assert (answer.status, answer.error_code) == (502, "wechat_error")
    assert not Member.objects.exists()


def test_without_a_mini_program_it_is_503_and_says_which_settings(api: Api, settings: Any) -> None:
    settings.WECHAT_MP = {"APP_ID": "", "APP_SECRET": ""}

    answer = api.post("/wechat/mp/login", {"code": "c"})

    assert (answer.status, answer.error_code) == (503, "wechat_unavailable")
    assert "WECHAT_MP_APP_ID" in answer.body["error"]["message"]


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": "x" * 129}, {"code": 5}])
def test_a_missing_or_silly_code_is_400(api: Api, body: dict[str, Any]) -> None:
    answer = api.post("/wechat/mp/login", body)

    assert answer.status == 400
    assert answer.error_code == "invalid_input"


@responses.activate
def test_the_wechat_account_is_the_device_of_a_mini_program_login(api: Api) -> None:

    token_answer()
    session_answer("code-1", "o-mp-1")
    item = product()

    answer = api.post("/wechat/mp/login", {"code": "code-1"})
    shared = api.post(
        "/shares", {"target_type": "product", "target_id": item.pk}, as_=answer.body["token"]
    )

    member = Member.objects.get(pk=answer.body["id"])
    assert member.signup_device == "wx:o-mp-1"
    assert member.signup_ip == "127.0.0.1"
    assert list(MemberDevice.objects.filter(member=member).values_list("device_id", flat=True)) == [
        "wx:o-mp-1"
    ]
    # Requests with the token name the WeChat device though the mini-program sent no header.
    assert shared.status == 201
    assert ShareSourceDayCount.objects.get(kind="device").key == "wx:o-mp-1"
