from __future__ import annotations

from django.db import models
from django.utils import timezone


class Credential(models.Model):
    """A short-lived credential WeChat issues for one app (access token, jsapi ticket, the
    component's access token, an authorizer's token), shared by every process through the
    database. WeChat invalidates the previous one when a new one is fetched, so it is fetched
    by one process at a time, under this row's lock (wechat/tokens.py)."""

    app_id = models.CharField(max_length=40)
    kind = models.CharField(max_length=30)
    value = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)
    # How many times it was fetched: the race test counts refreshes with it.
    refreshes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app_id", "kind"], name="wechat_credential_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.app_id}"
