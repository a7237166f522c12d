"""POST /wechat/oa/qrcode: a sharer's own share code as a temporary parametric QR code of the
official account, made at WeChat once and reused until a day before it expires."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, cast

import pytest
import responses
from conftest import Api
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from tests.factories import MemberFactory, product

from sharemall.accounts.models import Member
from sharemall.sharing.models import ShareLink
from sharemall.sharing.services import share_create
from sharemall.wechat.models import OaQrCode
from sharemall.wechat.tests.oa_support import QRCODE_URL, TOKEN_URL, use_oa

pytestmark = pytest.mark.django_db

THIRTY_DAYS = 30 * 24 * 3600
TICKET = "gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xLzAyN2x+/=="


@pytest.fixture
def oa(settings: Any) -> None:
    use_oa(settings)
    settings.WECHAT_MP_WEB_BASE = "https://mp.weixin.qq.com"


def wechat_makes(*tickets: str, expire_seconds: int = THIRTY_DAYS) -> None:
    responses.get(TOKEN_URL, json={"access_token": "t", "expires_in": 7200})
    for ticket in tickets:
        responses.post(
            QRCODE_URL,
            json={
                "ticket": ticket,
                "expire_seconds": expire_seconds,
                "url": f"http://weixin.qq.com/q/{ticket[:8]}",
            },
        )


def made() -> list[dict[str, Any]]:
    return [
        json.loads(cast(bytes, c.request.body))
        for c in responses.calls
        if str(c.request.url).startswith(QRCODE_URL)
    ]


def link_of(sharer: Member) -> ShareLink:
    return share_create(sharer=sharer, target_type="product", target_id=product().pk).link


@responses.activate
def test_a_sharer_gets_a_temporary_code_whose_scene_is_the_share_code(
    oa: None, api: Api, member: Member
) -> None:
    link = link_of(member)
    wechat_makes(TICKET)

    answer = api.post("/wechat/oa/qrcode", {"share_code": link.code}, as_=member)

    assert answer.status == 200, answer.body
    assert made() == [
        {
            "expire_seconds": THIRTY_DAYS,
            "action_name": "QR_STR_SCENE",
            "action_info": {"scene": {"scene_str": link.code}},
        }
    ]
    assert answer.body["ticket"] == TICKET
    assert answer.body["url"] == f"http://weixin.qq.com/q/{TICKET[:8]}"
    assert answer.body["image_url"] == (
        "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket="
        "gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xLzAyN2x%2B%2F%3D%3D"
    )
    expires = parse_datetime(answer.body["expires_at"])
    assert expires is not None
    assert abs((expires - timezone.now()) - timedelta(seconds=THIRTY_DAYS)) < timedelta(minutes=1)


@responses.activate
def test_the_code_is_reused_and_renewed_a_day_before_it_expires(
    oa: None, api: Api, member: Member
) -> None:
    link = link_of(member)
    wechat_makes("first-ticket", "second-ticket")

    first = api.post("/wechat/oa/qrcode", {"share_code": link.code}, as_=member)
    again = api.post("/wechat/oa/qrcode", {"share_code": link.code}, as_=member)
    assert again.body == first.body
    assert len(made()) == 1

    OaQrCode.objects.update(expires_at=timezone.now() + timedelta(hours=23))
    renewed = api.post("/wechat/oa/qrcode", {"share_code": link.code}, as_=member)
    assert renewed.body["ticket"] == "second-ticket"
    assert len(made()) == 2
    assert OaQrCode.objects.count() == 1


@responses.activate
def test_only_the_sharer_gets_a_code_for_a_share(oa: None, api: Api, member: Member) -> None:
    link = link_of(MemberFactory.create())
    wechat_makes(TICKET)
    for code in (link.code, "nosuchcode", ""):
        answer = api.post("/wechat/oa/qrcode", {"share_code": code}, as_=member)
        assert answer.status == 404
        assert answer.error_code == "not_found"
    assert api.post("/wechat/oa/qrcode", {"share_code": link.code}).status == 401
    assert made() == []


@responses.activate
def test_wechat_refusing_is_a_bad_gateway_not_a_crash(oa: None, api: Api, member: Member) -> None:
    link = link_of(member)
    responses.get(TOKEN_URL, json={"access_token": "t", "expires_in": 7200})
    responses.post(QRCODE_URL, json={"errcode": 45009, "errmsg": "reach max api daily quota"})
    answer = api.post("/wechat/oa/qrcode", {"share_code": link.code}, as_=member)
    assert answer.status == 502
    assert answer.error_code == "wechat_error"
    assert not OaQrCode.objects.exists()


def test_without_the_account_it_is_unavailable(settings: Any, api: Api, member: Member) -> None:
    settings.WECHAT_OA = {"APP_ID": "", "APP_SECRET": ""}
    link = link_of(member)
    answer = api.post("/wechat/oa/qrcode", {"share_code": link.code}, as_=member)
    assert answer.status == 503
    assert answer.error_code == "wechat_unavailable"
