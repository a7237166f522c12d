from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from sharemall.accounts.auth import member_auth, require_member
from sharemall.merchants.selectors import merchant_for_staff
from sharemall.promotions.models.flash import FlashSale
from sharemall.promotions.rules import flash as rules
from sharemall.promotions.schemas.flash import (
    FlashListQuery,
    FlashSaleCreated,
    FlashSaleIn,
    FlashSaleOut,
)
from sharemall.promotions.selectors import flash as selectors
from sharemall.promotions.services import flash as services

router = Router(tags=["flash sales"])


def sale_out(sale: FlashSale, now: datetime) -> dict[str, Any]:
    return {
        "id": sale.pk,
        "merchant_id": sale.merchant_id,
        "sku_id": sale.sku_id,
        "sku_name": sale.sku.name,
        "product_id": sale.sku.product_id,
        "product_title": sale.sku.product.title,
        "price_fen": sale.price_fen,
        "list_price_fen": sale.sku.price_fen,
        "stock": sale.units,
        "sold": sale.sold,
        "remaining": sale.units - sale.sold,
        "per_member": sale.per_member,
        "starts_at": sale.starts_at,
        "ends_at": sale.ends_at,
        "stopped_at": sale.stopped_at,
        "status": rules.status(
            starts_at=sale.starts_at,
            ends_at=sale.ends_at,
            stopped=sale.stopped_at is not None,
            sold=sale.sold,
            stock=sale.units,
            now=now,
        ),
        "server_now": now,
    }


def _aware(moment: datetime) -> datetime:
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@router.post(
    "/merchants/{merchant_id}/flash-sales", response={201: FlashSaleCreated}, auth=member_auth
)
def flash_sale_create(
    request: HttpRequest, merchant_id: int, payload: FlashSaleIn
) -> Status[dict[str, int]]:
    """A flash sale (秒杀) of one of the merchant's SKUs (owner only): the flash price (≥ 1 fen,
    below the SKU's price; else 400 `invalid_flash_price`), flash stock (≥ 1,
    `invalid_stock`), the units one member may buy (≥ 1, `invalid_per_member`) and the window
    (`invalid_flash_window`). Buyers order it with `flash_sale_id` on an item of POST /orders."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    sale = services.sale_create(
        merchant,
        sku_id=payload.sku_id,
        price_fen=payload.price_fen,
        stock=payload.stock,
        per_member=payload.per_member,
        starts_at=_aware(payload.starts_at),
        ends_at=_aware(payload.ends_at),
    )
    return Status(201, {"id": sale.pk})


@router.get("/merchants/{merchant_id}/flash-sales", response=list[FlashSaleOut], auth=member_auth)
def flash_sale_list_of_merchant(request: HttpRequest, merchant_id: int) -> list[dict[str, Any]]:
    """The merchant's flash sales, newest first (owner only)."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    now = timezone.now()
    return [sale_out(s, now) for s in selectors.sales_of(merchant)[:200]]


@router.post(
    "/merchants/{merchant_id}/flash-sales/{sale_id}/stop",
    response=FlashSaleOut,
    auth=member_auth,
)
def flash_sale_stop(request: HttpRequest, merchant_id: int, sale_id: int) -> dict[str, Any]:
    """End a sale now (owner only); orders already placed stand. Stopping again changes nothing."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    now = timezone.now()
    sale = services.sale_stop(selectors.sale_of(merchant, sale_id), now=now)
    return sale_out(selectors.sale_of(merchant, sale.pk), now)


@router.get("/flash-sales", response=list[FlashSaleOut], auth=None)
def flash_sale_list(request: HttpRequest, q: Query[FlashListQuery]) -> list[dict[str, Any]]:
    """Flash sales not yet ended, soonest first; `live=1`: only those already started (sold-out
    ones still in their window included, with status `sold_out`)."""
    now = timezone.now()
    return [sale_out(s, now) for s in selectors.sales_public(now=now, live_only=q.live)]


@router.get("/flash-sales/{sale_id}", response=FlashSaleOut, auth=None)
def flash_sale_detail(request: HttpRequest, sale_id: int) -> dict[str, Any]:
    """A flash sale as its page shows it: price beside the SKU's price, stock sold and left,
    status `upcoming` / `live` / `ended` / `sold_out`, and `server_now` for the countdown."""
    return sale_out(selectors.sale_public(sale_id), timezone.now())
