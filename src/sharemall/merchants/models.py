from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.core.models import StatusEvent
from sharemall.merchants import rules


def default_platform_fee_bp() -> int:
    return int(settings.DEFAULT_PLATFORM_FEE_BP)


class Merchant(models.Model):
    class Status(models.TextChoices):
        DRAFT = rules.DRAFT, _("draft")
        SUBMITTED = rules.SUBMITTED, _("submitted")
        APPROVED = rules.APPROVED, _("approved")
        REJECTED = rules.REJECTED, _("rejected")
        SUSPENDED = rules.SUSPENDED, _("suspended")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_merchants",
        verbose_name=_("owner"),
    )
    legal_name = models.CharField(_("legal name"), max_length=120)
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    legal_rep = models.CharField(_("legal representative"), max_length=60)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    licence_image = models.ImageField(
        _("business licence"), upload_to="licences/", blank=True, max_length=200
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    platform_fee_bp = models.PositiveIntegerField(
        _("platform fee (bp)"), default=default_platform_fee_bp
    )
    # Where buyers send goods back once a return is approved; empty until the owner sets it,
    # and a return cannot be approved without it.
    return_receiver = models.CharField(_("return receiver"), max_length=40, blank=True)
    return_phone = models.CharField(_("return phone"), max_length=20, blank=True)
    return_region_code = models.CharField(_("return region"), max_length=6, blank=True)
    return_address = models.CharField(_("return address"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                condition=Q(status__in=rules.LIVE_STATUSES),
                name="merchant_uscc_unique_while_live",
            ),
            models.CheckConstraint(
                condition=Q(platform_fee_bp__lte=10_000), name="merchant_fee_at_most_whole"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[rules.DRAFT, *rules.LIVE_STATUSES, rules.REJECTED]),
                name="merchant_status_known",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def is_approved(self) -> bool:
        return self.status == rules.APPROVED

    @property
    def return_to(self) -> rules.ReturnAddress | None:
        """The return address, or None while the owner has not given one."""
        if not self.return_address:
            return None
        return rules.ReturnAddress(
            self.return_receiver, self.return_phone, self.return_region_code, self.return_address
        )


class MerchantEvent(StatusEvent):
    """Every state change of an application: who, when, from what to what, and why (`note`)."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="events")
    note = models.TextField(blank=True)  # a rejection's reason can be long

    @property
    def reason(self) -> str:
        """What the merchant pages and the events API call the note, in the reader's language
        when the system wrote it (a fee change); an operator's words as written."""
        return rules.note_text(self.note)

    class Meta(StatusEvent.Meta):
        verbose_name = _("merchant event")
        verbose_name_plural = _("merchant events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.from_status or '-'} → {self.to_status}"


class Store(models.Model):
    class Kind(models.TextChoices):
        ONLINE = "online", _("online shop")
        OFFLINE = "offline", _("offline store")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="stores")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=80)
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    opening_hours = models.JSONField(_("opening hours"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Where returns of this store's orders go, instead of the merchant's return address;
    # empty (the usual case) means the merchant's.
    return_receiver = models.CharField(_("return receiver"), max_length=40, blank=True)
    return_phone = models.CharField(_("return phone"), max_length=20, blank=True)
    return_region_code = models.CharField(_("return region"), max_length=6, blank=True)
    return_address = models.CharField(_("return address"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant"], condition=Q(kind="online"), name="one_online_shop_per_merchant"
            ),
            models.CheckConstraint(
                condition=Q(kind="online")
                | (
                    Q(latitude__isnull=False, longitude__isnull=False)
                    & ~Q(region_code="")
                    & ~Q(address="")
                ),
                name="offline_store_has_place",
            ),
        ]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name

    @property
    def return_to(self) -> rules.ReturnAddress | None:
        """The store's own return address, or None when its returns go to the merchant's."""
        if not self.return_address:
            return None
        return rules.ReturnAddress(
            self.return_receiver, self.return_phone, self.return_region_code, self.return_address
        )


class Staff(models.Model):
    """A member who works for a merchant: the owner, or staff (optionally at one store)."""

    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        STAFF = "staff", _("staff")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="staff")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_roles"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.STAFF)
    store = models.ForeignKey(Store, on_delete=models.SET_NULL, null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "member"], name="staff_once_per_merchant")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.merchant_id} ({self.role})"
