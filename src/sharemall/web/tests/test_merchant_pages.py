"""The merchant console (/merchant/): the same permission checks and services as the API, as
pages a merchant clicks through on a phone."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from conftest import Api
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from tests.factories import MemberFactory, OperatorFactory, merchant, product, valid_uscc
from tests.flows import ADDRESS

from sharemall.accounts.models import Member
from sharemall.aftersales.models import AfterSale
from sharemall.catalog.models import Product, ProductImage, Sku
from sharemall.distribution.models import CommissionPlan, PlanChange
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant, Staff, Store
from sharemall.orders.models import Order
from sharemall.platform import services as platform
from sharemall.web.merchant.forms import bp_to_percent, percent_to_bp

pytestmark = pytest.mark.django_db

BAD_USCC = "91440300MA5ABCDE12"


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


def signed_in(client: Client, member: Member) -> Client:
    client.force_login(member)
    return client


def page(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def png(size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def application(**changes: Any) -> dict[str, Any]:
    return {
        "legal_name": "杭州好茶有限公司",
        "uscc": valid_uscc(),
        "legal_rep": "李四",
        "contact_phone": "13900001111",
        **changes,
    }


def offline_store(shop: Merchant, name: str = "西湖店") -> Store:
    return merchant_services.store_create(
        shop,
        kind=Store.Kind.OFFLINE,
        name=name,
        region_code="330106",
        address="龙井路 1 号",
        latitude=30.25,
        longitude=120.13,
    )


def paid_order(api: Api, shop: Merchant, *, delivery: dict[str, Any] | None = None) -> Order:
    item = product(shop, price_fen=5000)
    buyer = MemberFactory.create()
    created = api.post(
        "/orders",
        {"items": [{"sku_id": item.skus.get().pk, "quantity": 2}], "delivery": delivery or ADDRESS},
        as_=buyer,
    )
    assert created.status == 201, created.body
    paid = api.post(f"/payments/sandbox/{created.body['payment_id']}/complete", as_=buyer)
    assert paid.status == 200, paid.body
    return Order.objects.get(pk=created.body["orders"][0]["id"])


# --- who may open the console -------------------------------------------------------------------

CONSOLE_URLS = [
    "/merchant/",
    "/merchant/stores",
    "/merchant/stores/new",
    "/merchant/staff",
    "/merchant/products",
    "/merchant/products/new",
    "/merchant/products/import",
    "/merchant/products/1",
    "/merchant/products/1/plan",
    "/merchant/plan",
    "/merchant/orders",
    "/merchant/orders/1",
    "/merchant/pickups",
    "/merchant/aftersales",
    "/merchant/aftersales/1",
    "/merchant/wechat",
]


@pytest.mark.parametrize("url", CONSOLE_URLS)
def test_strangers_are_sent_to_log_in(client: Client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("url", CONSOLE_URLS[1:])
def test_a_member_without_a_merchant_is_sent_to_apply(client: Client, url: str) -> None:
    signed_in(client, MemberFactory.create())

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == "/merchant/"


# --- application and certification -------------------------------------------------------------


def test_a_member_without_a_merchant_sees_the_application_form(client: Client) -> None:
    signed_in(client, MemberFactory.create())

    body = page(client, "/merchant/")

    assert "Open a shop on ShareMall" in body
    for field in ("legal_name", "uscc", "legal_rep", "contact_phone", "licence"):
        assert f'name="{field}"' in body
    assert 'enctype="multipart/form-data"' in body


def test_the_application_is_submitted_with_its_licence_photo(client: Client) -> None:
    member = MemberFactory.create()
    signed_in(client, member)
    data = application(licence=png())

    response = client.post("/merchant/", data)

    assert response.status_code == 302
    assert response["Location"] == "/merchant/"
    shop = Merchant.objects.get(owner=member)
    assert shop.status == "submitted"
    assert shop.uscc == data["uscc"]
    assert shop.legal_name == "杭州好茶有限公司"
    assert (shop.licence_image.name or "").startswith("licences/")
    assert Staff.objects.filter(merchant=shop, member=member, role="owner").exists()
    body = page(client, "/merchant/")
    assert "waiting for the platform's review" in body
    assert "Your application was sent." in body


def test_a_bad_uscc_shows_its_message_and_creates_nothing(client: Client) -> None:
    signed_in(client, MemberFactory.create())

    response = client.post("/merchant/", application(uscc=BAD_USCC))

    assert response.status_code == 200
    assert f"{BAD_USCC} is not a valid unified social credit code." in response.content.decode()
    assert Merchant.objects.count() == 0


def test_a_bad_licence_photo_leaves_no_application_behind(client: Client) -> None:
    signed_in(client, MemberFactory.create())
    fake = SimpleUploadedFile("licence.png", b"not an image", content_type="image/png")

    response = client.post("/merchant/", application(licence=fake))

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert Merchant.objects.count() == 0


def test_a_rejected_application_shows_the_reason_and_can_be_sent_again(client: Client) -> None:
    shop = merchant(approved=False)
    merchant_services.merchant_reject(
        shop, operator=OperatorFactory.create(), reason="营业执照照片不清晰"
    )
    signed_in(client, shop.owner)

    body = page(client, "/merchant/")
    assert "Rejected by the platform: 营业执照照片不清晰" in body
    assert 'action="/merchant/application"' in body

    response = client.post("/merchant/application", application(legal_name="杭州新茶有限公司"))

    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.status == "submitted"
    assert shop.legal_name == "杭州新茶有限公司"
    assert shop.rejection_reason == ""
    assert list(shop.events.values_list("to_status", flat=True)) == [
        "submitted",
        "rejected",
        "submitted",
    ]


def test_a_submitted_application_cannot_be_edited_from_the_page(client: Client) -> None:
    shop = merchant(approved=False)
    signed_in(client, shop.owner)

    response = client.post("/merchant/application", application(legal_name="改名"))

    assert response.status_code == 200
    assert "can only be edited as a draft or after a rejection" in response.content.decode()
    shop.refresh_from_db()
    assert shop.legal_name != "改名"


def test_staff_may_see_but_not_change_the_application(client: Client) -> None:
    shop = merchant(approved=False)
    merchant_services.merchant_reject(shop, operator=OperatorFactory.create(), reason="照片")
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    signed_in(client, clerk)

    assert 'action="/merchant/application"' not in page(client, "/merchant/")
    response = client.post("/merchant/application", application())

    assert response.status_code == 404
    shop.refresh_from_db()
    assert shop.status == "rejected"


def test_a_member_working_for_several_merchants_picks_one(client: Client) -> None:
    first = merchant(legal_name="第一商户有限公司")
    second = merchant(legal_name="第二商户有限公司")
    merchant_services.staff_add(second, phone=first.owner.phone)
    stranger = merchant(legal_name="别人家有限公司")
    signed_in(client, first.owner)

    assert 'name="merchant"' in page(client, "/merchant/")
    chosen = page(client, "/merchant/", merchant=second.pk)
    assert '<span class="cs-shop-name">第二商户有限公司</span>' in chosen
    # The choice is remembered for the other pages of the console.
    assert '<span class="cs-shop-name">第二商户有限公司</span>' in page(client, "/merchant/orders")
    assert client.get("/merchant/", {"merchant": stranger.pk}).status_code == 404
    assert client.get("/merchant/", {"merchant": "x"}).status_code == 404


def test_the_dashboard_counts_what_waits_for_the_merchant(api: Api, client: Client) -> None:
    shop = merchant()
    paid_order(api, shop)
    paid_order(api, shop)
    signed_in(client, shop.owner)

    body = page(client, "/merchant/")

    assert re.search(r"<strong>2</strong><span>Paid orders to send</span>", body)
    assert re.search(r"<strong>0</strong><span>Open after-sales</span>", body)
    assert 'href="/merchant/orders?status=paid"' in body


# --- another merchant's objects ----------------------------------------------------------------


def test_another_merchants_objects_are_the_404_page(api: Api, client: Client) -> None:
    theirs = merchant()
    their_product = product(theirs, on_sale=False)
    their_order = paid_order(api, theirs)
    their_store = offline_store(theirs)
    signed_in(client, merchant().owner)

    for url in (
        f"/merchant/products/{their_product.pk}",
        f"/merchant/products/{their_product.pk}/plan",
        f"/merchant/orders/{their_order.pk}",
        f"/merchant/stores/{their_store.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "web/not_found.html" in [t.name for t in response.templates]
    assert client.post(f"/merchant/products/{their_product.pk}/publish").status_code == 404
    assert client.post(f"/merchant/orders/{their_order.pk}/ship").status_code == 404
    assert (
        client.post(
            f"/merchant/skus/{their_product.skus.get().pk}", {"price": "1", "stock": "0"}
        ).status_code
        == 404
    )
    their_product.refresh_from_db()
    their_order.refresh_from_db()
    assert (their_product.status, their_order.status) == ("draft", "paid")


# --- stores and staff --------------------------------------------------------------------------


def store_form(**changes: Any) -> dict[str, Any]:
    return {
        "name": "南山店",
        "region_code": "440305",
        "address": "科技园 8 号",
        "latitude": "22.54",
        "longitude": "113.95",
        "phone": "",
        "opens_1": "09:00",
        "closes_1": "21:00",
        "opens_6": "10:00",
        "closes_6": "02:00",
        **changes,
    }


def test_the_owner_adds_an_offline_store_with_its_hours(client: Client) -> None:
    shop = merchant()
    signed_in(client, shop.owner)

    response = client.post("/merchant/stores/new", store_form())

    assert response.status_code == 302
    store = Store.objects.get(merchant=shop, kind="offline")
    assert (store.name, store.region_code, store.latitude) == ("南山店", "440305", 22.54)
    assert store.opening_hours == [
        {"weekday": 1, "opens": "09:00", "closes": "21:00"},
        {"weekday": 6, "opens": "10:00", "closes": "02:00"},
    ]
    assert "广东省深圳市南山区" in page(client, "/merchant/stores")


def test_a_store_in_a_whole_province_is_refused(client: Client) -> None:
    shop = merchant()
    signed_in(client, shop.owner)

    response = client.post("/merchant/stores/new", store_form(region_code="440000", closes_6=""))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Give both the opening and the closing time." in body
    response = client.post("/merchant/stores/new", store_form(region_code="440000"))
    assert "Choose the district the store is in." in response.content.decode()
    assert not Store.objects.filter(merchant=shop, kind="offline").exists()


def test_the_owner_edits_a_store(client: Client) -> None:
    shop = merchant()
    store = offline_store(shop)
    signed_in(client, shop.owner)
    form = page(client, f"/merchant/stores/{store.pk}")
    assert 'value="330106" selected' in form  # the district of the store is chosen

    response = client.post(
        f"/merchant/stores/{store.pk}", store_form(name="西湖新店", region_code="330106")
    )

    assert response.status_code == 302
    store.refresh_from_db()
    assert (store.name, store.is_active) == ("西湖新店", False)


def test_the_region_picker_lists_cities_then_districts(client: Client) -> None:
    signed_in(client, merchant().owner)

    cities = page(client, "/merchant/stores/regions", province="440000")
    districts = page(client, "/merchant/stores/regions", city="440300")
    municipality = page(client, "/merchant/stores/regions", province="110000")

    assert 'name="city"' in cities
    assert '<option value="440300">深圳市</option>' in cities
    assert 'name="region_code"' in districts
    assert '<option value="440305">南山区</option>' in districts
    assert 'name="region_code"' in municipality  # Beijing's districts come straight away
    assert '<option value="110101">东城区</option>' in municipality


def test_staff_cannot_add_stores(client: Client) -> None:
    shop = merchant()
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    signed_in(client, clerk)

    assert client.post("/merchant/stores/new", store_form()).status_code == 404
    assert not Store.objects.filter(merchant=shop, kind="offline").exists()


def test_the_owner_adds_and_removes_staff(client: Client) -> None:
    shop = merchant()
    clerk = MemberFactory.create(nickname="小王")
    signed_in(client, shop.owner)

    client.post("/merchant/staff", {"phone": clerk.phone})

    assert Staff.objects.filter(merchant=shop, member=clerk, role="staff").exists()
    assert "小王" in page(client, "/merchant/staff")
    client.post(f"/merchant/staff/{clerk.pk}/remove")
    assert not Staff.objects.filter(merchant=shop, member=clerk).exists()


# --- products ---------------------------------------------------------------------------------


def product_form(**changes: Any) -> dict[str, Any]:
    return {
        "title": "明前龙井",
        "description": "2024 新茶",
        "category": "",
        "sku-TOTAL_FORMS": "3",
        "sku-INITIAL_FORMS": "0",
        "sku-MIN_NUM_FORMS": "0",
        "sku-MAX_NUM_FORMS": "100",
        "sku-0-name": "250g",
        "sku-0-price": "128.5",
        "sku-0-stock": "7",
        **changes,
    }


def test_a_product_with_a_sku_is_created_then_published(client: Client) -> None:
    shop = merchant()
    signed_in(client, shop.owner)

    response = client.post("/merchant/products/new", product_form())

    created = Product.objects.get(merchant=shop)
    assert response.status_code == 302
    assert response["Location"] == f"/merchant/products/{created.pk}"
    assert (created.title, created.status) == ("明前龙井", "draft")
    assert list(created.skus.values_list("name", "price_fen", "stock")) == [("250g", 12850, 7)]

    client.post(f"/merchant/products/{created.pk}/publish")

    created.refresh_from_db()
    assert created.status == "on_sale"
    listing = page(client, "/merchant/products")
    assert "明前龙井" in listing
    # Price from, stock and options are right-aligned number columns of the table.
    assert re.search(r'<td class="num cs-col-money">\s*¥128.50\s*</td>', listing)
    assert re.search(r'<td class="num cs-col-number">\s*7\s*</td>', listing)
    assert f'href="/merchant/analytics/propagation?product_id={created.pk}"' in listing


def test_an_unapproved_merchant_prepares_drafts_but_cannot_publish(client: Client) -> None:
    shop = merchant(approved=False)
    draft = product(shop, on_sale=False)
    signed_in(client, shop.owner)

    response = client.post(f"/merchant/products/{draft.pk}/publish", follow=True)

    assert "Only approved merchants can publish products." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sku-0-price": "12.345"}, "at most two decimals"),
        ({"sku-0-price": "0"}, "A price must be more than ¥0"),
        ({"sku-0-name": "", "sku-0-price": "", "sku-0-stock": ""}, "at least one option"),
        ({"title": ""}, "This field is required."),
    ],
)
def test_bad_product_input_shows_an_error_and_creates_nothing(
    client: Client, changes: dict[str, str], message: str
) -> None:
    shop = merchant()
    signed_in(client, shop.owner)

    response = client.post("/merchant/products/new", product_form(**changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Product.objects.filter(merchant=shop).exists()


def test_price_and_stock_are_edited_and_taken_off_sale(client: Client) -> None:
    shop = merchant()
    item = product(shop, price_fen=9900, stock=10)
    sku = item.skus.get()
    signed_in(client, shop.owner)
    assert 'value="99.00"' in page(client, f"/merchant/products/{item.pk}")

    client.post(f"/merchant/skus/{sku.pk}", {"price": "88.80", "stock": "3"})
    sku.refresh_from_db()
    assert (sku.price_fen, sku.stock) == (8880, 3)

    response = client.post(f"/merchant/skus/{sku.pk}", {"price": "70", "stock": "-1"}, follow=True)
    assert "Stock must be between 0 and 10000000." in response.content.decode()
    sku.refresh_from_db()
    assert (sku.price_fen, sku.stock) == (8880, 3)  # neither changed

    client.post(f"/merchant/products/{item.pk}/unpublish")
    item.refresh_from_db()
    assert item.status == "off_sale"


def test_an_option_and_a_photo_are_added(client: Client) -> None:
    shop = merchant()
    item = product(shop)
    signed_in(client, shop.owner)

    client.post(
        f"/merchant/products/{item.pk}/skus",
        {"new-name": "礼盒装", "new-price": "199", "new-stock": "5"},
    )
    client.post(f"/merchant/products/{item.pk}/images", {"images": png()})

    assert item.skus.filter(name="礼盒装", price_fen=19900, stock=5).exists()
    image = ProductImage.objects.get(product=item)
    assert (image.width, image.height) == (40, 30)
    client.post(f"/merchant/products/{item.pk}/images/{image.pk}/remove")
    assert not ProductImage.objects.filter(product=item).exists()


GOOD_SHEET = (
    "title,sku_name,price,stock\r\n绿茶,小罐,19.9,10\r\n绿茶,大罐,39.9,5\r\n红茶,标准,25,8\r\n"
)
BAD_SHEET = "title,sku_name,price,stock\r\n绿茶,小罐,19.999,10\r\n,大罐,39.9,many\r\n"


def sheet(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("products.csv", text.encode(), content_type="text/csv")


def test_import_reports_every_bad_row_and_creates_nothing(client: Client) -> None:
    shop = merchant()
    signed_in(client, shop.owner)

    response = client.post("/merchant/products/import", {"file": sheet(BAD_SHEET)})

    body = response.content.decode()
    assert "The file has 3 errors; nothing was imported." in body
    assert "<tr><td>2</td><td>price</td>" in body
    assert "<tr><td>3</td><td>title</td>" in body
    assert "<tr><td>3</td><td>stock</td>" in body
    assert not Product.objects.filter(merchant=shop).exists()


def test_import_checks_first_then_imports_on_confirmation(client: Client) -> None:
    shop = merchant()
    signed_in(client, shop.owner)

    checked = client.post("/merchant/products/import", {"file": sheet(GOOD_SHEET)})

    body = checked.content.decode()
    assert "2 products (3 options in all) are ready to import." in body
    assert not Product.objects.filter(merchant=shop).exists()  # a dry run only
    token = re.search(r'name="confirm" value="([^"]+)"', body)
    assert token is not None

    other = merchant()
    signed_in(client, other.owner)
    refused = client.post("/merchant/products/import", {"confirm": token.group(1)})
    assert "The checked file has expired" in refused.content.decode()
    assert not Product.objects.filter(merchant=other).exists()

    signed_in(client, shop.owner)
    imported = client.post("/merchant/products/import", {"confirm": token.group(1)})

    assert imported.status_code == 302
    assert "2 products (3 options in all) were imported as drafts." in page(
        client, imported["Location"]
    )
    assert sorted(Product.objects.filter(merchant=shop).values_list("title", flat=True)) == [
        "红茶",
        "绿茶",
    ]
    assert Sku.objects.filter(product__merchant=shop).count() == 3
    again = client.post("/merchant/products/import", {"confirm": token.group(1)})
    assert "The checked file has expired" in again.content.decode()  # imported once only
    assert Sku.objects.filter(product__merchant=shop).count() == 3


# --- commission plan --------------------------------------------------------------------------

# Rates are typed in % (2500 bp = 25 %).
PLAN = {
    "share_budget": "25",
    "buyer_discount": "3.33",
    "level1": "7.77",
    "level2": "1.11",
    "region_agent": "0.55",
}


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


def test_the_plan_editor_shows_how_a_hundred_yuan_sale_splits(client: Client) -> None:
    shop = merchant()
    signed_in(client, shop.owner)

    response = client.post("/merchant/plan/check", PLAN, headers={"hx-request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body  # only the verdict, for htmx to swap in
    # Worked out by hand: each part is floor(base × rate / 10000) on what the buyer pays.
    discount = 10000 * 333 // 10000
    paid = 10000 - discount
    level1, level2 = paid * 777 // 10000, paid * 111 // 10000
    agent = paid * 55 // 10000
    fee = paid * shop.platform_fee_bp // 10000
    assert (discount, paid, level1, level2, agent, fee) == (333, 9667, 751, 107, 53, 483)
    expected = [
        ("Buyer discount", discount),
        ("The buyer pays", paid),
        ("Level 1 commission", level1),
        ("Level 2 commission", level2),
        ("Region agent", agent),
        (f"Platform fee ({shop.platform_fee_bp / 100:g} %)", fee),
        ("You keep", paid - level1 - level2 - agent - fee),
    ]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', body)
    assert rows == [(label, yuan(amount)) for label, amount in expected]
    assert yuan(8273) == "¥82.73"
    assert "Level 3" not in body


def test_the_plan_editor_refuses_a_plan_over_its_budget(client: Client) -> None:
    signed_in(client, merchant().owner)

    over = client.post("/merchant/plan/check", {**PLAN, "level1": "21"})
    capped = client.post("/merchant/plan/check", {**PLAN, "share_budget": "35"})
    blank = client.post("/merchant/plan/check", {**PLAN, "share_budget": ""})
    typo = client.post("/merchant/plan/check", {**PLAN, "level2": "1.555"})

    assert (
        "The buyer discount, commissions and region agent add up to 25.99%, more than the "
        "share budget of 25%." in over.content.decode()
    )
    assert "The share budget of 35% is over the platform&#x27;s cap of 30%." in (
        capped.content.decode()
    )
    assert "Share budget: Set the share budget" in blank.content.decode()
    assert "Level 2 commission: Write a percentage such as 10 or 10.5" in typo.content.decode()
    assert "You keep" not in over.content.decode()


def test_the_editor_offers_only_the_levels_the_platform_pays(client: Client) -> None:
    signed_in(client, merchant().owner)
    assert 'name="level3"' not in page(client, "/merchant/plan")

    platform.settings_update({"max_levels": 3}, actor=OperatorFactory.create())

    body = page(client, "/merchant/plan")
    assert 'name="level3"' in body
    assert 'hx-post="/merchant/plan/check"' in body
    assert 'hx-trigger="input changed delay:300ms, change"' in body


def test_the_owner_saves_the_plan_and_sees_its_history(client: Client) -> None:
    shop = merchant()
    signed_in(client, shop.owner)

    response = client.post("/merchant/plan", PLAN)

    assert response.status_code == 302
    plan = CommissionPlan.objects.get(merchant=shop, product=None, sku=None)
    assert (plan.unit, plan.share_budget, plan.buyer_discount) == ("bp", 2500, 333)
    assert (plan.level1, plan.level2, plan.level3, plan.region_agent) == (777, 111, 0, 55)
    body = page(client, "/merchant/plan")
    assert 'value="7.77"' in body  # shown again in %
    assert (
        "budget 25 % · buyer discount 3.33 % · commissions 7.77 % / 1.11 % · region agent 0.55 %"
        in body
    )
    assert "You keep" in body  # the saved plan opens with its split
    assert PlanChange.objects.filter(merchant=shop).count() == 1


def test_an_invalid_plan_is_not_saved(client: Client) -> None:
    shop = merchant()
    signed_in(client, shop.owner)

    response = client.post("/merchant/plan", {**PLAN, "share_budget": "1"})

    assert response.status_code == 200
    assert "more than the share budget of 1%" in response.content.decode()
    assert not CommissionPlan.objects.filter(merchant=shop).exists()


def test_staff_cannot_see_or_save_the_plan(client: Client) -> None:
    shop = merchant()
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    signed_in(client, clerk)

    # The commission plan is the owner's business, as in the API (403 owner_only there).
    assert client.get("/merchant/plan").status_code == 404
    assert client.post("/merchant/plan", PLAN).status_code == 404
    assert client.post("/merchant/plan/check", PLAN).status_code == 404
    assert not CommissionPlan.objects.filter(merchant=shop).exists()


def test_staff_cannot_run_the_catalogue(client: Client) -> None:
    shop = merchant()
    item = product(shop, on_sale=False)
    sku = item.skus.get()
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    signed_in(client, clerk)

    for url in [
        "/merchant/products",
        "/merchant/products/new",
        "/merchant/products/import",
        f"/merchant/products/{item.pk}",
        f"/merchant/products/{item.pk}/plan",
        "/merchant/staff",
        "/merchant/wechat",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/merchant/products/{item.pk}/publish").status_code == 404
    assert (
        client.post(f"/merchant/skus/{sku.pk}", {"price": "1.00", "stock": "99"}).status_code == 404
    )
    item.refresh_from_db()
    sku.refresh_from_db()
    assert item.status == "draft"
    assert (sku.price_fen, sku.stock) == (9900, 10)


def test_staff_still_see_orders_and_pickups(client: Client) -> None:
    shop = merchant()
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    signed_in(client, clerk)

    for url in ["/merchant/", "/merchant/orders", "/merchant/pickups", "/merchant/aftersales"]:
        assert client.get(url).status_code == 200, url


def test_an_option_gets_its_own_fixed_amount_plan(client: Client) -> None:
    shop = merchant()
    item = product(shop, price_fen=5000, skus=2)
    big, small = item.skus.order_by("position")
    signed_in(client, shop.owner)
    fixed = {
        "unit": "fen",
        "share_budget": "10",
        "buyer_discount": "2.5",
        "level1": "4",
        "level2": "1.50",
        "region_agent": "0",
    }

    editor = page(client, f"/merchant/products/{item.pk}/plan", sku=small.pk)
    response = client.post(f"/merchant/products/{item.pk}/plan?sku={small.pk}", fixed)

    assert f'href="/merchant/products/{item.pk}/plan?sku={big.pk}"' in editor
    assert response.status_code == 302
    assert response["Location"] == f"/merchant/products/{item.pk}/plan?sku={small.pk}"
    plan = CommissionPlan.objects.get(merchant=shop, sku=small)
    assert (plan.unit, plan.share_budget, plan.buyer_discount) == ("fen", 1000, 250)
    assert (plan.level1, plan.level2, plan.region_agent, plan.product_id) == (400, 150, 0, None)
    assert not CommissionPlan.objects.filter(merchant=shop, sku=big).exists()
    body = page(client, f"/merchant/products/{item.pk}/plan", sku=small.pk)
    assert 'value="2.50"' in body
    assert "budget ¥10.00 · buyer discount ¥2.50 · commissions ¥4.00 / ¥1.50" in body
    # The verdict splits a sale at the option's own price, not ¥100.
    assert "A ¥50.00 sale through a share splits like this" in body


def test_a_fixed_plan_over_the_cap_for_its_price_is_refused(client: Client) -> None:
    shop = merchant()
    item = product(shop, price_fen=1000)
    signed_in(client, shop.owner)

    response = client.post(
        f"/merchant/products/{item.pk}/plan", {"unit": "fen", "share_budget": "9", "level1": "1"}
    )

    assert response.status_code == 200
    assert "over the platform" in response.content.decode()
    assert not CommissionPlan.objects.filter(merchant=shop).exists()


def test_another_products_option_is_not_edited_through_this_product(client: Client) -> None:
    shop = merchant()
    item, other = product(shop), product(shop)
    signed_in(client, shop.owner)

    response = client.get(f"/merchant/products/{item.pk}/plan", {"sku": other.skus.get().pk})

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("typed", "bp"),
    [("10", 1000), ("10.5", 1050), ("0.01", 1), ("12.25 %", 1225), ("0", 0), ("33.3％", 3330)],
)
def test_rates_typed_in_percent_are_whole_basis_points(typed: str, bp: int) -> None:
    assert percent_to_bp(typed) == bp
    assert percent_to_bp(bp_to_percent(bp)) == bp


@pytest.mark.parametrize("typed", ["10.555", "-1", "abc", "1e3", "", "10,5"])
def test_rates_that_are_not_percentages_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        percent_to_bp(typed)


def test_a_product_gets_its_own_plan(client: Client) -> None:
    shop = merchant()
    item = product(shop)
    signed_in(client, shop.owner)

    client.post(f"/merchant/products/{item.pk}/plan", {**PLAN, "share_budget": "30"})

    plan = CommissionPlan.objects.get(merchant=shop, product=item)
    assert plan.share_budget == 3000
    assert not CommissionPlan.objects.filter(merchant=shop, product=None).exists()


# --- orders and pickups -------------------------------------------------------------------------


def test_orders_are_listed_by_status_and_shipped(api: Api, client: Client) -> None:
    shop = merchant()
    order = paid_order(api, shop)
    signed_in(client, shop.owner)
    assert f'href="/merchant/orders/{order.pk}"' in page(client, "/merchant/orders", status="paid")
    assert f'href="/merchant/orders/{order.pk}"' not in page(
        client, "/merchant/orders", status="shipped"
    )
    detail = page(client, f"/merchant/orders/{order.pk}")
    assert "王小二" in detail
    assert "广东省深圳市南山区 科技园 1 号" in detail

    response = client.post(
        f"/merchant/orders/{order.pk}/ship", {"carrier": "顺丰", "tracking_no": "SF123456"}
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_no) == ("shipped", "顺丰", "SF123456")
    again = client.post(
        f"/merchant/orders/{order.pk}/ship", {"carrier": "", "tracking_no": ""}, follow=True
    )
    assert "cannot go from shipped to shipped" in again.content.decode()


def test_the_ship_form_needs_tracking_or_says_no_logistics(api: Api, client: Client) -> None:
    shop = merchant()
    order = paid_order(api, shop)
    signed_in(client, shop.owner)
    assert 'name="no_logistics"' in page(client, f"/merchant/orders/{order.pk}")

    refused = client.post(
        f"/merchant/orders/{order.pk}/ship", {"carrier": "顺丰", "tracking_no": ""}, follow=True
    )

    assert "Give the carrier and the tracking number" in refused.content.decode()
    order.refresh_from_db()
    assert order.status == "paid"

    client.post(f"/merchant/orders/{order.pk}/ship", {"no_logistics": "on"})

    order.refresh_from_db()
    assert (order.status, order.shipped_without_logistics) == ("shipped", True)
    assert "No logistics needed" in page(client, f"/merchant/orders/{order.pk}")


def test_a_pickup_code_is_verified_exactly_once(api: Api, client: Client) -> None:
    shop = merchant()
    store = offline_store(shop)
    order = paid_order(api, shop, delivery={"type": "pickup", "store_id": store.pk})
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    signed_in(client, clerk)  # store staff, not the owner, hand goods over

    client.post(f"/merchant/orders/{order.pk}/ready")
    order.refresh_from_db()
    assert order.status == "ready_for_pickup"
    assert len(order.pickup_code) == 8

    wrong = client.post("/merchant/pickups", {"store": store.pk, "code": "00000000"})
    assert "No order at this store has that pickup code." in wrong.content.decode()
    first = client.post("/merchant/pickups", {"store": store.pk, "code": order.pickup_code})
    assert first.status_code == 302
    order.refresh_from_db()
    assert order.status == "received"

    second = client.post("/merchant/pickups", {"store": store.pk, "code": order.pickup_code})

    assert second.status_code == 200
    assert "This pickup code was already used or is not ready." in second.content.decode()
    assert order.events.filter(note="pickup verified").count() == 1


# --- after-sales --------------------------------------------------------------------------------


def ask_refund(api: Api, order: Order, kind: str = "refund") -> AfterSale:
    line = order.lines.get()
    answer = api.post(
        f"/orders/{order.pk}/aftersales",
        {"type": kind, "lines": [{"line_id": line.pk, "quantity": 1}], "reason": "漏发了一盒"},
        as_=order.buyer,
    )
    assert answer.status == 201, answer.body
    return AfterSale.objects.get(pk=answer.body["id"])


def test_an_after_sales_request_is_approved_and_refunded(api: Api, client: Client) -> None:
    shop = merchant()
    request = ask_refund(api, paid_order(api, shop))
    signed_in(client, shop.owner)
    assert f'href="/merchant/aftersales/{request.pk}"' in page(client, "/merchant/aftersales")
    detail = page(client, f"/merchant/aftersales/{request.pk}")
    assert "漏发了一盒" in detail
    assert "¥50.00" in detail

    client.post(f"/merchant/aftersales/{request.pk}/approve", {"note": ""})

    request.refresh_from_db()
    assert (request.status, request.order.refunded_fen) == ("refunded", 5000)


def test_a_rejection_needs_a_reason(api: Api, client: Client) -> None:
    shop = merchant()
    request = ask_refund(api, paid_order(api, shop))
    signed_in(client, shop.owner)

    blank = client.post(f"/merchant/aftersales/{request.pk}/reject", {"reason": " "})
    assert blank.status_code == 200
    assert "This field is required." in blank.content.decode()
    request.refresh_from_db()
    assert request.status == "requested"

    client.post(f"/merchant/aftersales/{request.pk}/reject", {"reason": "已签收完好"})
    request.refresh_from_db()
    assert (request.status, request.merchant_note) == ("rejected", "已签收完好")


def test_a_returned_parcel_is_confirmed(api: Api, client: Client) -> None:
    shop = merchant()
    order = paid_order(api, shop)
    owner = shop.owner
    assert (
        api.post(
            f"/orders/{order.pk}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=owner
        ).status
        == 200
    )
    request = ask_refund(api, order, kind="return_refund")
    signed_in(client, owner)
    # Before approving, the request's page says the shop has no return address yet.
    before = page(client, f"/merchant/aftersales/{request.pk}")
    assert "No return address yet" in before
    assert 'href="/merchant/return-address"' in before

    saved = client.post(
        "/merchant/return-address",
        {
            "receiver": "退货组",
            "phone": "0755-86001234",
            "region_code": "440305",
            "address": "科技园 9 号仓",
        },
    )
    assert saved.status_code == 302
    client.post(f"/merchant/aftersales/{request.pk}/approve")
    request.refresh_from_db()
    assert request.status == "awaiting_return"
    assert "The buyer sends the goods back to: 退货组 0755-86001234" in page(
        client, f"/merchant/aftersales/{request.pk}"
    )
    sent = api.post(f"/aftersales/{request.pk}/return", {"tracking_no": "YT9"}, as_=order.buyer)
    assert sent.status == 200
    assert "Goods received, refund the buyer" in page(client, f"/merchant/aftersales/{request.pk}")

    client.post(f"/merchant/aftersales/{request.pk}/confirm-return")

    request.refresh_from_db()
    assert request.status == "refunded"


def test_another_merchants_after_sales_request_is_the_404_page(api: Api, client: Client) -> None:
    request = ask_refund(api, paid_order(api, merchant()))
    signed_in(client, merchant().owner)

    assert client.get(f"/merchant/aftersales/{request.pk}").status_code == 404
    assert client.post(f"/merchant/aftersales/{request.pk}/approve").status_code == 404
    request.refresh_from_db()
    assert request.status == "requested"


# --- headers and markup -------------------------------------------------------------------------


def test_console_pages_carry_a_csp_and_no_inline_scripts_or_styles(
    api: Api, client: Client
) -> None:
    shop = merchant()
    item = product(shop)
    store = offline_store(shop)
    order = paid_order(api, shop)
    request = ask_refund(api, order)
    signed_in(client, shop.owner)
    client.post("/merchant/plan", PLAN)
    urls = [
        "/merchant/",
        "/merchant/stores",
        "/merchant/stores/new",
        f"/merchant/stores/{store.pk}",
        "/merchant/staff",
        "/merchant/wechat",
        "/merchant/products",
        "/merchant/products/new",
        "/merchant/products/import",
        f"/merchant/products/{item.pk}",
        f"/merchant/products/{item.pk}/plan",
        "/merchant/plan",
        "/merchant/orders",
        f"/merchant/orders/{order.pk}",
        "/merchant/pickups",
        "/merchant/aftersales",
        f"/merchant/aftersales/{request.pk}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert response.headers["Cache-Control"].startswith("max-age=0")
        body = response.content.decode()
        scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", body, flags=re.S)
        assert scripts == [""] * len(scripts), url
        assert all(
            src.startswith("/static/") for src in re.findall(r'<script[^>]*src="([^"]+)"', body)
        )
        assert "style=" not in body, url
        assert "<style" not in body, url
        assert not re.search(r"<[^>]+\son[a-z]+=", body), url
        assert "hx-on" not in body, url


def test_a_clerk_sees_a_request_but_only_the_owner_decides_it(api: Api, client: Client) -> None:
    shop = merchant()
    request = ask_refund(api, paid_order(api, shop))
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    signed_in(client, clerk)

    detail = page(client, f"/merchant/aftersales/{request.pk}")
    assert "漏发了一盒" in detail
    assert f"/merchant/aftersales/{request.pk}/approve" not in detail
    approve = client.post(f"/merchant/aftersales/{request.pk}/approve", {"note": ""})
    reject = client.post(f"/merchant/aftersales/{request.pk}/reject", {"reason": "不给退"})

    assert (approve.status_code, reject.status_code) == (404, 404)
    request.refresh_from_db()
    assert (request.status, request.order.refunded_fen) == ("requested", 0)


def test_a_clerk_is_not_offered_the_owner_pages(client: Client) -> None:
    shop = merchant()
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    signed_in(client, clerk)

    home = page(client, "/merchant/")

    for owner_only in ["/merchant/products", "/merchant/plan", "/merchant/staff"]:
        assert f'href="{owner_only}' not in home, owner_only
    assert 'href="/merchant/orders"' in home
    signed_in(client, shop.owner)
    assert 'href="/merchant/products"' in page(client, "/merchant/")


# --- the desktop console: dashboard, tables, batches ---------------------------------------------


def test_the_owner_dashboard_has_kpi_cards_charts_and_a_period(api: Api, client: Client) -> None:
    shop = merchant()
    paid_order(api, shop)
    signed_in(client, shop.owner)

    body = page(client, "/merchant/", days="7")

    for key in ["gmv", "orders", "paid_conversion", "share_conversion", "commission_ratio"]:
        assert f'data-kpi="{key}"' in body, key
    assert re.search(r'data-kpi="gmv">.*?<strong class="cs-kpi-value">¥100.00</strong>', body, re.S)
    assert re.search(r'data-kpi="paid_conversion">.*?cs-kpi-value">100 %</strong>', body, re.S)
    assert body.count('<svg class="cs-chart"') >= 2
    assert '<a href="?days=7" aria-current="true">' in body
    assert 'href="?days=90"' in body
    # The menu marks the page and counts what waits.
    assert 'class="cs-nav-item is-current" href="/merchant/" aria-current="page"' in body
    assert re.search(r'href="/merchant/orders">.*?<span class="cs-nav-count">1</span>', body, re.S)


def test_a_clerk_sees_the_to_do_list_but_not_the_figures(api: Api, client: Client) -> None:
    shop = merchant()
    paid_order(api, shop)
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    signed_in(client, clerk)

    body = page(client, "/merchant/")

    assert re.search(r"<strong>1</strong><span>Paid orders to send</span>", body)
    assert "data-kpi=" not in body
    assert "cs-chart" not in body
    assert client.get("/merchant/analytics/propagation").status_code == 404
    assert client.get("/merchant/certification").status_code == 200


def test_an_unapproved_shop_opens_on_its_certification(client: Client) -> None:
    shop = merchant(approved=False)
    signed_in(client, shop.owner)

    body = page(client, "/merchant/")

    assert "data-kpi=" not in body
    assert '<span class="cs-badge cs-badge-submitted">' in body


def test_orders_are_searched_filtered_and_exported(api: Api, client: Client) -> None:
    shop = merchant()
    first, second = paid_order(api, shop), paid_order(api, shop)
    Order.objects.filter(pk=second.pk).update(status="shipped")
    signed_in(client, shop.owner)

    shipped = page(client, "/merchant/orders", status="shipped")
    searched = page(client, "/merchant/orders", q=first.buyer.phone)
    export = client.get("/merchant/orders", {"status": "paid", "export": "csv"})

    assert f'href="/merchant/orders/{second.pk}"' in shipped
    assert f'href="/merchant/orders/{first.pk}"' not in shipped
    assert f'href="/merchant/orders/{first.pk}"' in searched
    assert f'href="/merchant/orders/{second.pk}"' not in searched
    assert export.status_code == 200
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    lines = export.content.decode().lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Order no.,Items,Buyer,Phone,Amount,Delivery,Status,Placed,Paid")
    assert len(lines) == 2
    assert lines[1].startswith(f"{first.order_no},好物 (规格1) × 2,")
    assert ",100.00," in lines[1]  # money as plain yuan, for the spreadsheet to sum


def test_another_merchants_orders_never_reach_the_table_or_export(api: Api, client: Client) -> None:
    mine, theirs = merchant(), merchant()
    their_order = paid_order(api, theirs)
    signed_in(client, mine.owner)

    listing = page(client, "/merchant/orders", q=their_order.buyer.phone)
    exported = client.post("/merchant/orders", {"export": "csv", "ids": [their_order.pk]})

    assert f"/merchant/orders/{their_order.pk}" not in listing
    assert exported.content.decode().lstrip("\ufeff").splitlines()[1:] == []


def test_products_go_on_and_off_sale_in_a_batch(client: Client) -> None:
    shop = merchant()
    on, draft = product(shop), product(shop, on_sale=False, title="草稿")
    empty = Product.objects.create(merchant=shop, title="没有规格")
    theirs = product(merchant())
    signed_in(client, shop.owner)

    listing = page(client, "/merchant/products")
    off = client.post(
        "/merchant/products/batch", {"action": "unpublish", "ids": [on.pk, theirs.pk]}
    )
    back_on = client.post(
        "/merchant/products/batch", {"action": "publish", "ids": [on.pk, draft.pk, empty.pk]}
    )

    assert 'formaction="/merchant/products/batch"' in listing
    assert "data-confirm=" in listing  # taking off sale asks first
    assert (off.status_code, back_on.status_code) == (302, 302)
    statuses = dict(Product.objects.values_list("pk", "status"))
    assert (statuses[on.pk], statuses[draft.pk], statuses[empty.pk]) == (
        "on_sale",
        "on_sale",
        "draft",
    )
    assert statuses[theirs.pk] == "on_sale"  # another shop's product is out of reach
    messages = page(client, "/merchant/products")
    assert "2 products were updated." in messages
    assert "没有规格: A product needs at least one option (SKU)." in messages


def test_a_clerk_cannot_run_product_batches(client: Client) -> None:
    shop = merchant()
    item = product(shop)
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    signed_in(client, clerk)

    response = client.post("/merchant/products/batch", {"action": "unpublish", "ids": [item.pk]})

    assert response.status_code == 404
    assert Product.objects.get(pk=item.pk).status == "on_sale"


def test_after_sales_open_on_what_waits_and_all_shows_the_rest(api: Api, client: Client) -> None:
    shop = merchant()
    waiting = ask_refund(api, paid_order(api, shop))
    done = ask_refund(api, paid_order(api, shop))
    AfterSale.objects.filter(pk=done.pk).update(status="rejected")
    signed_in(client, shop.owner)

    default, everything = (
        page(client, "/merchant/aftersales"),
        page(client, "/merchant/aftersales", status=""),
    )

    assert f'href="/merchant/aftersales/{waiting.pk}"' in default
    assert f'href="/merchant/aftersales/{done.pk}"' not in default
    assert f'href="/merchant/aftersales/{done.pk}"' in everything


def test_the_owner_keeps_the_return_address_and_a_clerk_cannot(client: Client) -> None:
    shop = merchant()
    signed_in(client, shop.owner)
    stores = page(client, "/merchant/stores")
    assert "No return address yet" in stores
    assert 'href="/merchant/return-address"' in stores
    form = page(client, "/merchant/return-address")
    assert 'id="id_province"' in form and 'name="receiver"' in form

    bad = client.post(
        "/merchant/return-address",
        {"receiver": "退货组", "phone": "12345", "region_code": "440300", "address": "9 号仓"},
    )
    assert bad.status_code == 200
    assert "Give a mobile number or a landline with its area code." in bad.content.decode()
    shop.refresh_from_db()
    assert shop.return_to is None

    client.post(
        "/merchant/return-address",
        {
            "receiver": "退货组",
            "phone": "139 0000 1111",
            "region_code": "440305",
            "address": "科技园 9 号仓",
        },
    )
    shop.refresh_from_db()
    assert shop.return_to is not None
    assert (shop.return_to.phone, shop.return_to.region_name) == (
        "13900001111",
        "广东省深圳市南山区",
    )
    assert "科技园 9 号仓" in page(client, "/merchant/stores")
    assert 'value="退货组"' in page(client, "/merchant/return-address")

    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    signed_in(client, clerk)
    assert client.get("/merchant/return-address").status_code == 404
    assert 'href="/merchant/return-address"' not in page(client, "/merchant/stores")
