from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.notifications import rules


class Notice(models.Model):
    """One event told to one member: the outbox row, written in the transaction of the event,
    and at once the member's in-app message (`read_at` null while unread). `key` names the
    event (e.g. `order:42:shipped`) and is unique, so an event handled twice writes once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("key"), max_length=120, unique=True)
    params = models.JSONField(_("parameters"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            # The message centre: a member's notices, newest first.
            models.Index(fields=["recipient", "-id"], name="notice_recipient_idx"),
            # The header badge: a member's unread count, from a small partial index.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notice_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.key


class Delivery(models.Model):
    """A notice going out on one outbound channel (SMS, WeChat). The worker claims due ones
    with a lease (`claim`, `next_attempt_at`), sends, and marks them sent; a failure is retried
    with back-off until `rules.GIVE_UP_AFTER`."""

    class Status(models.TextChoices):
        PENDING = rules.PENDING, _("pending")
        SENT = rules.SENT, _("sent")
        FAILED = rules.FAILED, _("failed")
        SKIPPED = rules.SKIPPED, _("skipped")

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notice")
    )
    channel = models.CharField(_("channel"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claim = models.CharField(_("claim"), max_length=32, blank=True, default="")
    last_error = models.CharField(_("last error"), max_length=300, blank=True, default="")
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel"], name="delivery_one_per_channel")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=rules.PENDING),
                name="delivery_due_idx",
            ),
            models.Index(fields=["claim"], condition=~Q(claim=""), name="delivery_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"

    @property
    def dedupe_id(self) -> str:
        """Sent to the provider with the message, the same on every retry."""
        return f"n{self.notice_id}-{self.channel}"


class NotificationPreference(models.Model):
    """A member's choice for one kind of notice on one channel; no row means the default."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10)
    enabled = models.BooleanField(_("enabled"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "channel"], name="notification_pref_one"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel}"
