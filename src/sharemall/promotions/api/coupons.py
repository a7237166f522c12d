"""Coupons, spend tiers (满减) and stacking settings: merchants and operators define them,
members claim and list their coupons. Using a coupon is POST /orders' `coupon_ids`."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from sharemall.accounts import selectors as members
from sharemall.accounts.auth import member_auth, require_member, require_operator
from sharemall.accounts.models import Member
from sharemall.core.devices import device_of
from sharemall.core.errors import NotFound
from sharemall.merchants.models import Merchant
from sharemall.merchants.selectors import merchant_for_staff
from sharemall.promotions.models import Coupon, CouponClaim, SpendTierSet
from sharemall.promotions.rules import coupons as rules
from sharemall.promotions.rules.pricing import SpendTier, Stacking
from sharemall.promotions.schemas.coupons import (
    ClaimOut,
    CouponIn,
    CouponOut,
    CreatedOut,
    IssueIn,
    PlatformCouponIn,
    StackingIn,
    StackingOut,
    TiersIn,
    TiersOut,
)
from sharemall.promotions.selectors import coupons as selectors
from sharemall.promotions.services import coupons as services

router = Router(tags=["promotions"])


def coupon_out(c: Coupon) -> dict[str, Any]:
    return {
        "id": c.pk,
        "merchant_id": c.merchant_id,
        "merchant_name": c.merchant.legal_name if c.merchant else None,
        "title": c.title,
        "kind": c.kind,
        "amount_fen": c.amount_fen,
        "percent_bp": c.percent_bp,
        "threshold_fen": c.threshold_fen,
        "cap_fen": c.cap_fen,
        "scope": c.scope,
        "scope_ids": c.scope_ids,
        "total": c.total,
        "claimed": c.claimed,
        "remaining": c.remaining,
        "per_member": c.per_member,
        "valid_from": c.valid_from.isoformat(),
        "valid_to": c.valid_to.isoformat(),
        "channel": c.channel,
        "stopped": c.stopped_at is not None,
        "funded_by": c.funded_by,
    }


def claim_out(claim: CouponClaim) -> dict[str, Any]:
    c = claim.coupon
    return {
        "id": claim.pk,
        "coupon_id": c.pk,
        "status": rules.claim_status(
            used=claim.used_at is not None, valid_to=c.valid_to, now=timezone.now()
        ),
        "title": c.title,
        "kind": c.kind,
        "amount_fen": c.amount_fen,
        "percent_bp": c.percent_bp,
        "threshold_fen": c.threshold_fen,
        "cap_fen": c.cap_fen,
        "scope": c.scope,
        "scope_ids": c.scope_ids,
        "merchant_id": c.merchant_id,
        "valid_from": c.valid_from.isoformat(),
        "valid_to": c.valid_to.isoformat(),
        "claimed_at": claim.claimed_at.isoformat(),
        "used_at": claim.used_at.isoformat() if claim.used_at else None,
    }


def _definition(payload: CouponIn, *, merchant: Merchant | None) -> rules.Definition:
    scope_ids = frozenset(payload.scope_ids)
    if merchant is not None and payload.scope == rules.SCOPE_MERCHANT and not scope_ids:
        scope_ids = frozenset({merchant.pk})  # a shop's coupon covers its own shop
    return rules.Definition(
        coupon=rules.Coupon(
            key="new",
            kind=payload.kind,
            threshold_fen=payload.threshold_fen,
            amount_fen=payload.amount_fen,
            percent_bp=payload.percent_bp,
            cap_fen=payload.cap_fen,
            scope=payload.scope,
            scope_ids=scope_ids,
            funded_by=rules.FUNDED_BY_PLATFORM if merchant is None else rules.FUNDED_BY_MERCHANT,
            merchant_id=merchant.pk if merchant else None,
        ),
        total=payload.total,
        per_member=payload.per_member,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
    )


def _recipient(payload: IssueIn) -> Member:
    member = members.active_member(member_id=payload.member_id, phone=payload.phone)
    if member is None:
        raise NotFound(_("No such member."))
    return member


# --- merchants ---------------------------------------------------------------------------------


@router.post("/merchants/{merchant_id}/coupons", response={201: CreatedOut}, auth=member_auth)
def merchant_coupon_create(
    request: HttpRequest, merchant_id: int, payload: CouponIn
) -> Status[dict[str, Any]]:
    """A shop's coupon: amount off over a threshold, or percent off with a cap; for the whole
    shop (`scope_ids` may be omitted), some categories or some products; `total` in all and
    `per_member` each, valid from–to. Bad input: 400 `invalid_coupon`."""
    member = require_member(request)
    merchant = merchant_for_staff(member, merchant_id, owner_only=True)
    coupon = services.coupon_create(
        merchant=merchant,
        actor=member,
        title=payload.title,
        definition=_definition(payload, merchant=merchant),
        channel=payload.channel,
    )
    return Status(201, {"id": coupon.pk})


@router.get("/merchants/{merchant_id}/coupons", response=list[CouponOut], auth=member_auth)
def merchant_coupon_list(request: HttpRequest, merchant_id: int) -> list[dict[str, Any]]:
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return [coupon_out(c) for c in selectors.coupons_of_issuer(merchant.pk)[:200]]


@router.post(
    "/merchants/{merchant_id}/coupons/{coupon_id}/stop", response=CouponOut, auth=member_auth
)
def merchant_coupon_stop(request: HttpRequest, merchant_id: int, coupon_id: int) -> dict[str, Any]:
    """No more claims; coupons already claimed stay usable until they expire."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return coupon_out(services.coupon_stop(selectors.coupon_of_issuer(merchant.pk, coupon_id)))


@router.post(
    "/merchants/{merchant_id}/coupons/{coupon_id}/issue",
    response={201: ClaimOut},
    auth=member_auth,
)
def merchant_coupon_issue(
    request: HttpRequest, merchant_id: int, coupon_id: int, payload: IssueIn
) -> Status[dict[str, Any]]:
    """Hand one coupon to a member (within its total and per-member limit)."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    coupon = selectors.coupon_of_issuer(merchant.pk, coupon_id)
    claim = services.coupon_claim(coupon, _recipient(payload), channel=rules.ISSUE)
    return Status(201, claim_out(claim))


@router.post("/merchants/{merchant_id}/spend-tiers", response={201: CreatedOut}, auth=member_auth)
def tiers_create(
    request: HttpRequest, merchant_id: int, payload: TiersIn
) -> Status[dict[str, Any]]:
    """满减: `tiers` [{threshold_fen, off_fen}] from `valid_from` to `valid_to`; an order of the
    shop's goods reaching a threshold takes the best tier reached off. Bad input: 400
    `invalid_spend_tier`."""
    member = require_member(request)
    merchant = merchant_for_staff(member, merchant_id, owner_only=True)
    tier_set = services.tiers_create(
        merchant,
        actor=member,
        tiers=[SpendTier(t.threshold_fen, t.off_fen) for t in payload.tiers],
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
    )
    return Status(201, {"id": tier_set.pk})


def tiers_out(t: SpendTierSet) -> dict[str, Any]:
    return {
        "id": t.pk,
        "merchant_id": t.merchant_id,
        "tiers": t.tiers,
        "valid_from": t.valid_from.isoformat(),
        "valid_to": t.valid_to.isoformat(),
        "stopped": t.stopped_at is not None,
    }


@router.get("/merchants/{merchant_id}/spend-tiers", response=list[TiersOut], auth=member_auth)
def tiers_list(request: HttpRequest, merchant_id: int) -> list[dict[str, Any]]:
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return [tiers_out(t) for t in selectors.tier_sets_of(merchant.pk)[:100]]


@router.post(
    "/merchants/{merchant_id}/spend-tiers/{tier_set_id}/stop",
    response=TiersOut,
    auth=member_auth,
)
def tiers_stop(request: HttpRequest, merchant_id: int, tier_set_id: int) -> dict[str, Any]:
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return tiers_out(services.tiers_stop(selectors.tier_set_of(merchant.pk, tier_set_id)))


@router.get("/merchants/{merchant_id}/promotion-settings", response=StackingOut, auth=member_auth)
def stacking_get(request: HttpRequest, merchant_id: int) -> Stacking:
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return selectors.settings_of(merchant.pk)


@router.put("/merchants/{merchant_id}/promotion-settings", response=StackingOut, auth=member_auth)
def stacking_put(request: HttpRequest, merchant_id: int, payload: StackingIn) -> Stacking:
    """Stacking rules: whether a coupon still counts after 满减 (default yes), and whether a
    flash, group or bargain price still gets the share discount and earns commission (default
    no: the promotion price is the whole offer)."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return services.settings_save(merchant, Stacking(**payload.dict()))


# --- members -----------------------------------------------------------------------------------


@router.get("/coupons", response=list[CouponOut])
def coupon_centre(request: HttpRequest, merchant_id: int | None = None) -> list[dict[str, Any]]:
    """The coupon centre (领券中心): coupons to claim now; `merchant_id` one shop's (0: the
    platform's own)."""
    return [
        coupon_out(c)
        for c in selectors.claimable_coupons(timezone.now(), merchant_id=merchant_id)[:200]
    ]


@router.get("/coupons/{coupon_id}", response=CouponOut)
def coupon_detail(request: HttpRequest, coupon_id: int) -> dict[str, Any]:
    return coupon_out(selectors.coupon(coupon_id))


@router.post("/coupons/{coupon_id}/claim", response={201: ClaimOut}, auth=member_auth)
def coupon_claim(request: HttpRequest, coupon_id: int) -> Status[dict[str, Any]]:
    """Claim one: over the per-member limit 409 `claim_limit` (the same from a device, named by
    `X-Device-Id` or the pages' cookie, that claimed as many through any account), none left 409
    `coupon_exhausted`, stopped or ended 409 `coupon_unavailable`."""
    claim = services.coupon_claim(
        selectors.coupon(coupon_id), require_member(request), device=device_of(request)
    )
    return Status(201, claim_out(claim))


@router.get("/me/coupons", response=list[ClaimOut], auth=member_auth)
def my_coupons(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's coupons: unused first, then by expiry; `id` is what `coupon_ids` takes."""
    return [claim_out(c) for c in selectors.claims_of(require_member(request))[:500]]


# --- operators ---------------------------------------------------------------------------------


@router.post("/platform/coupons", response={201: CreatedOut}, auth=member_auth)
def platform_coupon_create(
    request: HttpRequest, payload: PlatformCouponIn
) -> Status[dict[str, Any]]:
    """The platform's own coupon (operators): any scope, the whole mall included; the platform
    funds it — the merchant is owed the discount as if the buyer paid it, from platform fees."""
    operator = require_operator(request)
    coupon = services.coupon_create(
        merchant=None,
        actor=operator,
        title=payload.title,
        definition=_definition(payload, merchant=None),
        channel=payload.channel,
    )
    return Status(201, {"id": coupon.pk})


@router.get("/platform/coupons", response=list[CouponOut], auth=member_auth)
def platform_coupon_list(request: HttpRequest) -> list[dict[str, Any]]:
    require_operator(request)
    return [coupon_out(c) for c in selectors.coupons_of_issuer(None)[:200]]


@router.post("/platform/coupons/{coupon_id}/stop", response=CouponOut, auth=member_auth)
def platform_coupon_stop(request: HttpRequest, coupon_id: int) -> dict[str, Any]:
    require_operator(request)
    return coupon_out(services.coupon_stop(selectors.coupon_of_issuer(None, coupon_id)))


@router.post("/platform/coupons/{coupon_id}/issue", response={201: ClaimOut}, auth=member_auth)
def platform_coupon_issue(
    request: HttpRequest, coupon_id: int, payload: IssueIn
) -> Status[dict[str, Any]]:
    require_operator(request)
    coupon = selectors.coupon_of_issuer(None, coupon_id)
    claim = services.coupon_claim(coupon, _recipient(payload), channel=rules.ISSUE)
    return Status(201, claim_out(claim))
