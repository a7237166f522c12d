"""An option's price and stock set together: both or neither."""

import pytest
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
