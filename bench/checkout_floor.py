"""The floor under any Python web tier for checkout: a bare WSGI application, served by granian
as `sharemall serve` serves ShareMall, that answers the two calls of an order (POST
/api/v1/orders, then POST /api/v1/payments/sandbox/{id}/complete) by sending the statements
ShareMall sent for them (`checkout.captured_order`) through psycopg, prepared, with another
buyer, SKU, order and payment number, and the ids chained as ShareMall chains them; and doing
nothing else: no authentication, validation, pricing, rules, signatures or JSON beyond the id.

The database does exactly what it does for ShareMall, so this floor, which `bench/checkout.py`
runs beside its ceilings, shows how much of the one-box ratio HTTP / replayed ceiling the HTTP
server, the driver and the load generator alone leave to a web tier, before any of the
application's own work.

Served with `python -m granian --interface wsgi checkout_floor:application` (bench/ on
PYTHONPATH, FLOOR_ORDER naming the pickled fields of a `CapturedOrder`, DATABASE_URL its database).
"""

from __future__ import annotations

import functools
import os
import pickle
import random
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from enum import Enum
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
from _replay import with_blocks

_PAY_PATH = re.compile(r"/api/v1/payments/sandbox/(\d+)/complete")
PLACED_MARK = "AS order_ids"  # the fast path's placing statement (its row names the ids)


def _bind(value: Any, changes: dict[str, Any], keys: list[str]) -> Any:
    """A captured parameter with another order's values: a value equal to a changed one as the
    new one (same type), a text containing one with it replaced (JSON rows, ledger keys)."""
    if type(value) is int:  # not a bool
        return changes.get(str(value), value)
    if isinstance(value, list):
        return [_bind(v, changes, keys) for v in value]
    if type(value) is str:
        if value in changes:
            return changes[value]
        for key in keys:
            if key in value:
                value = value.replace(key, str(changes[key]))
        return value
    return (
        value  # None, bools, datetimes, psycopg's wrappers: replayed as captured, as pgbench does
    )


def portable(fields: dict[str, Any]) -> dict[str, Any]:
    """A `CapturedOrder`'s fields, picklable without Django: its models' status choices (str
    enums, which psycopg sends as their text) become plain text."""

    def plain(value: Any) -> Any:
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    def statements(captured: list[Any]) -> list[Any]:
        return [
            replace(
                st,
                params={k: plain(v) for k, v in st.params.items()}
                if isinstance(st.params, dict)
                else [plain(v) for v in st.params],
            )
            for st in captured
        ]

    return {**fields, "create": statements(fields["create"]), "pay": statements(fields["pay"])}


class Floor:
    def __init__(self, order: Any, url: str) -> None:
        self.order, self.url = order, url
        self.local = threading.local()
        self.pending: dict[int, dict[str, Any]] = {}  # payment id → its order's changes

    def _connection(self) -> psycopg.Connection[Any]:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = psycopg.connect(self.url, autocommit=True)
        return conn

    def _send(self, statements: list[Any], changes: dict[str, Any]) -> tuple[Any, ...] | None:
        """The statements with this order's values; those captured in one atomic block between
        BEGIN and COMMIT, as they ran. The placing statement's row is returned."""
        keys = sorted(changes, key=len, reverse=True)
        placed = None
        with self._connection().cursor() as cursor:
            for st in with_blocks(statements):
                if isinstance(st, str):  # BEGIN or COMMIT
                    cursor.execute(st)
                    continue
                params = st.params
                if isinstance(params, dict):
                    params = {k: _bind(v, changes, keys) for k, v in params.items()}
                else:
                    params = [_bind(v, changes, keys) for v in params]
                cursor.execute(st.sql, params, prepare=True)
                if PLACED_MARK in st.sql:
                    placed = cursor.fetchone()
        return placed

    def create(self) -> bytes:
        o = self.order
        r = random.randrange(1, 9_000_000_000_000_000)
        sku = random.randrange(o.sku_range[0], o.sku_range[1] + 1)
        changes: dict[str, Any] = {
            o.order_no: f"O{r}",
            o.payment_no: f"P{r}",
            o.pay_token: f"T{r}",
            str(o.buyer): random.randrange(o.buyers[0], o.buyers[1] + 1),
            str(o.sku): sku,
            str(o.product): sku + o.product_offset,
        }
        placed = self._send(o.create, changes)
        assert placed is not None, "the placing statement returned its row"
        payment_id, order_ids = placed[0], placed[1]
        changes[str(o.payment_id)] = payment_id
        changes[str(o.order_id)] = order_ids[0]
        self.pending[payment_id] = changes
        return b'{"payment_id": %d}' % payment_id

    def pay(self, payment_id: int) -> bytes:
        self._send(self.order.pay, self.pending.pop(payment_id))
        return b'{"status": "paid"}'


@functools.cache
def _floor() -> Floor:
    # The fields of bench/checkout.py's CapturedOrder (a class of a script, which pickle cannot
    # find here: its fields travel as a dict).
    order = SimpleNamespace(**pickle.loads(Path(os.environ["FLOOR_ORDER"]).read_bytes()))
    return Floor(order, os.environ["DATABASE_URL"])


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    floor = _floor()
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    path = environ["PATH_INFO"]
    if path == "/api/v1/orders":
        status, body = "201 Created", floor.create()
    elif (paying := _PAY_PATH.fullmatch(path)) is not None:
        status, body = "200 OK", floor.pay(int(paying.group(1)))
    else:
        status, body = "404 Not Found", b"{}"
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
