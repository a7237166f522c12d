"""After-sales: refund-only and return-and-refund requests per line and quantity, the
merchant's answer (or automatic approval), disputes and the operator's ruling, and the refund
itself through the provider and the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.aftersales import rules, selectors
from sharemall.aftersales.models import (
    AfterSale,
    AfterSaleEvent,
    AfterSaleLine,
    AfterSalePhoto,
    Dispute,
    DisputePhoto,
)
from sharemall.core.errors import Conflict, DomainError, InvalidTransition
from sharemall.core.images import CleanPhoto, StoredPhoto, clean_photos, stored_photos
from sharemall.distribution import services as distribution
from sharemall.notifications import rules as notices
from sharemall.notifications.services import notify
from sharemall.orders import ledger as order_ledger
from sharemall.orders import rules as order_rules
from sharemall.orders import services as orders
from sharemall.orders.models import Order, OrderLine
from sharemall.payments import services as payments
from sharemall.payments.models import Refund
from sharemall.promotions.services import coupons


class InvalidAfterSale(DomainError):
    code = "invalid_aftersale"


class UnitsUnavailable(Conflict):
    """The units asked for were claimed by another request meanwhile."""

    code = "units_unavailable"


# A claim that loses a race for a line's counters reads them again; a few rounds settle it.
_CLAIM_ATTEMPTS = 5


def _text(value: str, field: str, limit: int = 500) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise DomainError(_("%(field)s is required.") % {"field": field}, code="invalid_input")
    return cleaned[:limit]


def _move(
    aftersale: AfterSale, target: str, *, actor: Member | None, note: str = "", **updates: Any
) -> AfterSale:
    rules.AFTERSALE.move(aftersale, target, actor=actor, note=note, **updates)
    aftersale.refresh_from_db()
    return aftersale


def _evidence(photos: Sequence[bytes], *, room: int = rules.MAX_PHOTOS) -> list[CleanPhoto]:
    """The photos decoded, checked and re-encoded before anything is written; at most `room`
    of them (what MAX_PHOTOS leaves after the photos already sent)."""
    if len(photos) > room:
        raise InvalidAfterSale(
            _("Send at most %(n)d photos.") % {"n": rules.MAX_PHOTOS}, code="invalid_image"
        )
    return clean_photos(photos, thumbnail_side=rules.THUMBNAIL_SIDE)


class TooManyPhotos(DomainError):
    code = "too_many_photos"


def aftersale_request(
    *,
    buyer: Member,
    order: Order,
    kind: str,
    lines: Sequence[tuple[int, int]],
    reason: str,
    photos: Sequence[bytes] = (),
    reason_code: str = "",
) -> AfterSale:
    """Ask for money back on some units of some lines, with photos to show what is wrong. The
    units are claimed at once, so two requests can never together claim more than was bought;
    stored photos of a request that fails are removed."""
    if kind not in (rules.REFUND, rules.RETURN_REFUND):
        raise InvalidAfterSale(_("Choose refund or return and refund."))
    _check_eligible(order, kind)
    why = _text(reason, "reason")
    if reason_code and reason_code not in rules.REASON_CODES:
        raise InvalidAfterSale(
            _("Choose one of the listed reasons: %(codes)s.")
            % {"codes": ", ".join(rules.REASON_CODES)},
            code="invalid_reason_code",
        )
    if not lines:
        raise InvalidAfterSale(_("Choose the lines and quantities to refund."))
    ids = [line_id for line_id, _q in lines]
    if len(set(ids)) != len(ids):
        raise InvalidAfterSale(_("Each line appears once."))
    order_lines = {line.pk: line for line in OrderLine.objects.filter(order=order, pk__in=ids)}
    if len(order_lines) != len(ids):
        raise InvalidAfterSale(_("A line does not belong to this order."), code="unknown_line")
    for line_id, quantity in lines:
        line = order_lines[line_id]
        if quantity < 1 or quantity > line.quantity - line.claimed_quantity:
            raise InvalidAfterSale(
                _("At most %(n)d more units of %(title)s can be refunded.")
                % {"n": line.quantity - line.claimed_quantity, "title": line.title},
                code="invalid_quantity",
            )
    evidence = _evidence(photos)
    # The files are written before the transaction: the request's line claims are locked in
    # it, and a slow disk should not hold them. A request that fails takes its files away.
    with stored_photos(evidence, "aftersales") as stored:
        return _open_request(
            buyer=buyer,
            order=order,
            kind=kind,
            lines=lines,
            why=why,
            reason_code=reason_code,
            order_lines=order_lines,
            photos=stored,
        )


def order_refund_whole(order: Order, *, reason: str) -> AfterSale | None:
    """Refund everything still unclaimed in a paid order on the system's decision (a group-buy
    that failed, a payer a full group could not seat): a refund request made for the buyer,
    approved at once and paid back through the provider like any refund — ledger, commissions
    reversed, order closed, the buyer told. Units already in the buyer's own requests go their
    own way; with none left this does nothing and answers None. Claiming the units is the
    conditional update every request makes, so two runs cannot refund one unit twice."""
    _check_eligible(order, rules.REFUND)
    order_lines = {
        line.pk: line
        for line in OrderLine.objects.filter(order=order).order_by("pk")
        if line.quantity > line.claimed_quantity
    }
    if not order_lines:
        return None
    try:
        aftersale = _open_request(
            buyer=order.buyer,
            order=order,
            kind=rules.REFUND,
            lines=[(pk, line.quantity - line.claimed_quantity) for pk, line in order_lines.items()],
            reason_code="",
            why=_text(reason, "reason"),
            order_lines=order_lines,
            photos=[],
        )
    except UnitsUnavailable:
        return None  # another run or the buyer claimed them meanwhile
    return aftersale_approve(aftersale, actor=None, note=reason)


def _check_eligible(order: Order, kind: str | None) -> None:
    """Refuse a request (of `kind`, or of any kind) on an order that cannot take one now: not
    paid, returned goods not sent yet, or completed longer ago than the quality guarantee."""
    until = selectors.guarantee_until(order)
    refusal = rules.request_refusal(order.status, kind, guarantee_until=until, now=timezone.now())
    if refusal == rules.GUARANTEE_EXPIRED:
        raise InvalidAfterSale(
            _(
                "The quality-guarantee window of this order ended on %(date)s; "
                "after-sales requests are closed."
            )
            % {"date": f"{timezone.localtime(until):%Y-%m-%d %H:%M}" if until else "-"},
            code=rules.GUARANTEE_EXPIRED,
        )
    if refusal == rules.NOT_SENT:
        raise InvalidAfterSale(
            _("Goods can be returned once they were sent."), code=rules.NOT_ELIGIBLE
        )
    if refusal:
        raise InvalidAfterSale(
            _("This order cannot take an after-sales request now."), code=rules.NOT_ELIGIBLE
        )


def _open_request(
    *,
    buyer: Member,
    order: Order,
    kind: str,
    lines: Sequence[tuple[int, int]],
    why: str,
    reason_code: str,
    order_lines: dict[int, OrderLine],
    photos: list[StoredPhoto],
) -> AfterSale:
    with transaction.atomic():
        claimed: list[tuple[OrderLine, int, int]] = []
        # In line order, so two requests on the same lines queue instead of deadlocking.
        for line_id, quantity in sorted(lines):
            line = order_lines[line_id]
            claimed.append((line, quantity, _claim_units(line, quantity)))
        # Then the order row (lines before order, as a refund locks them): requests of one order
        # queue here, and each reads the others' committed claims after the wait, so exactly one
        # of them claims the last units and takes the shipping with it.
        locked = Order.objects.select_for_update().get(pk=order.pk)
        aftersale = AfterSale.objects.create(
            order=order,
            buyer=buyer,
            kind=kind,
            reason=why,
            reason_code=reason_code,
            refund_fen=sum(amount for _l, _q, amount in claimed) + _shipping_refund(locked),
            respond_by=timezone.now() + timedelta(days=settings.AFTERSALES_AUTO_APPROVE_DAYS),
        )
        AfterSaleLine.objects.bulk_create(
            AfterSaleLine(aftersale=aftersale, order_line=line, quantity=q, refund_fen=amount)
            for line, q, amount in claimed
        )
        AfterSalePhoto.objects.bulk_create(
            AfterSalePhoto(aftersale=aftersale, position=position, **asdict(photo))
            for position, photo in enumerate(photos)
        )
        AfterSaleEvent.objects.create(
            aftersale=aftersale, to_status=rules.REQUESTED, actor=buyer, note=why
        )
        orders.aftersale_opened(order)
    return aftersale


def _shipping_refund(order: Order) -> int:
    """The shipping a request gives back on top of its lines (docs/freight.md): all of it when
    the order has not shipped and the request claims its last units (everything is refunded);
    otherwise none — after shipping, the postage is spent. The request's lines are already
    claimed when this is asked."""
    return rules.shipping_refund_fen(
        order.shipping_fen,
        shipped=order.shipped_at is not None,
        everything=selectors.everything_claimed(order),
    )


def _claim_units(line: OrderLine, quantity: int, *, reclaim: bool = False) -> int:
    """Claim `quantity` more units of `line`, or raise UnitsUnavailable if they are gone.

    The counters are read again inside the caller's transaction: another request may have
    claimed units since the caller looked, and losing the conditional update to it only means
    reading again.
    """
    for _attempt in range(_CLAIM_ATTEMPTS):
        line.refresh_from_db(fields=["quantity", "claimed_quantity", "claimed_fen"])
        if quantity > line.quantity - line.claimed_quantity:
            break
        try:
            return orders.line_claim(line, quantity)
        except ValueError:
            break  # taken between our read and the claim's own
        except Conflict as exc:
            if exc.code != "conflict":
                raise
    available = max(0, line.quantity - line.claimed_quantity)
    if reclaim:
        raise UnitsUnavailable(
            _(
                "The units of %(title)s in this request were claimed by a newer request; "
                "it cannot be taken to the platform."
            )
            % {"title": line.title},
            code="units_reclaimed",
            details={"line_id": line.pk, "available": available},
        )
    raise UnitsUnavailable(
        _("Only %(n)d more units of %(title)s can be refunded now.")
        % {"n": available, "title": line.title},
        details={"line_id": line.pk, "available": available},
    )


def _release(aftersale: AfterSale) -> None:
    for part in aftersale.lines.all():
        orders.line_release(part.order_line_id, part.quantity, part.refund_fen)


def aftersale_approve(
    aftersale: AfterSale, *, actor: Member | None, note: str = "", refund_shipping: bool = False
) -> AfterSale:
    """Approve a request: a refund is paid back at once, a return waits for the goods.
    `refund_shipping` is the merchant's choice to give the postage back too, after dispatch
    (docs/freight.md), with the request that refunds the order's last goods."""
    if aftersale.status != rules.REQUESTED:
        raise InvalidTransition(_("Only a new request can be approved."))
    if refund_shipping:
        aftersale = _add_shipping(aftersale)
    if aftersale.kind == rules.RETURN_REFUND:
        # The buyer is shown the merchant's return address. A shop that has not set one can
        # still approve (the API contract promises it, and the job approves for a silent
        # merchant too): its after-sales page warns it, and the buyer's page says to contact
        # the shop until the address is set.
        with transaction.atomic():
            aftersale = _move(aftersale, rules.AWAITING_RETURN, actor=actor, note=note)
            notify(
                aftersale.buyer_id,
                notices.AFTERSALE_ANSWERED,
                f"aftersale:{aftersale.pk}:approved",
                order_no=aftersale.order.order_no,
            )
        return aftersale
    return _refund(aftersale, actor=actor, note=note)


def _add_shipping(aftersale: AfterSale) -> AfterSale:
    """Add the order's shipping to the request's refund, once. Under the order's row lock (as
    a new request takes it), so no other request can claim the last goods meanwhile; the
    request's own row changes only while it is still new and unchanged."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=aftersale.order_id)
        included = selectors.shipping_included(aftersale)
        refusal = rules.shipping_offer_refusal(
            shipping_fen=order.shipping_fen,
            shipping_included=included,
            everything=selectors.everything_claimed(order),
        )
        if refusal == rules.NO_SHIPPING:
            raise InvalidAfterSale(_("This order paid no shipping."), code=refusal)
        if refusal == rules.SHIPPING_WITH_LAST_GOODS:
            raise InvalidAfterSale(
                _(
                    "Shipping is given back with the request that refunds the order's last "
                    "goods; other goods of this order are not part of a request yet."
                ),
                code=refusal,
            )
        if included:
            return aftersale
        added = AfterSale.objects.filter(
            pk=aftersale.pk, status=rules.REQUESTED, refund_fen=aftersale.refund_fen
        ).update(refund_fen=F("refund_fen") + order.shipping_fen)
        if added != 1:
            raise InvalidTransition(_("The request changed meanwhile; look at it again."))
    aftersale.refresh_from_db()
    return aftersale


def aftersale_reject(aftersale: AfterSale, *, actor: Member, reason: str) -> AfterSale:
    why = _text(reason, "reason")
    with transaction.atomic():
        aftersale = _move(
            aftersale,
            rules.REJECTED,
            actor=actor,
            note=why,
            merchant_note=why,
            closed_at=timezone.now(),
        )
        _release(aftersale)
        orders.aftersale_closed(aftersale.order)
        notify(
            aftersale.buyer_id,
            notices.AFTERSALE_ANSWERED,
            f"aftersale:{aftersale.pk}:rejected",
            order_no=aftersale.order.order_no,
        )
    return aftersale


def aftersale_cancel(aftersale: AfterSale, *, actor: Member) -> AfterSale:
    with transaction.atomic():
        aftersale = _move(aftersale, rules.CANCELLED, actor=actor, closed_at=timezone.now())
        _release(aftersale)
        orders.aftersale_closed(aftersale.order)
    return aftersale


def aftersale_return_shipped(
    aftersale: AfterSale, *, actor: Member, carrier: str, tracking_no: str
) -> AfterSale:
    return _move(
        aftersale,
        rules.RETURN_SHIPPED,
        actor=actor,
        return_carrier=carrier.strip()[:40],
        return_tracking_no=tracking_no.strip()[:64],
    )


def aftersale_confirm_return(aftersale: AfterSale, *, actor: Member) -> AfterSale:
    if aftersale.status != rules.RETURN_SHIPPED:
        raise InvalidTransition(_("The goods have not been sent back yet."))
    return _refund(aftersale, actor=actor, note=rules.NOTE_RETURN_RECEIVED)


def aftersale_escalate(
    aftersale: AfterSale, *, actor: Member, statement: str, photos: Sequence[bytes] = ()
) -> Dispute:
    """The buyer takes a rejected (or stuck) request to the platform, with photos for the
    operator as a request takes them: cleaned before anything is written, and removed again
    should the escalation fail."""
    text = _text(statement, "statement", 1000)
    # A completed order's request goes to the platform within the quality guarantee only.
    if aftersale.order.status == rules.COMPLETED_ORDER:
        _check_eligible(aftersale.order, None)
    evidence = _evidence(photos)
    with stored_photos(evidence, "disputes") as stored, transaction.atomic():
        was_closed = aftersale.status == rules.REJECTED
        aftersale = _move(aftersale, rules.DISPUTED, actor=actor, note=text, closed_at=None)
        if was_closed:
            # The rejection gave the units back; a dispute claims them again, unless a newer
            # request has claimed them meanwhile.
            for part in aftersale.lines.select_related("order_line").order_by("order_line_id"):
                _claim_units(part.order_line, part.quantity, reclaim=True)
            orders.aftersale_opened(aftersale.order)
        dispute = Dispute.objects.create(aftersale=aftersale, statement=text)
        DisputePhoto.objects.bulk_create(
            DisputePhoto(dispute=dispute, position=position, **asdict(photo))
            for position, photo in enumerate(stored)
        )
        return dispute


def aftersale_photos_add(
    aftersale: AfterSale, *, actor: Member, photos: Sequence[bytes]
) -> AfterSale:
    """More evidence for a request still open (or before the platform): the photos join the
    request's own, MAX_PHOTOS in all. Only its buyer sends them."""
    if aftersale.buyer_id != actor.pk:
        raise InvalidAfterSale(_("Only the buyer sends photos of the problem."))
    if aftersale.status not in rules.OPEN:
        raise InvalidTransition(_("Photos can be added while the request is open."))
    if not photos:
        raise InvalidAfterSale(_("Send at least one photo."), code="invalid_image")
    room = rules.MAX_PHOTOS - aftersale.photos.count()
    if len(photos) > room:
        raise TooManyPhotos(_too_many(room))
    evidence = _evidence(photos)
    with stored_photos(evidence, "aftersales") as stored, transaction.atomic():
        # The request's row is the queue: two uploads at once both count what the other wrote.
        locked = AfterSale.objects.select_for_update().get(pk=aftersale.pk)
        if locked.status not in rules.OPEN:
            raise InvalidTransition(_("Photos can be added while the request is open."))
        taken = list(locked.photos.values_list("position", flat=True))
        if len(taken) + len(stored) > rules.MAX_PHOTOS:
            raise TooManyPhotos(_too_many(rules.MAX_PHOTOS - len(taken)))
        start = max(taken, default=-1) + 1
        AfterSalePhoto.objects.bulk_create(
            AfterSalePhoto(aftersale=locked, position=start + offset, **asdict(photo))
            for offset, photo in enumerate(stored)
        )
    aftersale.refresh_from_db()
    return aftersale


def _too_many(room: int) -> str:
    return _("A request keeps at most %(max)d photos; %(n)d more can be added.") % {
        "max": rules.MAX_PHOTOS,
        "n": max(0, room),
    }


def dispute_rule(dispute: Dispute, *, operator: Member, ruling: str, note: str) -> AfterSale:
    why = _text(note, "note", 1000)
    if ruling not in (Dispute.Ruling.REFUND, Dispute.Ruling.REJECT):
        raise DomainError(_("Rule refund or reject."), code="invalid_input")
    aftersale = dispute.aftersale
    if aftersale.status != rules.DISPUTED:
        raise InvalidTransition(_("This dispute was already ruled."))
    updated = Dispute.objects.filter(pk=dispute.pk, ruling="").update(
        ruling=ruling, ruling_note=why, ruled_by=operator, ruled_at=timezone.now()
    )
    if not updated:
        raise InvalidTransition(_("This dispute was already ruled."))
    if ruling == Dispute.Ruling.REFUND:
        return _refund(aftersale, actor=operator, note=f"{rules.NOTE_RULING_PREFIX}{why}")
    with transaction.atomic():
        aftersale = _move(
            aftersale,
            rules.REJECTED,
            actor=operator,
            note=f"{rules.NOTE_RULING_PREFIX}{why}",
            closed_at=timezone.now(),
        )
        _release(aftersale)
        orders.aftersale_closed(aftersale.order)
    return aftersale


def _refund(aftersale: AfterSale, *, actor: Member | None, note: str) -> AfterSale:
    """Record the refund in the order and the ledger, then ask the provider to pay it back.

    The order-side bookkeeping and the ledger move in one transaction with the state change;
    the provider is called after it commits, with a refund number kept for retries.
    """
    order = Order.objects.select_related("payment").get(pk=aftersale.order_id)
    with transaction.atomic():
        aftersale = _move(aftersale, rules.REFUNDING, actor=actor, note=note)
        parts = sorted((p.order_line_id, p.quantity, p.refund_fen) for p in aftersale.lines.all())
        # Updating the order's refunded total locks its row until this commits: the refunds of
        # one order queue here, so what is read below includes every earlier refund.
        # What the request refunds beyond its lines is the order's shipping (_shipping_refund).
        shipping = aftersale.refund_fen - sum(fen for _line, _q, fen in parts)
        orders.lines_refunded(order, parts, shipping_fen=shipping)
        order.refresh_from_db(fields=["refunded_fen"])
        order_ledger.post_refund_approved(
            order,
            key=_refund_key(aftersale.pk),
            amount=aftersale.refund_fen,
            refunded_fen=order.refunded_fen,
            earlier_keys=[
                _refund_key(pk)
                for pk in AfterSale.objects.filter(order_id=order.pk)
                .exclude(pk=aftersale.pk)
                .values_list("pk", flat=True)
            ],
        )
        distribution.commissions_reverse(order, refund_key=_refund_key(aftersale.pk))
    return _finish_refund(aftersale, order)


def _refund_key(aftersale_pk: int) -> str:
    return f"aftersale:{aftersale_pk}"


def _finish_refund(aftersale: AfterSale, order: Order) -> AfterSale:
    refund = payments.refund_request(
        order.payment,
        amount_fen=aftersale.refund_fen,
        source_key=_refund_key(aftersale.pk),
        reason=aftersale.reason[:200],
    )
    AfterSale.objects.filter(pk=aftersale.pk).update(refund_no=refund.refund_no)
    if refund.status != Refund.Status.SUCCEEDED:
        aftersale.refresh_from_db()
        return aftersale  # still processing: the refunds job finishes it
    with transaction.atomic():
        order_ledger.post_refund_paid(refund)
        aftersale = _move(
            aftersale, rules.REFUNDED, actor=None, note=refund.refund_no, closed_at=timezone.now()
        )
        orders.aftersale_closed(order)
        closed = orders.order_close_if_fully_refunded(order, actor=None)
        if closed.status == order_rules.CLOSED:
            coupons.coupons_give_back([closed.pk])
        notify(
            order.buyer_id,
            notices.REFUND_SUCCEEDED,
            f"aftersale:{aftersale.pk}:refunded",
            order_no=order.order_no,
            amount=notices.yuan(aftersale.refund_fen),
        )
    return aftersale


def aftersales_auto_approve(now: datetime) -> int:
    """Job: requests the merchant did not answer in time are approved."""
    due = AfterSale.objects.filter(status=rules.REQUESTED, respond_by__lte=now).order_by("pk")
    approved = 0
    for aftersale in due[:500]:
        try:
            aftersale_approve(aftersale, actor=None, note=rules.NOTE_AUTO_APPROVED)
        except InvalidTransition:
            continue
        approved += 1
    return approved


def aftersales_finish_refunds(now: datetime) -> int:
    """Job: ask again about refunds the provider was still processing, and finish those an
    approval left refunding (a worker killed after the bookkeeping committed). The refund
    number is kept, so asking again never pays twice."""
    finished = 0
    for aftersale in AfterSale.objects.filter(status=rules.REFUNDING).order_by("pk")[:500]:
        order = Order.objects.select_related("payment").get(pk=aftersale.order_id)
        try:
            if _finish_refund(aftersale, order).status == rules.REFUNDED:
                finished += 1
        except InvalidTransition:
            continue  # another worker finished it meanwhile
    return finished
