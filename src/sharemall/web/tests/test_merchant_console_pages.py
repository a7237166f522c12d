"""The merchant console as a shop runs it day to day: order numbers people quote, the shop's
own name in the sidebar, Chinese throughout the Chinese console, and photos uploaded with the
shared widget."""

from __future__ import annotations

import re

import pytest
from conftest import Api
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.factories import merchant, product

from sharemall.catalog.models import ProductImage
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant, Store
from sharemall.web import forms as shared
from sharemall.web.buyer import forms as buyer_forms
from sharemall.web.merchant import forms as merchant_forms
from sharemall.web.tests.test_merchant_pages import (
    ask_refund,
    page,
    paid_order,
    png,
    signed_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def zh_client() -> Client:
    return Client(headers={"accept-language": "zh-hans"})


# --- order numbers ------------------------------------------------------------------------------


def test_the_orders_table_leads_with_the_order_number_and_finds_it(
    api: Api, client: Client
) -> None:
    shop = merchant()
    first, second = paid_order(api, shop), paid_order(api, shop)
    signed_in(client, shop.owner)

    listing = page(client, "/merchant/orders")
    found = page(client, "/merchant/orders", q=first.order_no[-8:])

    head = re.search(r"<thead>.*?</thead>", listing, re.S)
    assert head is not None
    assert re.search(r"<th[^>]*>\s*<input[^>]*>\s*</th>\s*<th[^>]*>\s*<a[^>]*>Order no\.", head[0])
    assert f">{first.order_no}</a>" in listing
    assert f">{first.order_no}</a>" in found
    assert f">{second.order_no}</a>" not in found


def test_the_order_page_is_headed_by_its_number(api: Api, client: Client) -> None:
    shop = merchant()
    order = paid_order(api, shop)
    signed_in(client, shop.owner)

    body = page(client, f"/merchant/orders/{order.pk}")

    assert re.search(rf"<h1>Order {order.order_no}</h1>", body)
    assert f'<dd class="mc-order-no">{order.order_no}</dd>' in body
    assert f"<title>Order {order.order_no} · " in body


def test_after_sales_show_and_find_the_order_number(api: Api, client: Client) -> None:
    shop = merchant()
    request = ask_refund(api, paid_order(api, shop))
    other = ask_refund(api, paid_order(api, shop))
    signed_in(client, shop.owner)

    listing = page(client, "/merchant/aftersales", q=request.order.order_no)
    detail = page(client, f"/merchant/aftersales/{request.pk}")

    assert f'href="/merchant/orders/{request.order_id}">{request.order.order_no}</a>' in listing
    assert f'href="/merchant/aftersales/{other.pk}"' not in listing
    assert f">{request.order.order_no}</a>" in detail


# --- product photos -----------------------------------------------------------------------------


def test_buyers_and_merchants_upload_photos_through_one_shared_field() -> None:
    assert isinstance(buyer_forms.PostForm.base_fields["images"], shared.PhotosField)
    assert isinstance(buyer_forms.AfterSaleForm.base_fields["photos"], shared.PhotosField)
    assert isinstance(merchant_forms.ImageForm.base_fields["images"], shared.PhotosField)


def test_the_product_page_previews_photos_in_the_upload_grid(client: Client) -> None:
    shop = merchant()
    item = product(shop)
    signed_in(client, shop.owner)

    body = page(client, f"/merchant/products/{item.pk}")

    assert 'data-upload data-max="9"' in body
    assert 'enctype="multipart/form-data"' in body
    assert re.search(r'<input type="file" name="images"[^>]*multiple', body)
    assert "/static/web/upload.js" in body
    assert "/static/web/upload.css" in body


def test_several_photos_are_added_at_once_up_to_the_room_left(client: Client) -> None:
    shop = merchant()
    item = product(shop)
    signed_in(client, shop.owner)

    client.post(f"/merchant/products/{item.pk}/images", {"images": [png(), png((60, 40))]})

    assert list(
        ProductImage.objects.filter(product=item).order_by("position").values_list("width")
    ) == [(40,), (60,)]
    assert 'data-upload data-max="7"' in page(client, f"/merchant/products/{item.pk}")
    too_many = client.post(
        f"/merchant/products/{item.pk}/images", {"images": [png() for _ in range(8)]}, follow=True
    )
    assert "Send at most 7 photos." in too_many.content.decode()
    assert ProductImage.objects.filter(product=item).count() == 2


def test_a_bad_photo_among_good_ones_adds_none(client: Client) -> None:
    shop = merchant()
    item = product(shop)
    signed_in(client, shop.owner)
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")

    client.post(f"/merchant/products/{item.pk}/images", {"images": [png(), fake]})

    assert not ProductImage.objects.filter(product=item).exists()


# --- the shop's name ----------------------------------------------------------------------------


def online_shop(shop: Merchant, name: str) -> Store:
    store = Store.objects.get(merchant=shop, kind=Store.Kind.ONLINE)
    return merchant_services.store_update(store, name=name)


def test_the_sidebar_names_the_shop_and_only_certification_the_company(client: Client) -> None:
    shop = merchant(legal_name="杭州好茶有限公司")
    online_shop(shop, "好茶官方旗舰店")
    signed_in(client, shop.owner)

    orders = page(client, "/merchant/orders")
    certification = page(client, "/merchant/certification")

    assert '<span class="cs-shop-name">好茶官方旗舰店</span>' in orders
    assert "杭州好茶有限公司" not in orders
    assert "杭州好茶有限公司" in certification


def test_the_shop_switcher_lists_shops_by_their_names(client: Client) -> None:
    first = merchant()
    second = merchant(legal_name="第二商户有限公司")
    online_shop(second, "第二家茶铺")
    merchant_services.staff_add(second, phone=first.owner.phone)
    signed_in(client, first.owner)

    body = page(client, "/merchant/", merchant=second.pk)

    assert f'<option value="{second.pk}" selected>第二家茶铺</option>' in body
    assert "第二商户有限公司" not in body


# --- Chinese throughout the Chinese console ------------------------------------------------------


def test_the_dashboard_reads_in_chinese(api: Api, zh_client: Client) -> None:
    shop = merchant()
    paid_order(api, shop)
    signed_in(zh_client, shop.owner)

    body = page(zh_client, "/merchant/", days="7")

    for text in [
        "成交额",
        "支付订单",
        "支付转化率",
        "佣金成本率",
        "近 7 天",
        "7 天",
        "30 天",
        "90 天",
    ]:
        assert text in body, text
    assert 'aria-label="页面路径"' in body  # the breadcrumbs, not Django admin's wording
    for english in ["GMV", "Paid orders", "The last", " days<", "Breadcrumbs"]:
        assert english not in body, english


def test_the_orders_table_and_order_history_read_in_chinese(api: Api, zh_client: Client) -> None:
    shop = merchant()
    order = paid_order(api, shop)
    order.events.create(
        from_status="received", to_status="completed", note="after-sales window closed"
    )
    signed_in(zh_client, shop.owner)

    listing = page(zh_client, "/merchant/orders")
    detail = page(zh_client, f"/merchant/orders/{order.pk}")

    for text in ["订单编号", "筛选", "导出所选", "订单编号、买家手机号、收货人或商品", "下单时间"]:
        assert text in listing, text
    assert "售后期已结束" in detail
    assert "after-sales window closed" not in detail
