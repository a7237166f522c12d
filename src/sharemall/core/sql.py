"""Hand-written SQL for the hot paths (PostgreSQL only): statements parsed and planned once per
connection, on Django's own connection so they join the caller's transaction.

The ORM stays the general path. A hot path (sign-up, the checkout fast path) writes its rows
with one or two statements here, each prepared on the server the first time it runs on a
connection: psycopg 3 binds the parameters server-side with their types, so a prepared
statement is reused whatever the values. Under PgBouncer in transaction mode this needs
`max_prepared_statements` (docs/SCALING.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def prepared_cursor() -> Any:
    """A Django cursor (counted, logged, errors translated) over a psycopg cursor that binds
    server-side and prepares every statement it runs."""
    import psycopg  # noqa: PLC0415 - PostgreSQL only

    class Prepared(psycopg.Cursor[Any]):
        def execute(self, query: Any, params: Any = None, **_: Any) -> Any:
            return super().execute(query, params, prepare=True)

    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django leaves automatic preparation off; only what asks for it (this) is prepared.
        raw.prepare_threshold = 2**31 - 1
    return connection._prepare_cursor(Prepared(raw))  # type: ignore[attr-defined]


def insert_fields(model: type[Model], *, without: Sequence[str] = ()) -> list[Field[Any, Any]]:
    """The columns an INSERT of `model` writes (its concrete fields but the generated id),
    less `without` (attnames the statement fills itself, e.g. a foreign key from another CTE)."""
    return [
        f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in without
    ]


def column_list(fields: Sequence[Field[Any, Any]]) -> str:
    return ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)


def array_params(
    objs: Sequence[Model], fields: Sequence[Field[Any, Any]], *, prefix: str
) -> tuple[str, dict[str, list[Any]]]:
    """`unnest(...)` over one array per column of unsaved `objs`, with each array cast to its
    column's type, and the parameters: the values exactly as the ORM's INSERT would write them
    (each field's pre_save and get_db_prep_save), so a row written here equals one written by
    `bulk_create`. Rows come back in order through `WITH ORDINALITY` (the name `n`)."""
    params: dict[str, list[Any]] = {}
    casts = []
    for i, f in enumerate(fields):
        name = f"{prefix}{i}"
        params[name] = [f.get_db_prep_save(f.pre_save(o, add=True), connection) for o in objs]
        casts.append(f"%({name})s::{f.db_type(connection)}[]")
    names = ", ".join(f"c{i}" for i in range(len(fields)))
    return f"unnest({', '.join(casts)}) WITH ORDINALITY AS {prefix}({names}, n)", params


def scalar_params(
    obj: Model, fields: Sequence[Field[Any, Any]], *, prefix: str
) -> tuple[str, dict[str, Any]]:
    """A VALUES-like select list of one unsaved row's columns, typed, with its parameters."""
    params: dict[str, Any] = {}
    casts = []
    for i, f in enumerate(fields):
        name = f"{prefix}{i}"
        params[name] = f.get_db_prep_save(f.pre_save(obj, add=True), connection)
        casts.append(f"%({name})s::{f.db_type(connection)}")
    return ", ".join(casts), params


def select_list(model: type[Model], alias: str) -> str:
    """Every concrete column of `model` under `alias`, in the order `loaded` expects."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in model._meta.concrete_fields)


def loaded[M: Model](model: type[M], row: Sequence[Any]) -> M:
    """A model instance from the columns `select_list` read, as the ORM would make it."""
    fields = model._meta.concrete_fields
    values = [
        f.from_db_value(v, None, connection) if hasattr(f, "from_db_value") and v is not None else v
        for f, v in zip(fields, row, strict=True)
    ]
    return model.from_db(connection.alias, [f.attname for f in fields], values)
