from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    """Share links, their clicks and QR codes, the attribution they leave, and the daily caps."""

    name = "sharemall.sharing"
    label = "sharing"
    verbose_name = _("Sharing")
