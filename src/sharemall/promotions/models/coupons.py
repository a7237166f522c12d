"""Coupons: what a merchant or the platform offers, each member's claims of it, and what each
use took off which order.

A claim is exact under concurrency without a lock: the n-th claim of a member carries `seq` n,
unique per (coupon, member), so two racing claims cannot both be a member's first; and the
coupon's `claimed` counter moves by a conditional update `claimed < total`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order
from sharemall.promotions.rules import coupons as rules


class Coupon(models.Model):
    class Kind(models.TextChoices):
        AMOUNT = rules.AMOUNT, _("amount off")
        PERCENT = rules.PERCENT, _("percent off")

    class Scope(models.TextChoices):
        PLATFORM = rules.SCOPE_PLATFORM, _("whole mall")
        MERCHANT = rules.SCOPE_MERCHANT, _("merchant")
        CATEGORY = rules.SCOPE_CATEGORY, _("category")
        PRODUCT = rules.SCOPE_PRODUCT, _("product")

    class Channel(models.TextChoices):
        CLAIM = rules.CLAIM, _("claimed on the page")
        ISSUE = rules.ISSUE, _("issued")
        TASK = rules.TASK, _("share task reward")

    # None: the platform's own coupon, funded by the platform.
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="coupons"
    )
    title = models.CharField(_("title"), max_length=60)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    amount_fen = models.BigIntegerField(_("amount off (fen)"), default=0)
    percent_bp = models.PositiveIntegerField(_("percent off (bp)"), default=0)
    threshold_fen = models.BigIntegerField(_("threshold (fen)"), default=0)
    cap_fen = models.BigIntegerField(_("cap (fen)"), null=True, blank=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    scope_ids = models.JSONField(_("scope ids"), default=list, blank=True)
    total = models.PositiveIntegerField(_("total quantity"))
    claimed = models.PositiveIntegerField(_("claimed"), default=0)
    per_member = models.PositiveIntegerField(_("per member"), default=1)
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"))
    channel = models.CharField(
        _("how members get it"), max_length=8, choices=Channel.choices, default=rules.CLAIM
    )
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [
            models.CheckConstraint(
                condition=Q(claimed__lte=F("total")), name="coupon_claims_within_total"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gt=F("valid_from")), name="coupon_valid_window"
            ),
        ]
        indexes = [models.Index(fields=["merchant", "valid_to"])]

    def __str__(self) -> str:
        return self.title

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.claimed)

    @property
    def funded_by(self) -> str:
        return rules.FUNDED_BY_PLATFORM if self.merchant_id is None else rules.FUNDED_BY_MERCHANT


class CouponClaim(models.Model):
    """One coupon a member holds. Used at most once: `used_at` is set by a conditional update
    `WHERE used_at IS NULL` in the checkout that uses it, and cleared again only when every order
    it was used on is cancelled unpaid or refunded in full while the coupon is still valid."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="claims")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coupon_claims"
    )
    seq = models.PositiveIntegerField()  # the member's n-th claim of this coupon
    channel = models.CharField(max_length=8, default=rules.CLAIM)
    claimed_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)
    # The checkout's payment it was used in: its orders are the coupon's orders.
    used_payment_id = models.BigIntegerField(null=True, blank=True)
    # The device it was claimed from ("" when unknown) and that device's n-th claim of this
    # coupon, whichever account made it: the per-member limit holds per device too, exactly as
    # `seq` makes it exact per member, so a farm of accounts on one phone claims no more.
    device_id = models.CharField(_("device"), max_length=64, blank=True, default="")
    device_seq = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("claimed coupon")
        verbose_name_plural = _("claimed coupons")
        constraints = [
            models.UniqueConstraint(
                fields=["coupon", "member", "seq"], name="coupon_claim_seq_unique"
            ),
            models.UniqueConstraint(
                fields=["coupon", "device_id", "device_seq"],
                condition=~models.Q(device_id=""),
                name="coupon_claim_device_seq_unique",
            ),
        ]
        indexes = [models.Index(fields=["member", "used_at"])]

    def __str__(self) -> str:
        return f"{self.coupon_id}/{self.member_id}#{self.seq}"


class CouponRedemption(models.Model):
    """What one use of a claimed coupon took off one order: its cost, and who funds it."""

    claim = models.ForeignKey(CouponClaim, on_delete=models.PROTECT, related_name="redemptions")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    taken_fen = models.BigIntegerField()
    funded_by = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("coupon redemption")
        verbose_name_plural = _("coupon redemptions")
        constraints = [
            models.UniqueConstraint(fields=["claim", "order"], name="coupon_redemption_unique"),
            models.CheckConstraint(condition=Q(taken_fen__gt=0), name="redemption_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} → {self.order_id}: {self.taken_fen}"
