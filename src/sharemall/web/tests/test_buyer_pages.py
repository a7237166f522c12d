"""Buyer pages: sharing from the product page, the session cart, checkout with the share
discount, paying in the sandbox, orders, receipt, after-sales and the post composer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from conftest import Api
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.factories import MemberFactory, merchant, product, with_return_address

import sharemall.web
from sharemall.accounts.models import Member
from sharemall.aftersales import services as aftersale_services
from sharemall.aftersales.models import AfterSale, Dispute
from sharemall.catalog.models import Product, Sku
from sharemall.checkout import services as checkout
from sharemall.freight import rules as freight_rules
from sharemall.freight import services as freight_services
from sharemall.merchants import services as merchant_services
from sharemall.orders import services as order_services
from sharemall.orders.models import Order
from sharemall.payments.models import Payment
from sharemall.posts.models import Post
from sharemall.sharing import services as sharing
from sharemall.sharing.models import ShareLink
from sharemall.web.tests.support import (
    EXPRESS,
    EXPRESS_FORM,
    HTMX,
    browser,
    order_in,
    page,
    png,
)

pytestmark = pytest.mark.django_db

PLAN = {
    "share_budget_bp": 2000,
    "buyer_discount_bp": 500,
    "level_bp": [800, 400, 0],
    "region_agent_bp": 0,
}


def checkout_token(client: Client, url: str = "/checkout") -> str:
    match = re.search(r'name="token" value="([^"]+)"', page(client, url))
    assert match is not None
    return match.group(1)


def place_order(client: Client, **fields: object) -> Any:
    token = checkout_token(client)
    return client.post("/checkout", {**EXPRESS_FORM, "token": token, **fields})


def paid_order(buyer: Member, price_fen: int = 2500, quantity: int = 2) -> Order:
    return order_in(buyer, "paid", title="好物", price_fen=price_fen, quantity=quantity)


def received_order(buyer: Member) -> Order:
    return order_in(buyer, "received", title="好物", quantity=2)


def assert_clean_markup(body: str) -> None:
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", body, flags=re.S)
    assert scripts == [""] * len(scripts)
    assert all(src.startswith("/static/") for src in re.findall(r'<script[^>]*src="([^"]+)"', body))
    assert "style=" not in body
    assert "<style" not in body
    assert " hx-on" not in body
    assert "onclick" not in body


# --- product page: cart, buy now, share -------------------------------------------------------


def test_product_page_offers_options_quantity_cart_and_buy_now() -> None:
    item = product(title="Oolong", skus=2)
    sold_out = item.skus.order_by("position").last()
    assert sold_out is not None
    Sku.objects.filter(pk=sold_out.pk).update(stock=0)

    body = page(browser(), f"/p/{item.pk}")

    first = item.skus.order_by("position").first()
    assert first is not None
    assert 'action="/cart/add"' in body
    # Option cards: the first in stock is chosen, a sold-out one cannot be.
    assert re.search(rf'<input type="radio" name="sku" value="{first.pk}" checked[ >]', body)
    assert re.search(rf'<input type="radio" name="sku" value="{sold_out.pk}" disabled[ >]', body)
    assert 'name="quantity"' in body
    assert 'name="intent" value="cart"' in body
    assert 'name="intent" value="buy"' in body


def test_a_stranger_is_sent_to_log_in_to_share_and_comes_back() -> None:
    item = product()
    stranger = browser()

    body = page(stranger, f"/p/{item.pk}")
    assert f'href="/login/?next=/p/{item.pk}"' in body

    plain = stranger.post(f"/p/{item.pk}/share")
    assert plain.status_code == 302
    assert plain["Location"] == f"/login/?next=/p/{item.pk}"
    swapped = stranger.post(f"/p/{item.pk}/share", headers=HTMX)
    assert swapped["HX-Redirect"] == f"/login/?next=%2Fp%2F{item.pk}"
    assert ShareLink.objects.count() == 0


def test_a_member_shares_and_gets_the_link_qr_code_and_poster() -> None:
    item = product(title="Longjing")
    member = MemberFactory.create()
    client = browser(member)
    assert f'hx-post="/p/{item.pk}/share"' in page(client, f"/p/{item.pk}")

    response = client.post(f"/p/{item.pk}/share", headers=HTMX)

    assert response.status_code == 200
    link = ShareLink.objects.get()
    assert (link.sharer_id, link.target_type, link.target_id) == (member.pk, "product", item.pk)
    assert link.rewarded is True
    body = response.content.decode()
    assert "<html" not in body  # just the panel, swapped into the page
    assert f"/s/{link.code}" in body
    assert f'src="/api/v1/shares/{link.code}/qr.png"' in body
    assert f'src="/api/v1/shares/{link.code}/poster.png"' in body
    assert f'href="/api/v1/shares/{link.code}/poster.png" download=' in body
    assert "A sale through this link earns you a rebate." in body
    qr = client.get(f"/api/v1/shares/{link.code}/qr.png")
    assert (qr.status_code, qr["Content-Type"]) == (200, "image/png")


def test_sharing_without_javascript_shows_a_whole_page() -> None:
    item = product()
    response = browser(MemberFactory.create()).post(f"/p/{item.pk}/share")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert f"/s/{ShareLink.objects.get().code}" in body
    assert_clean_markup(body)


def test_past_the_daily_cap_the_link_works_but_the_member_is_told_it_earns_nothing() -> None:
    item = product()
    member = MemberFactory.create()
    client = browser(member)
    for _ in range(3):  # the default cap of rewarded shares of one product a day
        sharing.share_create(sharer=member, target_type="product", target_id=item.pk)
    ShareLink.objects.filter(sharer=member).delete()  # as if shared from elsewhere, then gone

    body = client.post(f"/p/{item.pk}/share", headers=HTMX).content.decode()

    assert ShareLink.objects.get().rewarded is False
    assert "today&#x27;s limit of 3 rewarded shares of this product" in body
    assert "share-capped" in body
    assert 'id="share-earn"' not in body  # nothing to earn on this link

    again = client.post(f"/p/{item.pk}/share", headers=HTMX).content.decode()
    assert ShareLink.objects.count() == 1  # the same link again, still saying it earns nothing
    assert "past today&#x27;s limit of rewarded shares" in again


def test_sharing_a_product_that_is_not_on_sale_shows_the_error() -> None:
    draft = product(on_sale=False)
    body = (
        browser(MemberFactory.create()).post(f"/p/{draft.pk}/share", headers=HTMX).content.decode()
    )
    assert "No such product." in body
    assert ShareLink.objects.count() == 0


# --- cart -------------------------------------------------------------------------------------


def test_add_update_and_remove_cart_lines_grouped_by_merchant() -> None:
    tea = product(merchant(legal_name="Tea House"), title="Green tea", price_fen=1250)
    cup = product(merchant(legal_name="Cup Shop"), title="Cup", price_fen=300)
    tea_sku, cup_sku = tea.skus.get(), cup.skus.get()
    client = browser()

    added = client.post("/cart/add", {"sku": tea_sku.pk, "quantity": 2, "intent": "cart"})
    client.post("/cart/add", {"sku": cup_sku.pk, "quantity": 1, "intent": "cart"})
    client.post("/cart/add", {"sku": tea_sku.pk, "quantity": 1, "intent": "cart"})

    assert added["Location"] == "/cart"
    assert client.session["cart"] == {str(tea_sku.pk): 3, str(cup_sku.pk): 1}
    body = page(client, "/cart")
    assert "Added Green tea to your cart." in body
    groups = body[body.index("cart-group") :]
    assert groups.index("Tea House") < groups.index("Green tea") < groups.index("Cup Shop")
    assert "规格1" in body
    assert "¥12.50" in body
    assert 'data-amount="3750"' in body  # 3 × ¥12.50, what the line adds when ticked
    assert "¥40.50" in body  # the total
    assert 'action="/checkout"' in body

    client.post(f"/cart/{tea_sku.pk}/quantity", {"quantity": 1})
    assert client.session["cart"][str(tea_sku.pk)] == 1
    client.post(f"/cart/{cup_sku.pk}/remove")
    assert client.session["cart"] == {str(tea_sku.pk): 1}
    assert "¥12.50" in page(client, "/cart")


@pytest.mark.parametrize(
    "data",
    [
        {"quantity": 0},
        {"quantity": 1000},
        {"quantity": "two"},
        {"quantity": -3},
        {},
    ],
)
def test_a_bad_quantity_changes_nothing(data: dict[str, object]) -> None:
    sku = product().skus.get()
    client = browser()
    client.post("/cart/add", {"sku": sku.pk, "quantity": 2})

    response = client.post(f"/cart/{sku.pk}/quantity", data, follow=True)

    assert client.session["cart"] == {str(sku.pk): 2}
    assert "A quantity is between 1 and 999." in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"sku": 999999, "quantity": 1},
        {"sku": "x", "quantity": 1},
        {"sku": 2**63, "quantity": 1},
        {"quantity": 1},
    ],
)
def test_adding_something_that_is_not_for_sale_changes_nothing(data: dict[str, object]) -> None:
    product(on_sale=False)
    client = browser()

    response = client.post("/cart/add", data, follow=True)

    assert response.status_code == 200
    assert "cart" not in client.session
    assert "errorlist" in response.content.decode() or "message error" in response.content.decode()


@pytest.mark.parametrize(
    ("back", "landing"),
    [("/p/7", "/p/7"), ("https://evil.example/", "/"), ("//evil.example/x", "/"), ("", "/")],
)
def test_a_bad_add_goes_back_only_to_a_page_of_this_site(back: str, landing: str) -> None:
    response = browser().post("/cart/add", {"sku": "x", "quantity": 1, "back": back})
    assert response["Location"] == landing


def test_a_sold_out_option_is_not_added() -> None:
    sku = product(stock=0).skus.get()
    client = browser()
    body = client.post("/cart/add", {"sku": sku.pk, "quantity": 1}, follow=True).content.decode()
    assert "This option is sold out." in body
    assert "cart" not in client.session


def test_stale_cart_lines_show_as_unavailable() -> None:
    shop = merchant()
    gone = product(shop, title="Gone teapot")
    off = product(shop, title="Retired cup")
    empty = product(shop, title="Popular mug")
    kept = product(shop, title="Still here", price_fen=500)
    client = browser()
    for item in (gone, off, empty, kept):
        client.post("/cart/add", {"sku": item.skus.get().pk, "quantity": 1})
    gone.skus.all().delete()
    Product.objects.filter(pk=off.pk).update(status="off_sale")
    Sku.objects.filter(product=empty).update(stock=0)

    body = page(client, "/cart")

    assert "An item the shop has removed" in body
    assert "Unavailable: it is no longer sold." in body
    assert "Unavailable: not on sale at the moment." in body
    assert "Unavailable: sold out." in body
    assert body.count("is-unavailable") == 3
    assert "¥5.00" in body
    # Checkout leaves the unavailable lines out instead of failing.
    client.force_login(MemberFactory.create())
    checkout_page = page(client, "/checkout")
    assert "3 items in your cart cannot be bought right now and were left out." in checkout_page


def test_an_empty_cart_says_so() -> None:
    assert "Your cart is empty." in page(browser(), "/cart")


def test_buy_now_checks_out_just_that_item_after_logging_in() -> None:
    sku = product(title="Single", price_fen=800).skus.get()
    other = product(title="In the cart").skus.get()
    client = browser()
    client.post("/cart/add", {"sku": other.pk, "quantity": 1})

    response = client.post("/cart/add", {"sku": sku.pk, "quantity": 2, "intent": "buy"})

    assert response["Location"] == f"/checkout?sku={sku.pk}&quantity=2"
    login = client.get(response["Location"])
    assert login.status_code == 302
    assert login["Location"].startswith("/login/?next=/checkout%3Fsku%3D")
    buyer = MemberFactory.create()
    client.force_login(buyer)
    token = checkout_token(client, response["Location"])
    placed = client.post(
        "/checkout", {**EXPRESS_FORM, "token": token, "sku": sku.pk, "quantity": 2}
    )
    assert placed.status_code == 302
    order = Order.objects.get(buyer=buyer)
    assert [(line.sku_id, line.quantity) for line in order.lines.all()] == [(sku.pk, 2)]
    assert order.total_fen == 1600
    assert client.session["cart"] == {str(other.pk): 1}  # the cart is left alone


# --- checkout and paying ----------------------------------------------------------------------


def test_checkout_needs_a_member() -> None:
    response = browser().get("/checkout")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/checkout"


def test_checkout_through_a_share_gives_the_discount_and_pays_in_the_sandbox(api: Api) -> None:
    shop = merchant()
    item = product(shop, title="Shared tea", price_fen=10000)
    assert api.put(f"/merchants/{shop.pk}/commission-plan", PLAN, as_=shop.owner).status == 200
    sharer = MemberFactory.create(nickname="Alice")
    code = sharing.share_create(sharer=sharer, target_type="product", target_id=item.pk).link.code
    buyer = MemberFactory.create()
    client = browser()
    assert client.get(f"/s/{code}").status_code == 302  # remembers the share in sm_share
    client.force_login(buyer)
    client.post("/cart/add", {"sku": item.skus.get().pk, "quantity": 2})

    preview = page(client, "/checkout")
    assert "You came through Alice's share: you save ¥10.00." in preview
    assert "¥190.00" in preview

    response = place_order(client)

    order = Order.objects.get(buyer=buyer)
    assert response.status_code == 302
    assert response["Location"] == f"/pay/sandbox/{order.payment.payment_no}"
    assert (order.goods_fen, order.discount_fen, order.total_fen) == (20000, 1000, 19000)
    assert (order.referrer_id, order.attribution) == (sharer.pk, "share")
    assert client.session["cart"] == {}
    assert order.status == "pending_payment"

    paid = client.post(response["Location"])

    assert paid.status_code == 200
    assert Payment.objects.get(pk=order.payment_id).status == "paid"
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_checkout_without_a_share_has_no_discount(api: Api) -> None:
    shop = merchant()
    item = product(shop, price_fen=10000)
    api.put(f"/merchants/{shop.pk}/commission-plan", PLAN, as_=shop.owner)
    buyer = MemberFactory.create()
    client = browser(buyer)
    client.post("/cart/add", {"sku": item.skus.get().pk, "quantity": 1})

    assert "You came through" not in page(client, "/checkout")
    place_order(client)

    assert Order.objects.get(buyer=buyer).discount_fen == 0


def test_checkout_shows_each_shops_shipping_once_the_district_is_chosen() -> None:
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
    buyer = MemberFactory.create()
    client = browser(buyer)
    client.post("/cart/add", {"sku": item.skus.get().pk, "quantity": 2})

    assert "After choosing the district" in page(client, "/checkout")
    # The address is not complete yet: the page comes back with the district's shipping,
    # 2 pieces at ¥10 + ¥5, and the total including it.
    again = place_order(client, address="").content.decode()
    assert "¥15.00" in again and "¥55.00" in again
    place_order(client)

    order = Order.objects.get(buyer=buyer)
    assert (order.shipping_fen, order.total_fen) == (1500, 5500)
    assert Payment.objects.get(buyer=buyer).amount_fen == 5500


def test_the_amounts_follow_the_district_and_the_delivery_without_a_reload() -> None:
    shop = merchant()
    template = freight_services.template_create(
        shop,
        name="快递",
        template=freight_rules.Template(
            by="piece",
            rules=(freight_rules.Rule((), 1, 1000, 1, 500),),
            no_delivery_region_codes=("650000",),
        ),
    )
    item = product(shop, price_fen=2000)
    Product.objects.filter(pk=item.pk).update(freight_template=template)
    client = browser(MemberFactory.create())
    client.post("/cart/add", {"sku": item.skus.get().pk, "quantity": 2})
    address = {"province": "440000", "city": "440300", "district": "440305"}

    before = page(client, "/checkout/quote?delivery=express")
    chosen = page(client, "/checkout/quote?" + urlencode({"delivery": "express", **address}))
    pickup = page(client, "/checkout/quote?" + urlencode({"delivery": "pickup", **address}))
    far = page(
        client,
        "/checkout/quote?delivery=express&province=650000&city=650100&district=650102",
    )
    regions = client.get("/checkout/regions?province=440000")

    assert 'id="quote-summary"' in before and "After choosing the district" in before
    assert "¥15.00" in chosen and "¥55.00" in chosen
    assert "¥55.00" not in pickup and "¥40.00" in pickup  # store pickup pays no shipping
    assert "does not deliver to the chosen district" in far
    assert regions["HX-Trigger-After-Settle"] == "region-changed"


def test_several_merchants_are_several_orders_under_one_payment() -> None:
    a, b = product(price_fen=100).skus.get(), product(price_fen=200).skus.get()
    buyer = MemberFactory.create()
    client = browser(buyer)
    client.post("/cart/add", {"sku": a.pk, "quantity": 1})
    client.post("/cart/add", {"sku": b.pk, "quantity": 1})

    assert "Each shop sends its own order" in page(client, "/checkout")
    place_order(client)

    placed = Order.objects.filter(buyer=buyer)
    assert placed.count() == 2
    assert {o.payment_id for o in placed} == {placed[0].payment_id}
    assert Payment.objects.get(buyer=buyer).amount_fen == 300


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"district": ""}, "Choose the district to deliver to."),
        ({"province": "", "city": "", "district": "999999"}, "999999 is not a known region code."),
        ({"address": "  "}, "Enter the delivery address."),
        ({"receiver": ""}, "Enter who receives the parcel."),
        ({"phone": "12"}, "12 is not a valid mainland China number."),
        ({"delivery": "pickup"}, "Choose the store to pick up at."),
        ({"delivery": "drone"}, "Select a valid choice."),
    ],
)
def test_bad_delivery_details_show_an_error_and_order_nothing(
    fields: dict[str, str], error: str
) -> None:
    sku = product(stock=5).skus.get()
    client = browser(MemberFactory.create())
    client.post("/cart/add", {"sku": sku.pk, "quantity": 1})

    response = place_order(client, **fields)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Order.objects.count() == 0
    assert Sku.objects.get(pk=sku.pk).stock == 5
    assert client.session["cart"] == {str(sku.pk): 1}


def test_a_fixed_form_can_be_sent_again_after_an_error() -> None:
    sku = product().skus.get()
    buyer = MemberFactory.create()
    client = browser(buyer)
    client.post("/cart/add", {"sku": sku.pk, "quantity": 1})
    token = checkout_token(client)

    first = client.post("/checkout", {**EXPRESS_FORM, "district": "", "token": token})
    second = client.post("/checkout", {**EXPRESS_FORM, "token": token})

    assert first.status_code == 200
    assert second.status_code == 302
    assert Order.objects.filter(buyer=buyer).count() == 1


def test_a_double_tapped_place_order_buys_once() -> None:
    sku = product().skus.get()
    buyer = MemberFactory.create()
    client = browser(buyer)
    token = checkout_token(client, f"/checkout?sku={sku.pk}&quantity=1")
    form = {**EXPRESS_FORM, "token": token, "sku": sku.pk, "quantity": 1}

    first = client.post("/checkout", form)
    second = client.post("/checkout", form)

    assert first["Location"].startswith("/pay/sandbox/")
    assert second["Location"] == "/orders"
    assert Order.objects.filter(buyer=buyer).count() == 1


def test_store_pickup_at_the_merchants_store() -> None:
    shop = merchant()
    store = merchant_services.store_create(
        shop,
        kind="offline",
        name="Nanshan store",
        region_code="440305",
        address="路 1 号",
        latitude=22.5,
        longitude=113.9,
    )
    sku = product(shop).skus.get()
    buyer = MemberFactory.create()
    client = browser(buyer)
    client.post("/cart/add", {"sku": sku.pk, "quantity": 1})
    assert "Nanshan store" in page(client, "/checkout")

    response = place_order(client, delivery="pickup", store=store.pk)

    assert response.status_code == 302
    order = Order.objects.get(buyer=buyer)
    assert (order.delivery, order.pickup_store_id) == ("pickup", store.pk)


def test_region_lists_follow_the_province_and_city() -> None:
    client = browser()

    cities = page(client, "/checkout/regions?province=440000")
    districts = page(client, "/checkout/regions?province=440000&city=440300")
    mismatched = page(client, "/checkout/regions?province=110000&city=440300&district=440305")
    junk = client.get("/checkout/regions?province=%27%3B--&city=x")

    assert '<option value="440300">深圳市</option>' in cities
    assert "440305" not in cities
    assert '<option value="440305">南山区</option>' in districts
    assert '<option value="440300" selected>' in districts
    assert "440300" not in mismatched  # a city outside the province is dropped
    assert junk.status_code == 200


def test_without_the_sandbox_the_pay_page_names_the_configured_providers(
    settings: object,
) -> None:
    settings.SANDBOX_PAYMENTS = False  # type: ignore[attr-defined]
    sku = product().skus.get()
    buyer = MemberFactory.create()
    client = browser(buyer)
    client.post("/cart/add", {"sku": sku.pk, "quantity": 1})

    response = place_order(client)

    payment = Payment.objects.get(buyer=buyer)
    assert response["Location"] == f"/checkout/pay/{payment.payment_no}"
    body = page(client, response["Location"])
    assert "No payment method is set up yet." in body
    assert browser(MemberFactory.create()).get(response["Location"]).status_code == 404


def test_with_the_sandbox_the_pay_page_leads_to_it() -> None:
    buyer = MemberFactory.create()
    sku = product().skus.get()
    result = checkout.order_create(buyer=buyer, items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS)
    no = result.payment.payment_no

    response = browser(buyer).get(f"/checkout/pay/{no}")

    assert response["Location"] == f"/pay/sandbox/{no}"
    assert browser(MemberFactory.create()).get(f"/checkout/pay/{no}").status_code == 404


# --- orders -----------------------------------------------------------------------------------


def test_orders_list_shows_only_the_buyers_orders_newest_first() -> None:
    buyer = MemberFactory.create()
    first = paid_order(buyer)
    second = paid_order(buyer)
    someone_else = paid_order(MemberFactory.create())

    body = page(browser(buyer), "/orders")

    assert f'href="/orders/{second.pk}"' in body
    assert body.index(f'href="/orders/{second.pk}"') < body.index(f'href="/orders/{first.pk}"')
    assert f'href="/orders/{someone_else.pk}"' not in body
    assert ">To ship<" in body


def test_orders_list_is_paginated() -> None:
    buyer = MemberFactory.create()
    sku = product(stock=100).skus.get()
    for _ in range(21):
        checkout.order_create(buyer=buyer, items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS)
    client = browser(buyer)

    assert page(client, "/orders").count('class="panel order-card"') == 20
    assert page(client, "/orders?page=2").count('class="panel order-card"') == 1


def test_order_pages_are_the_buyers_alone() -> None:
    buyer = MemberFactory.create()
    order = paid_order(buyer)

    assert browser().get(f"/orders/{order.pk}")["Location"] == f"/login/?next=/orders/{order.pk}"
    assert browser(MemberFactory.create()).get(f"/orders/{order.pk}").status_code == 404
    assert browser(buyer).get("/orders/999999").status_code == 404
    body = page(browser(buyer), f"/orders/{order.pk}")
    assert "好物" in body
    assert re.search(r'class="price">¥25.00</span>\s*<span class="line-quantity">× 2<', body)
    assert "¥50.00" in body
    assert "广东省深圳市南山区" in body


def test_an_unpaid_order_has_a_pay_button() -> None:
    buyer = MemberFactory.create()
    sku = product().skus.get()
    result = checkout.order_create(buyer=buyer, items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS)

    body = page(browser(buyer), f"/orders/{result.orders[0].pk}")

    assert f'href="/checkout/pay/{result.payment.payment_no}"' in body


def test_the_buyer_confirms_receipt_of_a_shipped_order() -> None:
    buyer = MemberFactory.create()
    order = paid_order(buyer)
    order_services.order_ship(order, actor=order.merchant.owner, carrier="SF", tracking_no="SF9")
    client = browser(buyer)
    body = page(client, f"/orders/{order.pk}")
    assert "SF9" in body
    assert f'action="/orders/{order.pk}/confirm-receipt"' in body

    assert (
        browser(MemberFactory.create()).post(f"/orders/{order.pk}/confirm-receipt").status_code
        == 404
    )
    response = client.post(f"/orders/{order.pk}/confirm-receipt")

    assert response["Location"] == f"/orders/{order.pk}"
    assert Order.objects.get(pk=order.pk).status == "received"
    again = client.post(f"/orders/{order.pk}/confirm-receipt", follow=True).content.decode()
    assert "Only a shipped order can be confirmed as received." in again


def test_pickup_code_shows_on_the_order() -> None:
    shop = merchant()
    store = merchant_services.store_create(
        shop,
        kind="offline",
        name="店",
        region_code="440305",
        address="路 1 号",
        latitude=22.5,
        longitude=113.9,
    )
    buyer = MemberFactory.create()
    sku = product(shop).skus.get()
    result = checkout.order_create(
        buyer=buyer,
        items=[checkout.Item(sku.pk, 1)],
        delivery=checkout.Delivery("pickup", store_id=store.pk),
    )
    checkout.sandbox_complete(result.payment)
    order = Order.objects.get(pk=result.orders[0].pk)
    order_services.order_ready_for_pickup(order, actor=shop.owner)
    order.refresh_from_db()

    body = page(browser(buyer), f"/orders/{order.pk}")

    assert f'<p class="pickup-code" id="pickup-code">{order.pickup_code}</p>' in body


# --- after-sales ------------------------------------------------------------------------------


def test_the_buyer_asks_for_a_refund_of_some_units() -> None:
    buyer = MemberFactory.create()
    order = paid_order(buyer)
    line = order.lines.get()
    client = browser(buyer)
    assert f'href="/orders/{order.pk}/aftersales/new"' in page(client, f"/orders/{order.pk}")
    assert 'id="aftersale-form"' in page(client, f"/orders/{order.pk}/aftersales/new")

    response = client.post(
        f"/orders/{order.pk}/aftersales",
        {
            "type": "refund",
            "reason_code": "quality",
            f"quantity-{line.pk}": "1",
            "reason": "Arrived broken",
        },
    )

    aftersale = AfterSale.objects.get()
    assert response["Location"] == f"/aftersales/{aftersale.pk}"
    assert (aftersale.kind, aftersale.refund_fen, aftersale.reason) == (
        "refund",
        2500,
        "Arrived broken",
    )
    assert "Waiting for the merchant" in page(client, f"/aftersales/{aftersale.pk}")
    assert "Waiting for the merchant" in page(client, f"/orders/{order.pk}")
    # One unit left to ask about.
    assert 'name="quantity-' in page(client, f"/orders/{order.pk}/aftersales/new")


@pytest.mark.parametrize(
    ("quantity", "reason", "error"),
    [
        ("3", "Broken", "At most 2 more units of 好物 can be refunded."),
        ("0", "Broken", "Choose the lines and quantities to refund."),
        ("one", "Broken", "A quantity is a whole number."),
        ("1", "", "This field is required."),
    ],
)
def test_a_bad_refund_request_shows_an_error_and_asks_nothing(
    quantity: str, reason: str, error: str
) -> None:
    buyer = MemberFactory.create()
    order = paid_order(buyer)
    line = order.lines.get()

    response = browser(buyer).post(
        f"/orders/{order.pk}/aftersales",
        {
            "type": "refund",
            "reason_code": "quality",
            f"quantity-{line.pk}": quantity,
            "reason": reason,
        },
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert AfterSale.objects.count() == 0


def test_another_member_cannot_ask_about_an_order() -> None:
    order = paid_order(MemberFactory.create())
    line = order.lines.get()
    response = browser(MemberFactory.create()).post(
        f"/orders/{order.pk}/aftersales",
        {
            "type": "refund",
            "reason_code": "quality",
            f"quantity-{line.pk}": "1",
            "reason": "mine now",
        },
    )
    assert response.status_code == 404
    assert AfterSale.objects.count() == 0


def test_a_rejected_request_shows_the_answer_and_can_go_to_the_platform() -> None:
    buyer = MemberFactory.create()
    order = paid_order(buyer)
    aftersale = aftersale_services.aftersale_request(
        buyer=buyer, order=order, kind="refund", lines=[(order.lines.get().pk, 1)], reason="Late"
    )
    aftersale_services.aftersale_reject(
        aftersale, actor=order.merchant.owner, reason="It arrived on time"
    )
    client = browser(buyer)

    assert "Rejected by the merchant" in page(client, f"/orders/{order.pk}")
    body = page(client, f"/aftersales/{aftersale.pk}")
    assert "Rejected by the merchant" in body
    assert "It arrived on time" in body
    assert f'action="/aftersales/{aftersale.pk}/escalate"' in body

    assert (
        browser(MemberFactory.create())
        .post(f"/aftersales/{aftersale.pk}/escalate", {"statement": "x"})
        .status_code
        == 404
    )
    empty = client.post(f"/aftersales/{aftersale.pk}/escalate", {"statement": " "}, follow=True)
    assert "Tell the platform what went wrong." in empty.content.decode()
    assert Dispute.objects.count() == 0

    client.post(f"/aftersales/{aftersale.pk}/escalate", {"statement": "Tracking says late"})

    dispute = Dispute.objects.get()
    assert (dispute.aftersale_id, dispute.statement) == (aftersale.pk, "Tracking says late")
    assert "With the platform" in page(client, f"/aftersales/{aftersale.pk}")


def test_a_return_approved_by_the_job_before_the_shop_gave_an_address_says_to_ask_the_shop() -> (
    None
):
    buyer = MemberFactory.create()
    order = paid_order(buyer)
    order_services.order_ship(order, actor=order.merchant.owner, carrier="SF", tracking_no="SF1")
    line = order.lines.get()
    client = browser(buyer)
    client.post(
        f"/orders/{order.pk}/aftersales",
        {
            "type": "return_refund",
            "reason_code": "quality",
            f"quantity-{line.pk}": "1",
            "reason": "Wrong size",
        },
    )
    returned = AfterSale.objects.get()
    aftersale_services.aftersale_approve(returned, actor=None)  # the job: the shop was silent

    body = page(client, f"/aftersales/{returned.pk}")

    assert 'id="return-address"' in body
    assert "The shop has not given a return address yet." in body


def test_an_approved_return_takes_the_tracking_number_and_a_request_can_be_withdrawn() -> None:
    buyer = MemberFactory.create()
    order = paid_order(buyer)
    order_services.order_ship(order, actor=order.merchant.owner, no_logistics=True)
    order.refresh_from_db()
    line = order.lines.get()
    client = browser(buyer)
    client.post(
        f"/orders/{order.pk}/aftersales",
        {
            "type": "return_refund",
            "reason_code": "quality",
            f"quantity-{line.pk}": "1",
            "reason": "Wrong size",
        },
    )
    returned = AfterSale.objects.get()
    assert 'id="return-address"' not in page(client, f"/aftersales/{returned.pk}")
    with_return_address(order.merchant)
    aftersale_services.aftersale_approve(returned, actor=order.merchant.owner)

    approved = page(client, f"/aftersales/{returned.pk}")
    assert "Approved: send the goods back" in approved
    sent_to = approved[approved.index('id="return-address"') :]
    assert "退货组" in sent_to and "13900001111" in sent_to
    assert "广东省深圳市南山区 科技园 9 号仓" in sent_to
    client.post(f"/aftersales/{returned.pk}/return", {"carrier": "SF", "tracking_no": "SF77"})
    returned.refresh_from_db()
    assert (returned.status, returned.return_tracking_no) == ("return_shipped", "SF77")

    client.post(
        f"/orders/{order.pk}/aftersales",
        {
            "type": "refund",
            "reason_code": "quality",
            f"quantity-{line.pk}": "1",
            "reason": "Changed my mind",
        },
    )
    second = AfterSale.objects.exclude(pk=returned.pk).get()
    client.post(f"/aftersales/{second.pk}/cancel")
    second.refresh_from_db()
    assert second.status == "cancelled"


# --- experience posts -------------------------------------------------------------------------


def test_the_buyer_posts_about_a_received_line_with_a_photo() -> None:
    buyer = MemberFactory.create()
    order = received_order(buyer)
    line = order.lines.get()
    client = browser(buyer)
    url = f"/orders/{order.pk}/lines/{line.pk}/post"
    assert f'href="{url}"' in page(client, f"/orders/{order.pk}")
    form = page(client, url)
    assert 'enctype="multipart/form-data"' in form
    assert 'accept="image/jpeg,image/png,image/webp"' in form
    assert "multiple" in form

    response = client.post(url, {"text": "Lovely tea", "rating": "4", "images": [png()]})

    post = Post.objects.get()
    assert response["Location"] == f"/posts/{post.pk}"
    assert (post.author_id, post.order_line_id, post.text, post.rating) == (
        buyer.pk,
        line.pk,
        "Lovely tea",
        4,
    )
    assert post.images.count() == 1
    assert post.share_link is not None
    landed = page(client, response["Location"])
    assert f"/s/{post.share_link.code}" in landed
    assert f'href="/posts/{post.pk}"' in page(client, f"/orders/{order.pk}")


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"text": "Nice", "rating": "5", "images": "bad"}, "Photo 1:"),
        ({"text": "", "rating": "5"}, "This field is required."),
        ({"text": "x" * 2001, "rating": "5"}, "at most 2000 characters"),
        ({"text": "Nice", "rating": "6"}, "Select a valid choice."),
        ({"text": "加微信 123", "rating": "5"}, "words the platform does not allow"),
    ],
)
def test_the_composer_shows_errors_and_posts_nothing(fields: dict[str, str], error: str) -> None:
    buyer = MemberFactory.create()
    order = received_order(buyer)
    line = order.lines.get()
    data: dict[str, object] = dict(fields)
    if fields.get("images") == "bad":
        data["images"] = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")

    response = browser(buyer).post(f"/orders/{order.pk}/lines/{line.pk}/post", data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Post.objects.count() == 0


def test_the_composer_refuses_lines_not_received_and_other_peoples_lines() -> None:
    buyer = MemberFactory.create()
    order = paid_order(buyer)
    line = order.lines.get()
    url = f"/orders/{order.pk}/lines/{line.pk}/post"

    assert "You can post once you have received the order." in page(browser(buyer), url)
    posted = browser(buyer).post(url, {"text": "Early", "rating": "5"})
    assert "You can post once you have received the order." in posted.content.decode()
    assert browser(MemberFactory.create()).get(url).status_code == 404
    assert browser(buyer).get(f"/orders/{order.pk}/lines/999999/post").status_code == 404
    assert Post.objects.count() == 0


def test_a_line_posted_about_once_cannot_be_posted_again() -> None:
    buyer = MemberFactory.create()
    order = received_order(buyer)
    line = order.lines.get()
    url = f"/orders/{order.pk}/lines/{line.pk}/post"
    client = browser(buyer)
    client.post(url, {"text": "First", "rating": "5"})

    assert "You have already posted about this order line." in page(client, url)
    assert Post.objects.count() == 1


# --- every page: login, CSP, markup, narrow screens -------------------------------------------


@pytest.mark.parametrize("url", ["/checkout", "/orders", "/orders/1", "/orders/1/lines/1/post"])
def test_member_pages_send_strangers_to_log_in(url: str) -> None:
    response = browser().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_buyer_pages_carry_a_csp_and_no_inline_code() -> None:
    buyer = MemberFactory.create()
    order = received_order(buyer)
    line = order.lines.get()
    item = product()
    client = browser(buyer)
    client.post("/cart/add", {"sku": item.skus.get().pk, "quantity": 1})
    urls = [
        f"/p/{item.pk}",
        "/cart",
        "/checkout",
        "/orders",
        f"/orders/{order.pk}",
        f"/orders/{order.pk}/lines/{line.pk}/post",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        body = response.content.decode()
        assert_clean_markup(body)
        # The storefront's product page has its own stylesheet; the buying pages share one.
        stylesheet = "product.css" if url.startswith("/p/") else "buyer.css"
        assert f"/static/web/{stylesheet}" in body
    panel = client.post(f"/p/{item.pk}/share", headers=HTMX).content.decode()
    assert_clean_markup(panel)


def test_buyer_css_has_no_fixed_width_wider_than_a_phone() -> None:
    css = (Path(sharemall.web.__file__).parent / "static" / "web" / "buyer.css").read_text()
    widths = [int(px) for px in re.findall(r"(?<![-\w])(?:min-)?width\s*:\s*(\d+)px", css)]
    assert widths  # the pattern does find widths
    assert max(widths) <= 375
    assert not re.search(r"(?<![-\w])width\s*:\s*\d{3,}(?:em|rem)", css)
