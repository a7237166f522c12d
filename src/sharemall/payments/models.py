from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.core.models import StatusEvent


class Payment(models.Model):
    """One payment for one checkout: it may cover several merchants' orders."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        PAID = "paid", _("paid")
        CLOSED = "closed", _("closed")  # never paid: timed out or cancelled

    # Unique through Meta.constraints, not `unique=True`, which on PostgreSQL adds a second
    # (LIKE-pattern) index no query uses: see docs/schema.md.
    payment_no = models.CharField(max_length=32)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    payer = models.ForeignKey(  # who actually paid: the buyer, or a friend (找人代付)
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments_made",
        db_index=False,  # nothing reads payments by payer alone; members are never deleted
    )
    amount_fen = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    provider = models.CharField(max_length=16, blank=True)
    # NULL until captured, so the unpaid payments never collide on the unique constraint.
    provider_txn_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    pay_token = models.CharField(max_length=32)  # the pay-for-me link secret
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "paid", "closed"]), name="payment_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(provider_txn_id__isnull=False),
                name="paid_payment_has_provider_txn",
            ),
            models.UniqueConstraint(fields=["payment_no"], name="payment_no_unique"),
            models.UniqueConstraint(fields=["pay_token"], name="payment_pay_token_unique"),
            # A provider's transaction pays one payment at most: a replay or a forged
            # notification naming another payment's transaction fails on it.
            models.UniqueConstraint(fields=["provider_txn_id"], name="payment_provider_txn_unique"),
        ]
        # Capture sets status, payer, paid_at and provider_txn_id (unique, so indexed): it is
        # never a HOT update. The unpaid timeout reads pending payments by expiry; a captured
        # or closed payment's new row version gets no entry in that index.
        indexes = [
            models.Index(
                fields=["expires_at"], condition=Q(status="pending"), name="payment_pending_expiry"
            )
        ]

    def __str__(self) -> str:
        return self.payment_no


class NotificationLog(models.Model):
    """Every callback we refused or found to be a duplicate: the audit trail of forgeries and
    replays. Accepted notifications are recorded on the payment itself."""

    provider = models.CharField(max_length=16)
    payment_no = models.CharField(max_length=64, blank=True)
    provider_txn_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=24)
    detail = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")
        indexes = [models.Index(fields=["received_at"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.outcome} {self.payment_no}"


class Refund(models.Model):
    """Money going back to whoever paid. `source_key` ties it to what caused it (an after-sales
    request, a late payment) and is unique, so a retried request never refunds twice."""

    class Status(models.TextChoices):
        PROCESSING = "processing", _("processing")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    refund_no = models.CharField(max_length=32, unique=True)
    source_key = models.CharField(max_length=100, unique=True)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_fen = models.BigIntegerField()
    reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROCESSING)
    provider_refund_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.refund_no


class PaymentEvent(StatusEvent):
    """Every state change of a payment (captured, closed)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")


class RefundEvent(StatusEvent):
    """Every state change of a refund (succeeded, failed)."""

    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("refund event")
        verbose_name_plural = _("refund events")


class SandboxKey(models.Model):
    """The sandbox provider's RSA key, made on first use and shared by every worker process."""

    name = models.CharField(max_length=16, unique=True, default="default")
    private_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"sandbox key {self.name}"
