from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _forget_cached_accounts(**kwargs: Any) -> None:
    # `flush` (the test runner's between-test reset among others) empties the tables and then
    # sends post_migrate; ids cached before it would point at rows that no longer exist.
    from sharemall.wallet.services import forget_cached_accounts  # noqa: PLC0415 - app registry ready

    forget_cached_accounts()


class WalletConfig(AppConfig):
    name = "sharemall.wallet"
    label = "wallet"
    verbose_name = _("Wallet")

    def ready(self) -> None:
        post_migrate.connect(
            _forget_cached_accounts, sender=self, dispatch_uid="wallet_forget_accounts"
        )
