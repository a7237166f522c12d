"""POST /wechat/mp/phone: the phone button's code → the member's phone number, set when they
have none yet; another member's number is theirs to log in with, not to take."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from conftest import Api
from responses import matchers
from tests.factories import MemberFactory

from sharemall.accounts.identities import WechatUser, member_from_wechat, phone_from_wechat
from sharemall.accounts.models import Member
from sharemall.core.errors import Conflict
from sharemall.wechat.tests.mp_support import MP, PHONE_URL, token_answer, wechat_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wechat_on")]
_ = wechat_on


def wechat_member(openid: str = "o-1") -> Member:
    member, _new = member_from_wechat(WechatUser(app_id=MP["APP_ID"], openid=openid))
    return member


def phone_answer(code: str, pure: str, country: str = "86") -> None:
    responses.post(
        PHONE_URL,
        json={
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": f"+{country}{pure}" if country != "86" else pure,
                "purePhoneNumber": pure,
                "countryCode": country,
                "watermark": {"timestamp": 1637744274, "appid": MP["APP_ID"]},
            },
        },
        match=[
            matchers.json_params_matcher({"code": code}),
            matchers.query_param_matcher({"access_token": "mp-token"}),
        ],
    )


@responses.activate
def test_a_member_without_a_phone_gets_wechats_number(api: Api) -> None:
    token_answer()
    phone_answer("p-1", "13800138000")
    member = wechat_member()

    answer = api.post("/wechat/mp/phone", {"code": "p-1"}, as_=member)

    assert (answer.status, answer.body) == (200, {"phone": "138****8000"})
    member.refresh_from_db()
    assert member.phone == "13800138000"


@responses.activate
def test_the_same_number_again_is_fine(api: Api) -> None:
    token_answer()
    phone_answer("p-1", "13800138000")
    phone_answer("p-2", "13800138000")
    member = wechat_member()

    first = api.post("/wechat/mp/phone", {"code": "p-1"}, as_=member)
    again = api.post("/wechat/mp/phone", {"code": "p-2"}, as_=member)

    assert (first.status, again.status) == (200, 200)
    assert again.body == {"phone": "138****8000"}


@responses.activate
def test_another_members_number_is_409_phone_taken(api: Api) -> None:
    token_answer()
    owner = MemberFactory.create()
    phone_answer("p-1", owner.phone)
    member = wechat_member()
    before = member.phone

    answer = api.post("/wechat/mp/phone", {"code": "p-1"}, as_=member)

    assert (answer.status, answer.error_code) == (409, "phone_taken")
    member.refresh_from_db()
    assert member.phone == before


@responses.activate
def test_a_member_with_another_number_keeps_it(api: Api) -> None:
    token_answer()
    phone_answer("p-1", "13800138000")
    member = MemberFactory.create()
    before = member.phone

    answer = api.post("/wechat/mp/phone", {"code": "p-1"}, as_=member)

    assert (answer.status, answer.error_code) == (409, "phone_already_set")
    member.refresh_from_db()
    assert member.phone == before


@responses.activate
def test_a_number_outside_the_mainland_is_refused(api: Api) -> None:
    token_answer()
    phone_answer("p-1", "61234567", country="852")
    member = wechat_member()

    answer = api.post("/wechat/mp/phone", {"code": "p-1"}, as_=member)

    assert (answer.status, answer.error_code) == (400, "invalid_phone")


@pytest.mark.parametrize("errcode", [40029, 40163])
@responses.activate
def test_a_wrong_or_used_code_is_400_invalid_code(api: Api, errcode: int) -> None:
    token_answer()
    responses.post(PHONE_URL, json={"errcode": errcode, "errmsg": "invalid code"})

    answer = api.post("/wechat/mp/phone", {"code": "x"}, as_=wechat_member())

    assert (answer.status, answer.error_code) == (400, "invalid_code")


@responses.activate
def test_an_answer_without_a_number_is_502(api: Api) -> None:
    token_answer()
    responses.post(PHONE_URL, json={"errcode": 0, "errmsg": "ok"})

    answer = api.post("/wechat/mp/phone", {"code": "x"}, as_=wechat_member())

    assert (answer.status, answer.error_code) == (502, "wechat_error")


def test_strangers_must_sign_in(api: Api) -> None:
    answer = api.post("/wechat/mp/phone", {"code": "x"})

    assert (answer.status, answer.error_code) == (401, "unauthenticated")


def test_a_twin_request_that_set_the_number_first_is_answered_alike(settings: Any) -> None:
    member = wechat_member()
    stale = Member.objects.get(pk=member.pk)  # read before the twin wrote
    assert phone_from_wechat(member, "13800138000") == "13800138000"

    assert phone_from_wechat(stale, "13800138000") == "13800138000"
    with pytest.raises(Conflict) as other:
        phone_from_wechat(Member.objects.get(pk=member.pk), "13900139000")
    assert other.value.code == "phone_already_set"
