"""Hand-written SQL for the hot paths (PostgreSQL only, but for `fetch_one`, which falls back to
the ORM elsewhere): statements parsed and planned once per connection, on Django's own
connection so they join the caller's transaction.

The ORM stays the general path. A hot path (sign-up, the checkout fast path) writes its rows
with one or two statements here, each prepared on the server the first time it runs on a
connection: psycopg 3 binds the parameters server-side with their types, so a prepared
statement is reused whatever the values. Under PgBouncer in transaction mode this needs
`max_prepared_statements` (docs/SCALING.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import (
    BooleanField,
    CharField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    TextField,
)
from django.db.models.fields import AutoFieldMixin


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@cache
def _prepared_class() -> Any:
    # Made once: a class statement per call cost a sign-up ~30 µs of CPU.
    import psycopg  # noqa: PLC0415 - PostgreSQL only
    from psycopg._queries import PostgresQuery, _query2pg  # noqa: PLC0415

    class HotQuery(PostgresQuery):
        """psycopg converts `%(name)s` placeholders to `$n` once per statement text, but only
        for statements under 4 kB and 50 parameters (ORMs vary theirs). A hot path's statements
        are a fixed few, whatever their size: converting one afresh each time cost ~2 ms."""

        def convert(self, query: Any, vars: Any) -> None:
            query = self._ensure_bytes(query)
            self.query, self._want_formats, self._order, self._parts = _query2pg(
                query, self._tx.encoding
            )
            self.dump(vars)

    class Prepared(psycopg.Cursor[Any]):
        _query_cls = HotQuery

        def execute(self, query: Any, params: Any = None, **_: Any) -> Any:
            return super().execute(query, params, prepare=True)

    return Prepared


def prepared_cursor() -> Any:
    """A Django cursor (counted, logged, errors translated) over a psycopg cursor that binds
    server-side and prepares every statement it runs."""
    conn = connections[DEFAULT_DB_ALIAS]
    conn.ensure_connection()
    raw = conn.connection
    if raw.prepare_threshold is None:
        # Django leaves automatic preparation off; only what asks for it (this) is prepared.
        raw.prepare_threshold = 2**31 - 1
    return conn._prepare_cursor(_prepared_class()(raw))  # type: ignore[attr-defined]


if TYPE_CHECKING:
    _FieldTuple = tuple[Field[Any, Any], ...]
else:
    _FieldTuple = tuple  # Field is generic for the type checker only


class Fields(_FieldTuple):
    """The columns of a hot path's rows, hashed once. The statement texts and column plans
    below are cached per such tuple, and a plain tuple of fields hashes every field on each
    look-up, in Python (~140 field hashes an order). Make one at import time, not per call."""

    _hash: int

    def __new__(cls, fields: Iterable[Field[Any, Any]]) -> Fields:
        made = super().__new__(cls, fields)
        made._hash = tuple.__hash__(made)
        return made

    def __hash__(self) -> int:
        return self._hash


def insert_fields(model: type[Model], *, without: Sequence[str] = ()) -> Fields:
    """The columns an INSERT of `model` writes (its concrete fields but the generated id),
    less `without` (attnames the statement fills itself, e.g. a foreign key from another CTE)."""
    return Fields(
        f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in without
    )


def column_list(fields: Sequence[Field[Any, Any]]) -> str:
    return ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)


@cache
def rows_sql(fields: Fields, prefix: str) -> str:
    """The rows of one JSON parameter (`%(<prefix>)s`), each column typed as the model types
    it (`c0`, `c1`, …) and numbered from 1 in order (`n`). One JSON text dumps far cheaper than
    an array parameter per column, whose element type psycopg discovers list by list."""
    columns = ", ".join(f"c{i} {f.db_type(connection)}" for i, f in enumerate(fields))
    return f"jsonb_to_recordset(%({prefix})s::jsonb) AS {prefix}(n bigint, {columns})"


def _column_value(obj: Model, f: Field[Any, Any], as_is: type | None, conn: Any) -> Any:
    """Exactly what the ORM's INSERT writes: the field's pre_save, then its database value
    (`conn` is the connection itself: through django.db.connection each use is a look-up)."""
    if as_is is not None:
        value = getattr(obj, f.attname)
        if value is None or type(value) is as_is:
            return value
    return f.get_db_prep_save(f.pre_save(obj, add=True), conn)


# Integer fields are not here: PostgreSQL's backend wraps their values in the column's own type.
_AS_IS = ((CharField, str), (TextField, str), (BooleanField, bool))


def _as_is(f: Field[Any, Any]) -> type | None:
    """The value type `f` writes exactly as the object holds it, or None. For these built-in
    fields, with a value of exactly that type (or None), `pre_save` only reads the attribute and
    `get_db_prep_save` gives the value back (a str's to_python, a bool's bool; a foreign key's
    int() through its id field): skipping them saves ~1 µs a column, and most columns
    of a hot path's rows are such. A subclass overriding any of those steps is never skipped."""
    kind = type(f)
    if kind.pre_save is not Field.pre_save:
        return None
    if isinstance(f, ForeignKey):
        target = f.target_field
        keyed_by_id = (
            kind.get_db_prep_save is ForeignKey.get_db_prep_save
            and isinstance(target, AutoFieldMixin)
            and type(target).get_db_prep_save is AutoFieldMixin.get_db_prep_save
            and type(target).get_db_prep_value is AutoFieldMixin.get_db_prep_value
            and type(target).get_prep_value is IntegerField.get_prep_value
        )
        # validate_autopk_value refuses nothing on PostgreSQL, the only backend here.
        return int if keyed_by_id else None
    if kind.get_db_prep_save is not Field.get_db_prep_save:
        return None
    if kind.get_db_prep_value is not Field.get_db_prep_value:
        return None
    for base, value_type in _AS_IS:
        if isinstance(f, base) and kind.get_prep_value is base.get_prep_value:
            return value_type
    return None


@cache
def _columns(
    fields: Fields,
) -> tuple[tuple[str, Field[Any, Any], type | None], ...]:
    """Each field with its row key (`c<i>`) and what `_column_value` may skip for it."""
    return tuple((f"c{i}", f, _as_is(f)) for i, f in enumerate(fields))


def _json_value(value: Any) -> Any:
    """A database value as JSON carries it to `jsonb_to_recordset`, which reads it back by the
    column's type: instants as ISO 8601 with their offset, a JSON column's document as itself."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal | IPv4Address | IPv6Address | IPv4Network | IPv6Network):
        return str(value)
    if hasattr(value, "obj"):
        return value.obj  # psycopg's Jsonb wrapper of a JSONField's value
    raise TypeError(f"{type(value).__name__} has no JSON form for a hot path's rows")


def rows_params(
    objs: Sequence[Model],
    fields: Fields,
    *,
    prefix: str,
    first: Sequence[Any] | None = None,
) -> tuple[str, dict[str, str]]:
    """`rows_sql` for unsaved `objs` and its parameter, so a row written through it equals one
    written by `bulk_create`. `first`, when given, replaces column c0's values (a reference the
    statement resolves itself, such as an order's position among the orders it inserts)."""
    rows = []
    columns = _columns(fields)
    conn = connections[DEFAULT_DB_ALIAS]
    for k, obj in enumerate(objs):
        row: dict[str, Any] = {"n": k + 1}
        for i, (key, f, as_is) in enumerate(columns):
            row[key] = (
                first[k] if i == 0 and first is not None else _column_value(obj, f, as_is, conn)
            )
        rows.append(row)
    return rows_sql(fields, prefix), {prefix: json.dumps(rows, default=_json_value)}


@cache
def typed_values_sql(fields: Fields, prefix: str) -> str:
    """A select list of one row's column parameters (`%(<prefix><i>)s`), typed."""
    return ", ".join(f"%({prefix}{i})s::{f.db_type(connection)}" for i, f in enumerate(fields))


def scalar_params(obj: Model, fields: Fields, *, prefix: str) -> tuple[str, dict[str, Any]]:
    """`typed_values_sql` for one unsaved row and its parameters."""
    conn = connections[DEFAULT_DB_ALIAS]
    params = {
        f"{prefix}{i}": _column_value(obj, f, as_is, conn)
        for i, (_key, f, as_is) in enumerate(_columns(fields))
    }
    return typed_values_sql(fields, prefix), params


@cache
def select_list(model: type[Model], alias: str) -> str:
    """Every concrete column of `model` under `alias`, in the order `loaded` expects."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in model._meta.concrete_fields)


@cache
def _loading(model: type[Model]) -> tuple[list[str], tuple[Any, ...]]:
    """`model`'s attnames in `select_list` order, and each field's from_db_value (or None)."""
    fields = model._meta.concrete_fields
    return [f.attname for f in fields], tuple(getattr(f, "from_db_value", None) for f in fields)


def loaded[M: Model](model: type[M], row: Sequence[Any]) -> M:
    """A model instance from the columns `select_list` read, as the ORM would make it."""
    attnames, converters = _loading(model)
    conn = connections[DEFAULT_DB_ALIAS]
    values = [
        convert(v, None, conn) if convert is not None and v is not None else v
        for convert, v in zip(converters, row, strict=True)
    ]
    return model.from_db(conn.alias, attnames, values)


@cache
def _fetch_one_sql(model: type[Model], names: tuple[str, ...]) -> str:
    """One statement text per model and set of filtered fields: prepared statements are kept by
    their text, so the same look-up reuses one whatever the order its caller named them in."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    where = " AND ".join(
        f"t.{quote(str(_filter_field(model, name).column))} = %({name})s" for name in names
    )
    return f"SELECT {select_list(model, 't')} FROM {table} t WHERE {where}"  # noqa: S608 - constant names; values are parameters


def _filter_field(model: type[Model], name: str) -> Field[Any, Any]:
    if name == "pk":
        return model._meta.pk
    return model._meta.get_field(name)  # type: ignore[return-value]


def fetch_one[M: Model](model: type[M], **filters: Any) -> M | None:
    """The row of `model` whose fields equal `filters` (field names or attnames such as
    `buyer_id`, with column values: ids, not instances), or None. On PostgreSQL it is read by a
    prepared statement: a hot path's look-up without the ORM's query building (~0.5 ms of CPU
    each); elsewhere through the ORM, so callers write the one call whatever the database."""
    if not filters:
        raise TypeError("fetch_one needs at least one filter")
    if not is_postgres():
        return model._default_manager.filter(**filters).first()
    with prepared_cursor() as cursor:
        cursor.execute(_fetch_one_sql(model, tuple(sorted(filters))), filters)
        row = cursor.fetchone()
    return loaded(model, row) if row is not None else None
