from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.legal import rules


class LegalDocument(models.Model):
    """One published version of the user agreement or the privacy policy. A new version is a
    new row, never an edit: what a member agreed to stays readable. The newest is current."""

    class Kind(models.TextChoices):
        USER_AGREEMENT = rules.USER_AGREEMENT, _("user agreement")
        PRIVACY_POLICY = rules.PRIVACY_POLICY, _("privacy policy")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="legal_document_version"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"

    @property
    def slug(self) -> str:
        return rules.SLUGS[self.kind]

    @property
    def paragraphs(self) -> list[str]:
        return rules.paragraphs(self.body)


class Consent(models.Model):
    """A member accepted one version of one document, at a time, from an address."""

    # Indexed by legal_consent_once_per_version (member, kind, version), which leads with it.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents", db_index=False
    )
    kind = models.CharField(max_length=20)
    version = models.PositiveIntegerField()
    accepted_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "version"], name="legal_consent_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} accepted {self.kind} v{self.version}"
