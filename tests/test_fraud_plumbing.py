"""Fraud signals carried end to end: the device a page or app signs up and buys from, and the
client address behind trusted proxies, land on the member, the order and the member's devices."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from conftest import Api
from django.test import Client

from sharemall.accounts.models import Member, MemberDevice
from sharemall.core import ids
from sharemall.core.proxies import parse_trusted
from sharemall.orders.models import Order
from tests.factories import PASSWORD, MemberFactory, product
from tests.flows import ADDRESS, buy

pytestmark = pytest.mark.django_db

EXPRESS_FORM = {
    "delivery": "express",
    "province": "440000",
    "city": "440300",
    "district": "440305",
    "address": "科技园 1 号",
    "receiver": "王小二",
    "phone": "13912345678",
}


def _csrf(client: Client, url: str) -> str:
    client.get(url)
    return client.cookies["csrftoken"].value


def _page_checkout(client: Client, sku_id: int) -> None:
    client.post("/cart/add", {"sku": sku_id, "quantity": 1})
    checkout = client.get("/checkout").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', checkout)
    assert token is not None
    answer = client.post("/checkout", {**EXPRESS_FORM, "token": token.group(1)})
    assert answer.status_code == 302, answer


def devices(member: Member) -> set[str]:
    return set(MemberDevice.objects.filter(member=member).values_list("device_id", flat=True))


def test_a_page_sign_up_and_checkout_carry_the_browsers_device_cookie() -> None:
    item = product()
    client = Client(headers={"accept-language": "en"})
    token = _csrf(client, "/register/")
    device = client.cookies[ids.DEVICE_COOKIE].value
    signed_up = client.post(
        "/register/",
        {
            "phone": "13800138000",
            "nickname": "Xiao Ming",
            "password": "Tea-and-2-biscuits",
            "accept_terms": "on",
            "csrfmiddlewaretoken": token,
        },
    )
    assert signed_up.status_code == 302

    _page_checkout(client, item.skus.get().pk)

    member = Member.objects.get(phone="13800138000")
    order = Order.objects.get(buyer=member)
    assert member.signup_device == device
    assert member.signup_ip == "127.0.0.1"
    assert order.device_id == device
    assert devices(member) == {device}


def test_a_page_log_in_is_a_sighting_of_the_browser() -> None:
    member = MemberFactory.create()
    client = Client()
    token = _csrf(client, "/login/")
    device = client.cookies[ids.DEVICE_COOKIE].value

    client.post(
        "/login/", {"phone": member.phone, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )

    assert devices(member) == {device}


def test_an_api_sign_up_with_a_device_header_sets_the_sign_up_device(api: Api) -> None:
    answer = api.post(
        "/auth/register",
        {"phone": "13900001111", "password": PASSWORD, "nickname": "app"},
        headers={"X-Device-Id": "android-7f3a"},
    )

    assert answer.status == 201, answer.body
    member = Member.objects.get(pk=answer.body["id"])
    assert member.signup_device == "android-7f3a"
    assert devices(member) == {"android-7f3a"}


def test_api_log_in_orders_and_shares_name_the_apps_device(api: Api) -> None:
    member = MemberFactory.create()
    item = product()
    phone = {"X-Device-Id": "iphone-42"}

    logged_in = api.post(
        "/auth/login", {"phone": member.phone, "password": PASSWORD}, headers=phone
    )
    assert logged_in.status == 200
    created = api.post(
        "/orders",
        {"items": [{"sku_id": item.skus.get().pk, "quantity": 1}], "delivery": ADDRESS},
        as_=member,
        headers=phone,
    )
    assert created.status == 201, created.body

    assert Order.objects.get(buyer=member).device_id == "iphone-42"
    assert MemberDevice.objects.get(member=member, device_id="iphone-42").last_ip == "127.0.0.1"


def test_authenticated_api_requests_record_their_device_at_most_once_an_hour(api: Api) -> None:
    member = MemberFactory.create()
    token = api.post("/auth/login", {"phone": member.phone, "password": PASSWORD}).body["token"]
    assert devices(member) == set()

    for _ in range(3):
        assert api.get("/me", as_=token, headers={"X-Device-Id": "tablet-1"}).status == 200
    seen = MemberDevice.objects.get(member=member, device_id="tablet-1")
    assert api.get("/me", as_=token, headers={"X-Device-Id": "tablet-1"}).status == 200

    assert MemberDevice.objects.get(pk=seen.pk).last_seen == seen.last_seen  # not rewritten


def _behind_proxy(**extra: Any) -> Client:
    return Client(REMOTE_ADDR="10.0.0.5", **extra)


def test_behind_a_trusted_proxy_the_forwarded_client_is_recorded(settings: Any) -> None:
    settings.TRUSTED_PROXIES = parse_trusted("10.0.0.0/8")
    item = product()
    client = _behind_proxy(HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.77")
    registered = client.post(
        "/api/v1/auth/register",
        json.dumps({"phone": "13900002222", "password": PASSWORD, "nickname": "proxied"}),
        content_type="application/json",
    )
    assert registered.status_code == 201
    member = Member.objects.get(pk=registered.json()["id"])

    created = client.post(
        "/api/v1/orders",
        json.dumps({"items": [{"sku_id": item.skus.get().pk, "quantity": 1}], "delivery": ADDRESS}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {registered.json()['token']}"},
    )
    assert created.status_code == 201, created.content

    assert member.signup_ip == "203.0.113.77"
    assert Order.objects.get(buyer=member).client_ip == "203.0.113.77"


def test_without_trusted_proxies_forwarded_for_is_ignored(settings: Any, api: Api) -> None:
    settings.TRUSTED_PROXIES = ()
    client = _behind_proxy(HTTP_X_FORWARDED_FOR="203.0.113.77")

    registered = client.post(
        "/api/v1/auth/register",
        json.dumps({"phone": "13900003333", "password": PASSWORD, "nickname": "direct"}),
        content_type="application/json",
    )

    assert Member.objects.get(pk=registered.json()["id"]).signup_ip == "10.0.0.5"


def test_an_order_placed_through_the_helper_without_a_device_names_none(api: Api) -> None:
    member = MemberFactory.create()
    buy(api, member, product().skus.get())
    assert Order.objects.get(buyer=member).device_id == ""


def test_a_malformed_device_header_is_no_device(api: Api) -> None:
    answer = api.post(
        "/auth/register",
        {"phone": "13900004444", "password": PASSWORD, "nickname": "odd"},
        headers={"X-Device-Id": "two words"},
    )

    member = Member.objects.get(pk=answer.body["id"])
    assert member.signup_device == ""
    assert devices(member) == set()
