from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The first answer to a write sent with an Idempotency-Key, kept so a repeat can replay it.

    The unique (scope, key) pair is the lock: whoever inserts the row runs the request, and
    every later change is a conditional update, so no row lock is ever needed.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    # Who is calling, so two clients that pick the same key never see each other's answers.
    scope = models.CharField(_("caller"), max_length=64)
    key = models.CharField(_("idempotency key"), max_length=255)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    # Covers method, full path and raw body: a reused key with another request is refused.
    body_hash = models.CharField(_("request hash"), max_length=64)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.IN_PROGRESS
    )
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.BinaryField(_("response body"), default=b"")
    response_content_type = models.CharField(
        _("response content type"), max_length=255, blank=True, default=""
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Past this moment an unfinished claim belongs to a worker that died; it may be taken over.
    # It also fences the claim: the holder only finishes a row whose locked_until it set itself.
    locked_until = models.DateTimeField(_("locked until"))

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}] {self.state}"


class StatusEvent(models.Model):
    """One state change of a row: from what, to what, who made it (None: the system, e.g. a
    job), why, and when. Every event table inherits it, with its own foreign key to the row;
    `core.transitions.StateMachine.move` writes them."""

    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


class Photo(models.Model):
    """A photo as we re-encoded it (no metadata) and its thumbnail, at its place in a list: a
    post's pictures, an after-sales request's evidence. The concrete model adds the foreign key
    to what the photo belongs to and a unique (owner, position) constraint."""

    # Stored under random names by core.images.stored_photos, never by upload_to.
    image = models.ImageField(max_length=200)
    thumbnail = models.ImageField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.image.name or ""


class CacheVersion(models.Model):
    """The version of one family of cached rules (`core.versions`): every write of those rules
    sets it to a fresh random number in the same transaction, and every process compares its
    cached entries with it."""

    name = models.CharField(_("name"), max_length=20, primary_key=True)
    version = models.BigIntegerField(_("version"))

    class Meta:
        verbose_name = _("cache version")
        verbose_name_plural = _("cache versions")

    def __str__(self) -> str:
        return f"{self.name}={self.version}"
