from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MemberManager(BaseUserManager["Member"]):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **fields: Any) -> Member:
        member = self.model(phone=phone, **fields)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_superuser(self, phone: str, password: str | None = None, **fields: Any) -> Member:
        fields.update(is_staff=True, is_superuser=True, is_operator=True)
        return self.create_user(phone, password, **fields)


class Member(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in: buyer, sharer, merchant staff or platform operator."""

    # Unique through Meta.constraints, not `unique=True`, which on PostgreSQL adds a second
    # (LIKE-pattern) index every sign-up writes and no look-up uses.
    phone = models.CharField(_("phone"), max_length=20)
    nickname = models.CharField(_("nickname"), max_length=40)
    is_distributor = models.BooleanField(_("distribution enabled"), default=False)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("bound to"),
    )
    # The two ancestors above the parent, kept on the row so a three-level chain is one read.
    grandparent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    great_grandparent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bound_until = models.DateTimeField(_("bound until"), null=True, blank=True)
    signup_ip = models.GenericIPAddressField(_("sign-up IP"), null=True, blank=True)
    signup_device = models.CharField(_("sign-up device"), max_length=64, blank=True)
    is_operator = models.BooleanField(_("platform operator"), default=False)
    is_staff = models.BooleanField(_("back-office access"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Set when the member closed their account: the row stays as a node of the binding tree
    # and the party of its orders and ledger, with its personal data erased.
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects: ClassVar[MemberManager] = MemberManager()
    # When the credential of the current request was issued (its bearer token's creation), set
    # by token authentication; None otherwise. Not stored.
    authenticated_at: datetime | None = None
    # The device its bearer token's log-in proved (a mini-program login's WeChat openid), for
    # requests that name none; "" otherwise. Not stored.
    token_device: str = ""
    # The bearer token a sign-up or log-in issued in its own transaction (shown to the caller
    # once; only its hash is stored), or "". Not stored.
    issued_token: str = ""

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["nickname"]

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["phone"], name="member_phone_unique"),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="member_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nickname} ({self.phone})"


class LoginGuard(models.Model):
    """Password guesses per phone number, registered or not, so a lockout answers the same for
    both and never tells which numbers have accounts.

    A guess is claimed (a conditional increment of `claims`) before its password is checked, so
    however many log-ins arrive at once no more than the limit are ever checked per window."""

    phone = models.CharField(max_length=20, unique=True)
    claims = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("login guard")
        verbose_name_plural = _("login guards")

    def __str__(self) -> str:
        return f"login guard for {self.phone}"


class ApiToken(models.Model):
    """A bearer token for API clients. Only the hash is kept; revoking is setting revoked_at."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_tokens")
    # Unique through Meta.constraints (no LIKE-pattern twin: tokens are looked up whole).
    key_hash = models.CharField(max_length=64)
    label = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The device the log-in that issued it proved (a WeChat openid, "wx:…"), or "".
    device_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [models.UniqueConstraint(fields=["key_hash"], name="apitoken_key_unique")]

    def __str__(self) -> str:
        return f"token {self.pk} of member {self.member_id}"


class Binding(models.Model):
    """The history of who a member was bound to (绑定上级), newest last."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="bindings")
    parent = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    previous_parent = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, related_name="+"
    )
    mode = models.CharField(max_length=14)
    # How it was made: "signup:<code>", "landing:<code>" or "checkout:<code>".
    source = models.CharField(max_length=60, blank=True)
    bound_at = models.DateTimeField(default=timezone.now)
    bound_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("binding")
        verbose_name_plural = _("bindings")
        ordering = ["bound_at", "id"]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.parent_id}"


class WechatIdentity(models.Model):
    """A member's WeChat account under one of our apps: the official account, the mini-program
    or a merchant's own account. WeChat names a person by an openid per app and, across the
    apps of one Open Platform, by one unionid, which is how a member who logged in on the
    mini-program is recognised in the official account. Payouts to WeChat go to the openid
    under the payment app (ADR 0009)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="wechat_identities")
    app_id = models.CharField(max_length=40)
    openid = models.CharField(max_length=64)
    unionid = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("WeChat identity")
        verbose_name_plural = _("WeChat identities")
        constraints = [
            models.UniqueConstraint(fields=["app_id", "openid"], name="wechat_openid_once"),
            # A member holds at most one identity per app.
            models.UniqueConstraint(fields=["member", "app_id"], name="wechat_one_per_app"),
        ]
        indexes = [models.Index(fields=["unionid"], name="wechat_unionid")]

    def __str__(self) -> str:
        return f"{self.app_id}:{self.openid}"


class MemberDevice(models.Model):
    """A device a member was seen on (the pages' first-party device cookie, an app's
    X-Device-Id, the WeChat openid), with the last address it came from: what the fraud
    signals compare when one member's purchase pays another."""

    # Indexed by member_device_once (member, device), which leads with it.
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="devices", db_index=False
    )
    device_id = models.CharField(_("device"), max_length=64)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)
    last_ip = models.GenericIPAddressField(_("last IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("member device")
        verbose_name_plural = _("member devices")
        constraints = [
            models.UniqueConstraint(fields=["member", "device_id"], name="member_device_once"),
        ]
        indexes = [models.Index(fields=["device_id"])]

    def __str__(self) -> str:
        return f"{self.device_id} of member {self.member_id}"
