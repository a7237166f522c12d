from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    REGISTER = "register", _("sign-up")
    LOGIN = "login", _("log-in by code")
    RESET_PASSWORD = "reset_password", _("password reset")


class VerificationCode(models.Model):
    """One issued code. Only its hash is kept (rules.hash_code); guesses are counted by a
    conditional increment and the code is consumed by a conditional update, so however many
    checks arrive at once no more than the allowed guesses are tried and only one can use it.

    A request the service answers without sending (a sign-up code for a phone already
    registered, a reset code for an unknown one) still leaves a row, `delivered` false, so the
    resend interval and daily caps read the same for every number."""

    phone = models.CharField(max_length=20)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    delivered = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    message_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [
            models.Index(fields=["phone", "purpose", "-created_at"], name="vcode_phone_purpose"),
            models.Index(fields=["phone", "created_at"], name="vcode_phone_created"),
            models.Index(fields=["address", "created_at"], name="vcode_address_created"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} code for {self.phone}"


class SendGuard(models.Model):
    """When a phone may next be sent a code. Claimed by a conditional update before sending,
    so two requests at once cannot both send within the resend interval."""

    phone = models.CharField(max_length=20, unique=True)
    next_allowed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("code send guard")
        verbose_name_plural = _("code send guards")

    def __str__(self) -> str:
        return f"send guard for {self.phone}"
