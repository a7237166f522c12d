from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    """Phone verification codes: issued by SMS, checked once, kept only as a hash."""

    name = "sharemall.verification"
    label = "verification"
    verbose_name = _("Phone verification")
