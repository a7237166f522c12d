"""Writes for payments: creating them, starting a provider payment, accepting notifications,
refunds. Notifications are checked here, once, for every provider alike."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import Conflict, DomainError, InvalidTransition
from sharemall.core.ids import numeric_code, short_code
from sharemall.payments import rules
from sharemall.payments.models import NotificationLog, Payment, Refund
from sharemall.payments.providers.base import (
    Acknowledgement,
    InvalidNotification,
    Notification,
    PaymentProvider,
    PayRequest,
    ProviderError,
    ProviderNotConfigured,
    Scene,
)
from sharemall.payments.providers.registry import provider_for

logger = logging.getLogger(__name__)

# Accepted outcomes of a notification.
CAPTURED, DUPLICATE, NOT_PAID = "captured", "duplicate", "not_paid"
LATE, CONFLICTING = "late_payment", "conflicting_transaction"
# Outcomes where money arrived that the payment does not keep: it goes back to the payer.
UNWANTED = (LATE, CONFLICTING)
# Source keys of refunds of such money: `late:<provider>:<provider txn id>`.
LATE_REFUND_PREFIX = "late:"


def _new_number(prefix: str) -> str:
    return f"{prefix}{timezone.now():%Y%m%d%H%M%S}{numeric_code(8)}"


def payment_new(*, buyer: Member, amount_fen: int, expires_at: datetime) -> Payment:
    """An unsaved payment with its number and pay-for-me secret, as both `payment_create` and
    checkout's fast path write it."""
    return Payment(
        payment_no=_new_number("P"),
        buyer=buyer,
        amount_fen=amount_fen,
        expires_at=expires_at,
        pay_token=short_code(20),
    )


def payment_create(*, buyer: Member, amount_fen: int, expires_at: datetime) -> Payment:
    payment = payment_new(buyer=buyer, amount_fen=amount_fen, expires_at=expires_at)
    payment.save(force_insert=True)
    return payment


def payment_start(
    payment: Payment,
    *,
    provider_name: str,
    scene: Scene | None = None,
    client_ip: str = "",
    payer_openid: str = "",
    return_url: str = "",
) -> dict[str, object]:
    """The parameters a client needs to pay `payment` with `provider_name`."""
    if payment.status != Payment.Status.PENDING:
        raise Conflict(_("This payment is no longer waiting to be paid."), code="not_payable")
    if payment.expires_at <= timezone.now():
        raise Conflict(_("This payment has expired."), code="payment_expired")
    provider = provider_for(provider_name)
    default_scene: dict[str, Scene] = {"sandbox": "sandbox", "wechatpay": "native", "alipay": "wap"}
    request = PayRequest(
        payment_no=payment.payment_no,
        amount_fen=payment.amount_fen,
        description=_("ShareMall order %(no)s") % {"no": payment.payment_no},
        notify_url=f"{settings.PUBLIC_BASE_URL}/api/v1/payments/notify/{provider.name}",
        scene=scene or default_scene.get(provider.name, "sandbox"),
        currency=payment.currency,
        client_ip=client_ip,
        payer_openid=payer_openid,
        return_url=return_url,
        expires_at=payment.expires_at,
    )
    params = provider.create_payment(request)
    return {"payment_id": payment.pk, "provider": provider.name, **params}


@dataclass(frozen=True)
class NotificationResult:
    outcome: str  # captured | duplicate | not_paid | late_payment | rejected
    acknowledgement: Acknowledgement
    payment: Payment | None = None
    notification: Notification | None = None

    @property
    def captured(self) -> bool:
        return self.outcome == CAPTURED


def _log(provider: str, outcome: str, detail: str, n: Notification | None = None) -> None:
    NotificationLog.objects.create(
        provider=provider,
        outcome=outcome,
        detail=detail[:2000],
        payment_no=(n.payment_no if n else "")[:64],
        provider_txn_id=(n.provider_txn_id if n else "")[:64],
    )


def mismatch(provider: PaymentProvider, n: Notification, payment: Payment) -> str | None:
    """Why a verified notification still does not belong to our payment, or None."""
    if n.app_id != provider.app_id:
        return "app_id"
    if provider.merchant_id and n.merchant_id and n.merchant_id != provider.merchant_id:
        return "merchant_id"
    if n.currency != payment.currency:
        return "currency"
    if n.amount_fen != payment.amount_fen:
        return "amount"
    return None


class _Rejected(Exception):
    """A notification we refuse; carries what the audit log records."""

    def __init__(
        self, detail: str, n: Notification | None = None, payment: Payment | None = None
    ) -> None:
        super().__init__(detail)
        self.detail, self.notification, self.payment = detail, n, payment


def _verified(
    provider: PaymentProvider, headers: Mapping[str, str], body: bytes
) -> tuple[Notification, Payment]:
    """The notification, genuine and belonging to one of our payments, or _Rejected."""
    try:
        n = provider.parse_notification(headers, body)
    except InvalidNotification as exc:
        raise _Rejected(exc.message) from None
    payment = Payment.objects.filter(payment_no=n.payment_no).first()
    if payment is None:
        raise _Rejected("unknown payment", n)
    why = mismatch(provider, n, payment)
    if why:
        raise _Rejected(f"mismatch: {why}", n, payment)
    return n, payment


def capture_note(provider: PaymentProvider, n: Notification) -> str:
    """The capture event's note: who paid it, under which transaction."""
    return f"{provider.name} {n.provider_txn_id}"


def _capture(provider: PaymentProvider, n: Notification, payment: Payment) -> str:
    """Mark the payment paid if it still waits; which outcome this delivery had."""
    try:
        with transaction.atomic():
            rules.PAYMENT.move(
                payment,
                rules.PAID,
                note=capture_note(provider, n),
                payer=Coalesce(F("payer"), F("buyer")),
                provider=provider.name,
                provider_txn_id=n.provider_txn_id,
                paid_at=timezone.now(),
            )
        return CAPTURED
    except IntegrityError:
        raise _Rejected("transaction id belongs to another payment", n, payment) from None
    except InvalidTransition:
        pass  # not pending any more (captured, closed): which case is told below
    payment.refresh_from_db()
    if payment.status == Payment.Status.PAID and payment.provider_txn_id == n.provider_txn_id:
        _log(provider.name, DUPLICATE, "replayed or retried", n)
        return DUPLICATE
    if payment.status == Payment.Status.CLOSED:
        # Paid after we closed it (timed out): the money must go back.
        _log(provider.name, LATE, "payment was closed", n)
        return LATE
    # Already paid under another transaction id (paid twice, e.g. through two providers): the
    # second money is not the payment's and goes back like a late payment.
    _log(provider.name, CONFLICTING, f"paid as {payment.provider_txn_id}", n)
    return CONFLICTING


def notification_accept(
    provider_name: str, headers: Mapping[str, str], body: bytes
) -> NotificationResult:
    """Verify a provider's notification and, if it is genuine and ours, mark the payment paid.

    Exactly one delivery of a genuine notification captures the payment: the change is a
    conditional update from `pending`, and the provider's transaction id is unique. Replays,
    forgeries and mismatches change nothing but the audit log. Run inside the caller's
    transaction so the orders and the ledger move with the payment.
    """
    try:
        provider = provider_for(provider_name)
    except (ProviderNotConfigured, DomainError) as exc:
        _log(provider_name, "rejected", f"provider unavailable: {exc}")
        raise
    try:
        n, payment = _verified(provider, headers, body)
        outcome = _capture(provider, n, payment) if n.paid else NOT_PAID
    except _Rejected as rejected:
        _log(provider.name, "rejected", rejected.detail, rejected.notification)
        return NotificationResult(
            "rejected", provider.acknowledge(False), rejected.payment, rejected.notification
        )
    return NotificationResult(outcome, provider.acknowledge(True), payment, n)


def refunded_total(payment: Payment) -> int:
    """What was refunded of the payment's own money; money paid late or twice is not its own."""
    return int(
        payment.refunds.exclude(status=Refund.Status.FAILED)
        .exclude(source_key__startswith=LATE_REFUND_PREFIX)
        .aggregate(s=Sum("amount_fen"))["s"]
        or 0
    )


def late_refund_key(provider_name: str, provider_txn_id: str) -> str:
    return f"{LATE_REFUND_PREFIX}{provider_name}:{provider_txn_id}"


def late_refund_record(payment: Payment, n: Notification) -> Refund:
    """Record the refund of money the payment does not keep (paid after it was closed, or a
    second payment of it): once per provider transaction, so replays refund nothing twice.

    Run in the transaction that accepted the notification; the provider is asked afterwards by
    `refund_send`, with the refund number kept for retries.
    """
    source_key = late_refund_key(n.provider, n.provider_txn_id)
    existing = Refund.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Refund.objects.create(
                refund_no=_new_number("R"),
                source_key=source_key,
                payment=payment,
                amount_fen=n.amount_fen,
                reason="paid after the payment was closed or paid",
            )
    except IntegrityError:
        return Refund.objects.get(source_key=source_key)


def refund_request(
    payment: Payment,
    *,
    amount_fen: int,
    source_key: str,
    reason: str = "",
    provider_name: str | None = None,
) -> Refund:
    """Record a refund (idempotent by `source_key`) and ask the provider for it.

    The row is written before the provider is called so that a retry reuses its refund number:
    providers deduplicate on it, so a refund is never paid twice.
    """
    if amount_fen <= 0:
        raise DomainError(_("A refund must be more than ¥0."), code="invalid_refund")
    existing = Refund.objects.filter(source_key=source_key).first()
    if existing is None:
        if refunded_total(payment) + amount_fen > payment.amount_fen:
            raise Conflict(_("That is more than was paid."), code="refund_exceeds_payment")
        try:
            with transaction.atomic():
                existing = Refund.objects.create(
                    refund_no=_new_number("R"),
                    source_key=source_key,
                    payment=payment,
                    amount_fen=amount_fen,
                    reason=reason[:200],
                )
        except IntegrityError:
            existing = Refund.objects.get(source_key=source_key)
    return refund_send(existing, provider_name=provider_name, reason=reason)


def refund_send(refund: Refund, *, provider_name: str | None = None, reason: str = "") -> Refund:
    """Ask the provider for a recorded refund still processing; its number makes it once."""
    if refund.status != Refund.Status.PROCESSING:
        return refund
    payment = refund.payment
    provider = provider_for(provider_name or payment.provider or "sandbox")
    try:
        result = provider.refund(
            payment_no=payment.payment_no,
            refund_no=refund.refund_no,
            refund_fen=refund.amount_fen,
            total_fen=payment.amount_fen,
            reason=reason or refund.reason,
        )
    except ProviderError:
        logger.warning("refund %s: provider error, will retry", refund.refund_no)
        return refund
    if result.status != rules.PROCESSING:
        try:
            rules.REFUND.move(
                refund,
                result.status,
                note=f"provider said {result.status}",
                provider_refund_id=result.provider_refund_id,
                finished_at=timezone.now(),
            )
        except InvalidTransition:
            refund.refresh_from_db()  # another run recorded the provider's answer first
    return refund


def payments_close_expired(
    now: datetime, *, then: Callable[[Payment], object] | None = None
) -> list[Payment]:
    """Close pending payments past their deadline; returns those this call closed.

    Each payment is closed in its own transaction together with `then(payment)` (the caller
    cancels its orders there): a worker dying half-way leaves every payment either untouched
    or wholly moved on, never closed with its orders still waiting.
    """
    due = list(
        Payment.objects.filter(status=Payment.Status.PENDING, expires_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    closed = []
    for pk in due:
        try:
            with transaction.atomic():
                # Conditional: a notification capturing the payment at this instant wins or
                # loses cleanly against the timeout, never both.
                payment = Payment(pk=pk, status=rules.PENDING)
                try:
                    rules.PAYMENT.move(payment, rules.CLOSED, note="timed out", closed_at=now)
                except InvalidTransition:
                    continue
                payment = Payment.objects.get(pk=pk)
                if then is not None:
                    then(payment)
        except Conflict as exc:  # its orders changed meanwhile: left pending for the next run
            logger.warning("payment %s: not closed: %s", pk, exc)
            continue
        closed.append(payment)
    return closed


def pay_token_payment(token: str) -> Payment | None:
    return Payment.objects.select_related("buyer").filter(pay_token=token).first()


def payer_record(payment: Payment, payer: Member) -> None:
    """Remember who is paying a pay-for-me link, while it is still unpaid."""
    Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(payer=payer)


def late_refunds_due(now: datetime) -> list[Refund]:
    """Refunds of late or second payments still processing (the provider errored, or a worker
    died before asking), for the retry sweep. Refunds an after-sales request owns are finished
    by `aftersales_finish_refunds`, with their bookkeeping."""
    return list(
        Refund.objects.filter(
            status=rules.PROCESSING,
            source_key__startswith=LATE_REFUND_PREFIX,
            created_at__lte=now,
        )
        .select_related("payment")
        .order_by("pk")[:500]
    )


def late_refund_provider(refund: Refund) -> str:
    """The provider the late money came through (named in the refund's source key): it is the
    one that pays it back, whichever provider captured the payment itself."""
    return refund.source_key.removeprefix(LATE_REFUND_PREFIX).split(":", 1)[0]
