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


class OaEvent(models.Model):
    """An event the official account's server received and acted on (subscribe, SCAN,
    unsubscribe). WeChat retries a push it got no answer for within five seconds, three times,
    with the same FromUserName, CreateTime and Event: the unique key makes each one count once,
    and `reply` lets a retry get the same answer as the first."""

    app_id = models.CharField(max_length=40)
    openid = models.CharField(max_length=64)
    create_time = models.BigIntegerField()  # WeChat's CreateTime, seconds since the epoch
    key = models.CharField(max_length=40)  # the Event as sent ("subscribe", "SCAN", …)
    scene = models.CharField(max_length=64, blank=True)
    member = models.ForeignKey(
        "accounts.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["app_id", "openid", "create_time", "key"], name="wechat_oa_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} from {self.openid}"


class OaFollower(models.Model):
    """Whether a WeChat user follows the official account, and since when: for the operator,
    and for messages that may only go to followers. `changed_at` is the time WeChat stamped on
    the event that set the state, so a late event never overwrites a newer one."""

    app_id = models.CharField(max_length=40)
    openid = models.CharField(max_length=64)
    member = models.ForeignKey(
        "accounts.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subscribed = models.BooleanField(default=False)
    subscribed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app_id", "openid"], name="wechat_oa_follower_once")
        ]

    def __str__(self) -> str:
        return f"{self.openid} ({'following' if self.subscribed else 'not following'})"


class OaQrCode(models.Model):
    """A temporary parametric QR code of the official account whose scene is a share code:
    scanning it follows the account and binds the follower to the sharer. One per share link,
    reused until a day before WeChat lets it expire."""

    app_id = models.CharField(max_length=40)
    link = models.ForeignKey("sharing.ShareLink", on_delete=models.CASCADE, related_name="+")
    ticket = models.CharField(max_length=200)
    url = models.CharField(max_length=200, blank=True)  # what the code encodes (weixin.qq.com/q/…)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app_id", "link"], name="wechat_oa_qrcode_once")
        ]

    def __str__(self) -> str:
        return f"QR code of share {self.link_id}"


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
