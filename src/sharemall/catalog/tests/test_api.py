import io

import pytest
from conftest import Api
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image
from tests.factories import MemberFactory, merchant, product

from sharemall.accounts.models import Member
from sharemall.catalog.models import Category, Product, Sku

pytestmark = pytest.mark.django_db

NEW = {
    "title": "明前龙井 250g",
    "description": "西湖产区",
    "skus": [
        {"name": "罐装", "price_fen": 12800, "stock": 5},
        {"name": "礼盒", "price_fen": 19800, "stock": 0},
    ],
}


def test_merchant_creates_a_draft_with_skus(api: Api) -> None:
    m = merchant()
    answer = api.post(f"/merchants/{m.pk}/products", NEW, as_=m.owner)
    assert answer.status == 201
    assert answer.body["status"] == "draft"
    assert [(s["name"], s["price_fen"], s["stock"]) for s in answer.body["skus"]] == [
        ("罐装", 12800, 5),
        ("礼盒", 19800, 0),
    ]
    assert all(isinstance(s["id"], int) for s in answer.body["skus"])


def test_unapproved_merchant_cannot_publish(api: Api) -> None:
    m = merchant(approved=False)
    pid = api.post(f"/merchants/{m.pk}/products", NEW, as_=m.owner).body["id"]
    answer = api.post(f"/products/{pid}/publish", as_=m.owner)
    assert (answer.status, answer.error_code) == (400, "merchant_not_approved")
    assert Product.objects.get(pk=pid).status == "draft"


def test_approved_merchant_publishes_and_strangers_see_it(api: Api) -> None:
    m = merchant()
    pid = api.post(f"/merchants/{m.pk}/products", NEW, as_=m.owner).body["id"]
    assert api.get(f"/products/{pid}").status == 404  # drafts are private
    assert api.get(f"/products/{pid}", as_=m.owner).body["status"] == "draft"
    assert api.post(f"/products/{pid}/publish", as_=m.owner).body == {
        "id": pid,
        "status": "on_sale",
    }
    public = api.get(f"/products/{pid}")
    assert public.status == 200
    assert public.body["merchant_id"] == m.pk
    assert public.body["title"] == "明前龙井 250g"
    assert [s["price_fen"] for s in public.body["skus"]] == [12800, 19800]
    assert [p["id"] for p in api.get("/products").body] == [pid]
    assert api.post(f"/products/{pid}/unpublish", as_=m.owner).body["status"] == "off_sale"
    assert api.get(f"/products/{pid}").status == 404


def test_suspended_merchants_products_leave_the_storefront(api: Api, operator: Member) -> None:
    p = product()
    api.post(f"/platform/merchants/{p.merchant_id}/suspend", {"reason": "投诉"}, as_=operator)
    assert api.get(f"/products/{p.pk}").status == 404
    assert api.get("/products").body == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**NEW, "skus": []}, "invalid_product"),
        ({**NEW, "title": " "}, "invalid_product"),
        ({**NEW, "skus": [{"name": "a", "price_fen": 0, "stock": 1}]}, "invalid_product"),
        ({**NEW, "skus": [{"name": "a", "price_fen": 100, "stock": -1}]}, "invalid_product"),
        ({**NEW, "skus": [{"name": "a", "price_fen": 1.5, "stock": 1}]}, "invalid_input"),
        ({**NEW, "skus": [{"name": "a", "price_fen": "100", "stock": 1}]}, "invalid_input"),
        (
            {
                **NEW,
                "skus": [
                    {"name": "a", "price_fen": 100, "stock": 1},
                    {"name": "a", "price_fen": 200, "stock": 1},
                ],
            },
            "invalid_product",
        ),
        ({**NEW, "category_id": 999999}, "invalid_category"),
        ({"title": "x"}, "invalid_input"),
    ],
)
def test_bad_products_are_refused_and_nothing_is_written(
    api: Api, body: dict[str, object], code: str
) -> None:
    m = merchant()
    answer = api.post(f"/merchants/{m.pk}/products", body, as_=m.owner)
    assert (answer.status, answer.error_code) == (400, code)
    assert Product.objects.count() == 0
    assert Sku.objects.count() == 0


def test_stock_changes_never_go_negative(api: Api) -> None:
    p = product(stock=3)
    sku = p.skus.get()
    owner = p.merchant.owner
    assert api.post(f"/skus/{sku.pk}/stock", {"delta": -2}, as_=owner).body["stock"] == 1
    too_many = api.post(f"/skus/{sku.pk}/stock", {"delta": -2}, as_=owner)
    assert (too_many.status, too_many.error_code) == (409, "insufficient_stock")
    assert api.post(f"/skus/{sku.pk}/stock", {"stock": 50}, as_=owner).body["stock"] == 50
    assert api.post(f"/skus/{sku.pk}/stock", {"stock": -1}, as_=owner).status == 400
    assert api.post(f"/skus/{sku.pk}/stock", {}, as_=owner).error_code == "invalid_input"
    sku.refresh_from_db()
    assert sku.stock == 50


def test_database_refuses_negative_stock_even_if_code_forgets() -> None:
    p = product(stock=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sku.objects.filter(product=p).update(stock=-1)


def test_staff_cannot_run_the_catalogue(api: Api) -> None:
    # given a clerk of a merchant with a draft product
    m = merchant()
    item = product(m, on_sale=False)
    sku = item.skus.get()
    clerk = MemberFactory.create()
    api.post(f"/merchants/{m.pk}/staff", {"phone": clerk.phone}, as_=m.owner)
    # when they try to create, edit, price, stock, publish or list products
    attempts = [
        api.post(f"/merchants/{m.pk}/products", NEW, as_=clerk),
        api.put(f"/products/{item.pk}", {"title": "新标题"}, as_=clerk),
        api.post(f"/products/{item.pk}/publish", as_=clerk),
        api.post(
            f"/products/{item.pk}/skus", {"name": "大", "price_fen": 1, "stock": 1}, as_=clerk
        ),
        api.put(f"/skus/{sku.pk}", {"price_fen": 1}, as_=clerk),
        api.post(f"/skus/{sku.pk}/stock", {"delta": 5}, as_=clerk),
        api.get(f"/merchants/{m.pk}/products", as_=clerk),
    ]
    # then each is for the owner only, and nothing changed
    assert [(a.status, a.error_code) for a in attempts] == [(403, "owner_only")] * len(attempts)
    item.refresh_from_db()
    sku.refresh_from_db()
    assert (item.title, item.status, item.skus.count()) == ("好物", "draft", 1)
    assert (sku.price_fen, sku.stock) == (9900, 10)
    assert Product.objects.filter(merchant=m).count() == 1
    # while the product itself stays visible to them, as to the shop's people
    assert api.get(f"/products/{item.pk}", as_=clerk).status == 200


def test_sku_add_and_edit(api: Api) -> None:
    p = product()
    owner = p.merchant.owner
    added = api.post(
        f"/products/{p.pk}/skus", {"name": "大份", "price_fen": 19900, "stock": 2}, as_=owner
    )
    assert added.status == 201
    dup = api.post(
        f"/products/{p.pk}/skus", {"name": "大份", "price_fen": 1, "stock": 2}, as_=owner
    )
    assert dup.error_code == "invalid_product"
    edited = api.put(f"/skus/{added.body['id']}", {"price_fen": 18800}, as_=owner)
    assert edited.body["price_fen"] == 18800


def test_a_sku_list_price_is_set_kept_and_cleared_through_the_api(api: Api) -> None:
    p = product()
    owner = p.merchant.owner
    added = api.post(
        f"/products/{p.pk}/skus",
        {"name": "大份", "price_fen": 19900, "list_price_fen": 25900, "stock": 2},
        as_=owner,
    )
    assert (added.status, added.body["list_price_fen"]) == (201, 25900)
    sku_id = added.body["id"]
    # Absent: unchanged.
    assert api.put(f"/skus/{sku_id}", {"price_fen": 18800}, as_=owner).body["list_price_fen"] == (
        25900
    )
    too_low = api.put(f"/skus/{sku_id}", {"list_price_fen": 18800}, as_=owner)
    assert (too_low.status, too_low.error_code) == (400, "invalid_product")
    # Null: removed.
    assert (
        api.put(f"/skus/{sku_id}", {"list_price_fen": None}, as_=owner).body["list_price_fen"]
        is None
    )
    assert api.get(f"/products/{p.pk}").body["skus"][1]["list_price_fen"] is None


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {2: (22.0, 32.0, 0.0), 1: "N"}  # GPSInfo
    exif[0x010F] = "SpyCam"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_product_images_are_reencoded_without_metadata(api: Api) -> None:
    p = product()
    owner = p.merchant.owner
    upload = SimpleUploadedFile("a.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    answer = api.call("POST", f"/products/{p.pk}/images", as_=owner, data={"image": upload})
    assert answer.status == 201
    stored = p.images.get()
    with stored.image.open("rb") as fh, Image.open(fh) as img:
        assert img.format == "JPEG"
        assert len(img.getexif()) == 0
    assert api.get(f"/products/{p.pk}").body["images"][0]["url"] == answer.body["url"]
    gone = api.delete(f"/products/{p.pk}/images/{answer.body['id']}", as_=owner)
    assert gone.status == 204
    assert p.images.count() == 0


def test_operator_builds_the_category_tree(api: Api, operator: Member, member: Member) -> None:
    root = api.post("/platform/categories", {"name": "食品"}, as_=operator)
    assert root.status == 201
    child = api.post(
        "/platform/categories", {"name": "茶叶", "parent_id": root.body["id"]}, as_=operator
    )
    assert child.status == 201
    assert api.post("/platform/categories", {"name": "x"}, as_=member).status == 403
    dup = api.post("/platform/categories", {"name": "食品"}, as_=operator)
    assert (dup.status, dup.error_code) == (409, "category_exists")
    assert api.get("/categories").body == [
        {
            "id": root.body["id"],
            "name": "食品",
            "children": [{"id": child.body["id"], "name": "茶叶", "children": []}],
        }
    ]
    assert Category.objects.count() == 2


def test_storefront_search_and_category_filter(api: Api) -> None:
    m = merchant()
    tea = Category.objects.create(name="茶")
    green = Category.objects.create(name="绿茶", parent=tea)
    a = product(m, title="龙井绿茶")
    a.category = green
    a.save()
    product(m, title="不锈钢锅")
    assert [p["title"] for p in api.get("/products?q=绿茶").body] == ["龙井绿茶"]
    assert [p["title"] for p in api.get(f"/products?category_id={tea.pk}").body] == ["龙井绿茶"]


def test_storefront_list_query_count_is_bounded(
    api: Api, django_assert_max_num_queries: object
) -> None:
    m = merchant()
    for i in range(15):
        product(m, title=f"商品{i}", skus=2)
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        answer = api.get("/products?limit=50")
    assert len(answer.body) == 15
