"""The order-placing edges of the promotions: opening and joining a group, buying a bargain.
Each answers the payment to pay through the usual pay endpoints."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import Field

from sharemall.accounts.auth import member_auth, require_member
from sharemall.checkout import services, services_promotions
from sharemall.checkout.schemas import CheckoutOut, DeliveryIn, checkout_out, delivery_of
from sharemall.core.devices import device_of
from sharemall.core.http import client_address
from sharemall.core.idempotency import atomic_answer

router = Router(tags=["promotions"])


class GroupOrderIn(Schema):
    delivery: DeliveryIn
    # The leader's share link the member came through (attributed as for POST /orders).
    share_code: str | None = Field(default=None, max_length=32)


class GroupOpenedOut(Schema):
    group_id: int
    payment_id: int
    payment_no: str
    amount_fen: int
    expires_at: str
    order_ids: list[int]


class GroupJoinedOut(Schema):
    payment_id: int
    payment_no: str
    amount_fen: int
    expires_at: str
    order_ids: list[int]


def _payment(result: services.CheckoutResult) -> dict[str, Any]:
    return {
        "payment_id": result.payment.pk,
        "payment_no": result.payment.payment_no,
        "amount_fen": result.payment.amount_fen,
        "expires_at": result.payment.expires_at.isoformat(),
        "order_ids": [o.pk for o in result.orders],
    }


@router.post("/group-buys/{group_buy_id}/groups", response={201: GroupOpenedOut}, auth=member_auth)
@decorate_view(atomic_answer)
def group_open(
    request: HttpRequest, group_buy_id: int, payload: GroupOrderIn
) -> Status[dict[str, Any]]:
    """The leader opens a group: the group, and the leader's order and payment at the group
    price. Others can join once the leader has paid; the group has the group-buy's hours from
    now to fill. An ended group-buy: 409 `group_buy_ended`."""
    leader = require_member(request)
    group, result = services_promotions.group_open(
        leader=leader,
        group_buy_id=group_buy_id,
        delivery=delivery_of(payload.delivery, leader),
        share_code=payload.share_code,
        client_ip=client_address(request),
        device_id=device_of(request),
    )
    return Status(201, {"group_id": group.pk, **_payment(result)})


@router.post("/groups/{group_id}/join", response={201: GroupJoinedOut}, auth=member_auth)
@decorate_view(atomic_answer)
def group_join(
    request: HttpRequest, group_id: int, payload: GroupOrderIn
) -> Status[dict[str, Any]]:
    """Join a forming group through its leader's share link: an order and payment at the
    group price. The seat is taken when the payment arrives, if one is still free — otherwise
    the payment is refunded in full at once. Already holding a seat (paid or pending): 409
    `already_in_group`; the group no longer forming: 409 `group_closed`."""
    member = require_member(request)
    result = services_promotions.group_join(
        member=member,
        group_id=group_id,
        delivery=delivery_of(payload.delivery, member),
        share_code=payload.share_code,
        client_ip=client_address(request),
        device_id=device_of(request),
    )
    return Status(201, _payment(result))


# --- bargain (砍价) ----------------------------------------------------------------------------


class BargainBuyIn(Schema):
    delivery: DeliveryIn


@router.post("/bargain-runs/{run_id}/buy", response={201: CheckoutOut}, auth=member_auth)
@decorate_view(atomic_answer)
def bargain_buy(request: HttpRequest, run_id: int, payload: BargainBuyIn) -> Status[dict[str, Any]]:
    """The starter buys one unit at the run's current price before its time is up, once: 201
    like POST /orders. Anyone else: 404; expired: 409 `bargain_expired`; already ordered or
    bought: 409 `bargain_closed`; the price moved while buying: 409 `price_changed`."""
    buyer = require_member(request)
    result = services_promotions.bargain_buy(
        buyer=buyer,
        run_id=run_id,
        delivery=delivery_of(payload.delivery, buyer),
        client_ip=client_address(request),
        device_id=device_of(request),
    )
    return Status(201, checkout_out(result))
