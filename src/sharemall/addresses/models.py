from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.addresses import rules


class Address(models.Model):
    """A delivery address the member saved; checkout pre-fills the default one."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses"
    )
    receiver = models.CharField(_("receiver"), max_length=rules.MAX_RECEIVER_CHARS)
    phone = models.CharField(_("phone"), max_length=20)
    # A GB/T 2260 district code.
    region_code = models.CharField(_("region"), max_length=6)
    address = models.CharField(_("address"), max_length=rules.MAX_ADDRESS_CHARS)
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(is_default=True),
                name="address_one_default_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receiver} {self.address}"
