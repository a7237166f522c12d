"""Test helpers for code that posts to the ledger.

On SQLite, Django's flush (what `django_db(transaction=True)` runs after each test) empties
tables with DELETE, which the append-only triggers refuse once postings exist. PostgreSQL's
flush uses TRUNCATE, which they let through. `committing_db` lifts the SQLite triggers for that
flush only and puts them back as soon as it is done.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_migrate

_triggers = importlib.import_module("sharemall.wallet.migrations.0002_append_only_triggers")
_RESTORE_UID = "wallet_restore_sqlite_triggers"


def _execute(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _restore_after_flush(**kwargs: Any) -> None:
    post_migrate.disconnect(dispatch_uid=_RESTORE_UID)
    _execute(_triggers.SQLITE_FORWARD)


@pytest.fixture
def committing_db(transactional_db: None) -> Iterator[None]:
    """Like `transactional_db`, and safe for tests that commit postings on SQLite."""
    yield
    if connection.vendor == "sqlite":
        _execute(_triggers.SQLITE_REVERSE)
        # flush sends post_migrate once the tables are empty.
        post_migrate.connect(_restore_after_flush, weak=False, dispatch_uid=_RESTORE_UID)
