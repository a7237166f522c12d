from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import Field

from sharemall.accounts.auth import member_auth, require_member, require_operator
from sharemall.aftersales import rules, selectors, services
from sharemall.aftersales.models import AfterSale, Dispute
from sharemall.core.errors import DomainError
from sharemall.core.idempotency import atomic_answer
from sharemall.core.images import read_image_upload
from sharemall.core.schemas import StatusPageQuery
from sharemall.merchants.schemas import ReturnAddressOut
from sharemall.merchants.selectors import merchant_for_staff
from sharemall.orders.selectors import order_for_buyer, order_for_party

router = Router(tags=["after-sales"])


class LineIn(Schema):
    line_id: int
    quantity: int = Field(strict=True)


class AfterSaleIn(Schema):
    type: Literal["refund", "return_refund"]
    lines: list[LineIn] = Field(min_length=1, max_length=100)
    reason: str = Field(max_length=1000)
    # One of aftersales.rules.REASON_CODES; the merchant's quality report counts them.
    reason_code: str = Field(default="", max_length=20)


class AfterSaleLineOut(Schema):
    line_id: int
    quantity: int
    refund_fen: int


class PhotoOut(Schema):
    """An evidence photo: the full image and its thumbnail, absolute addresses."""

    url: str
    thumbnail_url: str


class AfterSaleOut(Schema):
    id: int
    order_id: int
    type: str
    status: str
    refund_fen: int
    reason: str
    reason_code: str
    merchant_note: str
    respond_by: datetime
    created_at: datetime
    lines: list[AfterSaleLineOut]
    # Where to send the goods while an approved return travels back; null otherwise.
    return_address: ReturnAddressOut | None
    # The buyer's photos of the problem, in the order sent.
    photos: list[PhotoOut]


class NoteIn(Schema):
    note: str = Field(default="", max_length=500)


class ApproveIn(NoteIn):
    # After dispatch the postage is the merchant's to give back (docs/freight.md): with the
    # request that refunds the order's last goods.
    refund_shipping: bool = False


class ReasonIn(Schema):
    reason: str = Field(max_length=500)


class ReturnIn(Schema):
    carrier: str = Field(default="", max_length=40)
    tracking_no: str = Field(max_length=64)


class EscalateIn(Schema):
    statement: str = Field(max_length=1000)


class RulingIn(Schema):
    ruling: Literal["refund", "reject"]
    note: str = Field(max_length=1000)


class DisputeOut(Schema):
    id: int
    aftersale_id: int
    statement: str
    opened_at: datetime
    ruling: str
    # The photos the buyer sent with the escalation.
    photos: list[PhotoOut]


def photos_out(request: HttpRequest, photos: list[dict[str, str]]) -> list[dict[str, str]]:
    """Absolute addresses, as the posts give theirs: an app can use them as they are."""
    return [{k: request.build_absolute_uri(v) for k, v in photo.items()} for photo in photos]


def dispute_out(request: HttpRequest, d: Dispute) -> dict[str, Any]:
    return {
        "id": d.pk,
        "aftersale_id": d.aftersale_id,
        "statement": d.statement,
        "opened_at": d.opened_at,
        "ruling": d.ruling,
        "photos": photos_out(request, selectors.photo_urls(d.photos.all())),
    }


def out(a: AfterSale, request: HttpRequest) -> dict[str, Any]:
    address = selectors.return_address_of(a)
    return {
        "id": a.pk,
        "order_id": a.order_id,
        "type": a.kind,
        "status": a.status,
        "refund_fen": a.refund_fen,
        "reason": a.reason,
        "reason_code": a.reason_code,
        "merchant_note": a.merchant_note,
        "respond_by": a.respond_by,
        "created_at": a.created_at,
        "lines": [
            {"line_id": p.order_line_id, "quantity": p.quantity, "refund_fen": p.refund_fen}
            for p in a.lines.all()
        ],
        "return_address": None
        if address is None
        else {
            "receiver": address.receiver,
            "phone": address.phone,
            "region_code": address.region_code,
            "region_name": address.region_name,
            "address": address.address,
        },
        "photos": photos_out(request, selectors.photo_urls(a.photos.all())),
    }


@router.post("/orders/{order_id}/aftersales", response={201: AfterSaleOut}, auth=member_auth)
@decorate_view(atomic_answer)
def request_aftersale(
    request: HttpRequest, order_id: int, payload: AfterSaleIn
) -> Status[dict[str, Any]]:
    buyer = require_member(request)
    aftersale = services.aftersale_request(
        buyer=buyer,
        order=order_for_buyer(buyer, order_id),
        kind=payload.type,
        lines=[(line.line_id, line.quantity) for line in payload.lines],
        reason=payload.reason,
        reason_code=payload.reason_code,
    )
    return Status(201, out(selectors.aftersale_for_party(buyer, aftersale.pk), request))


@router.get("/orders/{order_id}/aftersales", response=list[AfterSaleOut], auth=member_auth)
def order_aftersales(request: HttpRequest, order_id: int) -> list[dict[str, Any]]:
    order = order_for_party(require_member(request), order_id)
    return [out(a, request) for a in selectors.aftersales_of_order(order.pk)]


@router.get("/merchants/{merchant_id}/aftersales", response=list[AfterSaleOut], auth=member_auth)
def merchant_aftersales(
    request: HttpRequest, merchant_id: int, q: Query[StatusPageQuery]
) -> list[dict[str, Any]]:
    """The merchant's after-sales queue: its staff see every request on its orders."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=False)
    if q.status is not None and q.status not in (rules.OPEN_FILTER, *rules.ALL):
        raise DomainError(
            _("Unknown status: %(status)s") % {"status": q.status}, code="invalid_status"
        )
    found = selectors.aftersales_of_merchant(merchant.pk, status=q.status)
    return [out(a, request) for a in found[q.offset : q.offset + q.limit]]


@router.get("/aftersales/{aftersale_id}", response=AfterSaleOut, auth=member_auth)
def aftersale_detail(request: HttpRequest, aftersale_id: int) -> dict[str, Any]:
    return out(selectors.aftersale_for_party(require_member(request), aftersale_id), request)


class TrailStepOut(Schema):
    """One state change; `from` is empty for the first."""

    from_: str = Field(validation_alias="from", serialization_alias="from")
    to: str
    actor_id: int | None
    at: datetime


class CertificationStepOut(TrailStepOut):
    reason: str


class NotedStepOut(TrailStepOut):
    note: str


class TrailMerchantOut(Schema):
    id: int
    legal_name: str
    uscc: str
    status: str
    certification: list[CertificationStepOut]


class TrailOrderOut(Schema):
    id: int
    status: str
    total_fen: int
    refunded_fen: int
    events: list[NotedStepOut]


class TrailAfterSaleOut(Schema):
    id: int
    status: str
    kind: str
    refund_fen: int
    reason: str
    events: list[NotedStepOut]
    photos: list[PhotoOut]


class TrailRefundOut(Schema):
    refund_no: str
    amount_fen: int
    status: str
    at: datetime


class TrailPaymentOut(Schema):
    id: int
    payment_no: str
    status: str
    provider: str
    amount_fen: int
    payer_id: int | None
    paid_at: datetime | None
    refunds: list[TrailRefundOut]


class TrailDisputeOut(Schema):
    id: int
    statement: str
    opened_at: datetime
    ruling: str | None
    ruling_note: str
    ruled_by: int | None
    ruled_at: datetime | None
    photos: list[PhotoOut]


class TrailReferralOut(Schema):
    """Who brought the buyer: through a share link (`share_code`…) or as the buyer's parent."""

    how: Literal["share", "parent"]
    referrer_id: int
    referrer_nickname: str
    share_code: str | None
    target_type: str | None
    target_id: int | None
    degree: int | None


class TrailChainStepOut(Schema):
    """Who is paid on the order, level by level (1 = the referrer); `kind` region_agent is the
    regional agent (level 0)."""

    level: int
    kind: str
    member_id: int
    nickname: str
    amount_fen: int
    status: str


class TrailPostOut(Schema):
    """The experience post the share link pointed at."""

    id: int
    author_id: int
    product_id: int
    rating: int
    status: str
    created_at: datetime


class TrailOut(Schema):
    merchant: TrailMerchantOut
    order: TrailOrderOut
    aftersale: TrailAfterSaleOut
    payment: TrailPaymentOut
    dispute: TrailDisputeOut | None
    referral: TrailReferralOut | None
    share_chain: list[TrailChainStepOut]
    post: TrailPostOut | None


@router.get("/aftersales/{aftersale_id}/trail", response=TrailOut, auth=member_auth, by_alias=True)
def trail(request: HttpRequest, aftersale_id: int) -> dict[str, Any]:
    """The responsibility trail: certification, every state change, the money."""
    aftersale = selectors.aftersale_for_party(require_member(request), aftersale_id)
    found = selectors.responsibility_trail(aftersale)
    for part in (found["aftersale"], found["dispute"]):
        if part is not None:
            part["photos"] = photos_out(request, part["photos"])
    return found


@router.post("/aftersales/{aftersale_id}/approve", response=AfterSaleOut, auth=member_auth)
def approve(
    request: HttpRequest, aftersale_id: int, payload: ApproveIn | None = None
) -> dict[str, Any]:
    """Approve: a refund is paid back at once (the sandbox at once), a return waits for the
    goods. `refund_shipping: true` gives the order's postage back too, only with the request
    that refunds its last goods: else 400 `shipping_with_last_goods` (`no_shipping` when the
    order paid none)."""
    member = require_member(request)
    aftersale = selectors.aftersale_to_decide(member, aftersale_id)
    payload = payload or ApproveIn()
    done = services.aftersale_approve(
        aftersale, actor=member, note=payload.note, refund_shipping=payload.refund_shipping
    )
    return out(done, request)


@router.post("/aftersales/{aftersale_id}/reject", response=AfterSaleOut, auth=member_auth)
def reject(request: HttpRequest, aftersale_id: int, payload: ReasonIn) -> dict[str, Any]:
    member = require_member(request)
    aftersale = selectors.aftersale_to_decide(member, aftersale_id)
    return out(services.aftersale_reject(aftersale, actor=member, reason=payload.reason), request)


@router.post("/aftersales/{aftersale_id}/cancel", response=AfterSaleOut, auth=member_auth)
def cancel(request: HttpRequest, aftersale_id: int) -> dict[str, Any]:
    member = require_member(request)
    aftersale = selectors.aftersale_for_buyer(member, aftersale_id)
    return out(services.aftersale_cancel(aftersale, actor=member), request)


@router.post("/aftersales/{aftersale_id}/return", response=AfterSaleOut, auth=member_auth)
def returned(request: HttpRequest, aftersale_id: int, payload: ReturnIn) -> dict[str, Any]:
    member = require_member(request)
    aftersale = selectors.aftersale_for_buyer(member, aftersale_id)
    return out(
        services.aftersale_return_shipped(
            aftersale, actor=member, carrier=payload.carrier, tracking_no=payload.tracking_no
        ),
        request,
    )


@router.post("/aftersales/{aftersale_id}/confirm-return", response=AfterSaleOut, auth=member_auth)
def confirm_return(request: HttpRequest, aftersale_id: int) -> dict[str, Any]:
    member = require_member(request)
    aftersale = selectors.aftersale_for_merchant(member, aftersale_id)
    return out(services.aftersale_confirm_return(aftersale, actor=member), request)


@router.post("/aftersales/{aftersale_id}/escalate", response={201: DisputeOut}, auth=member_auth)
def escalate(
    request: HttpRequest, aftersale_id: int, payload: EscalateIn
) -> Status[dict[str, Any]]:
    member = require_member(request)
    aftersale = selectors.aftersale_for_buyer(member, aftersale_id)
    dispute = services.aftersale_escalate(aftersale, actor=member, statement=payload.statement)
    return Status(201, dispute_out(request, dispute))


@router.post("/aftersales/{aftersale_id}/photos", response={201: AfterSaleOut}, auth=member_auth)
def add_photos(
    request: HttpRequest, aftersale_id: int, images: File[list[UploadedFile]]
) -> Status[dict[str, Any]]:
    """Multipart: the buyer adds photos of the problem (`images`, 1 to 9 files) to a request
    still open or before the platform, up to 9 in all (400 `too_many_photos`)."""
    member = require_member(request)
    aftersale = selectors.aftersale_for_buyer(member, aftersale_id)
    if len(images) > rules.MAX_PHOTOS:
        raise services.TooManyPhotos(_("Send at most %(n)d photos.") % {"n": rules.MAX_PHOTOS})
    services.aftersale_photos_add(
        aftersale, actor=member, photos=[read_image_upload(upload) for upload in images]
    )
    return Status(201, out(selectors.aftersale_for_party(member, aftersale.pk), request))


@router.get("/platform/disputes", response=list[DisputeOut], auth=member_auth)
def disputes(request: HttpRequest) -> list[dict[str, Any]]:
    require_operator(request)
    return [dispute_out(request, d) for d in selectors.disputes_open()[:200]]


@router.post("/platform/disputes/{dispute_id}/rule", response=AfterSaleOut, auth=member_auth)
def rule(request: HttpRequest, dispute_id: int, payload: RulingIn) -> dict[str, Any]:
    operator = require_operator(request)
    dispute = selectors.dispute_for_operator(dispute_id)
    return out(
        services.dispute_rule(dispute, operator=operator, ruling=payload.ruling, note=payload.note),
        request,
    )
