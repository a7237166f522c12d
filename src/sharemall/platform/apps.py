from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    """The platform's rules: one settings row an operator edits, with its history."""

    name = "sharemall.platform"
    label = "platform"
    verbose_name = _("Platform rules")
