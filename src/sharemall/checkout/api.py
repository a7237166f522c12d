"""The buying edge: place orders, pay them (also for someone else), receive notifications."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.decorators import decorate_view

from sharemall.accounts.auth import member_auth, require_member
from sharemall.checkout import services
from sharemall.checkout.schemas import (
    CheckoutOut,
    OrderCreateIn,
    PayIn,
    PayLinkOut,
    PaymentOut,
    PaymentStatusOut,
    PayStartOut,
    QuoteOut,
    checkout_out,
    delivery_of,
)
from sharemall.core.devices import device_of
from sharemall.core.errors import Conflict, DomainError, NotFound
from sharemall.core.http import client_address
from sharemall.core.idempotency import atomic_answer
from sharemall.core.schemas import StatusPageQuery
from sharemall.orders.api import order_out
from sharemall.orders.schemas import OrderOut
from sharemall.orders.selectors import orders_of_buyer
from sharemall.payments import services as payments
from sharemall.payments.models import Payment
from sharemall.payments.providers.registry import PROVIDER_NAMES

router = Router(tags=["checkout"])

# The sandbox provider's acknowledgement of a notification.
NOTIFY_ACK = {
    "type": "object",
    "properties": {"code": {"type": "string", "enum": ["SUCCESS", "FAIL"]}},
    "required": ["code"],
}


def _items(payload: OrderCreateIn) -> list[services.Item]:
    return [
        services.Item(i.sku_id, i.quantity, flash_sale_id=i.flash_sale_id) for i in payload.items
    ]


@router.post("/orders/quote", response=QuoteOut, auth=member_auth)
def order_quote(request: HttpRequest, payload: OrderCreateIn) -> dict[str, Any]:
    """What POST /orders would charge for this body — goods, discount, shipping and totals per
    merchant order — writing nothing: both run the same pricing."""
    buyer = require_member(request)
    priced = services.quote(
        buyer=buyer,
        items=_items(payload),
        delivery=delivery_of(payload.delivery, buyer),
        share_code=payload.share_code,
        coupon_ids=payload.coupon_ids,
    )
    orders = [
        {
            "merchant_id": d.merchant.pk,
            "goods_fen": d.goods_fen,
            "discount_fen": d.discount_fen,
            "shipping_fen": d.shipping_fen,
            "total_fen": d.total_fen,
            "promotion_fen": p.promotion_fen,
            "tier_fen": p.tier_fen,
            "coupon_fen": p.coupon_fen,
            "share_fen": p.share_fen,
        }
        for d, p in zip(priced.drafts, priced.prices, strict=True)
    ]
    sums = ("goods_fen", "discount_fen", "shipping_fen", "promotion_fen", "tier_fen")
    return {
        "orders": orders,
        **{k: sum(o[k] for o in orders) for k in (*sums, "coupon_fen", "share_fen")},
        "total_fen": priced.total_fen,
        "coupons": [
            {"id": c.claim_id, "merchant_id": c.merchant_id, "taken_fen": c.taken_fen}
            for c in priced.coupons
        ],
    }


@router.post("/orders", response={201: CheckoutOut}, auth=member_auth)
@decorate_view(atomic_answer)
def order_create(request: HttpRequest, payload: OrderCreateIn) -> Status[dict[str, Any]]:
    buyer = require_member(request)
    result = services.order_create(
        buyer=buyer,
        items=_items(payload),
        delivery=delivery_of(payload.delivery, buyer),
        share_code=payload.share_code,
        coupon_ids=payload.coupon_ids,
        client_ip=client_address(request),
        device_id=device_of(request),
    )
    return Status(201, checkout_out(result))


@router.get("/orders", response=list[OrderOut], auth=member_auth)
def my_orders(request: HttpRequest, q: Query[StatusPageQuery]) -> list[dict[str, Any]]:
    member = require_member(request)
    found = orders_of_buyer(member, status=q.status)
    return [order_out(o, member) for o in found[q.offset : q.offset + q.limit]]


def payment_out(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.pk,
        "payment_no": payment.payment_no,
        "amount_fen": payment.amount_fen,
        "currency": payment.currency,
        "status": payment.status,
        "provider": payment.provider,
        "buyer_id": payment.buyer_id,
        "payer_id": payment.payer_id,
        "expires_at": payment.expires_at.isoformat(),
        "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
        "order_ids": list(payment.orders.values_list("pk", flat=True)),
    }


@router.get("/payments/{payment_id}", response=PaymentOut, auth=member_auth)
def payment_detail(request: HttpRequest, payment_id: int) -> dict[str, Any]:
    return payment_out(services.payment_for_member(require_member(request), payment_id))


@router.post(
    "/payments/{payment_id}/pay", response=PayStartOut, exclude_unset=True, auth=member_auth
)
def pay(request: HttpRequest, payment_id: int, payload: PayIn) -> dict[str, object]:
    """The provider's parameters for paying: a sandbox pay page, a WeChat prepay, an Alipay
    URL. A provider that is not configured answers 400 provider_not_configured."""
    buyer = require_member(request)
    payment = services.payment_for_member(buyer, payment_id)
    return services.payment_pay(
        payment,
        buyer,
        provider_name=payload.provider,
        scene=payload.scene,
        client_ip=client_address(request),
        payer_openid=payload.openid,
        return_url=payload.return_url,
    )


def _sandbox_answer(result: payments.NotificationResult, payment: Payment) -> dict[str, Any]:
    if result.payment is not None:
        payment = result.payment
    if payment.status != Payment.Status.PAID:
        if payment.status == Payment.Status.CLOSED:
            raise Conflict(_("This payment was closed before it was paid."), code="payment_closed")
        raise DomainError(_("The sandbox payment was not accepted."), code="payment_not_accepted")
    return {"payment_id": payment.pk, "status": payment.status}


def _sandbox_enabled() -> None:
    if not settings.SANDBOX_PAYMENTS:
        raise NotFound(_("The sandbox is off."))


@router.post("/payments/sandbox/{payment_id}/complete", response=PaymentStatusOut, auth=member_auth)
def sandbox_complete(request: HttpRequest, payment_id: int) -> dict[str, Any]:
    """Sandbox only: the sandbox "bank" pays and sends its signed callback through the same
    verification path as real providers. Repeating it changes nothing."""
    _sandbox_enabled()
    payment = services.payment_for_member(require_member(request), payment_id)
    if payment.status == Payment.Status.PAID:
        return {"payment_id": payment.pk, "status": payment.status}
    return _sandbox_answer(services.sandbox_complete(payment), payment)


@router.post(
    "/payments/notify/{provider}",
    auth=None,
    openapi_extra={
        "responses": {
            200: {
                "description": "The acknowledgement in the provider's own protocol: Alipay's "
                "`success`, an empty WeChat Pay answer, the sandbox's JSON `code`.",
                "content": {"text/plain": {}, "application/json": {"schema": NOTIFY_ACK}},
            }
        }
    },
)
def notify(request: HttpRequest, provider: str) -> HttpResponse:
    """Where providers send payment notifications (no sign-in: the signature is the proof)."""
    if provider not in PROVIDER_NAMES:
        # Refused before the audit log, whose provider column holds only names we know.
        raise NotFound(_("No such payment provider."))
    headers = dict(request.headers.items())
    result = services.payment_notification_handle(provider, headers, request.body)
    ack = result.acknowledgement
    return HttpResponse(ack.body, status=ack.status, content_type=ack.content_type)


# --- pay-for-me (找人代付) --------------------------------------------------------------------


@router.post("/payments/{payment_id}/pay-link", response=PayLinkOut, auth=member_auth)
def pay_link(request: HttpRequest, payment_id: int) -> dict[str, str]:
    """A link the buyer sends a friend; whoever opens it (signed in) can pay."""
    payment = services.payment_for_member(require_member(request), payment_id)
    if payment.status != Payment.Status.PENDING:
        raise Conflict(_("This payment is no longer waiting to be paid."), code="not_payable")
    return {"token": payment.pay_token, "url": services.pay_for_me_url(payment)}


def _by_token(token: str) -> Payment:
    payment = payments.pay_token_payment(token)
    if payment is None:
        raise NotFound(_("No such pay link."))
    return payment


@router.get("/pay-for-me/{token}", response=PaymentOut, auth=member_auth)
def pay_for_me_detail(request: HttpRequest, token: str) -> dict[str, Any]:
    require_member(request)
    return payment_out(_by_token(token))


@router.post("/pay-for-me/{token}/pay", response=PayStartOut, exclude_unset=True, auth=member_auth)
def pay_for_me(request: HttpRequest, token: str, payload: PayIn) -> dict[str, object]:
    payer = require_member(request)
    payment = _by_token(token)
    return services.payment_pay(
        payment,
        payer,
        provider_name=payload.provider,
        scene=payload.scene,
        client_ip=client_address(request),
        payer_openid=payload.openid,
        return_url=payload.return_url,
    )


@router.post("/pay-for-me/{token}/sandbox-complete", response=PaymentStatusOut, auth=member_auth)
def pay_for_me_sandbox(request: HttpRequest, token: str) -> dict[str, Any]:
    _sandbox_enabled()
    payer = require_member(request)
    payment = _by_token(token)
    if payment.status == Payment.Status.PAID:
        return {"payment_id": payment.pk, "status": payment.status}
    payments.payer_record(payment, payer)
    return _sandbox_answer(services.sandbox_complete(payment), payment)
