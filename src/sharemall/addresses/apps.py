from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AddressesConfig(AppConfig):
    """The member's address book: saved delivery addresses, one of them the default."""

    name = "sharemall.addresses"
    label = "addresses"
    verbose_name = _("Address book")
