from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from sharemall.accounts.auth import member_auth, require_member
from sharemall.accounts.models import Member
from sharemall.core.schemas import StatusPageQuery
from sharemall.merchants.selectors import merchant_for_staff, store_for_staff
from sharemall.orders import selectors, services
from sharemall.orders.models import Order
from sharemall.orders.schemas import OrderOut, OrderStatusOut, PickupVerifyIn, ShipIn

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
