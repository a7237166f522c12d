"""我的 › 收货地址: the address book's pages, and checkout filled from it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from tests.factories import MemberFactory, merchant, product

from sharemall.accounts.models import Member
from sharemall.addresses import rules as address_rules
from sharemall.addresses import services as addresses
from sharemall.addresses.models import Address
from sharemall.catalog.models import Product
from sharemall.freight import rules as freight_rules
from sharemall.freight import services as freight_services
from sharemall.orders.models import Order
from sharemall.web.tests.support import EXPRESS_FORM, HTMX, browser, page

pytestmark = pytest.mark.django_db

FORM = {
    "province": "440000",
    "city": "440300",
    "district": "440305",
    "address": "科技园 1 号",
    "receiver": "王小二",
    "phone": "13912345678",
}


def saved(member: Member, **changes: str) -> Address:
    data = {
        "region_code": "440305",
        "address": "科技园 1 号",
        "receiver": "王小二",
        "phone": "13912345678",
        **changes,
    }
    return addresses.address_create(member, address_rules.address_fields(**data))


def test_a_member_adds_edits_makes_default_and_deletes_addresses() -> None:
    member = MemberFactory.create()
    client = browser(member)
    assert "No saved addresses yet." in page(client, "/me/addresses")

    added = client.post("/me/addresses", FORM)
    assert added.status_code == 302 and added["Location"] == "/me/addresses"
    first = Address.objects.get(member=member)
    assert (first.region_code, first.is_default) == ("440305", True)
    body = page(client, "/me/addresses")
    assert "广东省深圳市南山区 科技园 1 号" in body and "Default" in body
    # The checkout page's region picker, with its lists.
    assert 'id="region-picker"' in body and 'hx-get="/checkout/regions"' in body

    client.post("/me/addresses", {**FORM, "address": "二号楼", "district": "440304"})
    second = Address.objects.get(member=member, address="二号楼")
    assert not second.is_default

    editing = page(client, f"/me/addresses?edit={second.pk}")
    assert 'value="二号楼"' in editing and '<option value="440304" selected>' in editing
    client.post("/me/addresses", {**FORM, "id": second.pk, "receiver": "李四"})
    assert Address.objects.get(pk=second.pk).receiver == "李四"

    assert client.post(f"/me/addresses/{second.pk}/default").status_code == 302
    assert Address.objects.get(is_default=True, member=member).pk == second.pk

    delete_form = re.search(
        rf'<form method="post" action="/me/addresses/{second.pk}/delete"[^>]*>',
        page(client, "/me/addresses"),
    )
    assert delete_form is not None and "data-confirm=" in delete_form.group(0)
    client.post(f"/me/addresses/{second.pk}/delete")
    assert list(Address.objects.filter(member=member).values_list("pk", "is_default")) == [
        (first.pk, True)
    ]


def test_a_bad_address_shows_the_error_and_saves_nothing() -> None:
    member = MemberFactory.create()
    client = browser(member)
    answer = client.post("/me/addresses", {**FORM, "district": "", "city": ""})
    assert answer.status_code == 200
    assert "Choose the district to deliver to." in answer.content.decode()
    answer = client.post("/me/addresses", {**FORM, "phone": "110"})
    assert "not a valid mainland China number" in answer.content.decode()
    assert not Address.objects.filter(member=member).exists()


def test_another_members_address_is_left_alone() -> None:
    theirs = saved(MemberFactory.create())
    client = browser(MemberFactory.create())
    client.post(f"/me/addresses/{theirs.pk}/delete")
    client.post("/me/addresses", {**FORM, "id": theirs.pk, "receiver": "贼"})
    assert Address.objects.get(pk=theirs.pk).receiver == "王小二"
    assert 'value="王小二"' not in page(client, f"/me/addresses?edit={theirs.pk}")


def _shipped_item() -> int:
    shop = merchant()
    template = freight_services.template_create(
        shop,
        name="快递",
        template=freight_rules.Template(
            by="piece", rules=(freight_rules.Rule((), 1, 1000, 1, 500),)
        ),
    )
    item = product(shop, price_fen=2000)
    Product.objects.filter(pk=item.pk).update(freight_template=template)
    return int(item.skus.get().pk)


def _token(body: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', body)
    assert match is not None
    return match.group(1)


def _cart(client: Client) -> None:
    client.post("/cart/add", {"sku": _shipped_item(), "quantity": 1})


def test_checkout_is_filled_from_the_default_address_with_its_shipping() -> None:
    member = MemberFactory.create()
    saved(member, address="旧地址")
    default = saved(member, address="默认地址", region_code="110101", receiver="张三")
    addresses.address_make_default(member, default.pk)
    client = browser(member)
    _cart(client)

    body = page(client, "/checkout")
    # A municipality's district sits in the city list.
    assert '<option value="110000" selected>' in body
    assert '<option value="110101" selected>' in body
    assert 'value="默认地址"' in body and 'value="张三"' in body
    assert "¥10.00" in body  # shipping known from the prefilled district
    assert "After choosing the district" not in body
    # The live summary sees the same district (it reads the form).
    summary = client.get(
        "/checkout/quote",
        {"delivery": "express", "province": "110000", "city": "110101"},
        headers=HTMX,
    )
    assert "¥10.00" in summary.content.decode()
    # The other saved address is offered and fills the form when chosen.
    other = Address.objects.get(member=member, address="旧地址")
    assert f'href="/checkout?address={other.pk}"' in body
    chosen = page(client, f"/checkout?address={other.pk}")
    assert 'value="旧地址"' in chosen and '<option value="440305" selected>' in chosen


def test_an_order_is_placed_from_a_saved_address() -> None:
    member = MemberFactory.create()
    saved(member)
    client = browser(member)
    _cart(client)
    body = page(client, "/checkout")
    fields = {
        name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', body)
        for name in ("address", "receiver", "phone")
    }
    form = {
        "token": _token(body),
        "delivery": "express",
        "province": "440000",
        "city": "440300",
        "district": "440305",
        **{k: m.group(1) for k, m in fields.items() if m},
    }
    assert client.post("/checkout", form).status_code == 302
    order = Order.objects.get(buyer=member)
    assert (order.region_code, order.address, order.receiver) == ("440305", "科技园 1 号", "王小二")
    assert Address.objects.filter(member=member).count() == 1  # nothing asked to be saved


def test_save_to_the_address_book_at_checkout() -> None:
    member = MemberFactory.create()
    client = browser(member)
    _cart(client)
    body = page(client, "/checkout")
    assert 'name="save_address"' in body and 'href="/checkout?address=' not in body
    answer = client.post("/checkout", {**EXPRESS_FORM, "token": _token(body), "save_address": "on"})
    assert answer.status_code == 302
    (address,) = Address.objects.filter(member=member)
    assert (address.region_code, address.receiver, address.is_default) == ("440305", "王小二", True)
    # Saving the same address again adds nothing.
    _cart(client)
    client.post(
        "/checkout",
        {**EXPRESS_FORM, "token": _token(page(client, "/checkout")), "save_address": "on"},
    )
    assert Address.objects.filter(member=member).count() == 1


def test_choosing_a_saved_address_keeps_the_buy_now_item() -> None:
    member = MemberFactory.create()
    first = saved(member)
    client = browser(member)
    sku = _shipped_item()
    body = page(client, f"/checkout?sku={sku}&quantity=2")
    assert f'href="/checkout?sku={sku}&amp;quantity=2&amp;address={first.pk}"' in body
    # Also after a refused order (the form came back by POST).
    answer = client.post(
        "/checkout",
        {**EXPRESS_FORM, "token": _token(body), "sku": sku, "quantity": 2, "address": ""},
    )
    assert f"/checkout?sku={sku}&amp;quantity=2&amp;address={first.pk}" in answer.content.decode()
