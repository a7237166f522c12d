"""Reads a selector may take from a read replica (docs/SCALING.md), and only those.

With DATABASE_REPLICA_URL set, settings add a `replica` database and the router in
`sharemall.config.db_router`. Nothing reads from it unless the code asks, around a read-only
selector whose answer may be a moment old (a dashboard, a storefront list, search, the
recommendations' training reads):

    with replica.reads():
        rows = dashboard(...)

or `@replica.reads()` on the selector. Even then the read stays on the primary when

- it runs inside `transaction.atomic()` (on the primary): what a transaction reads it may act
  on, and a replica is not in the transaction;
- this request (or, outside requests, this context) already wrote: read-your-writes, a member
  who just saved something sees it. Every write the ORM routes marks it, and so does
  `wrote()`, for raw SQL writes on the primary's connection;
- the request is not a GET or HEAD (ReplicaScopeMiddleware): it is there to write.

Without a replica alias every read goes to the primary, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ContextDecorator, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet

REPLICA = "replica"


@dataclass
class _Scope:
    wrote: bool = False
    replica_reads: int = 0  # nesting depth of reads()


_scope: ContextVar[_Scope | None] = ContextVar("sharemall_replica_scope", default=None)


def _current() -> _Scope:
    scope = _scope.get()
    if scope is None:  # outside a request: one scope for this context (a job, a command)
        scope = _Scope()
        _scope.set(scope)
    return scope


def configured() -> bool:
    return REPLICA in settings.DATABASES


class reads(ContextDecorator):  # noqa: N801 - used like a function: `with replica.reads():`
    """Reads in this block may go to the replica (see the module's rules)."""

    def __enter__(self) -> reads:
        _current().replica_reads += 1
        return self

    def __exit__(self, *exc: object) -> None:
        _current().replica_reads -= 1


def wrote() -> None:
    """This request (context) wrote: its reads stay on the primary from now on."""
    _current().wrote = True


def read_alias(*, following: Model | None = None) -> str:
    """Where a read goes now: the replica only inside reads() or when `following` (the object
    a related read starts from: a prefetch, `order.lines`) came from the replica, and then only
    outside a transaction and before this request wrote."""
    scope = _current()
    chosen = scope.replica_reads > 0 or (
        following is not None and getattr(following._state, "db", None) == REPLICA
    )
    if (
        chosen
        and not scope.wrote
        and configured()
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    ):
        return REPLICA
    return DEFAULT_DB_ALIAS


@contextmanager
def scope(*, writing: bool = False) -> Iterator[None]:
    """A fresh scope: one request (the middleware), or one job. `writing`: a request that is
    there to write (a POST) reads the primary throughout."""
    token = _scope.set(_Scope(wrote=writing))
    try:
        yield
    finally:
        _scope.reset(token)


def using[M: Model](queryset: QuerySet[M]) -> QuerySet[M]:
    """`queryset` bound to the replica if a read here may go there (as inside `reads()`), else
    unchanged: for a selector that returns a lazy list (the storefront's products), which the
    caller evaluates later. Only for reading: an update or delete on it would go to the
    replica, which refuses it."""
    with reads():
        alias = read_alias()
    return queryset.using(alias) if alias == REPLICA else queryset
