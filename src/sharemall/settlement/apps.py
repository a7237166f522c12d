from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    """Merchants get paid: orders settle into the merchant's available balance T+N days after
    completion, statements show how, and the merchant withdraws through the wallet's one
    withdrawal mechanism."""

    name = "sharemall.settlement"
    label = "settlement"
    verbose_name = _("Merchant settlement")
