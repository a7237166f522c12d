"""The buyer pages as a shop: the cart by shop with pictures, ticks and steppers; checking out
only what is ticked; checkout's error summary; orders by status tab with counts, order numbers
and one next step; after-sales on pages of their own, with photos."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import DjangoAssertNumQueries
from tests.factories import MemberFactory, merchant, product

from sharemall.aftersales import services as aftersale_services
from sharemall.aftersales.models import AfterSale, AfterSalePhoto
from sharemall.catalog.models import Product, ProductImage
from sharemall.merchants.models import Merchant, Store
from sharemall.orders import selectors as order_selectors
from sharemall.orders import services as order_services
from sharemall.orders.models import Order, OrderLine
from sharemall.posts import services as post_services
from sharemall.web.tests.support import (
    EXPRESS_FORM,
    HTMX,
    browser,
    order_in,
    page,
    png,
)

pytestmark = pytest.mark.django_db

# An order tab and the count on its corner.
TAB_COUNT = (
    r'data-tab="{tab}">\s*<span class="tab-label">[^<]*'
    r'<span class="tab-count" data-count="{count}"'
)


def shop(name: str, legal_name: str) -> Merchant:
    m = merchant(legal_name=legal_name)
    Store.objects.filter(merchant=m, kind=Store.Kind.ONLINE).update(name=name)
    return m


def pictured(m: Merchant, title: str, price_fen: int = 1000) -> Product:
    item = product(m, title=title, price_fen=price_fen, stock=20)
    ProductImage.objects.create(
        product=item, image=f"products/{title.replace(' ', '-')}.png", position=0
    )
    return item


# --- cart -------------------------------------------------------------------------------------


def test_the_cart_groups_lines_under_shop_names_with_pictures_and_ticks() -> None:
    tea_shop = shop("茶小铺", "深圳市茶叶贸易有限公司")
    cup_shop = shop("杯子店", "广州杯具制造有限公司")
    tea = pictured(tea_shop, "Green tea", 1250)
    cup = product(cup_shop, title="Cup", price_fen=300)
    client = browser()
    client.post("/cart/add", {"sku": tea.skus.get().pk, "quantity": 2})
    client.post("/cart/add", {"sku": cup.skus.get().pk, "quantity": 1})

    body = page(client, "/cart")
    body = body[body.index("cart-page") :]  # past the "Added …" messages

    assert "茶小铺" in body and "杯子店" in body
    assert "有限公司" not in body  # the legal names are for licences, not shoppers
    assert body.index("茶小铺") < body.index("Green tea") < body.index("杯子店") < body.index("Cup")
    assert 'src="/media/products/Green-tea.png"' in body
    assert '<span class="thumb-letter">C</span>' in body  # no picture: the title's letter
    ticks = re.findall(r'<input type="checkbox" class="tick" name="pick" value="(\d+)"', body)
    assert ticks == [str(tea.skus.get().pk), str(cup.skus.get().pk)]
    assert body.count("data-tick-group") == 2
    assert "data-tick-all" in body
    assert 'form="cart-checkout"' in body
    assert re.search(r"data-cart-count>3<", body)  # units ticked
    assert "¥28.00" in body  # 2 × ¥12.50 + ¥3.00


def test_the_stepper_adds_and_takes_one_and_redraws_only_the_line_with_htmx() -> None:
    sku = product(price_fen=500, stock=3).skus.get()
    client = browser()
    client.post("/cart/add", {"sku": sku.pk, "quantity": 1})
    body = page(client, "/cart")
    assert 'name="step" value="-1"' in body and 'name="step" value="1"' in body
    assert re.search(r'value="-1" class="stepper-button" aria-label="One fewer" disabled', body)

    line = client.post(f"/cart/{sku.pk}/quantity", {"quantity": "1", "step": "1"}, headers=HTMX)

    assert client.session["cart"] == {str(sku.pk): 2}
    html = line.content.decode()
    assert html.lstrip().startswith(f'<div class="cart-line-body" id="cart-line-body-{sku.pk}"')
    assert 'data-amount="1000"' in html and 'data-quantity="2"' in html
    assert "<html" not in html and 'name="pick"' not in html  # the tick is left alone

    client.post(f"/cart/{sku.pk}/quantity", {"quantity": "2", "step": "1"})
    assert client.session["cart"] == {str(sku.pk): 3}
    at_stock = page(client, "/cart")
    assert re.search(r'value="1" class="stepper-button" aria-label="One more" disabled', at_stock)

    client.post(f"/cart/{sku.pk}/quantity", {"quantity": "3", "step": "-1"})
    assert client.session["cart"] == {str(sku.pk): 2}
    client.post(f"/cart/{sku.pk}/quantity", {"quantity": "7"})  # typed into the box
    assert client.session["cart"] == {str(sku.pk): 7}


def test_checkout_takes_only_the_ticked_lines_and_leaves_the_rest_in_the_cart() -> None:
    kept = product(title="Kept for later", price_fen=700).skus.get()
    bought = product(title="Bought now", price_fen=900).skus.get()
    buyer = MemberFactory.create()
    client = browser(buyer)
    client.post("/cart/add", {"sku": kept.pk, "quantity": 1})
    client.post("/cart/add", {"sku": bought.pk, "quantity": 2})

    body = page(client, f"/checkout?pick={bought.pk}")
    body = body[body.index("checkout-page") :]  # past the "Added …" messages

    assert "Bought now" in body and "Kept for later" not in body
    assert f'<input type="hidden" name="pick" value="{bought.pk}">' in body
    token = re.search(r'name="token" value="([^"]+)"', body)
    assert token is not None
    placed = client.post(
        "/checkout", {**EXPRESS_FORM, "token": token.group(1), "pick": [str(bought.pk)]}
    )

    assert placed.status_code == 302
    order = Order.objects.get(buyer=buyer)
    assert [(line.sku_id, line.quantity) for line in order.lines.all()] == [(bought.pk, 2)]
    assert client.session["cart"] == {str(kept.pk): 1}


def test_checkout_with_nothing_ticked_goes_back_to_the_cart() -> None:
    sku = product().skus.get()
    client = browser(MemberFactory.create())
    client.post("/cart/add", {"sku": sku.pk, "quantity": 1})

    response = client.get("/checkout?pick=", follow=True)

    assert response.redirect_chain[-1][0] == "/cart"
    assert "Tick what you want to check out." in response.content.decode()


# --- checkout ---------------------------------------------------------------------------------


def test_checkout_sums_up_every_missing_field_at_the_top_with_links() -> None:
    sku = product(stock=5).skus.get()
    client = browser(MemberFactory.create())
    client.post("/cart/add", {"sku": sku.pk, "quantity": 1})
    token = re.search(r'name="token" value="([^"]+)"', page(client, "/checkout"))
    assert token is not None

    body = client.post("/checkout", {"delivery": "express", "token": token.group(1)})
    html = body.content.decode()

    summary = html[
        html.index('id="error-summary"') : html.index("</ul>", html.index("error-summary"))
    ]
    assert "data-error-summary" in summary
    for anchor, text in (
        ("#id_district", "Choose the district to deliver to."),
        ("#id_address", "Enter the delivery address."),
        ("#id_receiver", "Enter who receives the parcel."),
        ("#id_phone", "Enter the receiver&#x27;s mobile number."),
    ):
        assert f'href="{anchor}"' in summary and text in summary
    assert "Choose the store" not in summary  # only the chosen way's fields are asked for
    assert Order.objects.count() == 0


def test_checkout_for_pickup_asks_only_for_the_store() -> None:
    sku = product(stock=5).skus.get()
    client = browser(MemberFactory.create())
    client.post("/cart/add", {"sku": sku.pk, "quantity": 1})
    token = re.search(r'name="token" value="([^"]+)"', page(client, "/checkout"))
    assert token is not None

    html = client.post("/checkout", {"delivery": "pickup", "token": token.group(1)}).content
    summary = html.decode().split('id="error-summary"')[1].split("</ul>")[0]

    assert 'href="#pickup-fields"' in summary and "Choose the store to pick up at." in summary
    assert "address" not in summary


def test_checkout_shows_pictures_shop_names_and_a_bottom_bar_with_the_total() -> None:
    item = pictured(shop("茶小铺", "某某有限公司"), "Oolong", 3300)
    client = browser(MemberFactory.create())
    client.post("/cart/add", {"sku": item.skus.get().pk, "quantity": 1})

    body = page(client, "/checkout")

    assert "茶小铺" in body and "某某有限公司" not in body
    assert 'src="/media/products/Oolong.png"' in body
    assert 'class="segmented"' in body
    assert 'class="panel delivery-section express-fields stacked"' in body
    assert 'class="panel delivery-section pickup-fields"' in body
    bar = body[body.index('class="bottom-bar submit-bar"') :]
    assert "¥33.00" in bar and 'type="submit"' in bar


# --- orders -----------------------------------------------------------------------------------


def test_buyer_status_counts_count_each_tab_in_one_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    buyer = MemberFactory.create()
    order_in(buyer, "pending_payment")
    order_in(buyer, "pending_payment")
    order_in(buyer, "paid")
    order_in(buyer, "shipped")
    received = order_in(buyer, "received")
    reviewed = order_in(buyer, "received")
    post_services.post_create(
        author=buyer, order_line_id=reviewed.lines.get().pk, text="Good", rating=5, images=[]
    )
    asked = order_in(buyer, "paid")
    aftersale_services.aftersale_request(
        buyer=buyer, order=asked, kind="refund", lines=[(asked.lines.get().pk, 1)], reason="Late"
    )
    order_in(MemberFactory.create(), "pending_payment")  # someone else's

    with django_assert_num_queries(1):
        counts = order_selectors.buyer_status_counts(buyer.pk)

    assert counts == {
        "unpaid": 2,
        "to_ship": 2,
        "to_receive": 1,
        "to_review": 1,
        "aftersales": 1,
    }
    assert list(order_selectors.orders_of_buyer_tab(buyer, "to_review")) == [received]


def test_the_orders_page_has_status_tabs_with_counts_and_lists_one_tab() -> None:
    buyer = MemberFactory.create()
    unpaid = order_in(buyer, "pending_payment", title="Unpaid tea")
    shipped = order_in(buyer, "shipped", title="Shipped cup")
    received = order_in(buyer, "received", title="Received pot")
    client = browser(buyer)

    body = page(client, "/orders")

    start = body.index('class="order-tabs"')
    tabs = body[start : body.index("</nav>", start)]
    assert re.findall(r'href="/orders(?:\?status=(\w+))?"', tabs) == [
        "",
        "unpaid",
        "to_ship",
        "to_receive",
        "to_review",
        "aftersales",
    ]
    assert 'aria-current="page" data-tab="all"' in tabs
    counts = dict(re.findall(TAB_COUNT.format(tab=r"(\w+)", count=r"(\d+)"), tabs))
    assert counts == {"unpaid": "1", "to_receive": "1", "to_review": "1"}
    for order in (unpaid, shipped, received):
        assert f'href="/orders/{order.pk}"' in body
        assert order.order_no in body

    only_shipped = page(client, "/orders?status=to_receive")
    assert f'href="/orders/{shipped.pk}"' in only_shipped
    assert f'href="/orders/{unpaid.pk}"' not in only_shipped
    assert f'href="/orders/{received.pk}"' not in only_shipped
    assert 'aria-current="page" data-tab="to_receive"' in only_shipped
    assert 'href="/orders/' in page(client, "/orders?status=nonsense")  # unknown: all


def test_each_order_card_offers_one_next_step() -> None:
    buyer = MemberFactory.create()
    unpaid = order_in(buyer, "pending_payment")
    shipped = order_in(buyer, "shipped")
    received = order_in(buyer, "received")
    paid = order_in(buyer, "paid")

    body = page(browser(buyer), "/orders")

    def card(order: Order) -> str:
        start = body.index(f'id="order-{order.pk}"')
        return body[start : body.index("</li>", start)]

    assert f'href="/checkout/pay/{unpaid.payment.payment_no}" data-action="pay"' in card(unpaid)
    confirm = card(shipped)
    assert f'action="/orders/{shipped.pk}/confirm-receipt" data-confirm="' in confirm
    assert re.search(r'data-confirm="[^"]*cannot be undone', confirm)
    line = received.lines.get()
    assert f'href="/orders/{received.pk}/lines/{line.pk}/post" data-action="post"' in card(received)
    assert "data-action" not in card(paid)  # waiting on the shop: nothing to press


def test_the_order_page_shows_the_number_status_lines_amounts_and_history() -> None:
    buyer = MemberFactory.create()
    order = order_in(buyer, "shipped")

    body = page(browser(buyer), f"/orders/{order.pk}")

    assert f'<dd class="order-no-value" id="order-no">{order.order_no}</dd>' in body
    assert 'id="order-status">To receive<' in body
    assert re.search(r'data-confirm="[^"]+"', body)
    assert f'action="/orders/{order.pk}/confirm-receipt"' in body
    history = body[body.index('class="timeline"') :]
    assert history.index("Shipped by the shop") < history.index("Payment received")
    assert history.index("Payment received") < history.index("Order placed")
    assert f'href="/orders/{order.pk}/aftersales/new"' in body
    assert 'id="aftersale-form"' not in body  # asking has its own page


def test_an_order_shipped_without_logistics_says_so() -> None:
    buyer = MemberFactory.create()
    order = order_in(buyer, "paid")
    order_services.order_ship(order, actor=order.merchant.owner, no_logistics=True)

    body = page(browser(buyer), f"/orders/{order.pk}")

    assert '<p class="tracking-row" id="no-logistics">No logistics needed</p>' in body
    assert "Tracking:" not in body


def test_a_received_order_everything_refunded_reads_refunded_in_the_list_and_page() -> None:
    buyer = MemberFactory.create()
    reviewed_later = order_in(buyer, "received")
    refunded = order_in(buyer, "received")
    line = refunded.lines.get()
    OrderLine.objects.filter(pk=line.pk).update(
        claimed_quantity=line.quantity,
        claimed_fen=line.paid_fen,
        refunded_quantity=line.quantity,
        refunded_fen=line.paid_fen,
    )
    client = browser(buyer)

    listed = page(client, "/orders")
    assert listed.count('class="order-status status-received">Refunded<') == 1
    assert ">To review<" in listed  # the other one still waits for the buyer's post
    assert 'id="order-status">Refunded<' in page(client, f"/orders/{refunded.pk}")
    assert 'id="order-status">To review<' in page(client, f"/orders/{reviewed_later.pk}")


# --- after-sales ------------------------------------------------------------------------------


def test_an_after_sales_request_with_photos_has_its_own_page_and_tab() -> None:
    buyer = MemberFactory.create()
    order = order_in(buyer, "shipped")
    line = order.lines.get()
    client = browser(buyer)

    form = page(client, f"/orders/{order.pk}/aftersales/new")
    assert 'enctype="multipart/form-data"' in form
    assert 'data-upload data-max="9"' in form
    assert f'name="quantity-{line.pk}" value="1"' in form  # one line: all of it to start
    assert 'value="return_refund"' in form  # shipped: the goods can go back

    sent = client.post(
        f"/orders/{order.pk}/aftersales",
        {
            "type": "return_refund",
            "reason_code": "quality",
            f"quantity-{line.pk}": "1",
            "reason": "Cracked lid",
            "photos": [png(), png()],
        },
    )

    aftersale = AfterSale.objects.get()
    assert sent["Location"] == f"/aftersales/{aftersale.pk}"
    assert AfterSalePhoto.objects.filter(aftersale=aftersale).count() == 2
    detail = page(client, f"/aftersales/{aftersale.pk}")
    assert "Cracked lid" in detail and "Waiting for the merchant" in detail
    assert detail.count('class="photo-cell"') == 2
    assert order.order_no in detail
    listed = page(client, "/orders?status=aftersales")
    assert f'href="/aftersales/{aftersale.pk}"' in listed
    assert re.search(TAB_COUNT.format(tab="aftersales", count="1"), listed)

    withdrawn = client.post(f"/aftersales/{aftersale.pk}/cancel")
    assert withdrawn["Location"] == f"/aftersales/{aftersale.pk}"
    assert AfterSale.objects.get().status == "cancelled"


def test_a_bad_photo_or_too_many_photos_ask_nothing_and_say_why() -> None:
    buyer = MemberFactory.create()
    order = order_in(buyer, "paid")
    line = order.lines.get()
    client = browser(buyer)
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")

    one_bad = client.post(
        f"/orders/{order.pk}/aftersales",
        {
            "type": "refund",
            "reason_code": "quality",
            f"quantity-{line.pk}": "1",
            "reason": "Late",
            "photos": [fake],
        },
    )
    too_many = client.post(
        f"/orders/{order.pk}/aftersales",
        {
            "type": "refund",
            "reason_code": "quality",
            f"quantity-{line.pk}": "1",
            "reason": "Late",
            "photos": [png() for _ in range(10)],
        },
    )

    assert one_bad.status_code == too_many.status_code == 200
    assert 'href="#upload-photos"' in one_bad.content.decode()
    assert "Send at most 9 photos." in too_many.content.decode()
    assert AfterSale.objects.count() == 0
    assert 'value="1"' in too_many.content.decode()  # what was typed comes back


def test_another_members_after_sales_page_is_not_found() -> None:
    buyer = MemberFactory.create()
    order = order_in(buyer, "paid")
    aftersale = aftersale_services.aftersale_request(
        buyer=buyer, order=order, kind="refund", lines=[(order.lines.get().pk, 1)], reason="x"
    )
    assert browser(MemberFactory.create()).get(f"/aftersales/{aftersale.pk}").status_code == 404
    assert (
        browser(MemberFactory.create()).get(f"/orders/{order.pk}/aftersales/new").status_code == 404
    )


def test_the_post_composer_uses_the_photo_grid() -> None:
    buyer = MemberFactory.create()
    order = order_in(buyer, "received")
    body = page(browser(buyer), f"/orders/{order.pk}/lines/{order.lines.get().pk}/post")
    assert 'data-upload data-max="9"' in body
    assert 'class="photo-grid" data-upload-grid' in body
    assert '<script src="/static/web/upload.js" defer></script>' in body
    assert "/static/web/upload.css" in body  # the photo grid's look, for buyer and merchant alike
