"""A raw-SQL ceiling made of the statements the application itself sent: capture what one
request (or several) executed through Django's connection, then replay those statements with
pgbench (`-M prepared`), so the database does exactly the work it does for the application,
with a client far cheaper than any web tier.

A captured value that must differ from one replayed transaction to the next (an order number,
the id a previous statement returned, the buyer) is named in `vary`: its text is replaced by a
pgbench expression wherever it occurs, alone or inside a longer parameter (a JSON document of
rows, a ledger key). Every other value is replayed as captured. Make the varying values
distinctive before capturing (ids far from any other number in the statements), or a
coincidental match would be replaced too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

_NAMED = re.compile(r"%\((\w+)\)s|%s|%%")


@dataclass(frozen=True)
class Statement:
    sql: str
    params: Any
    transaction: int | None  # the outermost atomic block it ran in (None: autocommit)


@dataclass
class Capture:
    statements: list[Statement] = field(default_factory=list)


@contextmanager
def captured() -> Iterator[Capture]:
    """Every statement Django's default connection executes inside the block, in order."""
    from django.db import connection

    capture = Capture()

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        assert not many, "executemany is not replayed"
        blocks = connection.atomic_blocks
        capture.statements.append(Statement(sql, params, id(blocks[0]) if blocks else None))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield capture


def _pg_text(value: Any) -> str:
    """A parameter's value as PostgreSQL's text input reads it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "{" + ",".join("NULL" if v is None else _pg_text(v) for v in value) + "}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "obj"):  # psycopg's Jsonb wrapper
        import json

        return json.dumps(value.obj)
    return str(value)


def _pg_type(value: Any) -> str:
    """The type psycopg would bind the value as, for a placeholder the SQL leaves untyped."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, Decimal):
        return "numeric"
    if isinstance(value, datetime):
        return "timestamptz"
    if isinstance(value, list | tuple):
        kinds = {_pg_type(v) for v in value if v is not None} or {"text"}
        assert len(kinds) == 1, value
        return f"{kinds.pop()}[]"
    return "text"


def _placeheld(statement: Statement, bind: Callable[[str, Any, bool], str]) -> str:
    """The statement's text with each placeholder (psycopg's `%(name)s` or `%s`) replaced by
    what `bind(key, value, typed)` gives; `typed` says the SQL casts it right after."""
    params = statement.params
    positions = iter(range(len(params))) if isinstance(params, list | tuple) else iter(())

    def replaced(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        key = match.group(1) if match.group(1) else next(positions)
        typed = statement.sql[match.end() : match.end() + 2] == "::"
        return bind(str(key), params[key], typed)

    return _NAMED.sub(replaced, statement.sql).strip()


def with_blocks(statements: Sequence[Statement]) -> Iterator[Statement | str]:
    """The statements in order, with "BEGIN" before and "COMMIT" after each run of them captured
    in one atomic block: the transactions as they ran (the others each committed alone)."""
    block: int | None = None
    for statement in statements:
        if statement.transaction != block:
            if block is not None:
                yield "COMMIT"
            if statement.transaction is not None:
                yield "BEGIN"
            block = statement.transaction
        yield statement
    if block is not None:
        yield "COMMIT"


@dataclass
class Script:
    """A pgbench script and the string variables (`-D`) it reads."""

    text: str
    variables: dict[str, str]


def pgbench_script(
    statements: Sequence[Statement],
    *,
    vary: dict[str, str],
    gset: dict[int, Sequence[str]] | None = None,
    prelude: str = "",
) -> Script:
    """`statements` as one pgbench transaction script.

    `vary` maps a captured value's text to the pgbench expression that replaces it (longest
    first, so a value inside another is still found). `gset[i]` names the result columns of
    statement i that later statements read (`\\gset`); they are pre-set, as pgbench prepares every
    statement before any runs. Statements that ran in one atomic block are replayed between
    BEGIN and COMMIT; the others each commit alone, as they did."""
    keys = sorted(vary, key=len, reverse=True)
    tokens = {key: f"@{chr(ord('a') + i)}@" for i, key in enumerate(keys)}
    variables: dict[str, str] = {}
    for names in (gset or {}).values():
        variables.update(dict.fromkeys(names, "0"))
    lines = [prelude] if prelude else []

    def bound(name: str, value: Any, typed: bool) -> str:
        if value is None:
            return "NULL"
        text = _pg_text(value)
        cast = "" if typed else f"::{_pg_type(value)}"
        if text == "":
            return f"''{cast}"  # pgbench defines no empty variable
        if text in vary:
            return f"({vary[text]}){cast}"
        template = text
        used = [key for key in keys if key in template]
        for key in used:
            template = template.replace(key, tokens[key])
        variables[name] = template
        expr = f":{name}"
        for key in used:
            expr = f"replace({expr}, '{tokens[key]}', ({vary[key]})::text)"
        return f"({expr}){cast}" if used else f"{expr}{cast}"

    i = -1
    for item in with_blocks(statements):
        if isinstance(item, str):
            lines.append(f"{item};")
            continue
        i += 1
        text = _placeheld(item, lambda key, value, typed, i=i: bound(f"s{i}_{key}", value, typed))
        lines.append(text + (" \\gset" if gset and i in gset else ";"))
    return Script("\n".join(lines) + "\n", variables)
