import io
from pathlib import Path
from typing import Any

import pytest
from conftest import Api
from django.conf import settings
from django.core.management.base import CommandError
from django.db.models import Count, Q
from django.utils import timezone
from PIL import Image
from tests.factories import MemberFactory, OperatorFactory

from sharemall.accounts.models import Member
from sharemall.aftersales.models import AfterSale, Dispute
from sharemall.catalog.models import Category, Product, ProductImage, Sku
from sharemall.catalog.rules import ON_SALE
from sharemall.catalog.services import product_publish
from sharemall.demo import art, data, pictures, seed
from sharemall.demo.drawings import KINDS
from sharemall.demo.facts import demo_facts
from sharemall.demo.seed import seed_demo
from sharemall.demo.stories import subject_of
from sharemall.distribution.models import CommissionEntry
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants.models import Merchant, MerchantEvent, Staff, Store
from sharemall.orders.models import Order
from sharemall.posts.models import Post, PostReport
from sharemall.promotions.models import BargainRun, CouponClaim, FlashSale, Group, SpendTierSet
from sharemall.showcase.models import Banner
from sharemall.wallet.models import Withdrawal
from sharemall.wallet.services import ledger_check
from sharemall.wallet.services_withdrawals import wallet_summary

pytestmark = pytest.mark.django_db

MODELS = (Member, Merchant, MerchantEvent, Store, Staff, Category, Product, Sku, ProductImage)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def media_files() -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def test_one_seed_builds_the_whole_demo_and_a_second_run_changes_nothing(api: Api) -> None:
    """A seed takes seconds, so one seed is checked for everything it promises (each part
    below), then seeded again."""
    lines = seed_demo()
    print(lines[0])  # noqa: T201 - the seed time, to watch in the test log
    _builds_a_mall_of_merchants_stores_and_known_logins("\n".join(lines))
    _puts_products_with_real_pictures_on_sale(api)
    _fills_every_queue_with_a_history_and_keeps_the_ledger_balanced(lines)
    _seeds_list_prices_category_icons_banners_and_shop_names()
    before, files = counts(), media_files()

    again = seed_demo()

    assert counts() == before
    assert media_files() == files
    assert again[0] == seed.ALREADY
    assert any(data.OPERATOR_PASSWORD in line for line in again)


def _builds_a_mall_of_merchants_stores_and_known_logins(lines: str) -> None:

    merchants = Merchant.objects.filter(status=merchant_rules.APPROVED)
    assert merchants.count() == 4 == Merchant.objects.count() - 1
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
    operator = Member.objects.get(phone=data.OPERATOR_PHONE)
    assert operator.is_operator
    assert operator.is_staff
    assert operator.check_password(data.OPERATOR_PASSWORD)
    members = Member.objects.filter(phone__in=data.MEMBER_PHONES)
    assert members.count() == 10
    assert not members.filter(is_operator=True).exists()
    assert all(m.check_password(data.DEMO_PASSWORD) for m in members)
    # operator + 10 members + 4 merchant owners + 1 applicant + 1 store staff member
    assert Member.objects.count() == 17

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


def _puts_products_with_real_pictures_on_sale(api: Api) -> None:
    products = Product.objects.filter(status=ON_SALE)
    assert 25 <= products.count() <= 40
    assert products.count() == Product.objects.count()
    assert products.values("merchant").distinct().count() == 4
    tops = Category.objects.filter(parent=None, children__products__isnull=False).distinct()
    assert tops.count() == 6
    for product in products.prefetch_related("skus", "images"):
        assert 1 <= len(product.skus.all()) <= 3
        assert all(s.price_fen > 0 and s.stock > 0 for s in product.skus.all())
        assert product.category is not None
        assert product.category.parent is not None
        images = list(product.images.all())
        assert 2 <= len(images) <= 4
        for record in images:
            name = record.image.name or ""
            assert record.image.storage.exists(name)
            with record.image.storage.open(name) as handle, Image.open(handle) as picture:
                assert picture.format == "JPEG"
                assert picture.size == (record.width, record.height) == (800, 800)
                picture.verify()

    answer = api.get("/products?limit=100")

    assert answer.status == 200
    assert {p["id"] for p in answer.body} == set(
        Product.objects.filter(status=ON_SALE).values_list("id", flat=True)
    )
    assert len(answer.body) >= 25
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
    tea = Category.objects.create(name="茶饮")

    lines = seed_demo()

    assert Member.objects.filter(phone=data.OPERATOR_PHONE).count() == 1
    assert not Member.objects.get(pk=member.pk).check_password(data.DEMO_PASSWORD)
    assert Category.objects.filter(name="茶饮").get() == tea
    assert Category.objects.filter(parent=tea).count() == 4
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


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch) -> Any:
    art.font.cache_clear()
    monkeypatch.setattr(art, "_cjk_face", lambda bold: None)
    monkeypatch.setattr(art, "_pick", lambda hints: None)
    yield
    art.font.cache_clear()


SUBJECT = subject_of(data.MARKER, data.MARKER.products[0])


@pytest.mark.usefixtures("no_fonts")
def test_pictures_need_no_font_at_all() -> None:
    for variant in range(len(pictures.COMPOSITIONS)):
        content = pictures.product_photo(SUBJECT, variant)
        assert _decodes(content) == ("JPEG", (pictures.SIZE, pictures.SIZE))
    assert _decodes(pictures.post_photo(SUBJECT, 1)) == ("JPEG", (pictures.SIZE, pictures.SIZE))
    assert _decodes(pictures.licence_picture(legal_name="x", uscc="y", legal_rep="z"))[0] == "JPEG"


def test_every_drawing_draws_every_composition_in_its_own_colours() -> None:
    photos = set()
    for kind in KINDS:
        subject = pictures.Subject(
            kind, "#2f6b3a", "#d4af5f", "名字很长的一件商品", "Name", "牌子", "B"
        )
        for variant in range(len(pictures.COMPOSITIONS)):
            content = pictures.product_photo(subject, variant)
            assert _decodes(content) == ("JPEG", (pictures.SIZE, pictures.SIZE))
            photos.add(content)
    assert len(photos) == len(KINDS) * len(pictures.COMPOSITIONS)  # no two alike
    kinds = {p.kind for m in data.MERCHANTS for p in m.products}
    assert kinds <= set(KINDS)
    assert {c.kind for c in data.CATEGORIES} <= set(KINDS)


def test_banners_and_icons_have_their_sizes() -> None:
    banner = pictures.banner_picture(
        headline="春茶上新",
        subline="好友分享立减",
        colour="#2f6b3a",
        subjects=[SUBJECT],
        headline_latin="Tea",
    )
    assert _decodes(banner) == ("JPEG", pictures.BANNER)
    assert _decodes(pictures.category_icon(SUBJECT)) == ("PNG", (pictures.ICON, pictures.ICON))


def _fills_every_queue_with_a_history_and_keeps_the_ledger_balanced(lines: list[str]) -> None:
    assert ledger_check() == []
    # The operator's queues: an application, a dispute, a fraud hold, a report, a withdrawal.
    applicant = Merchant.objects.get(uscc=data.APPLICANT.uscc)
    assert applicant.status == merchant_rules.SUBMITTED
    assert applicant.licence_image
    assert Dispute.objects.filter(ruling="", aftersale__status="disputed").count() == 1
    assert CommissionEntry.objects.filter(status="held").exists()
    assert PostReport.objects.exists()
    # A member's and a shop's withdrawal wait for the operator; the shop's came from settled sales.
    assert Withdrawal.objects.filter(status="requested", merchant_id=None).count() == 1
    assert Withdrawal.objects.filter(status="requested", merchant_id__isnull=False).count() == 1
    # The merchant's: an after-sales request to answer, orders to ship, a pickup to verify.
    assert AfterSale.objects.filter(status="requested").count() == 1
    statuses = set(Order.objects.values_list("status", flat=True))
    assert statuses >= {
        "pending_payment",
        "paid",
        "shipped",
        "ready_for_pickup",
        "received",
        "completed",
        "closed",
        "cancelled",
    }
    assert Order.objects.filter(delivery="pickup", status="received").exists()
    # The demo member sees orders in every tab and has money to withdraw.
    member = Member.objects.get(phone=data.MEMBER_PHONES[0])
    mine = set(Order.objects.filter(buyer=member).values_list("status", flat=True))
    assert mine >= {"pending_payment", "paid", "shipped", "received", "completed", "closed"}
    assert wallet_summary(member.pk).available_fen > 0
    assert CommissionEntry.objects.filter(status="settled").exists()
    # A history, not one busy second: orders placed over three weeks.
    days = {o.created_at.date() for o in Order.objects.all()}
    assert len(days) >= 15
    assert "Seeded the demo mall in" in lines[0]
    # The ids the gallery and the browser tests open pages by.
    assert all(demo_facts().values()), demo_facts()
    # Buyers' posts with photos, an unhappy one among them, one reported, one read into a sale.
    posts = Post.objects.filter(status="visible")
    assert posts.count() == 5
    assert sorted(posts.values_list("rating", flat=True)) == [2, 4, 5, 5, 5]
    assert all(1 <= p.images.count() <= 3 and p.share_link_id for p in posts)
    assert posts.filter(author__phone=data.MEMBER_PHONES[0]).exists()
    assert PostReport.objects.values("post").distinct().count() == 1
    assert Order.objects.filter(degree=2, status="paid").count() == 1
    # Campaigns to show: a claimed coupon, 满减, a group one seat in, a bargain two friends helped.
    assert CouponClaim.objects.filter(member=member, used_at=None).count() == 1
    assert SpendTierSet.objects.exists()
    group = Group.objects.get()
    assert (group.status, group.paid_count, group.size) == ("forming", 1, 3)
    assert BargainRun.objects.get().helps == 2
    assert FlashSale.objects.filter(
        starts_at__lte=timezone.now(), ends_at__gt=timezone.now()
    ).exists()


def _seeds_list_prices_category_icons_banners_and_shop_names() -> None:
    listed = Sku.objects.exclude(list_price_fen=None)
    assert listed.exists()
    assert all(s.list_price_fen is not None and s.list_price_fen > s.price_fen for s in listed)
    assert all(c.icon for c in Category.objects.filter(parent=None))
    assert Banner.objects.filter(is_active=True).count() == len(data.BANNERS)
    assert all(b.link_url.startswith("/categories") for b in Banner.objects.all())
    # Shoppers see shop names, never the company's legal name.
    online = Store.objects.filter(kind=Store.Kind.ONLINE, merchant__status="approved")
    assert online.exists()
    assert not online.filter(name__endswith="有限公司").exists()
