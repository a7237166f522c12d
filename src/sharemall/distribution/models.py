from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sharemall.catalog.models import Product, Sku
from sharemall.core.models import StatusEvent
from sharemall.distribution import rules
from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order, OrderLine
from sharemall.platform.rules import LEVELS_HARD_LIMIT


class CommissionPlan(models.Model):
    """What a merchant gives up for sharing (让利): the merchant default, or a product or SKU
    override. The most specific plan applies and is snapshotted on each order line."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="plans")
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    unit = models.CharField(max_length=4, default=rules.BP)
    share_budget = models.PositiveIntegerField()
    buyer_discount = models.PositiveIntegerField(default=0)
    level1 = models.PositiveIntegerField(default=0)
    level2 = models.PositiveIntegerField(default=0)
    level3 = models.PositiveIntegerField(default=0)
    region_agent = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("commission plan")
        verbose_name_plural = _("commission plans")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant"],
                condition=Q(product__isnull=True, sku__isnull=True),
                name="plan_one_default_per_merchant",
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(product__isnull=False, sku__isnull=True),
                name="plan_one_per_product",
            ),
            models.UniqueConstraint(
                fields=["sku"], condition=Q(sku__isnull=False), name="plan_one_per_sku"
            ),
            models.CheckConstraint(
                condition=Q(unit__in=[rules.BP, rules.FEN]), name="plan_unit_known"
            ),
            models.CheckConstraint(
                condition=Q(
                    share_budget__gte=models.F("buyer_discount")
                    + models.F("level1")
                    + models.F("level2")
                    + models.F("level3")
                    + models.F("region_agent")
                ),
                name="plan_parts_within_budget",
            ),
            models.CheckConstraint(
                condition=~Q(unit=rules.BP) | Q(share_budget__lte=10_000),
                name="plan_bp_budget_at_most_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"plan {self.pk} of merchant {self.merchant_id}"

    def as_rule(self) -> rules.Plan:
        return rules.Plan(
            self.unit,
            self.share_budget,
            self.buyer_discount,
            (self.level1, self.level2, self.level3),
            self.region_agent,
        )


class PlanChange(models.Model):
    """Every change of a plan: who, when, what it was and what it became."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    product_id = models.BigIntegerField(null=True)
    sku_id = models.BigIntegerField(null=True)
    before = models.JSONField(null=True)
    after = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"plan change {self.pk}"


class CommissionEntry(models.Model):
    """One person's commission on one order line, or the reversal of part of one."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("commission status", "pending")
        SETTLED = "settled", _("settled")
        REVERSED = "reversed", _("reversed")
        HELD = "held", _("held for review")
        REJECTED = "rejected", _("rejected")

    class Kind(models.TextChoices):
        LEVEL = "level", _("distribution level")
        REGION_AGENT = "region_agent", _("regional agent")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    beneficiary = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commissions"
    )
    kind = models.CharField(max_length=14, choices=Kind.choices, default=Kind.LEVEL)
    level = models.PositiveSmallIntegerField()  # 1–3 for levels, 0 for a regional agent
    base_fen = models.BigIntegerField()
    unit = models.CharField(max_length=4, default=rules.BP)
    rate = models.PositiveIntegerField()  # bp, or fen per unit
    amount_fen = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # A reversal row points at the entry it reverses; its amount is what went back.
    reversal_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("commission entry")
        verbose_name_plural = _("commission entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__lte=LEVELS_HARD_LIMIT), name="commission_level_at_most_three"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="commission_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "settled", "reversed", "held", "rejected"]),
                name="commission_status_known",
            ),
            models.UniqueConstraint(
                fields=["order_line", "kind", "level"],
                condition=Q(reversal_of__isnull=True),
                name="commission_once_per_line_and_level",
            ),
        ]
        indexes = [
            models.Index(fields=["beneficiary", "-created_at"]),
            models.Index(fields=["order", "status"]),
        ]

    def __str__(self) -> str:
        return f"commission {self.pk}"


class RegionAgent(models.Model):
    """A regional agent (区域代理): earns the region-agent rate on orders delivered or picked up
    inside their province, city or district; the most specific active agent is paid."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agencies"
    )
    region_code = models.CharField(max_length=6)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("regional agent")
        verbose_name_plural = _("regional agents")
        constraints = [
            models.UniqueConstraint(
                fields=["region_code"],
                condition=Q(is_active=True),
                name="one_active_agent_per_region",
            ),
        ]

    def __str__(self) -> str:
        return f"agent {self.member_id} @ {self.region_code}"


class Partner(models.Model):
    """A partner (合伙人): shares each period's dividend pool by the GMV attributed to them."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partnership"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"partner {self.member_id}"


class DividendPeriod(models.Model):
    """One period's partner dividend: the pool and each partner's share, made once."""

    starts = models.DateField()
    ends = models.DateField()  # exclusive
    fees_fen = models.BigIntegerField()
    pool_fen = models.BigIntegerField()
    shares = models.JSONField()  # [{member_id, gmv_fen, amount_fen}]
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["starts", "ends"], name="one_dividend_per_period"),
        ]

    def __str__(self) -> str:
        return f"dividend {self.starts}–{self.ends}"


class SubStore(models.Model):
    """A distributor's personal sub-store (个人分店): the products they chose to promote."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="substore"
    )
    title = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"sub-store of {self.member_id}"


class SubStoreItem(models.Model):
    substore = models.ForeignKey(SubStore, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["substore", "product"], name="substore_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.substore_id}/{self.product_id}"


class CommissionEntryEvent(StatusEvent):
    """Every state change of a commission entry: settled, held, released, reversed, rejected,
    with the operator who decided a held one."""

    entry = models.ForeignKey(CommissionEntry, on_delete=models.PROTECT, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("commission event")
        verbose_name_plural = _("commission events")
