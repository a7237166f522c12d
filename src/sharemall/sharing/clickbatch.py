"""Writing anonymous share clicks in batches: the one-per-visitor-per-link-per-24-h rule for a
whole batch in a few statements, exact under concurrency on SQLite and PostgreSQL.

The rule is the same as `services.click_record`'s: a click counts when its (link, visitor) has no
window yet, or when the window was last counted at least 24 h before the click. A batch claims
windows with two statements instead of one per click:

1. `INSERT … ON CONFLICT DO NOTHING RETURNING` makes the windows that did not exist. A concurrent
   insert of the same window makes ours wait for it and then do nothing, so one of them wins.
2. For the rest, `UPDATE … FROM (the rows) WHERE counted_at <= threshold RETURNING` renews the
   windows that have expired. The threshold (click time − 24 h) travels with each row because
   SQLite and PostgreSQL spell date arithmetic differently; the comparison is all SQL needs.

A batch may hold one visitor's repeated clicks on one link (a reload, a double tap). Only the
first can count unless a later one is 24 h after whatever window the first met, so a batch runs
in rounds, each with at most one click per window: practically always one round.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, IntegrityError, OperationalError, connections, transaction

from sharemall.sharing import rules
from sharemall.sharing.models import ClickWindow, ShareClick, ShareLink

# PostgreSQL's deadlock and serialization failures: the transaction did nothing and may simply
# run again. Two flushers renewing the same expired windows can lock them in opposite orders.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
_ATTEMPTS = 5
# Rows per statement: on SQLite each value is a parameter (at most 32,766 a statement), on
# PostgreSQL each column is one array.
CHUNK = 1000


class Click(NamedTuple):
    """One anonymous visit to a share link, as the landing fast path saw it."""

    link_id: int
    visitor_key: str
    ip: str
    clicked_at: datetime


WindowKey = tuple[int, str]


def _key(click: Click) -> WindowKey:
    return (click.link_id, click.visitor_key)


def clicks_write(clicks: Sequence[Click], *, using: str = DEFAULT_DB_ALIAS) -> list[Click]:
    """Count and store `clicks` in one transaction; returns the clicks that counted. Runs again
    on a deadlock when it owns the transaction (inside a caller's one it cannot). Clicks on a
    link deleted since it was cached are dropped, as a click on it now would find nothing."""
    if not clicks:
        return []
    connection = connections[using]
    for attempt in range(_ATTEMPTS):
        retry_allowed = not connection.in_atomic_block and attempt < _ATTEMPTS - 1
        try:
            with transaction.atomic(using=using):
                counted = _claim_windows(clicks, using)
                _insert_clicks(counted, using)
        except OperationalError as error:
            if retry_allowed and _sqlstate(error) in _RETRYABLE_SQLSTATES:
                continue
            raise
        except IntegrityError:
            alive = _on_live_links(clicks, using)
            if not retry_allowed or len(alive) == len(clicks):
                raise
            clicks = alive
            if not clicks:
                return []
            continue
        return counted
    raise AssertionError("unreachable")  # pragma: no cover


def _on_live_links(clicks: Sequence[Click], using: str) -> list[Click]:
    live = set(
        ShareLink.objects.using(using)
        .filter(pk__in={c.link_id for c in clicks})
        .values_list("pk", flat=True)
    )
    return [c for c in clicks if c.link_id in live]


def _sqlstate(error: BaseException) -> str | None:
    return getattr(error.__cause__, "sqlstate", None)


def _claim_windows(clicks: Sequence[Click], using: str) -> list[Click]:
    pending = sorted(clicks, key=lambda c: c.clicked_at)
    counted: list[Click] = []
    while pending:
        firsts: dict[WindowKey, Click] = {}
        for click in pending:
            firsts.setdefault(_key(click), click)
        won = _claim(sorted(firsts.values(), key=_key), using)
        counted += [firsts[key] for key in won]
        later = [c for c in pending if firsts[_key(c)] is not c]
        if not later:
            break
        # A later click of the same window can count only once that window, as it stands now,
        # has run its 24 h: after our own claim, or after the one the first click ran into.
        lost = {_key(c) for c in later} - won
        open_since = {key: firsts[key].clicked_at for key in won} | _counted_at(lost, using)
        pending = [
            c
            for c in later
            if _key(c) in open_since and c.clicked_at - open_since[_key(c)] >= rules.CLICK_WINDOW
        ]
    return counted


def _claim(firsts: Sequence[Click], using: str) -> set[WindowKey]:
    """The windows claimed for these clicks, at most one per window. Sorted input keeps every
    batch inserting in the same order, so concurrent batches queue instead of deadlocking."""
    won: set[WindowKey] = set()
    for start in range(0, len(firsts), CHUNK):
        chunk = firsts[start : start + CHUNK]
        made = _insert_new_windows(chunk, using)
        won |= made
        rest = [c for c in chunk if _key(c) not in made]
        if rest:
            won |= _renew_expired_windows(rest, using)
    return won


def _db_time(value: datetime, using: str) -> object:
    return connections[using].ops.adapt_datetimefield_value(value)


# The rows of a statement, named `v` with these columns and PostgreSQL types.
_WINDOW_ROWS = (("link_id", "bigint"), ("visitor_key", "text"), ("clicked_at", "timestamptz"))
_RENEW_ROWS = (*_WINDOW_ROWS, ("threshold", "timestamptz"))
_CLICK_ROWS = (*_WINDOW_ROWS, ("ip", "text"))


def _with_rows(
    columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[object]], using: str
) -> tuple[str, list[Any]]:
    """`WITH v (columns) AS (…)` holding `rows`, and its parameters. PostgreSQL gets one array
    per column through unnest: a short statement, where thousands of placeholders would cost the
    driver more to parse than the database to run. SQLite has no arrays and takes VALUES."""
    names = ", ".join(name for name, _ in columns)
    if connections[using].vendor == "postgresql":
        arrays = ", ".join(f"%s::{kind}[]" for _, kind in columns)
        return f"WITH v ({names}) AS (SELECT * FROM unnest({arrays})) ", [  # noqa: S608 - constant names
            [row[i] for row in rows] for i in range(len(columns))
        ]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    values = ", ".join([placeholders] * len(rows))
    return f"WITH v ({names}) AS (VALUES {values}) ", [value for row in rows for value in row]


def _window_rows(clicks: Sequence[Click], using: str) -> list[tuple[object, ...]]:
    adapt = connections[using].ops.adapt_datetimefield_value
    return [(c.link_id, c.visitor_key, adapt(c.clicked_at)) for c in clicks]


def _execute(sql: str, params: list[Any], using: str) -> set[WindowKey]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return {(int(row[0]), str(row[1])) for row in cursor.fetchall()}


def _insert_new_windows(clicks: Sequence[Click], using: str) -> set[WindowKey]:
    quote = connections[using].ops.quote_name
    table = quote(ClickWindow._meta.db_table)
    rows, params = _with_rows(_WINDOW_ROWS, _window_rows(clicks, using), using)
    # `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT, not a join.
    sql = (
        f"{rows}INSERT INTO {table} (link_id, visitor_key, counted_at) "  # noqa: S608 - constant names; values are parameters
        "SELECT link_id, visitor_key, clicked_at FROM v WHERE true "
        "ON CONFLICT (link_id, visitor_key) DO NOTHING RETURNING link_id, visitor_key"
    )
    return _execute(sql, params, using)


def _renew_expired_windows(clicks: Sequence[Click], using: str) -> set[WindowKey]:
    quote = connections[using].ops.quote_name
    table = quote(ClickWindow._meta.db_table)
    rows, params = _with_rows(
        _RENEW_ROWS,
        [
            (*row, _db_time(c.clicked_at - rules.CLICK_WINDOW, using))
            for c, row in zip(clicks, _window_rows(clicks, using), strict=True)
        ],
        using,
    )
    sql = (
        f"{rows}UPDATE {table} SET counted_at = v.clicked_at FROM v "  # noqa: S608 - constant names; values are parameters
        f"WHERE {table}.link_id = v.link_id AND {table}.visitor_key = v.visitor_key "
        f"AND {table}.counted_at <= v.threshold "
        f"RETURNING {table}.link_id, {table}.visitor_key"
    )
    return _execute(sql, params, using)


def _counted_at(keys: Iterable[WindowKey], using: str) -> dict[WindowKey, datetime]:
    wanted = set(keys)
    if not wanted:
        return {}
    found = ClickWindow.objects.using(using).filter(
        link_id__in={link for link, _ in wanted},
        visitor_key__in={visitor for _, visitor in wanted},
    )
    return {
        (window.link_id, window.visitor_key): window.counted_at
        for window in found
        if (window.link_id, window.visitor_key) in wanted
    }


def _insert_clicks(clicks: Sequence[Click], using: str) -> None:
    """Plain INSERTs: building a thousand model instances would cost the flusher more than the
    database spends storing them."""
    table = connections[using].ops.quote_name(ShareClick._meta.db_table)
    for start in range(0, len(clicks), CHUNK):
        chunk = clicks[start : start + CHUNK]
        rows, params = _with_rows(
            _CLICK_ROWS,
            [(*row, c.ip) for c, row in zip(chunk, _window_rows(chunk, using), strict=True)],
            using,
        )
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"{rows}INSERT INTO {table} (link_id, visitor_key, visitor_id, ip, clicked_at) "  # noqa: S608 - constant names; values are parameters
                "SELECT link_id, visitor_key, NULL, ip, clicked_at FROM v",
                params,
            )
