"""An option's price and stock set together: both or neither."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation
from tests.factories import product

from sharemall.catalog import rules, services
from sharemall.catalog.models import Sku
from sharemall.core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_price_and_stock_are_set_together() -> None:
    sku = product(price_fen=9900, stock=10).skus.get()

    services.sku_price_stock_set(sku, price_fen=12000, stock=3)

    assert Sku.objects.values_list("price_fen", "stock").get(pk=sku.pk) == (12000, 3)


def test_a_refused_stock_level_leaves_the_price_unchanged() -> None:
    sku = product(price_fen=9900, stock=10).skus.get()

    with pytest.raises(DomainError):
        services.sku_price_stock_set(sku, price_fen=12000, stock=rules.MAX_STOCK + 1)

    assert Sku.objects.values_list("price_fen", "stock").get(pk=sku.pk) == (9900, 10)


def test_a_list_price_is_kept_and_cleared_with_the_price() -> None:
    sku = product(price_fen=9900, stock=10).skus.get()

    services.sku_price_stock_set(sku, price_fen=9900, stock=10, list_price_fen=12900)
    assert Sku.objects.values_list("list_price_fen", flat=True).get(pk=sku.pk) == 12900

    services.sku_price_stock_set(sku, price_fen=9900, stock=10, list_price_fen=None)
    assert Sku.objects.values_list("list_price_fen", flat=True).get(pk=sku.pk) is None


@pytest.mark.parametrize("list_price_fen", [9900, 5000])
def test_a_list_price_not_above_the_price_is_refused(list_price_fen: int) -> None:
    sku = product(price_fen=9900, stock=10).skus.get()

    with translation.override("en"), pytest.raises(DomainError, match="list price"):
        services.sku_update(sku, list_price_fen=list_price_fen)

    assert Sku.objects.values_list("list_price_fen", flat=True).get(pk=sku.pk) is None


def test_repricing_above_the_list_price_is_refused() -> None:
    sku = product(price_fen=9900, stock=10).skus.get()
    services.sku_update(sku, list_price_fen=12900)

    with translation.override("en"), pytest.raises(DomainError, match="list price"):
        services.sku_update(sku, price_fen=13900)

    assert Sku.objects.values_list("price_fen", "list_price_fen").get(pk=sku.pk) == (9900, 12900)


def test_the_database_refuses_a_list_price_at_or_below_the_price() -> None:
    sku = product(price_fen=9900, stock=10).skus.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Sku.objects.filter(pk=sku.pk).update(list_price_fen=9900)
