"""A store may keep its own return address: the returns of its pickup orders go there instead of
the merchant's, and the buyer is shown the right one once a return is approved."""

from __future__ import annotations

import pytest
from conftest import Api
from django.test import Client

from sharemall.accounts.models import Member
from sharemall.aftersales import services as aftersales
from sharemall.aftersales.models import AfterSale
from sharemall.checkout import services as checkout
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant, Store
from sharemall.orders import services as orders
from sharemall.orders.models import Order
from tests.factories import MemberFactory, merchant, product

pytestmark = pytest.mark.django_db

STORE_ADDRESS = {
    "receiver": "门店退货",
    "phone": "13900002222",
    "region_code": "440305",
    "address": "门店后仓",
}
MERCHANT_ADDRESS = {
    "receiver": "总仓",
    "phone": "13900001111",
    "region_code": "440106",
    "address": "总仓 1 号",
}
EMPTY = dict.fromkeys(("receiver", "phone", "region_code", "region_name", "address"), "")


def store_of(shop: Merchant, name: str = "南山店") -> Store:
    return merchant_services.store_create(
        shop,
        kind="offline",
        name=name,
        region_code="440305",
        address="路 1 号",
        latitude=22.5,
        longitude=113.9,
    )


def approved_return(shop: Merchant, delivery: checkout.Delivery) -> tuple[AfterSale, Member]:
    """A received order of `shop` with a return-and-refund request the owner approved."""
    sku = product(shop, price_fen=5000).skus.get()
    buyer = MemberFactory.create()
    created = checkout.order_create(
        buyer=buyer, items=[checkout.Item(sku.pk, 1)], delivery=delivery
    )
    checkout.sandbox_complete(created.payment)
    order = Order.objects.get(pk=created.orders[0].pk)
    if order.delivery == "pickup":
        order = orders.order_ready_for_pickup(order, actor=shop.owner)
        assert order.pickup_store is not None
        orders.pickup_verify(order.pickup_store, code=order.pickup_code, actor=shop.owner)
    else:
        orders.order_ship(order, actor=shop.owner, carrier="SF", tracking_no="SF1")
        orders.order_confirm_receipt(Order.objects.get(pk=order.pk), actor=buyer)
    request = aftersales.aftersale_request(
        buyer=buyer,
        order=Order.objects.get(pk=order.pk),
        kind="return_refund",
        lines=[(order.lines.get().pk, 1)],
        reason="坏了",
    )
    return aftersales.aftersale_approve(request, actor=shop.owner), buyer


# --- the API ----------------------------------------------------------------------------------


def test_the_owner_sets_and_clears_a_stores_return_address(api: Api) -> None:
    shop = merchant()
    store = store_of(shop)
    url = f"/merchants/{shop.pk}/stores/{store.pk}/return-address"
    assert api.get(url, as_=shop.owner).body == EMPTY

    saved = api.put(url, STORE_ADDRESS, as_=shop.owner)
    assert saved.status == 200, saved.body
    assert saved.body["region_name"] == "广东省深圳市南山区"
    assert saved.body["receiver"] == "门店退货"
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    assert api.get(url, as_=clerk).body == saved.body
    assert api.put(url, STORE_ADDRESS, as_=clerk).status == 403

    cleared = api.put(url, dict.fromkeys(STORE_ADDRESS, ""), as_=shop.owner)
    assert (cleared.status, cleared.body) == (200, EMPTY)
    assert Store.objects.get(pk=store.pk).return_to is None


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"region_code": "440300"}, "invalid_region"),
        ({"phone": "12"}, "invalid_phone"),
        ({"receiver": ""}, "invalid_receiver"),
        ({"address": ""}, "invalid_address"),
    ],
)
def test_a_half_address_is_refused_and_nothing_is_written(
    api: Api, change: dict[str, str], code: str
) -> None:
    shop = merchant()
    store = store_of(shop)
    url = f"/merchants/{shop.pk}/stores/{store.pk}/return-address"
    answer = api.put(url, {**STORE_ADDRESS, **change}, as_=shop.owner)
    assert (answer.status, answer.error_code) == (400, code)
    assert Store.objects.get(pk=store.pk).return_to is None


def test_another_merchants_store_is_not_found(api: Api) -> None:
    shop, other = merchant(), merchant()
    theirs = store_of(other)
    for path in (
        f"/merchants/{shop.pk}/stores/{theirs.pk}/return-address",
        f"/merchants/{other.pk}/stores/{theirs.pk}/return-address",
    ):
        assert api.get(path, as_=shop.owner).status in (403, 404)
        assert api.put(path, STORE_ADDRESS, as_=shop.owner).status in (403, 404)
    assert Store.objects.get(pk=theirs.pk).return_to is None


# --- what the buyer is shown ------------------------------------------------------------------


def test_a_pickup_orders_return_goes_to_its_stores_address(api: Api) -> None:
    shop = merchant()
    merchant_services.merchant_set_return_address(shop, **MERCHANT_ADDRESS)
    store = store_of(shop)
    merchant_services.store_set_return_address(store, **STORE_ADDRESS)
    pickup = checkout.Delivery("pickup", store_id=store.pk)
    request, buyer = approved_return(shop, pickup)
    assert request.status == "awaiting_return"

    shown = api.get(f"/aftersales/{request.pk}", as_=buyer).body["return_address"]
    assert (shown["receiver"], shown["address"]) == ("门店退货", "门店后仓")
    client = Client(headers={"accept-language": "en"})
    client.force_login(buyer)
    html = client.get(f"/aftersales/{request.pk}").content.decode()
    assert "门店后仓" in html and "总仓 1 号" not in html
    owner = Client(headers={"accept-language": "en"})
    owner.force_login(shop.owner)
    assert "门店后仓" in owner.get(f"/merchant/aftersales/{request.pk}").content.decode()


def test_without_its_own_a_store_falls_back_to_the_merchants(api: Api) -> None:
    shop = merchant()
    merchant_services.merchant_set_return_address(shop, **MERCHANT_ADDRESS)
    store = store_of(shop)
    request, buyer = approved_return(shop, checkout.Delivery("pickup", store_id=store.pk))
    shown = api.get(f"/aftersales/{request.pk}", as_=buyer).body["return_address"]
    assert shown["address"] == "总仓 1 号"


def test_an_express_order_goes_to_the_merchants_even_when_a_store_has_one(api: Api) -> None:
    shop = merchant()
    merchant_services.merchant_set_return_address(shop, **MERCHANT_ADDRESS)
    merchant_services.store_set_return_address(store_of(shop), **STORE_ADDRESS)
    express = checkout.Delivery("express", "440305", "科技园 1 号", "王小二", "13912345678")
    request, buyer = approved_return(shop, express)
    shown = api.get(f"/aftersales/{request.pk}", as_=buyer).body["return_address"]
    assert shown["address"] == "总仓 1 号"


# --- the console ------------------------------------------------------------------------------


def test_the_store_page_sets_and_clears_its_return_address() -> None:
    shop = merchant()
    store = store_of(shop)
    client = Client(headers={"accept-language": "en"})
    client.force_login(shop.owner)
    edit = client.get(f"/merchant/stores/{store.pk}").content.decode()
    assert 'id="store-return-link"' in edit
    assert "go to the merchant's return address" in edit

    url = f"/merchant/stores/{store.pk}/return-address"
    assert client.get(url).status_code == 200
    bad = client.post(url, {**STORE_ADDRESS, "region_code": "440300"})
    assert bad.status_code == 200
    assert Store.objects.get(pk=store.pk).return_to is None
    saved = client.post(url, STORE_ADDRESS)
    assert saved.status_code == 302
    assert "门店后仓" in client.get(f"/merchant/stores/{store.pk}").content.decode()

    cleared = client.post(url, {"clear": "1"})
    assert cleared.status_code == 302
    assert Store.objects.get(pk=store.pk).return_to is None


def test_staff_cannot_change_a_stores_return_address() -> None:
    shop = merchant()
    store = store_of(shop)
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    client = Client(headers={"accept-language": "en"})
    client.force_login(clerk)
    response = client.post(f"/merchant/stores/{store.pk}/return-address", STORE_ADDRESS)
    assert response.status_code == 404
    assert Store.objects.get(pk=store.pk).return_to is None
