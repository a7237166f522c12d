"""Races on PostgreSQL around one bargain run: many friends (and the same friends twice) help at
once; exactly K helps count, none twice, and the price lands exactly on the floor. Skipped on
SQLite, which serialises writers."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest
from tests.factories import MemberFactory, merchant, product
from tests.races import all_at_once, postgres_only

from sharemall.core.errors import DomainError
from sharemall.promotions.models import BargainHelp, BargainRun
from sharemall.promotions.rules import bargains as rules
from sharemall.promotions.services import bargains as services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    postgres_only()


@pytest.mark.parametrize("k", [5, 12])
def test_concurrent_helps_stop_at_exactly_k_and_land_on_the_floor(k: int) -> None:
    m = merchant()
    sku = product(m, price_fen=8888).skus.get()
    bargain = services.bargain_create(
        m, sku_id=sku.pk, floor_price_fen=888, helpers_needed=k, hours=24
    )
    run = services.run_start(bargain.pk, starter=MemberFactory.create()).run
    friends = MemberFactory.create_batch(k + 8)
    # Every friend helps, some of them three times over, all released together.
    tasks: list[Callable[[], object]] = [
        partial(services.run_help, run.pk, helper=f, device_id=f"dev-{f.pk}")
        for f in friends
        for _ in range(3 if f.pk % 2 else 1)
    ]

    outcomes = all_at_once(tasks)

    won = [o for o in outcomes if isinstance(o, services.Helped)]
    lost = [o for o in outcomes if not isinstance(o, services.Helped)]
    assert len(won) == k
    assert all(isinstance(e, DomainError) for e in lost), lost
    assert {e.code for e in lost} <= {"cannot_help", "floor_reached"}
    assert sorted(h.seq for h in won) == list(range(1, k + 1))
    assert [h.floor_reached for h in sorted(won, key=lambda h: h.seq)] == [False] * (k - 1) + [True]

    run.refresh_from_db()
    assert (run.helps, run.current_price_fen) == (k, 888)
    helps = list(BargainHelp.objects.filter(run=run).order_by("seq"))
    assert len(helps) == k
    assert len({h.helper_id for h in helps}) == k
    assert [h.cut_fen for h in helps] == rules.cuts(8888 - 888, k, run.seed)
    assert helps[-1].price_after_fen == 888


def test_concurrent_starts_by_one_member_open_one_run() -> None:
    m = merchant()
    sku = product(m, price_fen=5000).skus.get()
    bargain = services.bargain_create(
        m, sku_id=sku.pk, floor_price_fen=100, helpers_needed=3, hours=24
    )
    starter = MemberFactory.create()

    outcomes = all_at_once(
        [lambda: services.run_start(bargain.pk, starter=starter) for _ in range(20)]
    )

    assert all(isinstance(o, services.Started) for o in outcomes), outcomes
    assert len({o.run.pk for o in outcomes}) == 1
    assert BargainRun.objects.filter(bargain=bargain).count() == 1
