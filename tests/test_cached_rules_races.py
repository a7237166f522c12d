"""The versioned caches against a writer on another connection (PostgreSQL): while the writer's
transaction is open every reader keeps the committed rule; once it commits the next read has
the new one; if it rolls back, its rule is never served by anyone."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connections, transaction

from sharemall.accounts.models import Member
from sharemall.catalog.models import Sku
from sharemall.core import versions
from sharemall.distribution import rules
from sharemall.distribution.selectors import plans_for
from sharemall.distribution.services.plans import plan_set
from sharemall.merchants.models import Merchant
from tests.factories import merchant, product
from tests.races import postgres_only

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _plan(discount_bp: int) -> rules.Plan:
    return rules.Plan(rules.BP, 2000, discount_bp, (800, 400, 200), 0)


class Writer:
    """Changes the merchant's plan on its own connection and holds the transaction open until
    told to commit or roll back."""

    def __init__(self, m: Merchant, actor: Member, discount_bp: int) -> None:
        self.written = threading.Event()
        self.finish = threading.Event()
        self.commit = True
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(m, actor, discount_bp))

    def _run(self, m: Merchant, actor: Member, discount_bp: int) -> None:
        try:
            with transaction.atomic():
                plan_set(m, actor=actor, plan=_plan(discount_bp))
                self.written.set()
                self.finish.wait(timeout=30)
                if not self.commit:
                    raise _RolledBack
        except _RolledBack:
            pass
        except BaseException as exc:
            self.error = exc
            self.written.set()
        finally:
            connections.close_all()

    def __enter__(self) -> Writer:
        self._thread.start()
        assert self.written.wait(timeout=30)
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish.set()
        self._thread.join(timeout=30)
        assert self.error is None, self.error


class _RolledBack(Exception):
    pass


@pytest.fixture
def shop() -> Iterator[tuple[Merchant, Sku]]:
    postgres_only()
    m = merchant()
    plan_set(m, actor=m.owner, plan=_plan(500))
    yield m, product(m, price_fen=10000, stock=5).skus.select_related("product").get()


def _discount(sku: Sku) -> Callable[[], Any]:
    def read() -> int:
        with versions.scope():
            plan = plans_for([sku])[sku.pk]
            assert plan is not None
            return plan.buyer_discount

    return read


def test_readers_keep_the_committed_plan_until_the_writer_commits(shop: Any) -> None:
    m, sku = shop
    read = _discount(sku)
    assert read() == 500
    with Writer(m, m.owner, 300):
        assert read() == 500  # uncommitted: not seen, and the cached 500 still current
        assert read() == 500
    assert read() == 300
    assert read() == 300


def test_a_rolled_back_change_is_never_served(shop: Any) -> None:
    m, sku = shop
    read = _discount(sku)
    writer = Writer(m, m.owner, 300)
    writer.commit = False
    with writer:
        assert read() == 500
    assert read() == 500
    versions.forget_all()  # a process that starts afresh reads the same
    assert read() == 500
