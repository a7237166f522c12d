"""A merchant connects its own official account through our Open Platform component, end to end
against the built-in simulator with nothing mocked: the verify ticket WeChat pushes, the
console's 连接公众号 through the authorisation page and back, calls on the merchant's account
with the authorizer token, and WeChat telling us the account revoked us."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import Api
from django.test import Client

from sharemall.accounts.models import Binding, WechatIdentity
from sharemall.core.errors import DomainError
from sharemall.wechat import component_accounts, component_rules, tokens
from sharemall.wechat.component import authorizer_client
from sharemall.wechat.models import Credential, MerchantWechatAccount, OaQrCode
from sharemall.wechat.tests import component_support
from sharemall.wechat_sim.models import Push
from tests.factories import MemberFactory, merchant, product
from tests.flows import share
from tests.wechat_support import ACCOUNTS, Simulator, simulator, wechat_sandbox

__all__ = ["simulator", "wechat_sandbox"]  # fixtures

pytestmark = pytest.mark.django_db

COMPONENT = ACCOUNTS["COMPONENT"]
TEA_SHOP = "wx5a0d1e00000001d1"  # the simulator's seeded 茶语小店公众号
TEA_SHOP_GH = "gh_5a0d1e0000d1"


def verify_ticket(simulator: Simulator) -> dict[str, Any]:
    delivery = dict(simulator.call("POST", "api/component-ticket"))
    assert delivery["status"] == 200, delivery
    assert delivery["answer"] == "success"
    return delivery


def connect_in_browser(client: Client, shop_app_id: str = TEA_SHOP) -> Any:
    """The owner presses 连接公众号, picks the account on WeChat's page, and comes back."""
    sent = client.post("/merchant/wechat/connect")
    assert sent.status_code == 302, sent.content
    login_page = sent["Location"]
    assert login_page.startswith("/wechat-sim/cgi-bin/componentloginpage?")
    query = parse_qs(urlsplit(login_page).query)
    assert query["component_appid"] == [COMPONENT["APP_ID"]]
    assert query["auth_type"] == ["1"]
    assert query["redirect_uri"][0].startswith("http://127.0.0.1:8000/merchant/wechat/authorized?")
    assert client.get(login_page).status_code == 200
    picked = client.post(login_page, {"authorizer_appid": shop_app_id})
    assert picked.status_code == 302, picked.content
    back = urlsplit(picked["Location"])
    assert back.path == component_accounts.AUTHORIZED_PATH
    assert "auth_code" in parse_qs(back.query)
    return client.get(f"{back.path}?{back.query}", follow=True)


def test_a_merchant_connects_its_official_account_and_runs_it(
    simulator: Simulator, client: Client
) -> None:
    shop = merchant()
    client.force_login(shop.owner)
    # Before WeChat's first verify ticket there is no component token to be had.
    with pytest.raises(DomainError) as early:
        component_accounts.connect_url(shop.owner, shop.pk)
    assert early.value.code == "wechat_unavailable"
    assert "component_verify_ticket" in early.value.message

    verify_ticket(simulator)
    assert (
        tokens.stored(COMPONENT["APP_ID"], tokens.VERIFY_TICKET)
        == (simulator.state(COMPONENT["APP_ID"])["component_verify_ticket"])
    )

    page = connect_in_browser(client)
    assert page.status_code == 200
    account = MerchantWechatAccount.objects.get(merchant=shop)
    assert (account.app_id, account.original_id, account.status) == (
        TEA_SHOP,
        TEA_SHOP_GH,
        component_rules.CONNECTED,
    )
    assert account.nickname == "茶语小店公众号"
    assert account.certified
    assert account.refresh_token
    assert "茶语小店公众号" in page.content.decode()
    assert account.events.get().to_status == component_rules.CONNECTED
    # WeChat's "authorized" notice reached the callback too, and was taken (only noted).
    notice = Push.objects.get(kind="authorized")
    assert (notice.status, notice.answer) == (200, "success")

    # The merchant's account, run with its authorizer token (kept when the account connected).
    fan = simulator.user("茶客")
    openid = fan["openids"][TEA_SHOP]
    assert authorizer_client(account).user.get(openid)["openid"] == openid
    row = Credential.objects.get(app_id=TEA_SHOP, kind=tokens.AUTHORIZER_TOKEN)
    assert row.value == simulator.state(TEA_SHOP)["access_token"]

    # Once it lapses, the refresh token renews it through the component.
    Credential.objects.filter(pk=row.pk).update(expires_at=None)
    assert authorizer_client(account).user.get(openid)["openid"] == openid
    row.refresh_from_db()
    assert row.refreshes == 2
    assert row.value == simulator.state(TEA_SHOP)["access_token"]

    # The administrator revokes us in WeChat: WeChat's notice disconnects the account here.
    answer = push_component_notice(
        client,
        component_support.notice_xml(COMPONENT["APP_ID"], "unauthorized", AuthorizerAppid=TEA_SHOP),
    )
    assert (answer.status_code, answer.content) == (200, b"success")
    account.refresh_from_db()
    assert account.status == component_rules.DISCONNECTED
    assert account.disconnected_at is not None
    assert not account.refresh_token
    assert tokens.stored(TEA_SHOP, tokens.AUTHORIZER_TOKEN) == ""
    with pytest.raises(DomainError) as gone:
        authorizer_client(account)
    assert gone.value.code == "wechat_not_connected"
    page = client.get("/merchant/wechat")
    assert page.status_code == 200
    assert "茶语小店公众号" in page.content.decode()

    # Authorised again: the same row is connected again, with a fresh refresh token.
    connect_in_browser(client)
    account.refresh_from_db()
    assert account.status == component_rules.CONNECTED
    assert [e.to_status for e in account.events.order_by("pk")] == [
        "connected",
        "disconnected",
        "connected",
    ]


def push_component_notice(client: Client, xml: str) -> Any:
    url, body = component_support.sealed(
        COMPONENT["TOKEN"], COMPONENT["AES_KEY"], COMPONENT["APP_ID"], xml
    )
    return client.post(url, data=body, content_type="text/xml")


def test_the_api_gives_the_owner_the_authorisation_page(simulator: Simulator) -> None:
    shop = merchant()
    verify_ticket(simulator)
    url = component_accounts.connect_url(shop.owner, shop.pk)
    assert url.startswith("/wechat-sim/cgi-bin/componentloginpage?")
    assert component_accounts.state_of(shop.pk)["connected"] is False


def test_a_share_of_a_connected_shops_product_gets_the_shops_qr_and_its_follows_bind(
    simulator: Simulator, client: Client, api: Api
) -> None:
    shop = merchant()
    client.force_login(shop.owner)
    verify_ticket(simulator)
    connect_in_browser(client)
    sharer = MemberFactory.create()
    code = share(api, sharer, product(shop).pk)

    made = api.post("/wechat/oa/qrcode", {"share_code": code}, as_=sharer)
    assert made.status == 200, made.body
    assert OaQrCode.objects.get(link__code=code).app_id == TEA_SHOP  # the shop's own account

    follower = simulator.user("茶友")
    delivered = simulator.push(
        app_id=TEA_SHOP, user_id=follower["id"], event="subscribe", scene=code
    )
    assert delivered["status"] == 200, delivered
    assert "分享" in delivered["answer_plaintext"]
    identity = WechatIdentity.objects.get(app_id=TEA_SHOP)
    assert identity.member.parent_id == sharer.pk
    assert Binding.objects.get(member=identity.member).source == f"wechat-qr:{code}"
