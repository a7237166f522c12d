"""Coupons and spend tiers: defining them, claiming, using in a checkout, giving back.

Claims are exact under concurrency (models/coupons.py): a member's n-th claim has `seq` n,
unique per coupon and member, and the coupon's counter moves only `WHERE claimed < total`.
A use is one conditional update `WHERE used_at IS NULL` inside the checkout's transaction, so
twenty checkouts racing with one coupon place one order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core import versions
from sharemall.core.errors import Conflict
from sharemall.merchants.models import Merchant
from sharemall.orders import rules as order_rules
from sharemall.orders.models import Order
from sharemall.promotions.models import (
    Coupon,
    CouponClaim,
    CouponRedemption,
    PromotionSettings,
    SpendTierSet,
)
from sharemall.promotions.rules import coupons as rules
from sharemall.promotions.rules.pricing import SpendTier, Stacking


def coupon_create(
    *,
    merchant: Merchant | None,
    actor: Member,
    title: str,
    definition: rules.Definition,
    channel: str = rules.CLAIM,
) -> Coupon:
    """A merchant's coupon (scope merchant, category or product, confined to its own goods) or,
    with `merchant` None, the platform's (any scope, funded by the platform)."""
    rules.check_definition(definition)
    c = definition.coupon
    if merchant is not None and c.scope == rules.SCOPE_PLATFORM:
        raise rules.InvalidCoupon(
            _("A shop's coupon covers the shop, some of its categories or products."),
            code="invalid_scope",
        )
    if merchant is not None and c.scope == rules.SCOPE_MERCHANT and c.scope_ids != {merchant.pk}:
        raise rules.InvalidCoupon(_("A shop's coupon covers its own shop."), code="invalid_scope")
    if channel not in (rules.CLAIM, rules.ISSUE, rules.TASK):
        raise rules.InvalidCoupon(_("Members get a coupon by claiming, issue or a task."))
    return Coupon.objects.create(
        merchant=merchant,
        title=" ".join(title.split())[:60] or _default_title(c),
        kind=c.kind,
        amount_fen=c.amount_fen,
        percent_bp=c.percent_bp,
        threshold_fen=c.threshold_fen,
        cap_fen=c.cap_fen,
        scope=c.scope,
        scope_ids=sorted(c.scope_ids),
        total=definition.total,
        per_member=definition.per_member,
        valid_from=definition.valid_from,
        valid_to=definition.valid_to,
        channel=channel,
        created_by=actor,
    )


def _default_title(c: rules.Coupon) -> str:
    if c.kind == rules.AMOUNT:
        if c.threshold_fen:
            return _("%(off)s off over %(over)s") % {
                "off": _yuan(c.amount_fen),
                "over": _yuan(c.threshold_fen),
            }
        return _("%(off)s off") % {"off": _yuan(c.amount_fen)}
    return _("%(pct)s%% off") % {"pct": f"{c.percent_bp / 100:g}"}


def _yuan(fen: int) -> str:
    return f"¥{fen / 100:g}"


def coupon_stop(coupon: Coupon) -> Coupon:
    """No more claims; coupons already held stay usable until they expire."""
    Coupon.objects.filter(pk=coupon.pk, stopped_at=None).update(stopped_at=timezone.now())
    coupon.refresh_from_db()
    return coupon


def coupon_claim(
    coupon: Coupon,
    member: Member,
    *,
    channel: str = rules.CLAIM,
    now: datetime | None = None,
    device: str = "",
) -> CouponClaim:
    """Give `member` one of `coupon`: at most `per_member` each, at most `total` in all, exact
    under any number of concurrent claims. Over the member's limit: 409 claim_limit; none left:
    409 coupon_exhausted. Claimed from a known `device`, the per-member limit holds for the
    device too, whichever accounts claim on it: 409 claim_limit saying so (coupon farms)."""
    now = now or timezone.now()
    if channel == rules.CLAIM and coupon.channel != rules.CLAIM:
        raise rules.CouponUnavailable(_("This coupon is not claimed on the page."))
    if not rules.claimable(
        valid_to=coupon.valid_to, stopped=coupon.stopped_at is not None, now=now
    ):
        raise rules.CouponUnavailable(_("This coupon is no longer available."))
    device = device.strip()[:64]
    # A claim that loses a race for its seq retries with a fresh count: the seq it lost means
    # another claim of this member or of this device committed (PostgreSQL's unique check waits
    # for the other transaction, and fails only if it commits), so within 2 × per_member - 1
    # losses one of the two limits is reached and refuses. Without the retry, 40 accounts on one
    # device racing for a limit of 2 could get one claim between them: all read 0, all wrote
    # seq 1, one won.
    for _attempt in range(2 * coupon.per_member + 1):
        claim = _claim_once(coupon, member, channel=channel, now=now, device=device)
        if claim is not None:
            return claim
    raise _device_limit() if device else _member_limit()


def _claim_once(
    coupon: Coupon, member: Member, *, channel: str, now: datetime, device: str
) -> CouponClaim | None:
    """One attempt at the next seq of the member (and of the device); None if a racing claim
    took it first."""
    held = CouponClaim.objects.filter(coupon=coupon, member=member).count()
    if held >= coupon.per_member:
        raise _member_limit()
    device_seq = None
    if device:
        on_device = CouponClaim.objects.filter(coupon=coupon, device_id=device).count()
        if on_device >= coupon.per_member:
            raise _device_limit()
        device_seq = on_device + 1
    try:
        with transaction.atomic():
            # The seqs are unique per member and per device: a racing claim that read the same
            # count fails here.
            claim = CouponClaim.objects.create(
                coupon=coupon,
                member=member,
                seq=held + 1,
                channel=channel,
                claimed_at=now,
                device_id=device,
                device_seq=device_seq,
            )
            taken = Coupon.objects.filter(pk=coupon.pk, claimed__lt=F("total")).update(
                claimed=F("claimed") + 1
            )
            if not taken:
                raise rules.CouponExhausted(_("This coupon has all been claimed."))
    except IntegrityError:
        return None
    return claim


def _member_limit() -> rules.ClaimLimit:
    return rules.ClaimLimit(_("You already hold as many of this coupon as one member may."))


def _device_limit() -> rules.ClaimLimit:
    return rules.ClaimLimit(
        _(
            "This device has already claimed this coupon as many times as one member may, "
            "with this or another account."
        )
    )


@dataclass(frozen=True)
class Redemption:
    claim_id: int
    order: Order
    taken_fen: int
    funded_by: str


def coupons_redeem(
    claim_ids: Sequence[int], redemptions: Sequence[Redemption], *, payment_id: int
) -> None:
    """Inside a checkout's transaction: mark each claim used by this payment (exactly once: a
    claim another checkout used first fails the whole checkout with 409 coupon_used) and record
    what it took off each order."""
    now = timezone.now()
    for claim_id in sorted(claim_ids):
        used = CouponClaim.objects.filter(pk=claim_id, used_at=None).update(
            used_at=now, used_payment_id=payment_id
        )
        if not used:
            raise Conflict(_("This coupon was already used."), code="coupon_used")
    CouponRedemption.objects.bulk_create(
        CouponRedemption(
            claim_id=r.claim_id, order=r.order, taken_fen=r.taken_fen, funded_by=r.funded_by
        )
        for r in redemptions
        if r.taken_fen > 0
    )


# An order in one of these never kept the coupon's money: unpaid and cancelled, or paid and
# refunded in full before it was received.
_UNDONE = (order_rules.CANCELLED, order_rules.CLOSED)


def coupons_give_back(order_ids: Sequence[int], *, now: datetime | None = None) -> int:
    """Coupons used on these orders go back to their holders once every order the coupon was
    used on is undone (cancelled unpaid, or refunded in full) and the coupon is still valid.
    A partial refund keeps the coupon used. Idempotent. Returns how many went back."""
    now = now or timezone.now()
    given = 0
    payment_ids = Order.objects.filter(pk__in=list(order_ids)).values("payment_id")
    for claim in CouponClaim.objects.filter(used_payment_id__in=payment_ids).select_related(
        "coupon"
    ):
        payment_id = claim.used_payment_id
        if payment_id is None:
            continue
        still_kept = (
            Order.objects.filter(payment_id=payment_id).exclude(status__in=_UNDONE).exists()
        )
        if still_kept or claim.coupon.valid_to <= now:
            continue
        with transaction.atomic():
            back = CouponClaim.objects.filter(pk=claim.pk, used_payment_id=payment_id).update(
                used_at=None, used_payment_id=None
            )
            if back:
                CouponRedemption.objects.filter(claim=claim).delete()
                given += 1
    return given


def tiers_create(
    merchant: Merchant,
    *,
    actor: Member,
    tiers: Sequence[SpendTier],
    valid_from: datetime,
    valid_to: datetime,
) -> SpendTierSet:
    rules.check_tiers(tiers)
    if valid_to <= valid_from:
        raise rules.InvalidSpendTier(_("The end comes after the start."), code="invalid_window")
    with transaction.atomic():
        # Checkout caches tiers per process under this version (core.versions).
        versions.bump(versions.PROMOTIONS)
        return SpendTierSet.objects.create(
            merchant=merchant,
            tiers=[
                {"threshold_fen": t.threshold_fen, "off_fen": t.off_fen}
                for t in sorted(tiers, key=lambda t: t.threshold_fen)
            ],
            valid_from=valid_from,
            valid_to=valid_to,
            created_by=actor,
        )


def tiers_stop(tier_set: SpendTierSet) -> SpendTierSet:
    with transaction.atomic():
        versions.bump(versions.PROMOTIONS)
        SpendTierSet.objects.filter(pk=tier_set.pk, stopped_at=None).update(
            stopped_at=timezone.now()
        )
    tier_set.refresh_from_db()
    return tier_set


def settings_save(merchant: Merchant, stacking: Stacking) -> Stacking:
    with transaction.atomic():
        versions.bump(versions.PROMOTIONS)
        PromotionSettings.objects.update_or_create(
            merchant=merchant,
            defaults={
                "coupon_with_tier": stacking.coupon_with_tier,
                "promotion_gets_share_discount": stacking.promotion_gets_share_discount,
                "promotion_earns_commission": stacking.promotion_earns_commission,
                "updated_at": timezone.now(),
            },
        )
    return stacking
