"""The console's 公众号 page (/merchant/wechat) and its API twin (/merchants/{id}/wechat): the
owner's alone, the state as the services give it, and the buttons that go with it. The flow
through WeChat's authorisation page is in tests/test_wechat_component.py (the simulator)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Api
from django.test import Client
from django.urls import reverse
from tests.factories import MemberFactory, merchant

from sharemall.merchants import services as merchant_services
from sharemall.wechat import component_accounts, component_rules
from sharemall.wechat.models import MerchantWechatAccount

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


def test_wechat_sends_the_owner_back_to_the_page_the_services_name() -> None:
    assert reverse("web:merchant_wechat_authorized") == component_accounts.AUTHORIZED_PATH


def test_the_owner_sees_the_connect_button_and_clerks_see_nothing(
    client: Client, settings: Any
) -> None:
    settings.WECHAT_COMPONENT = {"APP_ID": "wxc", "APP_SECRET": "s", "TOKEN": "t", "AES_KEY": "k"}
    shop = merchant()
    client.force_login(shop.owner)
    page = client.get("/merchant/wechat")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Not connected" in html
    assert reverse("web:merchant_wechat_connect") in html
    assert 'href="/merchant/wechat"' in html  # in the console's menu

    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    client.force_login(clerk)
    assert client.get("/merchant/wechat").status_code == 404
    assert client.post("/merchant/wechat/connect").status_code == 404
    assert client.post("/merchant/wechat/disconnect").status_code == 404
    assert 'href="/merchant/wechat"' not in client.get("/merchant/").content.decode()


def test_without_a_component_the_page_says_so_and_connecting_explains(
    client: Client, settings: Any
) -> None:
    settings.WECHAT_COMPONENT = {}
    shop = merchant()
    client.force_login(shop.owner)
    html = client.get("/merchant/wechat").content.decode()
    assert "has not set up its WeChat component" in html
    assert reverse("web:merchant_wechat_connect") not in html
    answer = client.post("/merchant/wechat/connect", follow=True)
    assert answer.redirect_chain[-1][0] == "/merchant/wechat"
    assert "WeChat is not set up here" in answer.content.decode()


def connected(shop: Any, *, certified: bool) -> MerchantWechatAccount:
    return MerchantWechatAccount.objects.create(
        merchant=shop,
        app_id="wxshop01",
        nickname="小店号",
        original_id="gh_0000000001",
        certified=certified,
        refresh_token="rt",
    )


def test_a_connected_account_shows_and_is_disconnected_after_asking(client: Client) -> None:
    shop = merchant()
    account = connected(shop, certified=False)
    client.force_login(shop.owner)
    html = client.get("/merchant/wechat").content.decode()
    assert "小店号" in html
    assert "gh_0000000001" in html
    assert "not certified by WeChat" in html
    assert "data-confirm=" in html
    client.post("/merchant/wechat/disconnect")
    account.refresh_from_db()
    assert account.status == component_rules.DISCONNECTED
    assert account.events.get().actor == shop.owner
    html = client.get("/merchant/wechat").content.decode()
    assert "小店号 was disconnected" in html
    assert "disconnected in the console" in html


def test_a_bad_return_from_wechat_shows_a_message_not_an_error(client: Client) -> None:
    shop = merchant()
    client.force_login(shop.owner)
    answer = client.get("/merchant/wechat/authorized?state=forged&auth_code=x", follow=True)
    assert answer.status_code == 200
    assert "not valid or has expired" in answer.content.decode()


def test_the_api_shows_the_state_to_the_owner_only(api: Api) -> None:
    shop = merchant()
    connected(shop, certified=True)
    answer = api.get(f"/merchants/{shop.pk}/wechat", as_=shop.owner)
    assert answer.status == 200
    assert answer.body["connected"] is True
    assert answer.body["nickname"] == "小店号"
    assert answer.body["certified"] is True
    assert answer.body["available"] is False  # tests run without a component
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    assert api.get(f"/merchants/{shop.pk}/wechat", as_=clerk).error_code == "owner_only"
    refused = api.post(f"/merchants/{shop.pk}/wechat/connect", as_=shop.owner)
    assert (refused.status, refused.error_code) == (503, "wechat_unavailable")
    gone = api.post(f"/merchants/{shop.pk}/wechat/disconnect", as_=shop.owner)
    assert (gone.status, gone.body["connected"], gone.body["status"]) == (
        200,
        False,
        "disconnected",
    )
    again = api.post(f"/merchants/{shop.pk}/wechat/disconnect", as_=shop.owner)
    assert (again.status, again.error_code) == (409, "wechat_not_connected")
