"""Hand-written SQL for the hot paths (PostgreSQL only): statements parsed and planned once per
connection, on Django's own connection so they join the caller's transaction.

The ORM stays the general path. A hot path (sign-up, the checkout fast path) writes its rows
with one or two statements here, each prepared on the server the first time it runs on a
connection: psycopg 3 binds the parameters server-side with their types, so a prepared
statement is reused whatever the values. Under PgBouncer in transaction mode this needs
`max_prepared_statements` (docs/SCALING.md).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@cache
def _prepared_class() -> Any:
    # Made once: a class statement per call cost a sign-up ~30 µs of CPU.
    import psycopg  # noqa: PLC0415 - PostgreSQL only

    class Prepared(psycopg.Cursor[Any]):
        def execute(self, query: Any, params: Any = None, **_: Any) -> Any:
            return super().execute(query, params, prepare=True)

    return Prepared


def prepared_cursor() -> Any:
    """A Django cursor (counted, logged, errors translated) over a psycopg cursor that binds
    server-side and prepares every statement it runs."""
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django leaves automatic preparation off; only what asks for it (this) is prepared.
        raw.prepare_threshold = 2**31 - 1
    return connection._prepare_cursor(_prepared_class()(raw))  # type: ignore[attr-defined]
