from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router
from ninja.files import UploadedFile

from sharemall.accounts.auth import member_auth, require_member
from sharemall.accounts.models import Member
from sharemall.core import sheets
from sharemall.core.errors import DomainError
from sharemall.core.schemas import StatusPageQuery
from sharemall.merchants.selectors import merchant_for_staff, store_for_staff
from sharemall.orders import rules, selectors, services
from sharemall.orders.models import Order
from sharemall.orders.schemas import (
    ExportQuery,
    OrderOut,
    OrderStatusOut,
    PickupVerifyIn,
    ShipBatchOut,
    ShipIn,
)

router = Router(tags=["orders"])


def order_out(order: Order, viewer: Member) -> dict[str, Any]:
    """The order as `viewer` may see it: the pickup code is the buyer's secret to show."""
    data = {
        f: getattr(order, f) for f in OrderOut.model_fields if f not in {"lines", "status_label"}
    }
    data["pickup_code"] = (
        order.pickup_code if order.buyer_id == viewer.pk and order.pickup_code else None
    )
    data["lines"] = list(order.lines.all())
    data["status_label"] = selectors.buyer_status_label(order, data["lines"])
    return data


@router.get("/orders/{order_id}", response=OrderOut, auth=member_auth)
def order_detail(request: HttpRequest, order_id: int) -> dict[str, Any]:
    member = require_member(request)
    return order_out(selectors.order_for_party(member, order_id), member)


@router.post("/orders/{order_id}/ship", response=OrderStatusOut, auth=member_auth)
def ship(request: HttpRequest, order_id: int, payload: ShipIn | None = None) -> Order:
    member = require_member(request)
    order = selectors.order_for_merchant_staff(member, order_id)
    body = payload or ShipIn()
    return services.order_ship(
        order,
        actor=member,
        carrier=body.carrier,
        tracking_no=body.tracking_no,
        no_logistics=body.no_logistics,
    )


@router.post("/orders/{order_id}/ready-for-pickup", response=OrderStatusOut, auth=member_auth)
def ready_for_pickup(request: HttpRequest, order_id: int) -> Order:
    member = require_member(request)
    return services.order_ready_for_pickup(
        selectors.order_for_merchant_staff(member, order_id), actor=member
    )


@router.post("/orders/{order_id}/confirm-receipt", response=OrderStatusOut, auth=member_auth)
def confirm_receipt(request: HttpRequest, order_id: int) -> Order:
    member = require_member(request)
    return services.order_confirm_receipt(selectors.order_for_buyer(member, order_id), actor=member)


@router.post("/stores/{store_id}/pickups/verify", response=OrderStatusOut, auth=member_auth)
def pickup_verify(request: HttpRequest, store_id: int, payload: PickupVerifyIn) -> Order:
    """Store staff verify (核销) the code a buyer shows; each code works once."""
    member = require_member(request)
    store = store_for_staff(member, store_id, owner_only=False)
    return services.pickup_verify(store, code=payload.code, actor=member)


@router.get("/merchants/{merchant_id}/orders", response=list[OrderOut], auth=member_auth)
def merchant_orders(
    request: HttpRequest, merchant_id: int, q: Query[StatusPageQuery]
) -> list[dict[str, Any]]:
    member = require_member(request)
    merchant = merchant_for_staff(member, merchant_id, owner_only=False)
    found = selectors.with_review_state(selectors.orders_of_merchant(merchant.pk, status=q.status))
    return [order_out(o, member) for o in found[q.offset : q.offset + q.limit]]


@router.post(
    "/merchants/{merchant_id}/orders/ship-batch",
    response=ShipBatchOut,
    auth=member_auth,
    exclude_none=True,
)
def ship_batch(request: HttpRequest, merchant_id: int, file: File[UploadedFile]) -> dict[str, Any]:
    """Ship many express orders from a CSV (UTF-8 with or without BOM, or GBK) or XLSX sheet
    with the columns 订单号/order_no, 快递公司/carrier, 快递单号/tracking_no (a header row
    first). Each row ships like POST /orders/{id}/ship; refused rows are reported with a code
    and the rest still ship. At most 1 MB and 1,000 rows (400 file_too_large, too_many_rows);
    400 missing_columns, invalid_file for a sheet that cannot be read."""
    member = require_member(request)
    merchant = merchant_for_staff(member, merchant_id, owner_only=False)
    # One byte past the limit is enough for the service to refuse an oversized file.
    data = file.read(rules.SHIP_BATCH_MAX_BYTES + 1)
    result = services.orders_ship_batch(merchant, data, actor=member)
    return {"shipped": result.shipped, "results": [r.as_dict() for r in result.results]}


@router.get(
    "/merchants/{merchant_id}/orders/export",
    auth=member_auth,
    openapi_extra={
        "responses": {
            200: {
                "description": "The orders, one row per order line, as CSV or XLSX.",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    sheets.XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def orders_export(request: HttpRequest, merchant_id: int, q: Query[ExportQuery]) -> HttpResponse:
    """The merchant's orders as a CSV (UTF-8 with BOM) or XLSX download, one row per order
    line, narrowed by `status`, the days placed `from`..`to` (inclusive, China time) and a
    search `q`. At most 50,000 lines: more is 400 export_too_large (narrow the filters)."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=False)
    if q.status and q.status not in rules.ALL_STATUSES:
        raise DomainError(_("Unknown order status."), code="invalid_status")
    lines = selectors.order_lines_to_export(
        merchant.pk, status=q.status, start=q.from_, end=q.to, q=q.q
    )
    return sheets.sheet_response(
        selectors.export_rows(lines),
        name=f"orders-{timezone.localdate():%Y%m%d}",
        file_format=q.format,
    )
