"""WeChat's real host, mocked with `responses`, for the mini-program and JS-SDK tests: the
accounts switched on through settings, and the answers WeChat gives."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from tests.factories import MemberFactory

from sharemall.accounts.models import Member
from sharemall.sharing import services as sharing
from sharemall.sharing.models import ShareLink
from sharemall.wechat import config

HOST = config.API_HOST_BASE
TOKEN_URL = f"{HOST}/cgi-bin/token"
SESSION_URL = f"{HOST}/sns/jscode2session"
PHONE_URL = f"{HOST}/wxa/business/getuserphonenumber"
WXA_CODE_URL = f"{HOST}/wxa/getwxacodeunlimit"
TICKET_URL = f"{HOST}/cgi-bin/ticket/getticket"

MP = {"APP_ID": "wxmp0000000000000b", "APP_SECRET": "mp-s3cret"}
OA = {
    "APP_ID": "wxoa0000000000000a",
    "APP_SECRET": "oa-s3cret",
    "TOKEN": "tok",
    "AES_KEY": "",
    "ORIGINAL_ID": "gh_1",
}


@pytest.fixture
def wechat_on(settings: Any) -> None:
    """The official account and the mini-program configured, on WeChat's own host."""
    settings.WECHAT_SANDBOX = False
    settings.WECHAT_MP = MP
    settings.WECHAT_OA = OA
    settings.WECHAT_API_BASE = config.API_HOST_BASE


def token_answer(value: str = "mp-token") -> None:
    responses.get(TOKEN_URL, json={"access_token": value, "expires_in": 7200})


def calls(url: str) -> list[Any]:
    return [c for c in responses.calls if str(c.request.url).startswith(url)]


def share_link(sharer: Member | None = None) -> ShareLink:
    """A share link of the sharer's sub-store (a distributor's), the simplest shareable."""
    sharer = sharer or MemberFactory.create(is_distributor=True)
    if not sharer.is_distributor:
        Member.objects.filter(pk=sharer.pk).update(is_distributor=True)
        sharer.is_distributor = True
    return sharing.share_create(sharer=sharer, target_type="substore", target_id=sharer.pk).link
