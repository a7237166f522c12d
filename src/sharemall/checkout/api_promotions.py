"""The order-placing edges of the promotions: opening and joining a group, buying a bargain."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.decorators import decorate_view

from sharemall.accounts.auth import member_auth, require_member
from sharemall.accounts.models import Member
from sharemall.checkout import services, services_promotions
from sharemall.checkout.schemas import CheckoutOut, DeliveryIn
from sharemall.core.http import client_address
from sharemall.core.idempotency import atomic_answer

router = Router(tags=["promotions"])


class BargainBuyIn(Schema):
    delivery: DeliveryIn


def _delivery_of(d: DeliveryIn, buyer: Member) -> services.Delivery:
    if d.address_id is not None:
        return services.saved_delivery(buyer, d.type, d.address_id)
    return services.Delivery(d.type, d.region_code, d.address, d.receiver, d.phone, d.store_id)


def _checkout_out(result: services.CheckoutResult) -> dict[str, Any]:
    return {
        "payment_id": result.payment.pk,
        "payment_no": result.payment.payment_no,
        "amount_fen": result.payment.amount_fen,
        "expires_at": result.payment.expires_at.isoformat(),
        "orders": [
            {
                "id": o.pk,
                "order_no": o.order_no,
                "merchant_id": o.merchant_id,
                "status": o.status,
                "shipping_fen": o.shipping_fen,
                "total_fen": o.total_fen,
                "lines": result.lines[o.pk],
            }
            for o in result.orders
        ],
    }


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
        delivery=_delivery_of(payload.delivery, buyer),
        client_ip=client_address(request),
        device_id=request.headers.get("X-Device-Id", ""),
    )
    return Status(201, _checkout_out(result))
