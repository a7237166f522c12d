"""Flash sales: the merchant's set-up, the public page's answer, and the checkout handler's
offer / reserve / release / paid, on SQLite and PostgreSQL (races: test_flash_races.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.db import connection, transaction
from django.utils import timezone
from tests.factories import MemberFactory, merchant, product

from sharemall.core.errors import Conflict
from sharemall.merchants import services as merchant_services
from sharemall.promotions.models.flash import FlashPurchase, FlashQuota, FlashSale
from sharemall.promotions.rules.offers import FLASH, Offer
from sharemall.promotions.services import flash, offers
from sharemall.promotions.tests.flash_support import (
    bare_orders,
    forget_snapshots,
    live_sale,
    members,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_snapshots() -> Iterator[None]:
    forget_snapshots()
    yield
    forget_snapshots()


def body(sku_id: int, **changes: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "sku_id": sku_id,
        "price_fen": 990,
        "stock": 5,
        "per_member": 1,
        "starts_at": (now + timedelta(minutes=10)).isoformat(),
        "ends_at": (now + timedelta(hours=2)).isoformat(),
        **changes,
    }


# -- set-up ----------------------------------------------------------------------------------


def test_the_owner_creates_a_sale_and_anyone_reads_it_upcoming(api: Api) -> None:
    sku = product(price_fen=9900).skus.get()
    owner = sku.product.merchant.owner
    created = api.post(f"/merchants/{sku.product.merchant_id}/flash-sales", body(sku.pk), as_=owner)
    assert created.status == 201, created.body
    assert set(created.body) == {"id"}
    page = api.get(f"/flash-sales/{created.body['id']}")
    assert page.status == 200
    assert page.body["status"] == "upcoming"
    assert (page.body["price_fen"], page.body["list_price_fen"]) == (990, 9900)
    assert (page.body["stock"], page.body["sold"], page.body["remaining"]) == (5, 0, 5)
    assert page.body["per_member"] == 1
    assert page.body["product_id"] == sku.product_id
    assert "server_now" in page.body


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"price_fen": 0}, "invalid_flash_price"),
        ({"price_fen": 9900}, "invalid_flash_price"),  # not below the SKU's price
        ({"stock": 0}, "invalid_stock"),
        ({"per_member": 0}, "invalid_per_member"),
        ({"per_member": 6}, "invalid_per_member"),  # more than the whole flash stock
    ],
)
def test_bad_set_ups_are_refused_and_nothing_is_written(
    api: Api, changes: dict[str, Any], code: str
) -> None:
    sku = product(price_fen=9900).skus.get()
    answer = api.post(
        f"/merchants/{sku.product.merchant_id}/flash-sales",
        body(sku.pk, **changes),
        as_=sku.product.merchant.owner,
    )
    assert (answer.status, answer.error_code) == (400, code)
    assert not FlashSale.objects.exists()


def test_a_window_must_end_after_it_starts(api: Api) -> None:
    sku = product(price_fen=9900).skus.get()
    now = timezone.now()
    answer = api.post(
        f"/merchants/{sku.product.merchant_id}/flash-sales",
        body(sku.pk, starts_at=now.isoformat(), ends_at=now.isoformat()),
        as_=sku.product.merchant.owner,
    )
    assert (answer.status, answer.error_code) == (400, "invalid_flash_window")
    assert not FlashSale.objects.exists()


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("0001-01-01T00:00:00", "2026-01-01T00:00:00"),
        ("2026-01-01T00:00:00", "9999-12-31T23:59:59"),
    ],
)
def test_a_window_in_a_far_year_is_refused_not_a_server_error(
    api: Api, starts_at: str, ends_at: str
) -> None:
    sku = product(price_fen=9900).skus.get()
    answer = api.post(
        f"/merchants/{sku.product.merchant_id}/flash-sales",
        body(sku.pk, starts_at=starts_at, ends_at=ends_at),
        as_=sku.product.merchant.owner,
    )
    assert (answer.status, answer.error_code) == (400, "invalid_flash_window")
    assert not FlashSale.objects.exists()


def test_only_the_owner_sets_up_a_sale_of_their_own_sku(api: Api) -> None:
    sku = product(price_fen=9900).skus.get()
    m = sku.product.merchant
    other = merchant()
    clerk = MemberFactory.create()
    merchant_services.staff_add(m, phone=clerk.phone)
    path = f"/merchants/{m.pk}/flash-sales"
    assert api.post(path, body(sku.pk)).status == 401
    assert api.post(path, body(sku.pk), as_=MemberFactory.create()).status == 404
    assert api.post(path, body(sku.pk), as_=clerk).error_code == "owner_only"
    # Another merchant's SKU under one's own merchant: as good as missing.
    answer = api.post(f"/merchants/{other.pk}/flash-sales", body(sku.pk), as_=other.owner)
    assert answer.status == 404
    assert not FlashSale.objects.exists()


def test_statuses_live_sold_out_ended_and_the_lists(api: Api) -> None:
    live = live_sale(stock=3)
    now = timezone.now()
    upcoming = live_sale(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    ended = live_sale(starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1))
    assert api.get(f"/flash-sales/{live.pk}").body["status"] == "live"
    assert api.get(f"/flash-sales/{ended.pk}").body["status"] == "ended"
    FlashSale.objects.filter(pk=live.pk).update(sold=3)
    assert api.get(f"/flash-sales/{live.pk}").body["status"] == "sold_out"
    assert [s["id"] for s in api.get("/flash-sales?live=1").body] == [live.pk]
    assert [s["id"] for s in api.get("/flash-sales").body] == [live.pk, upcoming.pk]
    mine = api.get(f"/merchants/{live.merchant_id}/flash-sales", as_=live.merchant.owner)
    assert [s["id"] for s in mine.body] == [live.pk]


def test_stopping_ends_a_sale_once(api: Api) -> None:
    sale = live_sale()
    path = f"/merchants/{sale.merchant_id}/flash-sales/{sale.pk}/stop"
    assert api.post(path, as_=MemberFactory.create()).status == 404
    stopped = api.post(path, as_=sale.merchant.owner)
    assert stopped.status == 200
    assert stopped.body["status"] == "ended"
    first = FlashSale.objects.get(pk=sale.pk).stopped_at
    assert api.post(path, as_=sale.merchant.owner).body["stopped_at"] == stopped.body["stopped_at"]
    assert FlashSale.objects.get(pk=sale.pk).stopped_at == first
    buyer = MemberFactory.create()
    with pytest.raises(Conflict) as refused:
        offers.offer(FLASH, sale.pk, buyer=buyer, sku_id=sale.sku_id, now=timezone.now())
    assert refused.value.code == "flash_not_live"


def test_a_draft_products_sale_is_not_shown(api: Api) -> None:
    sale = live_sale()
    sale.sku.product.status = "off_sale"
    sale.sku.product.save()
    assert api.get(f"/flash-sales/{sale.pk}").status == 404
    assert api.get("/flash-sales?live=1").body == []


# -- the checkout handler ----------------------------------------------------------------------


def _reserve(offer: Offer, buyer: Any, quantity: int = 1) -> Any:
    (order,) = bare_orders([buyer], offer_sku(offer))
    with transaction.atomic():
        offers.reserve(offer, buyer=buyer, quantity=quantity, order=order)
    return order


def offer_sku(offer: Offer) -> Any:
    return FlashSale.objects.get(pk=offer.ref_id).sku


def test_a_live_sale_offers_its_price_and_limit_for_its_sku_only() -> None:
    sale = live_sale(per_member=2)
    buyer = MemberFactory.create()
    now = timezone.now()
    got = offers.offer(FLASH, sale.pk, buyer=buyer, sku_id=sale.sku_id, now=now)
    assert got == Offer(FLASH, sale.pk, sale.sku_id, 990, 2)
    with pytest.raises(Conflict) as wrong_sku:
        offers.offer(FLASH, sale.pk, buyer=buyer, sku_id=sale.sku_id + 1000, now=now)
    assert wrong_sku.value.code == "flash_not_live"
    with pytest.raises(Conflict) as missing:
        offers.offer(FLASH, sale.pk + 1000, buyer=buyer, sku_id=sale.sku_id, now=now)
    assert missing.value.code == "flash_not_live"
    with pytest.raises(Conflict) as early:
        offers.offer(
            FLASH, sale.pk, buyer=buyer, sku_id=sale.sku_id, now=sale.starts_at - timedelta(1)
        )
    assert early.value.code == "flash_not_live"
    with pytest.raises(Conflict) as late:
        offers.offer(FLASH, sale.pk, buyer=buyer, sku_id=sale.sku_id, now=sale.ends_at)
    assert late.value.code == "flash_not_live"


def test_reserve_takes_stock_and_the_members_count_and_records_the_purchase() -> None:
    sale = live_sale(stock=5, per_member=2)
    buyer = MemberFactory.create()
    offer = offers.offer(FLASH, sale.pk, buyer=buyer, sku_id=sale.sku_id, now=timezone.now())
    order = _reserve(offer, buyer, 2)
    assert FlashSale.objects.get(pk=sale.pk).sold == 2
    assert FlashQuota.objects.get(sale=sale, member=buyer).bought == 2
    purchase = FlashPurchase.objects.get()
    assert (purchase.order_id, purchase.quantity, purchase.status) == (order.pk, 2, "reserved")


def test_the_per_member_limit_counts_across_orders() -> None:
    sale = live_sale(stock=5, per_member=2)
    buyer = MemberFactory.create()
    offer = offers.offer(FLASH, sale.pk, buyer=buyer, sku_id=sale.sku_id, now=timezone.now())
    _reserve(offer, buyer, 1)
    with pytest.raises(Conflict) as over:
        _reserve(offer, buyer, 2)
    assert over.value.code == "flash_limit"
    _reserve(offer, buyer, 1)
    with pytest.raises(Conflict) as again:
        _reserve(offer, buyer, 1)
    assert again.value.code == "flash_limit"
    assert FlashSale.objects.get(pk=sale.pk).sold == 2
    assert FlashQuota.objects.get(sale=sale, member=buyer).bought == 2
    assert FlashPurchase.objects.count() == 2


def test_the_last_units_go_then_sold_out_is_refused_without_asking_the_database(
    django_assert_num_queries: Any,
) -> None:
    sale = live_sale(stock=2, per_member=2)
    a, b = members(2)
    now = timezone.now()
    offer = offers.offer(FLASH, sale.pk, buyer=a, sku_id=sale.sku_id, now=now)
    _reserve(offer, a, 1)
    with pytest.raises(Conflict) as too_many:
        _reserve(offer, b, 2)  # one left: two is too many, and b's count is untouched
    assert too_many.value.code == "flash_sold_out"
    assert not FlashQuota.objects.filter(member=b).exists()
    _reserve(offer, b, 1)
    with pytest.raises(Conflict) as gone:
        _reserve(offer, a, 1)
    assert gone.value.code == "flash_sold_out"
    assert FlashSale.objects.get(pk=sale.pk).sold == 2
    with django_assert_num_queries(0), pytest.raises(Conflict) as cheap:
        offers.offer(FLASH, sale.pk, buyer=b, sku_id=sale.sku_id, now=now)
    assert cheap.value.code == "flash_sold_out"


def test_a_stopped_sale_reserves_nothing_even_from_an_offer_made_before() -> None:
    sale = live_sale()
    buyer = MemberFactory.create()
    offer = offers.offer(FLASH, sale.pk, buyer=buyer, sku_id=sale.sku_id, now=timezone.now())
    flash.sale_stop(sale, now=timezone.now())
    with pytest.raises(Conflict) as refused:
        _reserve(offer, buyer)
    assert refused.value.code == "flash_not_live"
    assert FlashSale.objects.get(pk=sale.pk).sold == 0
    assert not FlashQuota.objects.exists()
    assert not FlashPurchase.objects.exists()


def test_release_gives_units_and_counts_back_once_and_paid_ones_stay(
    django_capture_on_commit_callbacks: Any,
) -> None:
    sale = live_sale(stock=3, per_member=1)
    a, b = members(2)
    offer = offers.offer(FLASH, sale.pk, buyer=a, sku_id=sale.sku_id, now=timezone.now())
    unpaid = _reserve(offer, a)
    kept = _reserve(offer, b)
    assert offers.paid([kept]) == []
    # As committed releases do (with REDIS_URL, the gate gets the units and counts back).
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        offers.release([unpaid.pk, kept.pk])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        offers.release([unpaid.pk, kept.pk])  # a second run: nothing more
    assert FlashSale.objects.get(pk=sale.pk).sold == 1
    assert FlashQuota.objects.get(member=a).bought == 0
    assert FlashQuota.objects.get(member=b).bought == 1
    assert dict(FlashPurchase.objects.values_list("order_id", "status")) == {
        unpaid.pk: "released",
        kept.pk: "paid",
    }
    _reserve(offer, a)  # the released member may buy again
    assert FlashSale.objects.get(pk=sale.pk).sold == 2


def test_released_units_reach_a_process_that_saw_the_sale_sold_out(
    django_capture_on_commit_callbacks: Any,
) -> None:
    sale = live_sale(stock=1, per_member=1)
    a, b = members(2)
    offer = offers.offer(FLASH, sale.pk, buyer=a, sku_id=sale.sku_id, now=timezone.now())
    unpaid = _reserve(offer, a)
    with pytest.raises(Conflict):
        _reserve(offer, b)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        offers.release([unpaid.pk])
    again = offers.offer(FLASH, sale.pk, buyer=b, sku_id=sale.sku_id, now=timezone.now())
    _reserve(again, b)
    assert FlashSale.objects.get(pk=sale.pk).sold == 1


def test_on_postgresql_each_attempt_is_one_statement_whatever_the_answer(
    django_assert_num_queries: Any, settings: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement reservation is PostgreSQL's (SQLite: three statements)")
    settings.REDIS_URL = ""
    sale = live_sale(stock=2, per_member=1)
    a, b, c = members(3)
    offer = offers.offer(FLASH, sale.pk, buyer=a, sku_id=sale.sku_id, now=timezone.now())
    sku = offer_sku(offer)

    def attempt(buyer: Any) -> str:
        (order,) = bare_orders([buyer], sku)
        try:
            with transaction.atomic(), django_assert_num_queries(1):
                offers.reserve(offer, buyer=buyer, quantity=1, order=order)
        except Conflict as refused:
            return refused.code
        return "ok"

    assert attempt(a) == "ok"
    assert attempt(a) == "flash_limit"
    assert attempt(b) == "ok"
    assert attempt(c) == "flash_sold_out"
    flash.sale_stop(sale, now=timezone.now())
    assert attempt(c) == "flash_not_live"
    # The refusals left nothing behind: the statement's quota rise rolled back with them.
    assert FlashSale.objects.get(pk=sale.pk).sold == 2
    assert dict(FlashQuota.objects.values_list("member_id", "bought")) == {a.pk: 1, b.pk: 1}
    assert FlashPurchase.objects.count() == 2
