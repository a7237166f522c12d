"""Operations that several apps' migrations share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import migrations


class StorageSettings(migrations.RunPython):
    """Sets PostgreSQL storage options per table (`settings`: table → option → value, such as
    fillfactor or the autovacuum scale factors) and resets them when unapplied; nothing on
    another database, which has no such options. It deconstructs to its settings, so a squash
    can write it out again (a function made inside a helper could not be referred to)."""

    def __init__(self, settings: Mapping[str, Mapping[str, str]]) -> None:
        self.settings = {table: dict(options) for table, options in settings.items()}
        super().__init__(self._apply, self._reset, elidable=False)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return type(self).__name__, [], {"settings": self.settings}

    def _apply(self, apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, options in self.settings.items():
            pairs = ", ".join(f"{name} = {value}" for name, value in options.items())
            schema_editor.execute(f"ALTER TABLE {table} SET ({pairs})")

    def _reset(self, apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, options in self.settings.items():
            schema_editor.execute(f"ALTER TABLE {table} RESET ({', '.join(options)})")
