"""The rules checkout keeps per process (core.versions): a change made through the services is
applied by the very next quote or order, and a steady-state quote reads none of them again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sharemall.accounts.services import token_issue
from sharemall.catalog.models import Product, Sku
from sharemall.core import versions
from sharemall.freight import rules as freight_rules
from sharemall.freight import services as freight_services
from sharemall.merchants.models import Merchant
from sharemall.platform.models import PlatformSettings
from sharemall.promotions.rules.pricing import SpendTier
from sharemall.promotions.selectors import coupons as promotion_selectors
from sharemall.promotions.services import coupons as promotion_services
from tests.factories import MemberFactory, OperatorFactory, merchant, product
from tests.flows import ADDRESS, register, share

pytestmark = pytest.mark.django_db

PLAN = {
    "share_budget_bp": 2000,
    "buyer_discount_bp": 500,
    "level_bp": [800, 400, 200],
    "region_agent_bp": 100,
}
FLAT = freight_rules.Template(by="piece", rules=(freight_rules.Rule((), 1, 1000, 1, 500),))
DEARER = freight_rules.Template(by="piece", rules=(freight_rules.Rule((), 1, 1500, 1, 800),))


def _body(sku: Sku, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    return {"items": [{"sku_id": sku.pk, "quantity": quantity}], "delivery": ADDRESS, **extra}


def _quote(api: Api, token: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = api.post("/orders/quote", body, as_=token)
    assert answer.status == 200, answer.body
    (order,) = answer.body["orders"]
    return dict(order)


@pytest.fixture
def shop() -> tuple[Merchant, Product, Sku]:
    m = merchant()
    p = product(m, price_fen=10000, stock=50)
    return m, p, p.skus.get()


def test_a_plan_change_applies_to_the_next_quote(api: Api, shop: Any) -> None:
    m, p, sku = shop
    assert api.put(f"/merchants/{m.pk}/commission-plan", PLAN, as_=m.owner).status == 200
    _s, sharer = register(api, "13700008001")
    body = _body(sku, share_code=share(api, sharer, p.pk))
    buyer = token_issue(MemberFactory.create())
    assert _quote(api, buyer, body)["share_fen"] == 500
    assert _quote(api, buyer, body)["share_fen"] == 500  # from the cache
    changed = {**PLAN, "buyer_discount_bp": 300}
    assert api.put(f"/merchants/{m.pk}/commission-plan", changed, as_=m.owner).status == 200
    assert _quote(api, buyer, body)["share_fen"] == 300
    # A SKU override wins over the merchant default, from the next quote on.
    override = {**PLAN, "buyer_discount_bp": 100}
    assert api.put(f"/skus/{sku.pk}/commission-plan", override, as_=m.owner).status == 200
    assert _quote(api, buyer, body)["share_fen"] == 100
    created = api.post("/orders", body, as_=buyer)
    assert created.status == 201, created.body
    assert created.body["orders"][0]["lines"][0]["paid_fen"] == 10000 - 100


def test_spend_tiers_apply_and_stop_at_the_next_quote(api: Api, shop: Any) -> None:
    m, _p, sku = shop
    buyer = token_issue(MemberFactory.create())
    body = _body(sku, quantity=2)
    assert _quote(api, buyer, body)["tier_fen"] == 0
    now = timezone.now()
    made = api.post(
        f"/merchants/{m.pk}/spend-tiers",
        {
            "tiers": [{"threshold_fen": 15000, "off_fen": 1000}],
            "valid_from": (now - timedelta(hours=1)).isoformat(),
            "valid_to": (now + timedelta(days=1)).isoformat(),
        },
        as_=m.owner,
    )
    assert made.status == 201, made.body
    assert _quote(api, buyer, body)["tier_fen"] == 1000
    assert _quote(api, buyer, body)["tier_fen"] == 1000
    stopped = api.post(f"/merchants/{m.pk}/spend-tiers/{made.body['id']}/stop", as_=m.owner)
    assert stopped.status == 200, stopped.body
    assert _quote(api, buyer, body)["tier_fen"] == 0


def test_tiers_that_have_not_started_are_held_but_not_applied(api: Api, shop: Any) -> None:
    m, _p, sku = shop
    buyer = token_issue(MemberFactory.create())
    now = timezone.now()
    made = api.post(
        f"/merchants/{m.pk}/spend-tiers",
        {
            "tiers": [{"threshold_fen": 5000, "off_fen": 700}],
            "valid_from": (now + timedelta(hours=1)).isoformat(),
            "valid_to": (now + timedelta(days=1)).isoformat(),
        },
        as_=m.owner,
    )
    assert made.status == 201, made.body
    assert _quote(api, buyer, _body(sku))["tier_fen"] == 0


def test_stacking_settings_apply_from_the_next_request(api: Api, shop: Any) -> None:
    m, _p, _sku = shop
    path = f"/merchants/{m.pk}/promotion-settings"
    before = api.get(path, as_=m.owner).body
    assert before["coupon_with_tier"] is True
    changed = api.put(path, {**before, "coupon_with_tier": False}, as_=m.owner)
    assert changed.status == 200, changed.body
    assert api.get(path, as_=m.owner).body["coupon_with_tier"] is False


def test_a_freight_template_change_applies_to_the_next_quote(api: Api, shop: Any) -> None:
    m, p, sku = shop
    template = freight_services.template_create(m, name="flat", template=FLAT)
    Product.objects.filter(pk=p.pk).update(freight_template=template)
    buyer = token_issue(MemberFactory.create())
    assert _quote(api, buyer, _body(sku, quantity=2))["shipping_fen"] == 1500
    assert _quote(api, buyer, _body(sku, quantity=2))["shipping_fen"] == 1500
    freight_services.template_update(template, name="flat", template=DEARER)
    assert _quote(api, buyer, _body(sku, quantity=2))["shipping_fen"] == 2300


def test_platform_settings_changed_by_an_operator_are_read_back_at_once(api: Api) -> None:
    operator = token_issue(OperatorFactory.create())
    assert api.get("/platform/settings", as_=operator).body["settlement_delay_days"] != 9
    written = api.put("/platform/settings", {"settlement_delay_days": 9}, as_=operator)
    assert (written.status, written.body["settlement_delay_days"]) == (200, 9)
    assert api.get("/platform/settings", as_=operator).body["settlement_delay_days"] == 9
    # Another process's committed change (its UPDATE and its bump) is seen just as soon.
    PlatformSettings.objects.filter(pk=1).update(settlement_delay_days=11)
    versions.bump(versions.PLATFORM)
    assert api.get("/platform/settings", as_=operator).body["settlement_delay_days"] == 11


def test_a_cached_quote_reads_no_rule_again(
    api: Api, shop: Any, django_assert_num_queries: Any
) -> None:
    """Steady state, one SKU with a plan, tiers and a freight template: the member row with
    the versions (the token is cached), the SKU, the share attribution. Before the caches the
    same quote took 9: the token, platform settings, plan, tiers, stacking settings and the
    freight template and its rules were read on each."""
    m, p, sku = shop
    assert api.put(f"/merchants/{m.pk}/commission-plan", PLAN, as_=m.owner).status == 200
    template = freight_services.template_create(m, name="flat", template=FLAT)
    Product.objects.filter(pk=p.pk).update(freight_template=template)
    buyer = token_issue(MemberFactory.create())
    body = _body(sku)
    _quote(api, buyer, body)  # fills the caches
    _quote(api, buyer, body)  # and the once-a-minute touch of the token is done
    with CaptureQueriesContext(connection) as seen:
        _quote(api, buyer, body)
    tables = " ".join(q["sql"] for q in seen.captured_queries)
    for cached in (
        "accounts_apitoken",
        "platform_platformsettings",
        "distribution_commissionplan",
        "promotions_spendtierset",
        "promotions_promotionsettings",
        "freight_freighttemplate",
        "freight_freightrule",
    ):
        assert cached not in tables
    with django_assert_num_queries(3):
        _quote(api, buyer, body)


def test_tiers_asked_for_a_moment_long_past_come_from_the_database(shop: Any) -> None:
    """The cache holds sets that ended up to a day before it read them; an older `now` (a
    recomputation of an old order) is answered as before the cache, from the database."""
    m, _p, _sku = shop
    now = timezone.now()
    ended = promotion_services.tiers_create(
        m,
        actor=m.owner,
        tiers=[SpendTier(5000, 500)],
        valid_from=now - timedelta(days=5),
        valid_to=now - timedelta(days=2),
    )
    with versions.scope():
        assert promotion_selectors.active_tiers([m.pk], now) == {}  # fills the cache
        back_then = promotion_selectors.active_tiers([m.pk], now - timedelta(days=3))
    assert back_then == {m.pk: [SpendTier(5000, 500)]}
    assert ended.stopped_at is None
