"""Group-buy (拼团): a merchant's group-buy of one SKU, the groups members open on it, and the
members' seats (one per member and group, each tied to the order that pays for it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.catalog.models import Sku
from sharemall.core.models import StatusEvent
from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order
from sharemall.promotions.rules import groups as rules


class GroupBuy(models.Model):
    """A merchant offers one SKU at a group price to groups of `size` paying members who fill
    within `hours` of the leader opening the group."""

    class Status(models.TextChoices):
        ACTIVE = rules.ACTIVE, _("active")
        STOPPED = rules.STOPPED, _("stopped")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="group_buys")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="group_buys")
    price_fen = models.BigIntegerField()
    size = models.PositiveSmallIntegerField()
    hours = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("group-buy")
        verbose_name_plural = _("group-buys")
        constraints = [
            models.CheckConstraint(condition=Q(price_fen__gte=1), name="group_buy_price_positive"),
            models.CheckConstraint(
                condition=Q(size__gte=rules.MIN_SIZE) & Q(size__lte=rules.MAX_SIZE),
                name="group_buy_size_range",
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=rules.MIN_HOURS) & Q(hours__lte=rules.MAX_HOURS),
                name="group_buy_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=rules.GROUP_BUY_STATUSES), name="group_buy_status_known"
            ),
        ]
        indexes = [models.Index(fields=["merchant", "-created_at"])]

    def __str__(self) -> str:
        return f"group-buy {self.pk}"


class Group(models.Model):
    """One group of a group-buy, opened by its leader. `paid_count` is the seats taken, only
    ever by paid members, and never above `size` (the seat-take is one conditional UPDATE)."""

    class Status(models.TextChoices):
        FORMING = rules.FORMING, _("forming")
        SUCCEEDED = rules.SUCCEEDED, _("succeeded")
        FAILED = rules.FAILED, _("failed")

    group_buy = models.ForeignKey(GroupBuy, on_delete=models.PROTECT, related_name="groups")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Snapshots of the group-buy when the group opened: a merchant's later change never moves
    # a group already forming.
    price_fen = models.BigIntegerField()
    size = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FORMING)
    paid_count = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.CheckConstraint(
                condition=Q(paid_count__lte=F("size")), name="group_never_overfilled"
            ),
            models.CheckConstraint(
                condition=Q(status__in=rules.GROUP_STATUSES), name="group_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=rules.SUCCEEDED) | Q(paid_count=F("size")),
                name="group_succeeded_only_full",
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=Q(status=rules.FORMING),
                name="group_forming_expiry_idx",
            ),
            models.Index(fields=["group_buy", "status", "-opened_at"]),
        ]

    def __str__(self) -> str:
        return f"group {self.pk}"


class GroupMember(models.Model):
    """A member's seat in a group, paid through `order`. Only paid seats count; a member holds
    at most one live (pending or paid) seat per group."""

    class Status(models.TextChoices):
        PENDING = rules.PENDING, _("pending payment")
        PAID = rules.PAID, _("paid")
        CANCELLED = rules.CANCELLED, _("cancelled")
        REFUSED = rules.REFUSED, _("refused: no seat left")
        REFUNDED = rules.REFUNDED, _("refunded")

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="members")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="group_seats"
    )
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="group_seat")
    is_leader = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    joined_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "member"],
                condition=Q(status__in=rules.LIVE_SEATS),
                name="group_one_live_seat_per_member",
            ),
            models.CheckConstraint(
                condition=Q(status__in=rules.SEAT_STATUSES), name="group_seat_status_known"
            ),
        ]
        indexes = [models.Index(fields=["group", "status"])]

    def __str__(self) -> str:
        return f"{self.member_id} in group {self.group_id}"


class GroupEvent(StatusEvent):
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("group event")
        verbose_name_plural = _("group events")

    def __str__(self) -> str:
        return f"{self.group_id}: {self.from_status or '-'} → {self.to_status}"
