"""Coupon pages: a merchant sets up a coupon and 满减 in the console, a member claims it in the
coupon centre and finds it in My coupons, an operator keeps the platform's coupons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.factories import MemberFactory, OperatorFactory, merchant

from sharemall.promotions.models import Coupon, CouponClaim, SpendTierSet
from sharemall.promotions.selectors.coupons import settings_of
from sharemall.web.tests.support import browser, page

pytestmark = pytest.mark.django_db

FMT = "%Y-%m-%dT%H:%M"


def _window() -> dict[str, str]:
    now = timezone.localtime()
    return {
        "valid_from": (now - timedelta(hours=1)).strftime(FMT),
        "valid_to": (now + timedelta(days=3)).strftime(FMT),
    }


def _coupon_form(**changes: str) -> dict[str, str]:
    return {
        "title": "满100减15",
        "kind": "amount",
        "threshold": "100",
        "amount": "15",
        "scope": "merchant",
        "total": "50",
        "per_member": "1",
        "channel": "claim",
        **_window(),
        **changes,
    }


def test_a_merchant_creates_a_coupon_and_a_member_claims_it_once() -> None:
    m = merchant()
    owner = browser(m.owner)
    answer = owner.post("/merchant/coupons/new", _coupon_form())
    assert answer.status_code == 302, answer.content.decode()[:2000]
    coupon = Coupon.objects.get(merchant=m)
    assert (coupon.amount_fen, coupon.threshold_fen, coupon.scope_ids) == (1500, 10000, [m.pk])
    assert "满100减15" in page(owner, "/merchant/coupons")

    member = MemberFactory.create()
    shopper = browser(member)
    assert "满100减15" in page(shopper, "/coupons")
    assert shopper.post(f"/coupons/{coupon.pk}/claim").status_code == 302
    assert shopper.post(f"/coupons/{coupon.pk}/claim").status_code == 302  # told, not given
    assert CouponClaim.objects.filter(member=member).count() == 1
    assert "满100减15" in page(shopper, "/me/coupons")


def test_a_refused_coupon_is_shown_on_the_form() -> None:
    m = merchant()
    owner = browser(m.owner)
    answer = owner.post("/merchant/coupons/new", _coupon_form(amount="150"))
    assert answer.status_code == 200
    assert not Coupon.objects.exists()


def test_tiers_and_stacking_are_saved_from_the_console() -> None:
    m = merchant()
    owner = browser(m.owner)
    answer = owner.post(
        "/merchant/promotions",
        {
            "form": "tiers",
            "tier-TOTAL_FORMS": "3",
            "tier-INITIAL_FORMS": "0",
            "tier-0-threshold": "200",
            "tier-0-off": "20",
            "tier-1-threshold": "",
            "tier-1-off": "",
            "tier-2-threshold": "",
            "tier-2-off": "",
            **_window(),
        },
    )
    assert answer.status_code == 302
    assert SpendTierSet.objects.get(merchant=m).tiers == [{"threshold_fen": 20000, "off_fen": 2000}]
    owner.post("/merchant/promotions", {"form": "stacking", "promotion_earns_commission": "on"})
    stacking = settings_of(m.pk)
    assert (stacking.coupon_with_tier, stacking.promotion_earns_commission) == (False, True)


def test_only_the_owner_and_operators_reach_the_coupon_consoles() -> None:
    m = merchant()
    stranger = browser(MemberFactory.create())
    assert stranger.get("/platform/coupons").status_code == 404
    assert stranger.get("/merchant/coupons").status_code in (302, 404)
    assert browser(m.owner).get("/platform/coupons").status_code == 404
    operator = browser(OperatorFactory.create())
    answer = operator.post(
        "/platform/coupons", _coupon_form(scope="platform", title="全场满100减15")
    )
    assert answer.status_code == 302
    assert Coupon.objects.filter(merchant=None).count() == 1
    assert "全场满100减15" in page(operator, "/platform/coupons")
