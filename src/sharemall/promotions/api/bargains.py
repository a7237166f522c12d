"""The bargain (砍价) edge: merchants set bargains up; members start runs and help friends'.
Buying a run's unit is checkout's (POST /bargain-runs/{id}/buy in checkout/api_promotions.py)."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from sharemall.accounts.auth import member_auth, require_member, require_operator
from sharemall.core.devices import device_of
from sharemall.core.http import client_address
from sharemall.merchants.selectors import merchant_for_staff
from sharemall.promotions.models import Bargain, BargainRun
from sharemall.promotions.rules import bargains as rules
from sharemall.promotions.schemas.bargains import (
    BargainCreatedOut,
    BargainIn,
    BargainOut,
    DeviceFlagOut,
    HelpOut,
    RunOut,
    RunStartedOut,
)
from sharemall.promotions.selectors import bargains as selectors
from sharemall.promotions.services import bargains as services

router = Router(tags=["bargains"])


def bargain_out(bargain: Bargain) -> dict[str, Any]:
    return {
        "id": bargain.pk,
        "merchant_id": bargain.merchant_id,
        "sku_id": bargain.sku_id,
        "product_id": bargain.sku.product_id,
        "title": bargain.sku.product.title,
        "start_price_fen": bargain.start_price_fen,
        "floor_price_fen": bargain.floor_price_fen,
        "helpers_needed": bargain.helpers_needed,
        "hours": bargain.hours,
        "status": bargain.status,
        "created_at": bargain.created_at,
        "stopped_at": bargain.stopped_at,
    }


def run_out(run: BargainRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "bargain_id": run.bargain_id,
        "sku_id": run.sku_id,
        "product_id": run.sku.product_id,
        "title": run.sku.product.title,
        "starter_id": run.starter_id,
        "starter_nickname": run.starter.nickname,
        "status": rules.run_state(run.status, run.expires_at, timezone.now()),
        "start_price_fen": run.start_price_fen,
        "floor_price_fen": run.floor_price_fen,
        "current_price_fen": run.current_price_fen,
        "helpers_needed": run.helpers_needed,
        "helps": run.helps,
        "floor_reached": run.helps >= run.helpers_needed,
        "helpers": [
            {
                "member_id": h.helper_id,
                "nickname": h.helper.nickname,
                "cut_fen": h.cut_fen,
                "helped_at": h.created_at,
            }
            for h in selectors.helps_of(run)
        ],
        "expires_at": run.expires_at,
        "share_code": run.share_code,
    }


@router.post(
    "/merchants/{merchant_id}/bargains", response={201: BargainCreatedOut}, auth=member_auth
)
def bargain_create(
    request: HttpRequest, merchant_id: int, payload: BargainIn
) -> Status[dict[str, int]]:
    """A bargain on one of the merchant's SKUs (owner or staff), starting at the SKU's price now.
    The floor is at least 1 fen and below that price, 1..100 helpers, 1..168 hours, and each
    helper must cut at least 1 fen (start − floor ≥ helpers); else 400 `invalid_bargain`."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=False)
    saved = services.bargain_create(
        merchant,
        sku_id=payload.sku_id,
        floor_price_fen=payload.floor_price_fen,
        helpers_needed=payload.helpers_needed,
        hours=payload.hours,
    )
    return Status(201, {"id": saved.pk})


@router.get("/merchants/{merchant_id}/bargains", response=list[BargainOut], auth=member_auth)
def bargain_list(request: HttpRequest, merchant_id: int) -> list[dict[str, Any]]:
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=False)
    return [bargain_out(b) for b in selectors.bargains_of(merchant)]


@router.post(
    "/merchants/{merchant_id}/bargains/{bargain_id}/stop", response=BargainOut, auth=member_auth
)
def bargain_stop(request: HttpRequest, merchant_id: int, bargain_id: int) -> dict[str, Any]:
    """No new runs start; runs already started keep their time. Stopping twice is harmless."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=False)
    return bargain_out(services.bargain_stop(selectors.bargain_of(merchant, bargain_id)))


@router.get("/bargains/{bargain_id}", response=BargainOut, auth=None)
def bargain_detail(request: HttpRequest, bargain_id: int) -> dict[str, Any]:
    return bargain_out(selectors.bargain(bargain_id))


@router.post(
    "/bargains/{bargain_id}/start",
    response={200: RunStartedOut, 201: RunStartedOut},
    auth=member_auth,
)
def run_start(request: HttpRequest, bargain_id: int) -> Status[dict[str, Any]]:
    """Start a run: 201 with the new run; 200 with the member's run already open (or ordered
    and unpaid). A member who bought through this bargain: 409 `bargain_bought`; a stopped
    bargain: 409 `bargain_stopped`."""
    started = services.run_start(bargain_id, starter=require_member(request))
    run = started.run
    body = {
        "run_id": run.pk,
        "current_price_fen": run.current_price_fen,
        "share_code": run.share_code,
    }
    return Status(201 if started.created else 200, body)


@router.get("/bargain-runs/{run_id}", response=RunOut, auth=None)
def run_detail(request: HttpRequest, run_id: int) -> dict[str, Any]:
    """A run as its page shows it to anyone with the link: prices, progress, helpers' display
    names, expiry."""
    return run_out(selectors.run(run_id))


@router.post("/bargain-runs/{run_id}/help", response=HelpOut, auth=member_auth)
def run_help(request: HttpRequest, run_id: int) -> dict[str, int]:
    """A signed-in friend cuts the price once. The starter or a second help: 409 `cannot_help`;
    expired: 409 `bargain_expired`; at the floor: 409 `floor_reached`; ordered or bought: 409
    `bargain_closed`; a device that helped too many runs today: 409 `device_flagged`."""
    helped = services.run_help(
        run_id,
        helper=require_member(request),
        device_id=device_of(request),
        ip=client_address(request),
    )
    return {"cut_fen": helped.cut_fen, "current_price_fen": helped.current_price_fen}


@router.get("/platform/bargain-device-flags", response=list[DeviceFlagOut], auth=member_auth)
def device_flags(request: HttpRequest) -> list[dict[str, Any]]:
    """Operators: devices refused for helping more bargain runs in a day than one person
    plausibly would (the limit is BARGAIN_DEVICE_RUN_LIMIT), most recently refused first."""
    require_operator(request)
    return [
        {
            "device_id": f.device_id,
            "runs_helped": f.runs_helped,
            "refusals": f.refusals,
            "last_member_id": f.last_member_id,
            "last_ip": f.last_ip,
            "flagged_at": f.flagged_at,
            "last_refused_at": f.last_refused_at,
        }
        for f in selectors.flagged_devices(now=timezone.now())[:200]
    ]
