"""The versioned in-process caches: when they answer from memory, when they must not, and that a
change (committed here or by another process) or a rollback never leaves a stale value in use."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.signals import request_started
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sharemall.core import replica, versions
from sharemall.core.models import CacheVersion

pytestmark = pytest.mark.django_db


class Source:
    """A cache over `CacheVersion`'s own table would be circular; this loader reads the value
    of a key from a dict standing for database rows and counts its calls."""

    def __init__(self) -> None:
        self.rows: dict[str, str] = {"a": "A1", "b": "B1"}
        self.loads: list[list[str]] = []

    def load(self, keys: list[str]) -> dict[str, str | None]:
        self.loads.append(list(keys))
        return {k: self.rows.get(k) for k in keys}


@pytest.fixture
def source() -> Source:
    return Source()


@pytest.fixture
def cache(source: Source) -> versions.VersionedCache[str, str | None]:
    return versions.VersionedCache(versions.PLANS, source.load)


def _committed_elsewhere(name: str) -> None:
    """What another process's committed bump leaves in the table (no scope of ours sees it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_cacheversion (name, version) VALUES (%s, %s) "
            "ON CONFLICT (name) DO UPDATE SET version = excluded.version",
            [name, 123456789],
        )


def test_outside_a_scope_every_read_goes_to_the_source(
    source: Source, cache: versions.VersionedCache[str, str | None]
) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert cache.get("a") == "A1"
        assert cache.get("a") == "A1"
    assert source.loads == [["a"], ["a"]]
    assert len(queries) == 0  # not even the versions are read: nothing is kept


def test_in_a_scope_a_second_read_is_a_hit_and_versions_are_read_once(
    source: Source, cache: versions.VersionedCache[str, str | None]
) -> None:
    with versions.scope(), CaptureQueriesContext(connection) as queries:
        assert cache.get_many(["a", "b", "a"]) == {"a": "A1", "b": "B1"}
        assert cache.get("a") == "A1"
        assert cache.get("b") == "B1"
    assert source.loads == [["a", "b"]]
    assert [q["sql"] for q in queries] == ["SELECT name, version FROM core_cacheversion"]
    with versions.scope():  # the next request: same versions, still a hit
        assert cache.get("a") == "A1"
    assert source.loads == [["a", "b"]]


def test_a_bump_by_another_process_is_seen_by_the_next_request(
    source: Source, cache: versions.VersionedCache[str, str | None]
) -> None:
    with versions.scope():
        assert cache.get("a") == "A1"
    source.rows["a"] = "A2"
    _committed_elsewhere(versions.PLANS)
    with versions.scope():
        assert cache.get("a") == "A2"
    assert source.loads == [["a"], ["a"]]


def test_a_scope_opened_inside_a_scope_joins_it(
    source: Source, cache: versions.VersionedCache[str, str | None]
) -> None:
    with versions.scope():
        assert cache.get("a") == "A1"
        with versions.scope():
            source.rows["a"] = "A2"
            versions.bump(versions.PLANS)
        assert cache.get("a") == "A2"


def test_a_bump_of_another_name_keeps_the_entries(
    source: Source, cache: versions.VersionedCache[str, str | None]
) -> None:
    with versions.scope():
        cache.get("a")
    _committed_elsewhere(versions.FREIGHT)
    with versions.scope():
        assert cache.get("a") == "A1"
    assert source.loads == [["a"]]


def test_a_committed_bump_in_the_same_scope_takes_effect_at_once(
    source: Source, cache: versions.VersionedCache[str, str | None]
) -> None:
    with versions.scope():
        assert cache.get("a") == "A1"
        source.rows["a"] = "A2"
        version = versions.bump(versions.PLANS)  # no transaction of its own: committed
        assert versions.current(versions.PLANS) == version
        assert cache.get("a") == "A2"
        assert cache.get("a") == "A2"
    assert source.loads == [["a"], ["a"]]


def test_inside_the_bumping_transaction_reads_bypass_the_cache(
    source: Source, cache: versions.VersionedCache[str, str | None]
) -> None:
    with versions.scope():
        assert cache.get("a") == "A1"
        with transaction.atomic():
            versions.bump(versions.PLANS)
            source.rows["a"] = "A2"
            assert not versions.usable(versions.PLANS)
            assert versions.usable(versions.FREIGHT)
            assert cache.get("a") == "A2"
            assert cache.get("a") == "A2"
        # Committed: the snapshot is read again and the new value kept.
        assert cache.get("a") == "A2"
        assert cache.get("a") == "A2"
    assert source.loads == [["a"], ["a"], ["a"], ["a"]]


def test_a_rolled_back_bump_never_serves_the_uncommitted_value(
    source: Source, cache: versions.VersionedCache[str, str | None]
) -> None:
    before = CacheVersion.objects.filter(name=versions.PLANS).first()
    with versions.scope():
        assert cache.get("a") == "A1"
        with pytest.raises(RuntimeError), transaction.atomic():
            versions.bump(versions.PLANS)
            source.rows["a"] = "A2"  # the write of the transaction …
            assert cache.get("a") == "A2"  # … which it sees itself, without storing it
            raise RuntimeError
        source.rows["a"] = "A1"  # … rolled back
        assert cache.get("a") == "A1"
    with versions.scope():
        assert cache.get("a") == "A1"
    assert CacheVersion.objects.filter(name=versions.PLANS).first() == before


def test_versions_are_random_not_counted(cache: versions.VersionedCache[str, str | None]) -> None:
    """A counter would give a rolled-back bump and the next committed one the same number."""
    with pytest.raises(RuntimeError), transaction.atomic():
        rolled_back = versions.bump(versions.PLANS)
        raise RuntimeError
    committed = versions.bump(versions.PLANS)
    assert committed != rolled_back
    assert CacheVersion.objects.get(name=versions.PLANS).version == committed
    assert 0 < committed < 2**62


def test_a_missing_row_is_version_zero_and_an_unknown_name_is_refused() -> None:
    with versions.scope():
        assert versions.current(versions.LEDGER) == 0
    with pytest.raises(ValueError, match="unknown cache version"):
        versions.bump("nothing")
    with pytest.raises(ValueError, match="unknown cache version"):
        versions.VersionedCache("nothing", lambda keys: {})


def test_reads_from_a_replica_are_never_stored(
    source: Source, cache: versions.VersionedCache[str, str | None], monkeypatch: Any
) -> None:
    monkeypatch.setattr(replica, "configured", lambda: True)
    monkeypatch.setattr(replica, "read_alias", lambda **_: replica.REPLICA)
    with versions.scope():
        cache.get("a")
        cache.get("a")
    assert source.loads == [["a"], ["a"]]


def test_a_full_cache_starts_again(source: Source) -> None:
    small: versions.VersionedCache[str, str | None] = versions.VersionedCache(
        versions.PLANS, source.load, max_entries=2
    )
    source.rows["c"] = "C1"
    with versions.scope():
        small.get_many(["a", "b"])
        small.get("c")  # full: emptied, then c stored
        small.get("c")
        small.get("a")
    assert source.loads == [["a", "b"], ["c"], ["a"]]


def test_forget_all_empties_every_cache(
    source: Source, cache: versions.VersionedCache[str, str | None]
) -> None:
    with versions.scope():
        cache.get("a")
    versions.forget_all()
    with versions.scope():
        cache.get("a")
    assert source.loads == [["a"], ["a"]]


def test_forget_all_leaves_a_scope_left_open() -> None:
    versions._request_started()  # a request whose view raised: request_finished never came
    assert versions.usable(versions.PLANS)
    versions.forget_all()
    assert not versions.usable(versions.PLANS)


def test_each_request_gets_its_own_scope(client: Any) -> None:
    """The request signals open a scope for the request and close it after. (Receivers run in
    the order they were connected; ours was connected when the app was ready.)"""
    seen: list[versions._Scope | None] = []

    def spy(**_: Any) -> None:
        seen.append(versions._scope.get())

    request_started.connect(spy)
    try:
        client.get("/api/v1/no-such-thing")
        client.get("/api/v1/no-such-thing")
    finally:
        request_started.disconnect(spy)
    first, second = seen
    assert first is not None and second is not None and first is not second
    assert versions._scope.get() is None
