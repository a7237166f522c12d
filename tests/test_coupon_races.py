"""Coupon races on PostgreSQL: claims and uses are exact however many arrive at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.checkout import services as checkout
from sharemall.core.errors import DomainError
from sharemall.orders.models import Order
from sharemall.promotions.models import Coupon, CouponClaim
from sharemall.promotions.rules import coupons as rules
from sharemall.promotions.rules.pricing import Coupon as PricedCoupon
from sharemall.promotions.services import coupons as services
from tests.factories import MemberFactory, merchant, product
from tests.flows import ADDRESS
from tests.races import all_at_once, postgres_only

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    postgres_only()


def _coupon(*, total: int, per_member: int) -> Coupon:
    m = merchant()
    now = timezone.now()
    return services.coupon_create(
        merchant=m,
        actor=m.owner,
        title="满50减10",
        definition=rules.Definition(
            PricedCoupon(
                "new",
                rules.AMOUNT,
                threshold_fen=5000,
                amount_fen=1000,
                scope=rules.SCOPE_MERCHANT,
                scope_ids=frozenset({m.pk}),
                funded_by=rules.FUNDED_BY_MERCHANT,
                merchant_id=m.pk,
            ),
            total=total,
            per_member=per_member,
            valid_from=now - timedelta(hours=1),
            valid_to=now + timedelta(days=1),
        ),
    )


# PostgreSQL allows 100 connections here: 200 claims go through 50 threads released together,
# four claims each, so claims overlap every way they can without running out of connections.
THREADS, CLAIMS_EACH = 50, 4


def test_two_hundred_claims_by_one_member_of_a_one_per_member_coupon_give_one() -> None:
    coupon = _coupon(total=1000, per_member=1)
    member = MemberFactory.create()

    def claim_four() -> list[object]:
        outcomes: list[object] = []
        for _ in range(CLAIMS_EACH):
            try:
                outcomes.append(services.coupon_claim(coupon, member))
            except DomainError as refused:
                outcomes.append(refused)
        return outcomes

    outcomes = [o for batch in all_at_once([claim_four] * THREADS) for o in batch]

    assert len(outcomes) == 200
    won = [o for o in outcomes if isinstance(o, CouponClaim)]
    assert len(won) == 1
    assert {(e.status, e.code) for e in outcomes if isinstance(e, DomainError)} == {
        (409, "claim_limit")
    }
    coupon.refresh_from_db()
    assert coupon.claimed == 1
    assert CouponClaim.objects.filter(coupon=coupon).count() == 1


def test_many_members_racing_for_the_last_coupons_take_exactly_the_total() -> None:
    coupon = _coupon(total=7, per_member=1)
    members = MemberFactory.create_batch(40)
    outcomes = all_at_once([_claiming(coupon, m) for m in members])

    assert sum(isinstance(o, CouponClaim) for o in outcomes) == 7
    assert {e.code for e in outcomes if isinstance(e, DomainError)} == {"coupon_exhausted"}
    coupon.refresh_from_db()
    assert coupon.claimed == 7 == CouponClaim.objects.filter(coupon=coupon).count()


def test_a_claim_that_loses_its_device_seq_to_another_account_takes_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The farm race below, made certain: another account on the device commits seq 1 between
    this claim's count and its insert. The device holds one claim of the two allowed, so this
    claim takes seq 2 instead of being refused."""
    coupon = _coupon(total=10, per_member=2)
    other, member = MemberFactory.create_batch(2)
    create = CouponClaim.objects.create
    raced: list[CouponClaim] = []

    def other_account_claims() -> None:
        try:
            raced.append(
                create(
                    coupon=coupon,
                    member=other,
                    seq=1,
                    claimed_at=timezone.now(),
                    device_id="farm-phone",
                    device_seq=1,
                )
            )
        finally:
            connections.close_all()

    def create_after_the_other_account(**fields: object) -> CouponClaim:
        if not raced:
            # Committed on its own connection, as a racing request's claim is.
            racer = threading.Thread(target=other_account_claims)
            racer.start()
            racer.join()
        return create(**fields)

    monkeypatch.setattr(CouponClaim.objects, "create", create_after_the_other_account)
    claim = services.coupon_claim(coupon, member, device="farm-phone")

    assert (claim.seq, claim.device_seq) == (1, 2)
    assert CouponClaim.objects.filter(coupon=coupon, device_id="farm-phone").count() == 2


def test_forty_accounts_on_one_device_claim_exactly_the_per_member_limit() -> None:
    """A coupon farm: every account is new, so only the device's own count stops them, and it
    must hold under the race as the member's does."""
    coupon = _coupon(total=1000, per_member=2)
    members = MemberFactory.create_batch(40)

    outcomes = all_at_once(
        [lambda m=m: services.coupon_claim(coupon, m, device="farm-phone") for m in members]
    )

    assert sum(isinstance(o, CouponClaim) for o in outcomes) == 2, outcomes
    assert {e.code for e in outcomes if isinstance(e, DomainError)} == {"claim_limit"}
    coupon.refresh_from_db()
    assert coupon.claimed == 2
    assert CouponClaim.objects.filter(coupon=coupon, device_id="farm-phone").count() == 2


def _claiming(coupon: Coupon, member: Member) -> Callable[[], CouponClaim]:
    return lambda: services.coupon_claim(coupon, member)


def test_one_coupon_used_by_twenty_concurrent_checkouts_places_one_order() -> None:
    coupon = _coupon(total=10, per_member=1)
    buyer = MemberFactory.create()
    claim = services.coupon_claim(coupon, buyer)
    assert coupon.merchant is not None
    sku = product(coupon.merchant, price_fen=6000, stock=100).skus.get()

    def place() -> object:
        return checkout.order_create(
            buyer=buyer,
            items=[checkout.Item(sku.pk, 1)],
            delivery=checkout.Delivery(
                "express", ADDRESS["region_code"], ADDRESS["address"], "王小二", ADDRESS["phone"]
            ),
            coupon_ids=[claim.pk],
        )

    outcomes = all_at_once([place for _ in range(20)])

    assert sum(isinstance(o, checkout.CheckoutResult) for o in outcomes) == 1
    assert {e.code for e in outcomes if isinstance(e, DomainError)} == {"coupon_used"}
    assert Order.objects.filter(buyer=buyer).count() == 1
    assert Order.objects.get(buyer=buyer).discount_fen == 1000
    sku.refresh_from_db()
    assert sku.stock == 99
