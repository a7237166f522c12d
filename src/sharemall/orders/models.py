from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.catalog.models import Sku
from sharemall.core.ids import numeric_code
from sharemall.core.models import StatusEvent
from sharemall.merchants.models import Merchant, Store
from sharemall.orders import rules
from sharemall.payments.models import Payment


def new_order_no() -> str:
    """The number people read out to a shop: the day it was placed and ten random digits
    (random, so a number says nothing about how many orders a shop or the mall takes)."""
    return f"{timezone.localdate():%Y%m%d}{numeric_code(10)}"


class Order(models.Model):
    """One merchant's part of a checkout. Several orders may share one payment."""

    class Status(models.TextChoices):
        PENDING_PAYMENT = rules.PENDING_PAYMENT, _("pending payment")
        PAID = rules.PAID, _("paid")
        SHIPPED = rules.SHIPPED, _("shipped")
        READY_FOR_PICKUP = rules.READY_FOR_PICKUP, _("ready for pickup")
        RECEIVED = rules.RECEIVED, _("received")
        COMPLETED = rules.COMPLETED, _("completed")
        CANCELLED = rules.CANCELLED, _("cancelled")
        CLOSED = rules.CLOSED, _("closed")

    class Delivery(models.TextChoices):
        EXPRESS = rules.EXPRESS, _("express delivery")
        PICKUP = rules.PICKUP, _("store pickup")

    # A default, not an argument: every way an order is made (checkout, data imports, tests)
    # gets a number.
    # Unique through Meta.constraints, not `unique=True`, which on PostgreSQL adds a second
    # (LIKE-pattern) index no query uses. Indexes are listed, with what reads them, in
    # docs/schema.md: every one is another write on each update that is not HOT.
    order_no = models.CharField(max_length=24, default=new_order_no)
    # Lists by buyer and by merchant: the composite indexes below start with these columns.
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT)
    delivery = models.CharField(max_length=8, choices=Delivery.choices)
    region_code = models.CharField(max_length=6, blank=True)
    address = models.CharField(max_length=200, blank=True)
    receiver = models.CharField(max_length=40, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    pickup_store = models.ForeignKey(  # indexed with the pickup code, below
        Store, on_delete=models.PROTECT, null=True, blank=True, db_index=False
    )
    pickup_code = models.CharField(max_length=12, blank=True)
    goods_fen = models.BigIntegerField()  # list prices × quantities
    discount_fen = models.BigIntegerField(default=0)
    shipping_fen = models.BigIntegerField(default=0)
    total_fen = models.BigIntegerField()  # what the buyer pays for this order
    # The part of the discount the platform funds (its coupons): the merchant is owed it as if
    # the buyer had paid it, from platform fees (orders/ledger.py).
    platform_funded_fen = models.BigIntegerField(default=0)
    # Held from shipping until a promotion says the order stands (a group-buy until it fills).
    on_hold = models.BooleanField(default=False)
    platform_fee_bp = models.PositiveIntegerField()  # snapshot of the merchant's rate
    refunded_fen = models.BigIntegerField(default=0)
    open_aftersales = models.PositiveIntegerField(default=0)
    # Attribution (PRODUCT §4.3): who brought the buyer, through which share link, and how.
    referrer = models.ForeignKey(  # indexed with paid_at, below
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referred_orders",
        db_index=False,
    )
    share_link_id = models.BigIntegerField(null=True, blank=True)
    attribution = models.CharField(max_length=8, blank=True)  # "share", "parent" or ""
    share_rewarded = models.BooleanField(default=False)
    # Propagation (PRODUCT §6.3): 1 when the sharer found the product on their own, n + 1 when
    # the sharer bought it through a degree-n share. Only share-attributed orders have one.
    degree = models.PositiveSmallIntegerField(null=True, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    device_id = models.CharField(max_length=64, blank=True)
    carrier = models.CharField(max_length=40, blank=True)
    tracking_no = models.CharField(max_length=64, blank=True)
    # Shipped with no parcel to track: virtual goods or the shop's own local delivery.
    shipped_without_logistics = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # When what the order owes its merchant moved from the order's receivable account to the
    # merchant's available balance (settlement, T+N days after completion). From then on every
    # posting for the order (a refund in the quality-guarantee window, a commission reversed)
    # moves the merchant's available balance instead: see orders/ledger.py.
    settled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=rules.ALL_STATUSES), name="order_status_known"
            ),
            models.CheckConstraint(
                condition=Q(total_fen=F("goods_fen") - F("discount_fen") + F("shipping_fen")),
                name="order_total_adds_up",
            ),
            models.CheckConstraint(condition=Q(total_fen__gt=0), name="order_total_positive"),
            models.CheckConstraint(
                condition=Q(refunded_fen__gte=0) & Q(refunded_fen__lte=F("total_fen")),
                name="order_refunds_within_total",
            ),
            models.CheckConstraint(
                condition=Q(delivery=rules.EXPRESS) | Q(pickup_store__isnull=False),
                name="pickup_order_has_store",
            ),
            models.CheckConstraint(
                condition=Q(degree__isnull=True) | (Q(attribution="share") & Q(degree__gte=1)),
                name="order_degree_only_for_shares",
            ),
            models.UniqueConstraint(fields=["order_no"], name="order_no_unique"),
        ]
        # Every status change rewrites the row: PostgreSQL can keep the new version on the same
        # page without touching any index (a HOT update) only when no indexed column changes,
        # and a column named in a partial index's WHERE counts too. The sweeps need status in
        # their indexes, so status changes are never HOT; what the partial indexes save is the
        # index entries of each new row version: an order that moves to `paid` gets none in the
        # shipped, received, unsettled or awaiting-payment indexes. Updates that leave status
        # and the indexed columns alone (after-sales counts, refunds, holds) are HOT, with the
        # room fillfactor leaves on each page (migration 0011). Measured in docs/schema.md.
        indexes = [
            # The buyer's order list, newest first; also every look-up by buyer.
            models.Index(fields=["buyer", "-created_at"]),
            # The merchant's order list and its status tabs; also every look-up by merchant.
            models.Index(fields=["merchant", "status", "-created_at"]),
            # The unpaid timeout's repair pass: orders still waiting on a closed payment.
            models.Index(
                fields=["payment"],
                condition=Q(status=rules.PENDING_PAYMENT),
                name="order_awaiting_payment",
            ),
            # Automatic receipt and completion take due orders in id order, a batch at a time:
            # the id leads, so the planner walks the few orders in that state in the sweep's
            # order instead of the whole table's primary key (it cannot know that almost every
            # shipment older than ten days has long been received).
            models.Index(
                fields=["id", "shipped_at"],
                condition=Q(status=rules.SHIPPED),
                name="order_shipped_due",
            ),
            models.Index(
                fields=["id", "received_at"],
                condition=Q(status=rules.RECEIVED),
                name="order_received_due",
            ),
            # Completion's healing pass: completed orders received within a lookback.
            models.Index(
                fields=["received_at"],
                condition=Q(status=rules.COMPLETED),
                name="order_completed_received",
            ),
            # The settlement sweep: completed (by completion time) or closed orders not settled.
            models.Index(
                fields=["status", "completed_at"],
                condition=Q(status__in=[rules.COMPLETED, rules.CLOSED], settled_at__isnull=True),
                name="order_unsettled",
            ),
            # Fraud signals at payment capture (distribution/services/fraud.py): a sharer's
            # paid orders in a window, by district for the address farm. Only orders a sharer
            # brought are in them.
            models.Index(
                fields=["referrer", "paid_at"],
                condition=Q(referrer__isnull=False),
                name="order_referrer_paid",
            ),
            models.Index(
                fields=["referrer", "region_code", "paid_at"],
                condition=Q(referrer__isnull=False),
                name="order_referrer_region",
            ),
            # A share link's orders (burst signal, share tasks).
            models.Index(
                fields=["share_link_id"],
                condition=Q(share_link_id__isnull=False),
                name="order_share_link",
            ),
            # Store staff verifying a pickup code.
            models.Index(
                fields=["pickup_store", "pickup_code"],
                condition=Q(pickup_store__isnull=False),
                name="order_pickup_code",
            ),
        ]

    def __str__(self) -> str:
        return f"order {self.pk}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    product_id = models.BigIntegerField()
    title = models.CharField(max_length=120)  # snapshots: the order shows what was bought
    sku_name = models.CharField(max_length=60)
    unit_price_fen = models.BigIntegerField()
    quantity = models.PositiveIntegerField()
    discount_fen = models.BigIntegerField(default=0)
    paid_fen = models.BigIntegerField()
    plan = models.JSONField(null=True, blank=True)  # the commission plan, as it was at checkout
    # Units and fen claimed by open or finished after-sales requests, and those refunded.
    claimed_quantity = models.PositiveIntegerField(default=0)
    claimed_fen = models.BigIntegerField(default=0)
    refunded_quantity = models.PositiveIntegerField(default=0)
    refunded_fen = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(paid_fen=F("unit_price_fen") * F("quantity") - F("discount_fen")),
                name="line_paid_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(claimed_quantity__lte=F("quantity"))
                & Q(claimed_fen__gte=0)
                & Q(claimed_fen__lte=F("paid_fen")),
                name="line_claims_within_line",
            ),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=F("claimed_quantity"))
                & Q(refunded_fen__gte=0)
                & Q(refunded_fen__lte=F("claimed_fen")),
                name="line_refunds_within_claims",
            ),
        ]
        # 已售 on storefront lists and product pages (orders.selectors.sold_counts) and the
        # analytics by product read lines by product. Nothing updates it, so it costs no HOT.
        indexes = [models.Index(fields=["product_id"], name="orderline_product")]

    def __str__(self) -> str:
        return f"{self.title} × {self.quantity}"


class OrderEvent(StatusEvent):
    """Every state change of an order, with who made it (None: the system, e.g. a job)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or '-'} → {self.to_status}"
