from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsConfig(AppConfig):
    """The SMS channel: one way to send a templated text message, whatever the provider."""

    name = "sharemall.sms"
    label = "sms"
    verbose_name = _("SMS")

    def ready(self) -> None:
        # A real backend missing its settings stops the process at start, not at the first code.
        from sharemall.sms.services import backend  # noqa: PLC0415 - needs the app registry

        backend()
