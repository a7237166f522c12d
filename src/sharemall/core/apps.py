from django.apps import AppConfig
from django.utils.translation import gettext

from sharemall.core import i18n, transitions
from sharemall.core.transition_store import DatabaseMoves


class CoreConfig(AppConfig):
    name = "sharemall.core"
    label = "core"

    def ready(self) -> None:
        # The pure rules translate through core.i18n and declare their state machines in
        # core.transitions; from here on, with Django's catalogues and the database.
        i18n.use_translator(gettext)
        transitions.use_store(DatabaseMoves())
