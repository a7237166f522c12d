"""In-process caches of rules that rarely change, kept honest by versions in the database.

Every checkout used to read the same rows again and again: the caller's token, the platform
settings, the merchant's commission plans, spend tiers and stacking rules, freight templates.
Each is now kept in a plain dict in the process, next to the version it was read under. A
version is a row of `core_cacheversion` (`name → version`); whatever writes a cached rule calls
`bump(name)` in the transaction of the write, which sets the row to a fresh random number. Every
process (each gunicorn or granian worker) compares its entries with the versions the database
holds now, so a change made anywhere is seen everywhere on the next request, with nothing but
the database in common (no Redis, the SQLite default install works the same).

Why random and not +1: a bump that rolls back must never make an old value look current. With
a counter, a rolled-back bump to 8 followed by a committed one to 8 would let a value cached
under the first 8 (read inside the rolled-back transaction) pass for the committed state. A
fresh 62-bit number never comes back.

When versions are read:

- In a request, once: the first cached read (or the bearer-token check, which reads them in the
  same statement as the caller's member row) takes a snapshot of all versions (one
  `SELECT name, version FROM core_cacheversion`); the rest of the request compares against it.
  A request therefore applies the rules as they stood when it started, as if it had run a
  moment earlier; it never applies a rule older than that.
- Outside a request (jobs, the shell, a test calling a service directly) nothing is cached:
  every read goes to the database as before. Jobs never see a stale value and their query
  counts do not change. `scope()` opens a request-like scope for code that wants the cache.
- Inside the request that bumps, while its transaction is open: the bumped names bypass the
  cache (reads go to the database, nothing is stored) until the transaction ends, because the
  snapshot predates the change this transaction is making. Once it ends (committed or rolled
  back, we cannot tell which from here) the snapshot is read again.

The order that makes a fill safe: the version is read before (or in the same statement as) the
data stored under it. An entry then holds data at least as new as its version, never older.
Writers bump in the same transaction as their write, so other processes see the new version
and the new rows together.
"""

from __future__ import annotations

import json
import secrets
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from sharemall.core import replica

TOKENS = "tokens"
PLATFORM = "platform"
PLANS = "plans"
PROMOTIONS = "promotions"
FREIGHT = "freight"
LEDGER = "ledger"
NAMES = (TOKENS, PLATFORM, PLANS, PROMOTIONS, FREIGHT, LEDGER)

# Above this many entries a cache starts again from empty: bounded memory (a token cache meets
# every client of the process) at the price of a few reloads.
DEFAULT_MAX_ENTRIES = 50_000

_BUMP_SQL = (
    "INSERT INTO core_cacheversion (name, version) VALUES (%s, %s) "
    "ON CONFLICT (name) DO UPDATE SET version = excluded.version"
)
_READ_SQL = "SELECT name, version FROM core_cacheversion"


def versions_subquery(vendor: str) -> str:
    """All versions as one JSON text column, for a statement that reads them together with
    other rows (the bearer-token check)."""
    if vendor == "postgresql":
        return (
            "(SELECT coalesce(json_object_agg(name, version), '{}')::text FROM core_cacheversion)"
        )
    return "(SELECT coalesce(json_group_object(name, version), '{}') FROM core_cacheversion)"


def parse_versions(raw: str | Mapping[str, int] | None) -> dict[str, int]:
    if raw is None:
        return {}
    found = json.loads(raw) if isinstance(raw, str) else raw
    return {str(name): int(version) for name, version in found.items()}


@dataclass
class _Scope:
    # None until something in this scope needed them.
    versions: dict[str, int] | None = None
    # Names this scope bumped inside a transaction that had not ended when last looked at.
    dirty: set[str] = field(default_factory=set)


_scope: ContextVar[_Scope | None] = ContextVar("sharemall_cache_versions", default=None)


def _connection() -> BaseDatabaseWrapper:
    return connections[DEFAULT_DB_ALIAS]


def _in_transaction(conn: BaseDatabaseWrapper) -> bool:
    """Whether a transaction that may still roll back is open. The atomic blocks a test case
    wraps around each test are not one: for the code under test they stand for the commit it
    never gets (Django marks them `_from_testcase`)."""
    return any(not getattr(block, "_from_testcase", False) for block in conn.atomic_blocks)


def _read_all() -> dict[str, int]:
    with _connection().cursor() as cursor:
        cursor.execute(_READ_SQL)
        return {name: int(version) for name, version in cursor.fetchall()}


def _settled(scope: _Scope) -> None:
    """Forget the dirty marks once the bumping transaction has ended (committed or rolled back,
    it is unknown here): the snapshot is read again, with the outcome in it."""
    if scope.dirty and not _in_transaction(_connection()):
        scope.dirty.clear()
        scope.versions = None


def usable(name: str) -> bool:
    """Whether a cached `name` may be used here and now: in a scope (a request), not bumped by
    this scope's open transaction, and not inside `replica.reads()` (a replica lags: what it
    answers must never be stored under the primary's version)."""
    scope = _scope.get()
    if scope is None:
        return False
    _settled(scope)
    if name in scope.dirty:
        return False
    return not (replica.configured() and replica.read_alias() == replica.REPLICA)


def current(name: str) -> int:
    """The version of `name` this scope compares against (read on first use). Call `usable`
    first."""
    scope = _scope.get()
    if scope is None:
        raise RuntimeError("no cache scope: check usable() first")
    if scope.versions is None:
        scope.versions = _read_all()
    return scope.versions.get(name, 0)  # no row yet: never bumped


def install(found: Mapping[str, int]) -> None:
    """Adopt versions read in another statement (with the caller's member row) as this scope's
    snapshot. They are at least as new as any snapshot already held, so adopting them is safe."""
    scope = _scope.get()
    if scope is not None:
        _settled(scope)
        scope.versions = dict(found)


def bump(name: str) -> int:
    """Give `name` a fresh version, in the caller's transaction: call it in the same
    `transaction.atomic()` as the write (before the write, so nothing in between can be cached
    under the old version by this transaction). Outside a transaction the write and the bump
    would commit separately and another process could cache the old rows under the new
    version in between."""
    if name not in NAMES:
        raise ValueError(f"unknown cache version {name!r}")
    version = secrets.randbits(62)
    conn = _connection()
    with conn.cursor() as cursor:
        cursor.execute(_BUMP_SQL, [name, version])
    scope = _scope.get()
    if scope is not None:
        if _in_transaction(conn):
            scope.dirty.add(name)
        elif scope.versions is not None:
            scope.versions[name] = version  # already committed
    return version


@contextmanager
def scope() -> Iterator[None]:
    """A request-like scope: cached reads in it compare against one snapshot of the versions.
    Inside a scope already open (a request) it joins that one: a scope of its own would leave
    the outer snapshot behind the bumps made inside it."""
    if _scope.get() is not None:
        yield
        return
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(token)


def _request_started(**_: Any) -> None:
    _scope.set(_Scope())


def _request_finished(**_: Any) -> None:
    _scope.set(None)


def connect_signals() -> None:
    """Give each request a scope of its own (CoreConfig.ready)."""
    request_started.connect(_request_started, dispatch_uid="sharemall_versions_started")
    request_finished.connect(_request_finished, dispatch_uid="sharemall_versions_finished")


_caches: weakref.WeakSet[VersionedCache[Any, Any]] = weakref.WeakSet()


class VersionedCache[K: Hashable, V]:
    """key → value, each stored with the version of `name` it was read under.

    `load(keys)` reads the values of several keys in one go and must answer every key it is
    given (a default for what the database does not hold); a cache without one is filled by
    its owner through `peek` and `put` (the bearer tokens). Values are shared between threads
    and requests: they must be immutable (tuples, frozen dataclasses) or copied by the caller.
    Plain dict operations are atomic under the GIL; two threads filling the same key at once
    only do the work twice."""

    def __init__(
        self,
        name: str,
        load: Callable[[list[K]], Mapping[K, V]] | None = None,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
    ) -> None:
        if name not in NAMES:
            raise ValueError(f"unknown cache version {name!r}")
        self.name = name
        self._load = load
        self._max_entries = max_entries
        self._entries: dict[K, tuple[int, V]] = {}
        _caches.add(self)

    def get(self, key: K) -> V:
        return self.get_many([key])[key]

    def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        if self._load is None:
            raise TypeError(f"the {self.name} cache is filled by its owner, not by get()")
        if not usable(self.name):
            return dict(self._load(wanted))
        version = current(self.name)
        found: dict[K, V] = {}
        missing: list[K] = []
        for key in wanted:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                found[key] = entry[1]
            else:
                missing.append(key)
        if missing:
            loaded = self._load(missing)
            for key in missing:
                found[key] = loaded[key]
                self.put(key, version, loaded[key])
        return found

    def peek(self, key: K) -> tuple[int, V] | None:
        """The entry and the version it was stored under, whatever the version is now."""
        return self._entries.get(key)

    def put(self, key: K, version: int, value: V) -> None:
        """Store a value read after (or in the same statement as) `version`."""
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[key] = (version, value)

    def forget(self) -> None:
        self._entries.clear()


def forget_all() -> None:
    """Empty every cache of this process, and leave the scope this context is in: for tests,
    whose database rolls back to a state the versions cannot tell apart (a missing row is
    version 0 again) and where a request whose view raised never sent `request_finished`; and
    after `flush`."""
    for cache in list(_caches):
        cache.forget()
    _scope.set(None)
