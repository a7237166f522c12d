"""Stock taken by checkout and put back on cancellation: conditional, all or nothing."""

import re
from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from tests.factories import product

from sharemall.catalog import services
from sharemall.catalog.models import Sku
from sharemall.core.errors import Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _stock(*skus: Sku) -> list[int]:
    return [Sku.objects.get(pk=s.pk).stock for s in skus]


def test_reserving_takes_the_units_of_every_sku() -> None:
    tea, cup = product(stock=5).skus.get(), product(stock=3).skus.get()

    services.stock_reserve({tea.pk: 5, cup.pk: 1})

    assert _stock(tea, cup) == [0, 2]


def test_one_short_sku_refuses_with_out_of_stock_and_takes_nothing() -> None:
    tea = product(stock=5).skus.get()
    cup = product(stock=1, title="茶杯").skus.get()

    with pytest.raises(Conflict) as refused, transaction.atomic():
        services.stock_reserve({tea.pk: 2, cup.pk: 2})

    error = refused.value
    assert (error.status, error.code, error.details) == (409, "out_of_stock", {"sku_id": cup.pk})
    assert error.message == "Not enough stock of 茶杯."
    assert _stock(tea, cup) == [5, 1]


def test_units_are_reserved_and_returned_in_sku_id_order() -> None:
    first, second = product(stock=5).skus.get(), product(stock=5).skus.get()

    with CaptureQueriesContext(connection) as reserving:
        services.stock_reserve({second.pk: 1, first.pk: 1})
    with CaptureQueriesContext(connection) as returning:
        services.stock_return({second.pk: 1, first.pk: 1})

    for queries in (reserving, returning):
        updated = [
            int(match.group(1))
            for q in queries.captured_queries
            if (match := re.search(r'"id" = (\d+)', q["sql"])) and q["sql"].startswith("UPDATE")
        ]
        assert updated == [first.pk, second.pk]
    assert _stock(first, second) == [5, 5]


def test_returning_puts_the_units_back() -> None:
    tea = product(stock=2).skus.get()

    services.stock_return({tea.pk: 3})

    assert _stock(tea) == [5]
