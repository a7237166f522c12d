from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.core.models import StatusEvent


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


class SubscribeTemplate(models.Model):
    """The operator's WeChat subscribe-message template for one kind of notice: which app sends
    it, its template id from WeChat's back office, and which of our values fills each key
    (wechat/subscribe_rules.py). A kind without one is not sent on WeChat."""

    kind = models.CharField(_("notice kind"), max_length=40, unique=True)
    app = models.CharField(_("sent by"), max_length=4, default="mp")
    template_id = models.CharField(_("template id"), max_length=64)
    fields = models.JSONField(_("fields"), default=dict)
    # The mini-program page (mp) or the web path (oa) the message opens; empty for none.
    page = models.CharField(_("opens"), max_length=200, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("subscribe message template")
        verbose_name_plural = _("subscribe message templates")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.kind} → {self.template_id}"


class MerchantWechatAccount(models.Model):
    """A merchant's own official account, authorised to our Open Platform component
    (docs/wechat-component.md). The authorizer's access token is a `Credential` (kind
    authorizer_token, app = `app_id`); the refresh token that renews it lives here, as WeChat
    may hand back a new one with each renewal. One live (connected) account per merchant."""

    class Status(models.TextChoices):
        CONNECTED = "connected", _("connected")
        DISCONNECTED = "disconnected", _("disconnected")

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="wechat_accounts"
    )
    app_id = models.CharField(_("app id"), max_length=40, unique=True)
    nickname = models.CharField(_("name"), max_length=64, blank=True)
    original_id = models.CharField(_("original id"), max_length=32, blank=True)  # gh_…
    certified = models.BooleanField(_("certified"), default=False)
    refresh_token = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONNECTED)
    connected_at = models.DateTimeField(default=timezone.now)
    disconnected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant"],
                condition=models.Q(status="connected"),
                name="wechat_one_live_account_per_merchant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nickname or self.app_id} ({self.status})"


class MerchantWechatEvent(StatusEvent):
    """One connection or disconnection of a merchant's official account."""

    account = models.ForeignKey(
        MerchantWechatAccount, on_delete=models.CASCADE, related_name="events"
    )
