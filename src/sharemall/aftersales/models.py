from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.aftersales import rules
from sharemall.core.models import Photo, StatusEvent
from sharemall.orders.models import Order, OrderLine


class AfterSale(models.Model):
    class Kind(models.TextChoices):
        REFUND = rules.REFUND, _("refund only")
        RETURN_REFUND = rules.RETURN_REFUND, _("return and refund")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="aftersales")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="aftersales"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, default=rules.REQUESTED)
    reason = models.CharField(max_length=500)
    reason_code = models.CharField(max_length=20, blank=True)  # rules.REASON_CODES
    refund_fen = models.BigIntegerField()
    respond_by = models.DateTimeField()  # the merchant's deadline; then it is approved
    merchant_note = models.CharField(max_length=500, blank=True)
    return_carrier = models.CharField(max_length=40, blank=True)
    return_tracking_no = models.CharField(max_length=64, blank=True)
    refund_no = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("after-sales request")
        verbose_name_plural = _("after-sales requests")
        constraints = [
            models.CheckConstraint(condition=Q(refund_fen__gt=0), name="aftersale_refund_positive"),
            models.CheckConstraint(
                condition=Q(status__in=rules.ALL), name="aftersale_status_known"
            ),
        ]
        indexes = [models.Index(fields=["status", "respond_by"])]

    def __str__(self) -> str:
        return f"after-sales {self.pk}"


class AfterSaleLine(models.Model):
    aftersale = models.ForeignKey(AfterSale, on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    refund_fen = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["aftersale", "order_line"], name="aftersale_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.order_line_id} × {self.quantity}"


class AfterSalePhoto(Photo):
    """A photo the buyer sent with a request (the damaged parcel, the wrong colour)."""

    aftersale = models.ForeignKey(AfterSale, on_delete=models.CASCADE, related_name="photos")

    class Meta(Photo.Meta):
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")
        constraints = [
            models.UniqueConstraint(
                fields=["aftersale", "position"], name="aftersale_photo_position_once"
            ),
        ]


class AfterSaleEvent(StatusEvent):
    aftersale = models.ForeignKey(AfterSale, on_delete=models.PROTECT, related_name="events")

    class Meta(StatusEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.aftersale_id}: {self.from_status or '-'} → {self.to_status}"


class Dispute(models.Model):
    """A buyer's escalation to the platform, and the operator's ruling."""

    class Ruling(models.TextChoices):
        REFUND = "refund", _("refund the buyer")
        REJECT = "reject", _("uphold the merchant")

    aftersale = models.OneToOneField(AfterSale, on_delete=models.PROTECT, related_name="dispute")
    statement = models.CharField(max_length=1000)
    opened_at = models.DateTimeField(default=timezone.now)
    ruling = models.CharField(max_length=8, choices=Ruling.choices, blank=True)
    ruling_note = models.CharField(max_length=1000, blank=True)
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ruled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"dispute {self.pk}"


class DisputePhoto(Photo):
    """A photo the buyer sent with the escalation, for the operator who rules."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="photos")

    class Meta(Photo.Meta):
        verbose_name = _("dispute photo")
        verbose_name_plural = _("dispute photos")
        constraints = [
            models.UniqueConstraint(
                fields=["dispute", "position"], name="dispute_photo_position_once"
            ),
        ]
