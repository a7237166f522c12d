"""Subscribe messages: the notifications' WeChat channel, with the operator's templates, sent
through the outbox with WeChat mocked (responses)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import responses
from conftest import Api
from django.utils import timezone
from tests.factories import MemberFactory, OperatorFactory

from sharemall.accounts.models import WechatIdentity
from sharemall.notifications import rules as notices
from sharemall.notifications.models import Delivery
from sharemall.notifications.services import notifications_deliver, notify
from sharemall.wechat import subscribe, subscribe_rules
from sharemall.wechat.subscribe_rules import InvalidTemplate

pytestmark = pytest.mark.django_db

MP = {"APP_ID": "wxmp000000000000aa", "APP_SECRET": "mp-secret"}
SEND_URL = "https://api.weixin.qq.com/cgi-bin/message/subscribe/send"


@pytest.fixture
def mp(settings: Any) -> None:
    settings.WECHAT_MP = MP
    settings.WECHAT_API_BASE = "https://api.weixin.qq.com"
    responses.get(
        "https://api.weixin.qq.com/cgi-bin/token", json={"access_token": "t", "expires_in": 7200}
    )


def shipped_to_a_wechat_member() -> Delivery:
    member = MemberFactory.create()
    WechatIdentity.objects.create(member=member, app_id=MP["APP_ID"], openid="o-buyer")
    notice = notify(member.pk, notices.ORDER_SHIPPED, "order:7:shipped", order_no="20261206000007")
    assert notice is not None
    return notice.deliveries.get(channel=notices.WECHAT)


def shipped_template() -> None:
    subscribe.template_set(
        kind=notices.ORDER_SHIPPED,
        app="mp",
        template_id="TPL-shipped",
        fields="character_string1=order_no\nthing2=@body\ntime3=@time",
        page="pages/orders/index",
    )


def deliver() -> int:
    return notifications_deliver(timezone.now() + timedelta(seconds=1))


@responses.activate
def test_a_shipped_notice_goes_out_as_the_operators_template(mp: None) -> None:
    shipped_template()
    delivery = shipped_to_a_wechat_member()
    responses.post(SEND_URL, json={"errcode": 0, "errmsg": "ok", "msgid": 123})
    deliver()
    delivery.refresh_from_db()
    assert delivery.status == notices.SENT
    sent = json.loads(
        str(responses.calls[-1].request.body, "utf-8")
        if isinstance(responses.calls[-1].request.body, bytes)
        else str(responses.calls[-1].request.body)
    )
    assert sent["touser"] == "o-buyer"
    assert sent["template_id"] == "TPL-shipped"
    assert sent["page"] == "pages/orders/index"
    assert sent["data"]["character_string1"] == {"value": "20261206000007"}
    # The body is cut to what a thing key takes: 20 characters.
    assert len(sent["data"]["thing2"]["value"]) <= 20
    assert sent["data"]["thing2"]["value"].startswith("您的订单")


@responses.activate
def test_no_template_or_no_wechat_account_is_skipped_not_retried(mp: None) -> None:
    delivery = shipped_to_a_wechat_member()
    deliver()
    delivery.refresh_from_db()
    assert delivery.status == notices.SKIPPED
    shipped_template()
    stranger = MemberFactory.create()  # no WeChat linked
    notice = notify(stranger.pk, notices.ORDER_SHIPPED, "order:8:shipped", order_no="8")
    assert notice is not None
    deliver()
    assert notice.deliveries.get(channel=notices.WECHAT).status == notices.SKIPPED


@responses.activate
def test_a_template_the_member_did_not_accept_is_skipped(mp: None) -> None:
    shipped_template()
    delivery = shipped_to_a_wechat_member()
    responses.post(SEND_URL, json={"errcode": 43101, "errmsg": "user refuse to accept the msg"})
    deliver()
    delivery.refresh_from_db()
    assert delivery.status == notices.SKIPPED


@responses.activate
def test_a_wechat_failure_is_retried_later(mp: None) -> None:
    shipped_template()
    delivery = shipped_to_a_wechat_member()
    responses.post(SEND_URL, json={"errcode": -1, "errmsg": "system error"})
    deliver()
    delivery.refresh_from_db()
    assert delivery.status == notices.PENDING
    assert delivery.next_attempt_at > timezone.now()
    assert "system error" in delivery.last_error


def test_template_fields_are_checked_like_wechat_would() -> None:
    assert subscribe_rules.parse_fields("thing1=@title; amount2=amount") == {
        "thing1": "@title",
        "amount2": "amount",
    }
    for bad in ("", "thing1", "thingy=@title", "thing1=@nope", "colour1=x"):
        with pytest.raises(InvalidTemplate):
            subscribe_rules.parse_fields(bad)
    assert subscribe_rules.fit("phrase1", "已发货并签收") == "已发货并…"
    assert subscribe_rules.fit("thing1", "短") == "短"


def test_operators_keep_the_templates(api: Api) -> None:
    operator = OperatorFactory.create()
    member = MemberFactory.create()
    path = f"/platform/wechat/subscribe-templates/{notices.ORDER_SHIPPED}"
    body = {"app": "mp", "template_id": "TPL-1", "fields": "thing1=@title\ntime2=@time"}
    assert api.put(path, body, as_=member).status == 403
    saved = api.put(path, body, as_=operator)
    assert saved.status == 200, saved.body
    assert saved.body["fields"] == "thing1=@title\ntime2=@time"
    assert api.get("/platform/wechat/subscribe-templates", as_=operator).body[0]["kind"] == (
        notices.ORDER_SHIPPED
    )
    refused = api.put(path, {**body, "fields": "thing1=@nope"}, as_=operator)
    assert refused.status == 400 and refused.error_code == "invalid_template"
    unknown = api.put("/platform/wechat/subscribe-templates/nope", body, as_=operator)
    assert unknown.status == 400
    assert api.delete(path, as_=operator).status == 204
    assert api.delete(path, as_=operator).status == 404
