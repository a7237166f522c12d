"""Training under concurrency: requests from several processes that all find a small mall's
model stale train it once, and none of them fails (PostgreSQL; SQLite queues writers anyway)."""

from __future__ import annotations

import pytest
from conftest import Api
from django.utils import timezone

from sharemall.recommendations import services
from sharemall.recommendations.models import ModelRun, SkuQuality
from tests.factories import MemberFactory, merchant, product
from tests.flows import buy_and_receive
from tests.races import all_at_once, postgres_only

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_trainers_train_once(api: Api) -> None:
    postgres_only()
    shop = merchant()
    item = product(shop, price_fen=1000, stock=10)
    buy_and_receive(api, MemberFactory.create(), item.skus.get(), shop.owner)

    outcomes = all_at_once([lambda: services.model_train(timezone.now()) for _ in range(8)])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o is not None for o in outcomes) == 1
    assert ModelRun.objects.count() == 1
    assert SkuQuality.objects.count() == SkuQuality.objects.values("sku").distinct().count()
