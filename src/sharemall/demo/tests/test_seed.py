import io
from pathlib import Path
from typing import Any

import pytest
from conftest import Api
from django.conf import settings
from django.core.management.base import CommandError
from django.db.models import Count, Q
from PIL import Image
from tests.factories import MemberFactory, OperatorFactory

from sharemall.accounts.models import Member
from sharemall.catalog.models import Category, Product, ProductImage, Sku
from sharemall.catalog.rules import ON_SALE
from sharemall.catalog.services import product_publish
from sharemall.demo import data, pictures, seed
from sharemall.demo.seed import seed_demo
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants.models import Merchant, MerchantEvent, Staff, Store
from sharemall.orders.models import Order
from sharemall.posts.models import Post

pytestmark = pytest.mark.django_db

MODELS = (Member, Merchant, MerchantEvent, Store, Staff, Category, Product, Sku, ProductImage)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def media_files() -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def test_seed_builds_a_mall_of_approved_merchants_and_stores() -> None:
    seed_demo()

    merchants = Merchant.objects.filter(status=merchant_rules.APPROVED)
    assert merchants.count() == 3 == Merchant.objects.count()
    for merchant in merchants:
        assert merchant_rules.clean_uscc(merchant.uscc) == merchant.uscc
        assert merchant.events.filter(to_status=merchant_rules.APPROVED).exists()
    with_stores = merchants.annotate(
        offline=Count("stores", filter=Q(stores__kind=Store.Kind.OFFLINE, stores__is_active=True))
    ).filter(offline__gt=0)
    assert [m.offline for m in with_stores] == [2]
    for store in Store.objects.filter(kind=Store.Kind.OFFLINE):
        assert merchant_rules.region(store.region_code).level == "district"
        assert store.latitude is not None
        assert store.longitude is not None
        assert len(store.opening_hours) == 7


def test_seed_puts_products_with_real_pictures_on_sale() -> None:
    seed_demo()

    products = Product.objects.filter(status=ON_SALE)
    assert products.count() >= 20
    assert products.count() == Product.objects.count()
    for product in products.prefetch_related("skus", "images"):
        assert 1 <= len(product.skus.all()) <= 3
        assert all(s.price_fen > 0 and s.stock > 0 for s in product.skus.all())
        assert product.category is not None
        assert product.category.parent is not None
        images = list(product.images.all())
        assert 1 <= len(images) <= 2
        for record in images:
            name = record.image.name or ""
            assert record.image.storage.exists(name)
            with record.image.storage.open(name) as handle, Image.open(handle) as picture:
                assert picture.format in {"PNG", "JPEG"}
                assert picture.size == (record.width, record.height)
                picture.verify()


def test_seed_makes_the_operator_members_and_known_logins() -> None:
    lines = "\n".join(seed_demo())

    operator = Member.objects.get(phone=data.OPERATOR_PHONE)
    assert operator.is_operator
    assert operator.is_staff
    assert operator.check_password(data.OPERATOR_PASSWORD)
    members = Member.objects.filter(phone__in=data.MEMBER_PHONES)
    assert members.count() == 10
    assert not members.filter(is_operator=True).exists()
    assert all(m.check_password(data.DEMO_PASSWORD) for m in members)
    # operator + 10 members + 3 merchant owners + 1 store staff member
    assert Member.objects.count() == 15

    owner = Member.objects.get(phone=data.MARKER.owner_phone)
    assert owner.check_password(data.DEMO_PASSWORD)
    assert Staff.objects.filter(member=owner, role=Staff.Role.OWNER).exists()
    staff = Staff.objects.select_related("member", "store").get(role=Staff.Role.STAFF)
    assert staff.member.phone == data.MARKER.staff_phone
    assert staff.member.check_password(data.DEMO_PASSWORD)
    assert staff.store is not None
    assert staff.store.kind == Store.Kind.OFFLINE

    for needed in (
        data.OPERATOR_PHONE,
        data.OPERATOR_PASSWORD,
        data.MARKER.owner_phone,
        data.MARKER.staff_phone,
        data.MEMBER_PHONES[0],
        data.DEMO_PASSWORD,
        "http://127.0.0.1:8000/",
        "http://127.0.0.1:8000/admin/",
        "http://127.0.0.1:8000/api/v1/docs",
    ):
        assert needed in lines


def test_a_second_run_changes_nothing() -> None:
    seed_demo()
    before, files = counts(), media_files()

    lines = seed_demo()

    assert counts() == before
    assert media_files() == files
    assert lines[0] == seed.ALREADY
    assert any(data.OPERATOR_PASSWORD in line for line in lines)


def test_the_storefront_lists_the_seeded_products(api: Api) -> None:
    seed_demo()

    answer = api.get("/products?limit=100")

    assert answer.status == 200
    assert {p["id"] for p in answer.body} == set(
        Product.objects.filter(status=ON_SALE).values_list("id", flat=True)
    )
    assert len(answer.body) >= 20
    assert all(p["images"] and p["skus"] for p in answer.body)


def test_a_failure_half_way_leaves_no_rows_and_no_files(monkeypatch: pytest.MonkeyPatch) -> None:
    published = 0

    def publish_then_fail(product: Product) -> Product:
        nonlocal published
        published += 1
        if published == 10:
            raise RuntimeError("disk full")
        return original(product)

    original = product_publish
    monkeypatch.setattr(seed, "product_publish", publish_then_fail)

    with pytest.raises(RuntimeError):
        seed_demo()

    assert not any(counts().values())
    assert media_files() == []


def test_existing_accounts_and_categories_are_reused_untouched() -> None:
    OperatorFactory.create(phone=data.OPERATOR_PHONE)
    member = MemberFactory.create(phone=data.MEMBER_PHONES[3])
    food = Category.objects.create(name="食品")

    lines = seed_demo()

    assert Member.objects.filter(phone=data.OPERATOR_PHONE).count() == 1
    assert not Member.objects.get(pk=member.pk).check_password(data.DEMO_PASSWORD)
    assert Category.objects.filter(name="食品").get() == food
    assert Category.objects.filter(parent=food).count() == 2
    assert Member.objects.filter(phone__in=data.MEMBER_PHONES).count() == 10
    assert sum("left alone" in line for line in lines) == 2


def test_the_operator_number_held_by_an_ordinary_member_stops_the_seed() -> None:
    MemberFactory.create(phone=data.OPERATOR_PHONE)

    with pytest.raises(CommandError):
        seed_demo()

    assert not Merchant.objects.exists()


def _decodes(content: bytes) -> tuple[str, tuple[int, int]]:
    with Image.open(io.BytesIO(content)) as picture:
        picture.load()
        return picture.format or "", picture.size


def test_pictures_need_no_font_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pictures, "_cjk_face", lambda: None)
    monkeypatch.setattr(pictures, "_pick", lambda hints: None)

    content = pictures.product_picture(
        title="西湖龙井", label="Longjing", colours=("#1f5130", "#a8d08d"), variant=1
    )

    assert _decodes(content) == ("JPEG", (pictures.SIZE, pictures.SIZE))


def test_pictures_draw_a_long_chinese_title_when_a_cjk_font_exists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[str] = []
    real_font = pictures._font

    def font(size: int, *, cjk: bool) -> Any:
        drawn.append(f"{size}:{cjk}")
        return real_font(size, cjk=False)

    monkeypatch.setattr(pictures, "cjk_font_available", lambda: True)
    monkeypatch.setattr(pictures, "_font", font)

    content = pictures.product_picture(
        title="悦厨 真空密封储物罐 三只装 按压式真空盖 五谷杂粮咖啡豆防潮保鲜",
        label="Canisters",
        colours=("#2e7d32", "#dcedc8"),
        variant=0,
    )

    assert _decodes(content)[0] == "JPEG"
    assert drawn == ["260:True", "44:True"]
    assert pictures._glyph("悦厨 304不锈钢炒锅") == "不"
    assert pictures._glyph("西湖龙井 明前特级绿茶") == "西"


def test_seed_has_experience_posts_and_a_second_degree_sale() -> None:
    seed_demo()

    posts = Post.objects.filter(status="visible")
    assert posts.count() == 3
    assert sorted(posts.values_list("rating", flat=True)) == [2, 4, 5]
    assert all(p.images.count() == 1 and p.share_link_id for p in posts)
    assert Order.objects.filter(degree=2, status="paid").count() == 1
