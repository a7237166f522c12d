from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext

from sharemall.core import i18n, transitions, versions
from sharemall.core.transition_store import DatabaseMoves


def _forget_cached_rules(**kwargs: Any) -> None:
    # `flush` empties core_cacheversion too: every name is back at version 0, which entries
    # cached before it may carry.
    versions.forget_all()


class CoreConfig(AppConfig):
    name = "sharemall.core"
    label = "core"

    def ready(self) -> None:
        # The pure rules translate through core.i18n and declare their state machines in
        # core.transitions; from here on, with Django's catalogues and the database.
        i18n.use_translator(gettext)
        transitions.use_store(DatabaseMoves())
        # Each request compares the in-process caches with one snapshot of their versions.
        versions.connect_signals()
        post_migrate.connect(
            _forget_cached_rules, sender=self, dispatch_uid="core_forget_cached_rules"
        )
