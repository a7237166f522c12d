"""Reads for after-sales: the buyer, the merchant's staff and operators are the parties."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.accounts.models import Member
from sharemall.aftersales import rules
from sharemall.aftersales.models import AfterSale, AfterSaleEvent, Dispute
from sharemall.core.errors import Forbidden, NotFound
from sharemall.core.models import Photo
from sharemall.distribution.models import CommissionEntry
from sharemall.merchants.models import Merchant, MerchantEvent
from sharemall.merchants.rules import ReturnAddress
from sharemall.merchants.selectors import is_owner, merchant_ids_of, return_address_for
from sharemall.orders.models import Order, OrderEvent, OrderLine
from sharemall.payments.models import Payment
from sharemall.platform import services as platform
from sharemall.posts.models import Post
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing.models import ShareLink


def guarantee_until(order: Order) -> datetime | None:
    """When a completed order's quality-guarantee window ends (the platform's setting, days
    after completion); None while the order is not completed."""
    if order.completed_at is None:
        return None
    return rules.guarantee_ends(order.completed_at, platform.current().quality_guarantee_days)


def can_request(order: Order) -> bool:
    """Whether the order can take an after-sales request of some kind now."""
    return not rules.request_refusal(
        order.status, None, guarantee_until=guarantee_until(order), now=timezone.now()
    )


def _parties(member: Member) -> Q:
    return Q(buyer=member) | Q(order__merchant_id__in=merchant_ids_of(member))


def aftersale_for_party(member: Member, aftersale_id: int) -> AfterSale:
    found = AfterSale.objects.select_related(
        "order", "order__payment", "order__merchant", "order__pickup_store"
    ).prefetch_related("lines", "photos")
    if not member.is_operator:
        found = found.filter(_parties(member))
    aftersale = found.filter(pk=aftersale_id).first()
    if aftersale is None:
        raise NotFound(_("No such after-sales request."))
    return aftersale


def aftersale_for_merchant(member: Member, aftersale_id: int) -> AfterSale:
    aftersale = (
        AfterSale.objects.select_related(
            "order", "order__payment", "order__merchant", "order__pickup_store"
        )
        .prefetch_related("lines", "photos", "dispute__photos")
        .filter(pk=aftersale_id, order__merchant_id__in=merchant_ids_of(member))
        .first()
    )
    if aftersale is None:
        raise NotFound(_("No such after-sales request."))
    return aftersale


def aftersale_to_decide(member: Member, aftersale_id: int) -> AfterSale:
    """A request the member may approve or reject: the merchant's owner decides refunds, since
    they move the merchant's money; its clerks see the queue and confirm returned parcels."""
    aftersale = aftersale_for_merchant(member, aftersale_id)
    if not is_owner(member, aftersale.order.merchant_id):
        raise Forbidden(_("Only the merchant's owner may do this."), code="owner_only")
    return aftersale


def aftersale_for_buyer(member: Member, aftersale_id: int) -> AfterSale:
    aftersale = (
        AfterSale.objects.select_related("order", "order__merchant", "dispute")
        .prefetch_related("lines__order_line", "photos", "dispute__photos", "events")
        .filter(pk=aftersale_id, buyer=member)
        .first()
    )
    if aftersale is None:
        raise NotFound(_("No such after-sales request."))
    return aftersale


def aftersales_of_buyer(member: Member) -> QuerySet[AfterSale]:
    """The buyer's requests, newest first, with what they claim and the order they are on."""
    return (
        AfterSale.objects.filter(buyer=member)
        .select_related("order")
        .prefetch_related("lines__order_line")
        .order_by("-created_at", "-id")
    )


def aftersales_of_order(order_id: int) -> QuerySet[AfterSale]:
    return (
        AfterSale.objects.filter(order_id=order_id)
        .select_related("order__merchant")
        .prefetch_related("lines", "photos")
        .order_by("pk")
    )


def aftersales_of_merchant(merchant_id: int, *, status: str | None = None) -> QuerySet[AfterSale]:
    """Requests on the merchant's orders, newest first. `status` narrows them to one status,
    or with "open" to every request still waiting on someone."""
    found = (
        AfterSale.objects.filter(order__merchant_id=merchant_id)
        .select_related("order__merchant")
        .prefetch_related("lines", "photos")
    )
    if status == rules.OPEN_FILTER:
        found = found.filter(status__in=rules.OPEN)
    elif status:
        found = found.filter(status=status)
    return found.order_by("-created_at", "-id")


def disputes_open() -> QuerySet[Dispute]:
    return (
        Dispute.objects.filter(ruling="")
        .select_related("aftersale")
        .prefetch_related("photos")
        .order_by("opened_at")
    )


def dispute_for_operator(dispute_id: int) -> Dispute:
    dispute = (
        Dispute.objects.select_related("aftersale", "aftersale__order")
        .prefetch_related("photos", "aftersale__photos")
        .filter(pk=dispute_id)
        .first()
    )
    if dispute is None:
        raise NotFound(_("No such dispute."))
    return dispute


ATTRIBUTIONS = {
    "share": gettext_lazy("a share link"),
    "parent": gettext_lazy("the buyer's binding to a parent"),
}


@dataclass(frozen=True)
class OrderAttribution:
    """How the buyer came to the order: the referrer, the share link and the post behind it,
    and who is paid commission on it (the share chain, level by level)."""

    referrer: Member | None
    kind: str  # "share", "parent" or "" (nobody)
    link: ShareLink | None
    degree: int | None
    post: Post | None
    commissions: list[CommissionEntry]

    @property
    def how(self) -> str:
        return str(ATTRIBUTIONS.get(self.kind, self.kind))

    @property
    def post_id(self) -> int | None:
        return self.post.pk if self.post is not None else None


def order_attribution(order: Order) -> OrderAttribution:
    """The one read of an order's attribution, for the dispute page and the trail's API."""
    link = (
        ShareLink.objects.select_related("sharer").filter(pk=order.share_link_id).first()
        if order.share_link_id
        else None
    )
    post = (
        Post.objects.filter(pk=link.target_id).first()
        if link is not None and link.target_type == sharing_rules.POST
        else None
    )
    return OrderAttribution(
        referrer=(
            Member.objects.filter(pk=order.referrer_id).first() if order.referrer_id else None
        ),
        kind=order.attribution,
        link=link,
        degree=order.degree,
        post=post,
        commissions=list(
            CommissionEntry.objects.filter(order=order, reversal_of__isnull=True)
            .select_related("beneficiary")
            .order_by("kind", "level", "id")
        ),
    )


def _attribution_out(found: OrderAttribution) -> dict[str, Any]:
    link, post = found.link, found.post
    return {
        "referral": None
        if found.referrer is None
        else {
            "how": found.kind,
            "referrer_id": found.referrer.pk,
            "referrer_nickname": found.referrer.nickname,
            "share_code": link.code if link is not None else None,
            "target_type": link.target_type if link is not None else None,
            "target_id": link.target_id if link is not None else None,
            "degree": found.degree,
        },
        "share_chain": [
            {
                "level": e.level,
                "kind": e.kind,
                "member_id": e.beneficiary_id,
                "nickname": e.beneficiary.nickname,
                "amount_fen": e.amount_fen,
                "status": e.status,
            }
            for e in found.commissions
        ],
        "post": None
        if post is None
        else {
            "id": post.pk,
            "author_id": post.author_id,
            "product_id": post.product_id,
            "rating": post.rating,
            "status": post.status,
            "created_at": post.created_at,
        },
    }


def responsibility_trail(aftersale: AfterSale) -> dict[str, Any]:
    """Everything an operator needs to judge a dispute: who sold it and whether they were
    certified, every state change of the order and the request, the money, and how the buyer
    came (the referral, the share chain paid on the order and the post behind the share)."""
    order = aftersale.order
    merchant = _merchant_trail(order.merchant)
    payment = order.payment
    dispute = Dispute.objects.prefetch_related("photos").filter(aftersale=aftersale).first()
    return {
        "merchant": merchant,
        "order": _order_trail(order),
        "aftersale": _aftersale_trail(aftersale),
        "payment": _payment_trail(payment),
        "dispute": None if dispute is None else _dispute_trail(dispute),
        **_attribution_out(order_attribution(order)),
    }


def _merchant_trail(merchant: Merchant) -> dict[str, Any]:
    """The seller and every change of its certification."""
    certification = [
        {
            "from": e.from_status,
            "to": e.to_status,
            "actor_id": e.actor_id,
            "reason": e.reason,
            "at": e.created_at,
        }
        for e in MerchantEvent.objects.filter(merchant=merchant).order_by("created_at", "id")
    ]
    return {
        "id": merchant.pk,
        "legal_name": merchant.legal_name,
        "uscc": merchant.uscc,
        "status": merchant.status,
        "certification": certification,
    }


def _status_events(events: QuerySet[OrderEvent] | QuerySet[AfterSaleEvent]) -> list[dict[str, Any]]:
    return [
        {
            "from": e.from_status,
            "to": e.to_status,
            "actor_id": e.actor_id,
            "note": e.note,
            "at": e.created_at,
        }
        for e in events.order_by("created_at", "id")
    ]


def _order_trail(order: Order) -> dict[str, Any]:
    return {
        "id": order.pk,
        "status": order.status,
        "total_fen": order.total_fen,
        "refunded_fen": order.refunded_fen,
        "events": _status_events(OrderEvent.objects.filter(order=order)),
    }


def _aftersale_trail(aftersale: AfterSale) -> dict[str, Any]:
    return {
        "id": aftersale.pk,
        "status": aftersale.status,
        "kind": aftersale.kind,
        "refund_fen": aftersale.refund_fen,
        "reason": aftersale.reason,
        "events": _status_events(aftersale.events.all()),
        "photos": photo_urls(aftersale.photos.all()),
    }


def _payment_trail(payment: Payment) -> dict[str, Any]:
    """The payment and its refunds."""
    return {
        "id": payment.pk,
        "payment_no": payment.payment_no,
        "status": payment.status,
        "provider": payment.provider,
        "amount_fen": payment.amount_fen,
        "payer_id": payment.payer_id,
        "paid_at": payment.paid_at,
        "refunds": [
            {
                "refund_no": r.refund_no,
                "amount_fen": r.amount_fen,
                "status": r.status,
                "at": r.created_at,
            }
            for r in payment.refunds.order_by("created_at", "id")
        ],
    }


def _dispute_trail(dispute: Dispute) -> dict[str, Any]:
    return {
        "id": dispute.pk,
        "statement": dispute.statement,
        "opened_at": dispute.opened_at,
        "ruling": dispute.ruling or None,
        "ruling_note": dispute.ruling_note,
        "ruled_by": dispute.ruled_by_id,
        "ruled_at": dispute.ruled_at,
        "photos": photo_urls(dispute.photos.all()),
    }


def photo_urls(photos: Iterable[Photo]) -> list[dict[str, str]]:
    """Evidence photos as the answers give them: the full image and its thumbnail, in order
    (addresses relative to the site; the API makes them absolute)."""
    return [{"url": p.image.url, "thumbnail_url": p.thumbnail.url} for p in photos]


def return_address_of(aftersale: AfterSale) -> ReturnAddress | None:
    """Where the buyer sends the goods of an approved return; None before approval, after
    the return, or while the merchant has given no address."""
    if not rules.shows_return_address(aftersale.kind, aftersale.status):
        return None
    return return_address_of_order(aftersale.order)


def return_address_of_order(order: Order) -> ReturnAddress | None:
    """Where returns of the order go: its pickup store's own return address when the store has
    one, else the merchant's; None while neither is set."""
    return return_address_for(order.merchant, order.pickup_store)


def everything_claimed(order: Order) -> bool:
    """Whether open or finished requests claim every unit of the order: the request that took
    the last units is the one shipping goes back with (docs/freight.md)."""
    return not OrderLine.objects.filter(order=order, claimed_quantity__lt=F("quantity")).exists()


def shipping_included(aftersale: AfterSale) -> bool:
    """Whether the request's refund carries the order's shipping beyond its lines."""
    return aftersale.refund_fen > sum(part.refund_fen for part in aftersale.lines.all())


def shipping_offer_fen(aftersale: AfterSale) -> int:
    """The postage the merchant may choose to give back with this new request: the order's
    shipping when the request refunds the order's last goods without it; else 0. For the
    approval form; the service checks again under the order's lock."""
    order = aftersale.order
    if aftersale.status != rules.REQUESTED or shipping_included(aftersale):
        return 0
    refusal = rules.shipping_offer_refusal(
        shipping_fen=order.shipping_fen,
        shipping_included=False,
        everything=everything_claimed(order),
    )
    return 0 if refusal else order.shipping_fen
