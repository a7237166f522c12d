from django.apps import AppConfig
from django.utils.translation import gettext

from sharemall.core import i18n


class CoreConfig(AppConfig):
    name = "sharemall.core"
    label = "core"

    def ready(self) -> None:
        # The pure rules translate through core.i18n; from here on, with Django's catalogues.
        i18n.use_translator(gettext)
