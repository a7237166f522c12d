"""A starter's concurrent buys of one bargain run on PostgreSQL: exactly one order, the others a
clean 409. Skipped on SQLite, which serialises writers."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest
from tests.factories import MemberFactory, merchant, product
from tests.races import all_at_once, postgres_only

from sharemall.catalog.models import Sku
from sharemall.checkout import services as checkout
from sharemall.checkout import services_promotions
from sharemall.core.errors import DomainError
from sharemall.orders.models import Order
from sharemall.promotions.models import BargainRun
from sharemall.promotions.rules import bargains as rules
from sharemall.promotions.services import bargains

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EXPRESS = checkout.Delivery("express", "440305", "路 1 号", "收件人", "13912345678")


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    postgres_only()


def test_concurrent_buys_of_one_run_make_one_order() -> None:
    m = merchant()
    sku = product(m, price_fen=3000, stock=50).skus.get()
    bargain = bargains.bargain_create(
        m, sku_id=sku.pk, floor_price_fen=500, helpers_needed=2, hours=24
    )
    starter = MemberFactory.create()
    run = bargains.run_start(bargain.pk, starter=starter).run
    for _ in range(2):
        bargains.run_help(run.pk, helper=MemberFactory.create())
    tasks: list[Callable[[], object]] = [
        partial(services_promotions.bargain_buy, buyer=starter, run_id=run.pk, delivery=EXPRESS)
        for _ in range(12)
    ]

    outcomes = all_at_once(tasks)

    won = [o for o in outcomes if isinstance(o, checkout.CheckoutResult)]
    lost = [o for o in outcomes if not isinstance(o, checkout.CheckoutResult)]
    assert len(won) == 1, outcomes
    assert all(isinstance(e, DomainError) and e.status == 409 for e in lost), lost
    assert {e.code for e in lost if isinstance(e, DomainError)} <= {"bargain_closed"}
    (order,) = Order.objects.filter(buyer=starter)
    assert order.lines.get().paid_fen == 500
    saved = BargainRun.objects.get(pk=run.pk)
    assert (saved.status, saved.order_id) == (rules.ORDERED, order.pk)
    assert Sku.objects.get(pk=sku.pk).stock == 49
