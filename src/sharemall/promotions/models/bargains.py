"""Bargains (砍价): a merchant's bargain on one SKU, the runs members start, the helps friends
give, and the devices flagged for helping too many runs."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.accounts.models import Member
from sharemall.catalog.models import Sku
from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order
from sharemall.promotions.rules import bargains as rules


class Bargain(models.Model):
    """A merchant's bargain: a run starts at `start_price_fen` (the SKU's price when the bargain
    was made) and K = `helpers_needed` friends bring it to `floor_price_fen` within `hours`."""

    class Status(models.TextChoices):
        ACTIVE = rules.ACTIVE, _("active")
        STOPPED = rules.STOPPED, _("stopped")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="bargains")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="bargains")
    start_price_fen = models.BigIntegerField(_("start price (fen)"))
    floor_price_fen = models.BigIntegerField(_("floor price (fen)"))
    helpers_needed = models.PositiveIntegerField(_("helpers needed"))
    hours = models.PositiveIntegerField(_("hours"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bargain")
        verbose_name_plural = _("bargains")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=list(rules.BARGAIN_STATUSES)), name="bargain_status_known"
            ),
            models.CheckConstraint(
                condition=Q(floor_price_fen__gte=rules.FLOOR_MIN_FEN)
                & Q(start_price_fen__gte=F("floor_price_fen") + F("helpers_needed")),
                name="bargain_each_helper_cuts",
            ),
            models.CheckConstraint(
                condition=Q(helpers_needed__gte=rules.HELPERS_MIN)
                & Q(helpers_needed__lte=rules.HELPERS_MAX)
                & Q(hours__gte=rules.HOURS_MIN)
                & Q(hours__lte=rules.HOURS_MAX),
                name="bargain_terms_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.sku_id}"


class BargainRun(models.Model):
    """One member's run of a bargain. The terms are copied from the bargain at the start, and
    `seed` fixes the cuts. `helps` only grows, conditionally, up to `helpers_needed`;
    `order` is the unpaid order holding the run (status ordered), then the paid one (bought)."""

    class Status(models.TextChoices):
        OPEN = rules.OPEN, _("open")
        ORDERED = rules.ORDERED, _("ordered")
        BOUGHT = rules.BOUGHT, _("bought")
        EXPIRED = rules.EXPIRED, _("expired")

    bargain = models.ForeignKey(Bargain, on_delete=models.PROTECT, related_name="runs")
    starter = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="bargain_runs")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    start_price_fen = models.BigIntegerField(_("start price (fen)"))
    floor_price_fen = models.BigIntegerField(_("floor price (fen)"))
    helpers_needed = models.PositiveIntegerField(_("helpers needed"))
    seed = models.BigIntegerField(_("seed"))
    helps = models.PositiveIntegerField(_("helps"), default=0)
    current_price_fen = models.BigIntegerField(_("current price (fen)"))
    share_code = models.CharField(_("share code"), max_length=16, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"))
    created_at = models.DateTimeField(default=timezone.now)
    bought_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bargain run")
        verbose_name_plural = _("bargain runs")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=list(rules.RUN_STATUSES)), name="bargain_run_status_known"
            ),
            models.CheckConstraint(
                condition=Q(helps__lte=F("helpers_needed")), name="bargain_run_helps_at_most_k"
            ),
            models.CheckConstraint(
                condition=Q(current_price_fen__gte=F("floor_price_fen"))
                & Q(current_price_fen__lte=F("start_price_fen")),
                name="bargain_run_price_between_floor_and_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[rules.OPEN, rules.EXPIRED], order__isnull=True)
                | Q(status__in=[rules.ORDERED, rules.BOUGHT], order__isnull=False),
                name="bargain_run_order_iff_not_open",
            ),
            # One open run per member per bargain (a run past its time is stored expired at the next
            # start).
            models.UniqueConstraint(
                fields=["bargain", "starter"],
                condition=Q(status=rules.OPEN),
                name="bargain_run_one_open_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.bargain_id}/{self.starter_id}"


class BargainHelp(models.Model):
    """A friend's help: the `seq`-th cut of the run. Once per member per run, and the database
    keeps it so."""

    run = models.ForeignKey(BargainRun, on_delete=models.PROTECT, related_name="help_rows")
    helper = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="bargain_helps")
    seq = models.PositiveIntegerField(_("help number"))
    cut_fen = models.BigIntegerField(_("cut (fen)"))
    price_after_fen = models.BigIntegerField(_("price after (fen)"))
    device_id = models.CharField(_("device"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bargain help")
        verbose_name_plural = _("bargain helps")
        ordering = ["run", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["run", "helper"], name="bargain_help_once_per_member"),
            models.UniqueConstraint(fields=["run", "seq"], name="bargain_help_seq_unique"),
            models.CheckConstraint(condition=Q(cut_fen__gt=0), name="bargain_help_cut_positive"),
        ]
        indexes = [models.Index(fields=["device_id", "created_at"], name="bargain_help_device")]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.seq}"


class BargainDeviceFlag(models.Model):
    """A device that tried to help more bargain runs in a window than one person plausibly
    would: its help over the limit was refused. Kept for operators to review."""

    device_id = models.CharField(_("device"), max_length=64, unique=True)
    runs_helped = models.PositiveIntegerField(_("runs helped in the window"))
    refusals = models.PositiveIntegerField(_("helps refused"), default=1)
    last_member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_ip = models.GenericIPAddressField(_("last IP address"), null=True, blank=True)
    flagged_at = models.DateTimeField(_("first flagged"), default=timezone.now)
    last_refused_at = models.DateTimeField(_("last refused"), default=timezone.now)

    class Meta:
        verbose_name = _("flagged bargain device")
        verbose_name_plural = _("flagged bargain devices")
        ordering = ["-last_refused_at"]

    def __str__(self) -> str:
        return self.device_id
