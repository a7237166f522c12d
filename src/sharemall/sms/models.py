from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SandboxSms(models.Model):
    """A message the sandbox backend "sent": written only while SMS_BACKEND is sandbox, so the
    demo and the tests can read what a phone would have received. Real backends keep nothing
    here."""

    phone = models.CharField(max_length=20)
    template = models.CharField(max_length=64)
    params = models.JSONField(default=dict)
    message_id = models.CharField(max_length=40, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sandbox SMS")
        verbose_name_plural = _("sandbox SMS")
        indexes = [models.Index(fields=["phone", "-sent_at"], name="sandbox_sms_phone_sent")]

    def __str__(self) -> str:
        return f"{self.template} to {self.phone}"
