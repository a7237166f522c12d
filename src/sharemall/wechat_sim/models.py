"""The simulator's state: what WeChat's servers would remember about fake users, the tokens and
codes they issued, QR tickets, messages sent and pushes made. Nothing here is ever a real
WeChat identity; it exists only under WECHAT_SANDBOX."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SimUser(models.Model):
    """A fake WeChat user: one unionid, and an openid per app (SimOpenid)."""

    nickname = models.CharField(max_length=64)
    avatar_colour = models.CharField(max_length=7)
    phone = models.CharField(max_length=20)
    unionid = models.CharField(max_length=64, unique=True)
    # Subscribe-message templates this user has refused; everything else is accepted.
    declined_templates = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.nickname


class SimOpenid(models.Model):
    """A user's openid under one app; for an official account, whether they follow it."""

    user = models.ForeignKey(SimUser, on_delete=models.CASCADE, related_name="openids")
    app_id = models.CharField(max_length=32)
    openid = models.CharField(max_length=64, unique=True)
    subscribed = models.BooleanField(default=False)
    subscribed_at = models.DateTimeField(null=True, blank=True)
    subscribe_scene = models.CharField(max_length=32, blank=True)
    qr_scene_str = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "app_id"], name="wechat_sim_one_openid_per_app")
        ]

    def __str__(self) -> str:
        return self.openid


class MerchantAccount(models.Model):
    """A merchant's own (fake, certified) official account, which a component can be
    authorised to run."""

    app_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=64)
    original_id = models.CharField(max_length=32, unique=True)
    principal_name = models.CharField(max_length=128)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Authorization(models.Model):
    """A merchant account authorised to a component, with the refresh token that keeps it."""

    component_app_id = models.CharField(max_length=32)
    authorizer_app_id = models.CharField(max_length=32)
    refresh_token = models.CharField(max_length=160, unique=True)
    func_info = models.JSONField(default=list)
    authorized_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["component_app_id", "authorizer_app_id"],
                name="wechat_sim_one_authorization_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.component_app_id} → {self.authorizer_app_id}"


class IssuedToken(models.Model):
    """A token WeChat handed out. Issuing a new one of the same kind for the same app (and user,
    for sns) sets `replaced_at` on the old one: from then on it answers 40001."""

    class Kind(models.TextChoices):
        ACCESS = "access", "access_token"
        COMPONENT = "component", "component_access_token"
        AUTHORIZER = "authorizer", "authorizer_access_token"
        JSAPI = "jsapi", "jsapi_ticket"
        SNS = "sns", "sns access_token"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    app_id = models.CharField(max_length=32)
    token = models.CharField(max_length=160, unique=True)
    user = models.ForeignKey(SimUser, null=True, blank=True, on_delete=models.CASCADE)
    scope = models.CharField(max_length=32, blank=True)
    refresh_token = models.CharField(max_length=160, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "app_id", "replaced_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.app_id}"


class IssuedCode(models.Model):
    """A short-lived, single-use code: OAuth, wx.login, getPhoneNumber, a component's pre-auth
    and auth codes, and the component verify tickets pushed to the component."""

    class Kind(models.TextChoices):
        OAUTH = "oauth", "oauth code"
        LOGIN = "login", "wx.login code"
        PHONE = "phone", "phone code"
        PRE_AUTH = "pre_auth", "pre_auth_code"
        AUTH = "auth", "authorization_code"
        VERIFY_TICKET = "verify_ticket", "component_verify_ticket"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    app_id = models.CharField(max_length=32)
    code = models.CharField(max_length=160, unique=True)
    user = models.ForeignKey(SimUser, null=True, blank=True, on_delete=models.CASCADE)
    scope = models.CharField(max_length=32, blank=True)
    # The authorizer app id an auth code grants.
    subject = models.CharField(max_length=32, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.app_id}"


class QrTicket(models.Model):
    """A parametric QR code an account created, and the scene it carries."""

    app_id = models.CharField(max_length=32)
    ticket = models.CharField(max_length=160, unique=True)
    action_name = models.CharField(max_length=24)
    scene = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["app_id", "scene"])]

    def __str__(self) -> str:
        return self.scene


class SentMessage(models.Model):
    """A subscribe message an app sent (OA bizsend or MP send)."""

    app_id = models.CharField(max_length=32)
    api = models.CharField(max_length=16)
    openid = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(SimUser, on_delete=models.CASCADE)
    template_id = models.CharField(max_length=128)
    page = models.CharField(max_length=512, blank=True)
    data = models.JSONField(default=dict)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.template_id} → {self.openid}"


class Push(models.Model):
    """A message the simulator pushed to an account's server URL, and what that server said."""

    app_id = models.CharField(max_length=32)
    url = models.CharField(max_length=500)
    kind = models.CharField(max_length=32)
    openid = models.CharField(max_length=64, blank=True)
    plaintext = models.TextField()
    encrypted = models.BooleanField(default=False)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    answer = models.TextField(blank=True)
    answer_plaintext = models.TextField(blank=True)
    error = models.TextField(blank=True)
    pushed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} → {self.url}"
