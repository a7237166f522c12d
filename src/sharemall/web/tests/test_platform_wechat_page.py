"""The back office's WeChat page: the accounts' state, and a subscribe template per notice kind."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import MemberFactory, OperatorFactory

from sharemall.notifications import rules as notices
from sharemall.wechat.models import SubscribeTemplate

pytestmark = pytest.mark.django_db


def signed_in(member: object) -> Client:
    client = Client(headers={"accept-language": "zh-hans"})
    client.force_login(member)  # type: ignore[arg-type]
    return client


def test_operators_set_a_template_and_members_are_kept_out() -> None:
    stranger = signed_in(MemberFactory.create())
    assert stranger.get("/platform/wechat").status_code in (302, 403, 404)
    operator = signed_in(OperatorFactory.create())
    page = operator.get("/platform/wechat")
    assert page.status_code == 200
    html = page.content.decode()
    assert "订阅消息" in html and "未配置" in html  # no account set up in tests
    saved = operator.post(
        "/platform/wechat",
        {
            "kind": notices.ORDER_SHIPPED,
            "app": "mp",
            "template_id": "TPL-9",
            "template_fields": "character_string1=order_no\ntime2=@time",
            "enabled": "on",
        },
    )
    assert saved.status_code == 302
    template = SubscribeTemplate.objects.get(kind=notices.ORDER_SHIPPED)
    assert template.fields == {"character_string1": "order_no", "time2": "@time"}
    refused = operator.post(
        "/platform/wechat",
        {"kind": notices.ORDER_PAID, "app": "mp", "template_id": "T", "template_fields": "x=1"},
    )
    assert refused.status_code == 200
    assert "不是微信模板的字段名" in refused.content.decode()
    assert not SubscribeTemplate.objects.filter(kind=notices.ORDER_PAID).exists()
    removed = operator.post(
        "/platform/wechat",
        {
            "kind": notices.ORDER_SHIPPED,
            "app": "mp",
            "template_id": "TPL-9",
            "template_fields": "time2=@time",
            "remove": "1",
        },
    )
    assert removed.status_code == 302
    assert not SubscribeTemplate.objects.exists()
