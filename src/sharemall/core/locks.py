"""One writer at a time for work that must not overlap across processes."""

from __future__ import annotations

from django.db import connection


def serialize(key: int) -> None:
    """Wait for the other transactions holding `key`, then hold it until this transaction ends.
    SQLite's write transactions are serial already; on PostgreSQL a transaction-scoped advisory
    lock does it. Call inside `transaction.atomic()`."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
