from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.community import rules
from sharemall.core.models import StatusEvent


class ConventionVersion(models.Model):
    """One published text of the community convention. Operators edit it by publishing a new
    version; earlier ones stay on record, as rulings cite the text in force when they were made."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    text = models.TextField(_("text"), max_length=rules.CONVENTION_MAX_LENGTH)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("convention version")
        verbose_name_plural = _("convention versions")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"convention v{self.version}"


class Penalty(models.Model):
    """A step of the ladder taken against a member: the row is the event, with who decided it,
    which rule it cites and why. An appeal may overturn it (PenaltyEvent keeps that trail)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="penalties"
    )
    level = models.CharField(_("level"), max_length=20)
    rule = models.CharField(_("rule"), max_length=20)
    aggravations = models.CharField(_("aggravations"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=rules.NOTE_MAX_LENGTH, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("decided"), default=timezone.now)
    # The end of a timed mute; null for a warning, a permanent mute or a closed account.
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, default=rules.ACTIVE)
    convention_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")
        indexes = [models.Index(fields=["member", "status", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=rules.LADDER), name="penalty_level_known"),
            models.CheckConstraint(
                condition=Q(rule__in=list(rules.CATEGORIES)), name="penalty_rule_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=(rules.ACTIVE, rules.OVERTURNED)),
                name="penalty_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level} on member {self.member_id}"


class PenaltyEvent(StatusEvent):
    penalty = models.ForeignKey(Penalty, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        pass


class Appeal(models.Model):
    """A member's one appeal of one decision (a penalty, a hidden post or comment), reviewed by
    an operator other than the one who decided."""

    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeals"
    )
    decision_type = models.CharField(_("decision"), max_length=20)
    decision_id = models.BigIntegerField()
    # Who took the decision, copied when the appeal is filed: that operator may not review it.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    statement = models.TextField(_("statement"), max_length=rules.STATEMENT_MAX_LENGTH)
    status = models.CharField(_("status"), max_length=12, default=rules.PENDING)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_note = models.CharField(_("outcome"), max_length=rules.NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("filed"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            # Once per decision, kept by the database: two concurrent appeals cannot both land.
            models.UniqueConstraint(fields=["decision_type", "decision_id"], name="appeal_once"),
            models.CheckConstraint(
                condition=Q(status__in=(rules.PENDING, rules.UPHELD, rules.OVERTURNED)),
                name="appeal_status_known",
            ),
            models.CheckConstraint(
                condition=Q(reviewer__isnull=True)
                | Q(decided_by__isnull=True)
                | ~Q(reviewer=models.F("decided_by")),
                name="appeal_reviewed_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"appeal of {self.decision_type} {self.decision_id}"


class AppealEvent(StatusEvent):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        pass
