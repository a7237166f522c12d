"""WeChat retrying a follow while the first push is still being handled (PostgreSQL): the copies
wait on the event's unique key, one makes the member and binds it, and all answer the same."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from tests.factories import MemberFactory, product
from tests.races import all_at_once, postgres_only

from sharemall.accounts.models import Binding, WechatIdentity
from sharemall.sharing.services import share_create
from sharemall.wechat.models import OaEvent, OaFollower
from sharemall.wechat.tests.oa_support import (
    TOKEN_URL,
    USER_URL,
    event_xml,
    push,
    reply_of,
    use_oa,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@responses.activate
def test_copies_of_one_follow_at_once_make_one_bound_member(settings: Any) -> None:
    postgres_only()
    use_oa(settings)
    responses.get(TOKEN_URL, json={"access_token": "t", "expires_in": 7200})
    responses.get(USER_URL, json={"openid": "o_race", "unionid": "u_race"})
    sharer = MemberFactory.create()
    link = share_create(sharer=sharer, target_type="product", target_id=product().pk).link
    xml = event_xml("o_race", "subscribe", f"qrscene_{link.code}")

    answers = all_at_once([lambda: push(xml) for _ in range(4)])

    assert [getattr(a, "status_code", a) for a in answers] == [200] * 4
    assert len({reply_of(a)["Content"] for a in answers}) == 1
    identity = WechatIdentity.objects.get(openid="o_race")
    assert identity.member.parent_id == sharer.pk
    assert Binding.objects.filter(member=identity.member).count() == 1
    assert OaEvent.objects.count() == 1
    assert OaFollower.objects.count() == 1
