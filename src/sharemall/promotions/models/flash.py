"""Flash sales (秒杀): a SKU sold at a flash price, from flash stock, in a time window, at most
`per_member` units to each member.

The database is the truth and keeps itself honest: `sold` never passes `units` and a member's
`bought` never goes below zero (check constraints); the services only ever move them with
conditional updates (services/flash.py)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.accounts.models import Member
from sharemall.catalog.models import Sku
from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order


class FlashSale(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="flash_sales")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    price_fen = models.BigIntegerField(_("flash price (fen)"))
    units = models.PositiveIntegerField(_("flash stock"))
    sold = models.PositiveIntegerField(_("sold"), default=0)
    per_member = models.PositiveIntegerField(_("limit per member"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("flash sale")
        verbose_name_plural = _("flash sales")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="flash_sale_window")]
        constraints = [
            models.CheckConstraint(condition=Q(price_fen__gte=1), name="flash_sale_price_positive"),
            models.CheckConstraint(condition=Q(units__gte=1), name="flash_sale_stock_positive"),
            models.CheckConstraint(
                condition=Q(sold__gte=0) & Q(sold__lte=F("units")), name="flash_sale_never_oversold"
            ),
            models.CheckConstraint(
                condition=Q(per_member__gte=1), name="flash_sale_per_member_positive"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="flash_sale_window_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"flash {self.pk} sku {self.sku_id}"


class FlashQuota(models.Model):
    """How many units of one sale one member holds (reserved or paid): the per-member limit is
    a conditional update of this one row, exact under concurrency."""

    sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    bought = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("flash sale quota")
        verbose_name_plural = _("flash sale quotas")
        constraints = [
            models.UniqueConstraint(fields=["sale", "member"], name="flash_quota_one_per_member"),
            models.CheckConstraint(condition=Q(bought__gte=0), name="flash_quota_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sale_id}/{self.member_id}: {self.bought}"


class FlashPurchase(models.Model):
    """Units of a sale one order holds. Released (unpaid timeout) exactly once: the stock and
    the member's count go back with the conditional move out of RESERVED."""

    class Status(models.TextChoices):
        RESERVED = "reserved", _("reserved")
        PAID = "paid", _("paid")
        RELEASED = "released", _("released")

    sale = models.ForeignKey(FlashSale, on_delete=models.PROTECT, related_name="purchases")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RESERVED)
    created_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("flash sale purchase")
        verbose_name_plural = _("flash sale purchases")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="flash_purchase_quantity"),
            models.CheckConstraint(
                condition=Q(status__in=["reserved", "paid", "released"]),
                name="flash_purchase_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sale_id}/{self.order_id} x{self.quantity}"
