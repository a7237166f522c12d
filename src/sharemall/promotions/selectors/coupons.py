"""Reading coupons, spend tiers and stacking settings for pricing and for pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core import versions
from sharemall.core.errors import NotFound
from sharemall.promotions.models import Coupon, CouponClaim, PromotionSettings, SpendTierSet
from sharemall.promotions.rules import coupons as rules
from sharemall.promotions.rules.pricing import SpendTier, Stacking


def as_pricing_coupon(coupon: Coupon, key: str) -> rules.Coupon:
    return rules.Coupon(
        key=key,
        kind=coupon.kind,
        threshold_fen=coupon.threshold_fen,
        amount_fen=coupon.amount_fen,
        percent_bp=coupon.percent_bp,
        cap_fen=coupon.cap_fen,
        scope=coupon.scope,
        scope_ids=frozenset(int(i) for i in coupon.scope_ids),
        funded_by=coupon.funded_by,
        merchant_id=coupon.merchant_id,
    )


def claim_key(claim_id: int) -> str:
    return f"claim:{claim_id}"


@dataclass(frozen=True)
class HeldCoupon:
    claim: CouponClaim
    coupon: rules.Coupon


def usable_claims(buyer: Member, claim_ids: Sequence[int], now: datetime) -> list[HeldCoupon]:
    """The buyer's claimed coupons to use in a checkout, each unused and valid now; anything
    else is refused with its reason (another member's claim reads as unknown)."""
    if len(set(claim_ids)) != len(claim_ids):
        raise rules.InvalidCoupon(_("A coupon is used at most once."), code="coupon_repeated")
    claims = {
        c.pk: c
        for c in CouponClaim.objects.select_related("coupon").filter(
            pk__in=list(claim_ids), member=buyer
        )
    }
    held = []
    for claim_id in claim_ids:
        claim = claims.get(claim_id)
        if claim is None:
            raise NotFound(_("No such coupon of yours: %(id)s") % {"id": claim_id})
        if claim.used_at is not None:
            raise rules.CouponUnavailable(_("This coupon was already used."), code="coupon_used")
        if claim.coupon.valid_to <= now:
            raise rules.CouponUnavailable(_("This coupon has expired."), code="coupon_expired")
        if claim.coupon.valid_from > now:
            raise rules.CouponUnavailable(
                _("This coupon cannot be used yet."), code="coupon_not_started"
            )
        held.append(HeldCoupon(claim, as_pricing_coupon(claim.coupon, claim_key(claim.pk))))
    return held


def usable_claims_of(
    member: Member, merchant_ids: Iterable[int], now: datetime
) -> QuerySet[CouponClaim]:
    """The member's unused coupons valid now, of these shops or the platform's: what checkout
    offers to choose from (whether one applies, the pricing says)."""
    return (
        CouponClaim.objects.filter(
            member=member,
            used_at=None,
            coupon__valid_from__lte=now,
            coupon__valid_to__gt=now,
        )
        .filter(Q(coupon__merchant_id__in=list(merchant_ids)) | Q(coupon__merchant=None))
        .select_related("coupon")
        .order_by("coupon__valid_to", "pk")[:50]
    )


def claims_of(member: Member) -> QuerySet[CouponClaim]:
    return (
        CouponClaim.objects.filter(member=member)
        .select_related("coupon", "coupon__merchant")
        .order_by("used_at", "coupon__valid_to", "-pk")
    )


def claim_counts(member: Member, coupon_ids: Iterable[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for coupon_id in CouponClaim.objects.filter(
        member=member, coupon_id__in=list(coupon_ids)
    ).values_list("coupon_id", flat=True):
        counts[coupon_id] = counts.get(coupon_id, 0) + 1
    return counts


def claimable_coupons(now: datetime, *, merchant_id: int | None = None) -> QuerySet[Coupon]:
    """The coupon centre: coupons members claim on the page, still running and not all gone.
    `merchant_id` narrows to one shop's (0: the platform's own)."""
    qs = Coupon.objects.filter(
        channel=rules.CLAIM, stopped_at=None, valid_to__gt=now
    ).select_related("merchant")
    if merchant_id is not None:
        qs = qs.filter(merchant=None) if merchant_id == 0 else qs.filter(merchant_id=merchant_id)
    return qs.order_by("-created_at")


def coupons_of_issuer(merchant_id: int | None) -> QuerySet[Coupon]:
    qs = (
        Coupon.objects.filter(merchant_id=merchant_id)
        if merchant_id
        else Coupon.objects.filter(merchant=None)
    )
    return qs.order_by("-created_at")


def coupon(coupon_id: int) -> Coupon:
    found = Coupon.objects.select_related("merchant").filter(pk=coupon_id).first()
    if found is None:
        raise NotFound(_("No such coupon."))
    return found


def coupon_of_issuer(merchant_id: int | None, coupon_id: int) -> Coupon:
    found = coupons_of_issuer(merchant_id).filter(pk=coupon_id).first()
    if found is None:
        raise NotFound(_("No such coupon."))
    return found


@dataclass(frozen=True, slots=True)
class _TierSets:
    """A merchant's tier sets that were not stopped and had not long ended when read."""

    # Sets that ended before this moment are not in `sets`: an answer for an earlier `now`
    # must come from the database.
    horizon: datetime
    sets: tuple[tuple[datetime, datetime, tuple[SpendTier, ...]], ...]


# Ended sets stay in the cached answer this long after it is read, so an entry stays good
# for a `now` a little earlier than the moment of reading (a caller's clock taken before).
_TIERS_HORIZON = timedelta(days=1)


def _load_tier_sets(
    merchant_ids: list[int], horizon: datetime | None = None
) -> dict[int, _TierSets]:
    if horizon is None:
        horizon = timezone.now() - _TIERS_HORIZON
    found: dict[int, list[tuple[datetime, datetime, tuple[SpendTier, ...]]]] = {
        m: [] for m in merchant_ids
    }
    for merchant_id, valid_from, valid_to, rows in (
        SpendTierSet.objects.filter(
            merchant_id__in=merchant_ids, stopped_at=None, valid_to__gt=horizon
        )
        .order_by("pk")
        .values_list("merchant_id", "valid_from", "valid_to", "tiers")
    ):
        tiers = tuple(SpendTier(int(r["threshold_fen"]), int(r["off_fen"])) for r in rows)
        found[merchant_id].append((valid_from, valid_to, tiers))
    return {m: _TierSets(horizon, tuple(sets)) for m, sets in found.items()}


# Per merchant, under the `promotions` version that tiers_create and tiers_stop bump.
_tier_sets: versions.VersionedCache[int, _TierSets] = versions.VersionedCache(
    versions.PROMOTIONS, _load_tier_sets
)


def active_tiers(merchant_ids: Iterable[int], now: datetime) -> dict[int, list[SpendTier]]:
    """Each merchant's 满减 tiers running at `now`, pooled across overlapping windows."""
    ids = list(merchant_ids)
    by_merchant = _tier_sets.get_many(ids)
    if any(now < held.horizon for held in by_merchant.values()):
        by_merchant = _load_tier_sets(ids, horizon=now)  # further back than what is held
    tiers: dict[int, list[SpendTier]] = {}
    for merchant_id, held in by_merchant.items():
        for valid_from, valid_to, rows in held.sets:
            if valid_from <= now < valid_to:
                tiers.setdefault(merchant_id, []).extend(rows)
    return tiers


def tier_sets_of(merchant_id: int) -> QuerySet[SpendTierSet]:
    return SpendTierSet.objects.filter(merchant_id=merchant_id).order_by("-created_at")


def tier_set_of(merchant_id: int, tier_set_id: int) -> SpendTierSet:
    found = tier_sets_of(merchant_id).filter(pk=tier_set_id).first()
    if found is None:
        raise NotFound(_("No such spend tiers."))
    return found


def _load_stacking(merchant_ids: list[int]) -> dict[int, Stacking]:
    found = {
        s.merchant_id: s.stacking() for s in PromotionSettings.objects.filter(pk__in=merchant_ids)
    }
    return {mid: found.get(mid, Stacking()) for mid in merchant_ids}


# Per merchant, under the `promotions` version that settings_save bumps.
_stacking: versions.VersionedCache[int, Stacking] = versions.VersionedCache(
    versions.PROMOTIONS, _load_stacking
)


def stacking_of(merchant_ids: Iterable[int]) -> dict[int, Stacking]:
    """Each merchant's stacking rules (the defaults where it set none)."""
    return _stacking.get_many(merchant_ids)


def settings_of(merchant_id: int) -> Stacking:
    return stacking_of([merchant_id])[merchant_id]


def claims_used_on_orders(order_ids: Sequence[int]) -> QuerySet[CouponClaim]:
    return CouponClaim.objects.filter(Q(redemptions__order_id__in=list(order_ids))).distinct()
