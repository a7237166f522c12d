"""Reads from a replica through the router (docs/SCALING.md): only the chosen selectors, never
in a transaction, never after the request wrote; writes always on the primary.

The routing tests need a `replica` alias: run them with DATABASE_REPLICA_URL set to the same
server as DATABASE_URL, e.g.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sm DATABASE_REPLICA_URL=$DATABASE_URL \\
        pytest tests/test_replica.py

The replica's test database mirrors the primary's (TEST: MIRROR), so it reads the same rows
over its own connection, and each connection's query log says which one a read took.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sharemall.analytics.selectors import dashboard
from sharemall.catalog.selectors import storefront_products
from sharemall.config import settings as config
from sharemall.core import replica
from sharemall.recommendations.training_data import training_data
from tests.factories import MemberFactory, product

needs_replica = pytest.mark.skipif(
    "replica" not in settings.DATABASES, reason="set DATABASE_REPLICA_URL to route reads"
)


@contextmanager
def queries() -> Iterator[dict[str, CaptureQueriesContext]]:
    logs = {alias: CaptureQueriesContext(connections[alias]) for alias in settings.DATABASES}
    for log in logs.values():
        log.__enter__()
    try:
        yield logs
    finally:
        for log in logs.values():
            log.__exit__(None, None, None)


def _reads(log: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in log.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    ]


def _writes(log: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in log.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


# --- settings -------------------------------------------------------------------------------------


def test_a_replica_needs_the_primary_s_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured  # noqa: PLC0415

    primary = {"ENGINE": "django.db.backends.postgresql"}
    monkeypatch.setenv("DATABASE_REPLICA_URL", "sqlite:///other.db")
    with pytest.raises(ImproperlyConfigured, match="same engine"):
        config._replica(primary)
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader@replica.internal:5432/sharemall")
    found = config._replica(primary)
    assert found is not None
    assert found["HOST"] == "replica.internal"
    assert found["TEST"] == {"MIRROR": "default"}
    monkeypatch.delenv("DATABASE_REPLICA_URL")
    assert config._replica(primary) is None


@pytest.mark.skipif("replica" in settings.DATABASES, reason="a replica is configured")
@pytest.mark.django_db
def test_without_a_replica_nothing_changes() -> None:
    assert list(settings.DATABASES) == [DEFAULT_DB_ALIAS]
    assert not getattr(settings, "DATABASE_ROUTERS", [])
    assert "sharemall.config.db_router.ReplicaScopeMiddleware" not in settings.MIDDLEWARE
    with replica.scope(), replica.reads():
        assert replica.read_alias() == DEFAULT_DB_ALIAS
        qs = storefront_products()
        assert qs.db == DEFAULT_DB_ALIAS


# --- routing --------------------------------------------------------------------------------------


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, "replica"])
def test_the_chosen_selectors_read_the_replica() -> None:
    p = product(stock=3)
    with replica.scope(), queries() as log:
        dashboard(p.merchant_id, 7)
        assert list(storefront_products())
        training_data(p.created_at)
    assert _reads(log["replica"]), "nothing went to the replica"
    assert not _reads(log[DEFAULT_DB_ALIAS]), _reads(log[DEFAULT_DB_ALIAS])


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, "replica"])
def test_other_reads_and_every_write_use_the_primary() -> None:
    p = product(stock=3)
    with replica.scope(), queries() as log, replica.reads():
        MemberFactory.create()  # a write, even inside reads()
    assert _writes(log[DEFAULT_DB_ALIAS])
    assert not log["replica"].captured_queries
    with replica.scope(), queries() as log:
        assert p.merchant.legal_name  # an ordinary read, outside reads()
        list(p.skus.all())
    assert not log["replica"].captured_queries


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, "replica"])
def test_after_a_write_the_request_reads_its_own_writes_on_the_primary() -> None:
    p = product(stock=3)
    with replica.scope(), queries() as log:
        MemberFactory.create()
        dashboard(p.merchant_id, 7)
        assert list(storefront_products())
    assert not log["replica"].captured_queries
    assert _reads(log[DEFAULT_DB_ALIAS])


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, "replica"])
def test_atomic_blocks_stay_on_the_primary() -> None:
    p = product(stock=3)
    with replica.scope(), queries() as log, transaction.atomic():
        dashboard(p.merchant_id, 7)
        assert list(storefront_products())
    assert not log["replica"].captured_queries


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, "replica"])
def test_requests_get_their_own_scope() -> None:
    """A GET's storefront list reads the replica; a POST reads the primary throughout; a
    write in one request does not pin the next one to the primary."""
    p = product(stock=3)
    client = Client()
    with queries() as log:
        assert client.get("/api/v1/products").status_code == 200
    assert _reads(log["replica"])
    replica.wrote()  # this test's own context wrote: requests start afresh all the same
    with queries() as log:
        assert client.get("/api/v1/products").status_code == 200
    assert _reads(log["replica"])
    with queries() as log:
        client.post("/api/v1/shares", {"target_type": "product", "target_id": p.pk})
    assert not log["replica"].captured_queries
