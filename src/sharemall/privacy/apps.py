from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """A member's personal-data rights (PIPL): a copy of their data, and closing the account."""

    name = "sharemall.privacy"
    label = "privacy"
    verbose_name = _("Personal data")
