"""The WeChat admin pages open for a superuser and change nothing: no add, edit or delete, and a
merchant account's refresh token is never shown."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import OperatorFactory, merchant

from sharemall.wechat.models import MerchantWechatAccount

pytestmark = pytest.mark.django_db

PAGES = ("oafollower", "oaevent", "oaqrcode", "merchantwechataccount", "subscribetemplate")


def test_the_wechat_admin_is_read_only_and_keeps_the_refresh_token_secret() -> None:
    operator = OperatorFactory.create(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    account = MerchantWechatAccount.objects.create(
        merchant=merchant(), app_id="wx0000000000000abc", nickname="茶语", refresh_token="SECRET"
    )
    for page in PAGES:
        assert client.get(f"/admin/wechat/{page}/").status_code == 200, page
        assert client.get(f"/admin/wechat/{page}/add/").status_code == 403, page
    shown = client.get(f"/admin/wechat/merchantwechataccount/{account.pk}/change/")
    assert shown.status_code == 200
    assert "SECRET" not in shown.content.decode()
