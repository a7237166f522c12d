"""Demoted products (the quality feedback, docs/quality.md) come after the others in the
storefront's lists and searches; within each group the usual order holds."""

from __future__ import annotations

import pytest
from conftest import Api
from tests.factories import merchant

from sharemall.catalog import search, selectors, services
from sharemall.catalog.models import Product
from sharemall.merchants.models import Merchant

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop() -> Merchant:
    return merchant()


def listed(shop: Merchant, title: str, *, description: str = "") -> Product:
    created = services.product_create(
        shop,
        title=title,
        description=description,
        skus=[services.SkuDraft("标准装", 1990, 5)],
    )
    return services.product_publish(created)


def test_a_demoted_product_is_listed_after_the_others_newest_first_in_each(shop: Merchant) -> None:
    listed(shop, "一号")
    listed(shop, "二号")
    listed(shop, "三号")
    listed(shop, "四号")
    services.products_demote(
        list(Product.objects.filter(title__in=["二号", "四号"]).values_list("pk", flat=True))
    )

    found = [p.title for p in selectors.storefront_products()]

    assert found == ["三号", "一号", "四号", "二号"]


def test_lifting_the_demotion_restores_the_usual_place(shop: Merchant) -> None:
    first = listed(shop, "一号")
    listed(shop, "二号")
    services.products_demote([first.pk])
    assert [p.title for p in selectors.storefront_products()] == ["二号", "一号"]

    services.products_demote([])

    assert [p.title for p in selectors.storefront_products()] == ["二号", "一号"]
    newest = listed(shop, "三号")
    services.products_demote([newest.pk])
    assert [p.title for p in selectors.storefront_products()] == ["二号", "一号", "三号"]


def test_a_demoted_match_follows_less_relevant_ones_and_keeps_its_rank_among_demoted(
    shop: Merchant,
) -> None:
    best = listed(shop, "普洱茶饼")
    listed(shop, "紫砂壶", description="最适合冲泡普洱")
    also_demoted = listed(shop, "茶盘", description="放普洱茶")
    listed(shop, "不锈钢锅")
    services.products_demote([best.pk, also_demoted.pk])

    found = list(search.search_products(selectors.visible_products(None), "普洱"))

    assert [p.title for p in found] == ["紫砂壶", "普洱茶饼", "茶盘"]


def test_equally_relevant_matches_stay_newest_first_within_each_group(shop: Merchant) -> None:
    one = listed(shop, "绿豆糕 一号")
    listed(shop, "绿豆糕 二号")
    three = listed(shop, "绿豆糕 三号")
    listed(shop, "绿豆糕 四号")
    services.products_demote([one.pk, three.pk])

    found = [p.title for p in selectors.storefront_products(query="绿豆糕")]

    assert found == ["绿豆糕 四号", "绿豆糕 二号", "绿豆糕 三号", "绿豆糕 一号"]


def test_the_storefront_api_lists_demoted_products_last(api: Api, shop: Merchant) -> None:
    demoted = listed(shop, "旧款")
    listed(shop, "新款甲")
    services.products_demote([demoted.pk])
    listed(shop, "新款乙")

    plain = api.client.get("/api/v1/products").json()
    searched = api.client.get("/api/v1/products", {"q": "款"}).json()

    assert [p["title"] for p in plain] == ["新款乙", "新款甲", "旧款"]
    assert [p["title"] for p in searched][-1] == "旧款"
