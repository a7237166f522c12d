"""Matching through the API: a sharer's audience steers 为你推荐, buyers get 猜你喜欢 and
bought-together lists, and sharers' tags are theirs to set."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from conftest import Api

from sharemall.catalog.models import Category, Product, Sku
from sharemall.merchants.models import Merchant
from sharemall.recommendations import serving
from sharemall.recommendations.models import ModelRun
from tests import factories
from tests.flows import buy, pay, register, share

pytestmark = pytest.mark.django_db


def _product(merchant: Merchant, category: Category, title: str, price_fen: int = 5000) -> Product:
    p = factories.product(merchant, title=title, price_fen=price_fen, stock=500)
    Product.objects.filter(pk=p.pk).update(category=category)
    return p


def _sku(p: Product) -> int:
    return Sku.objects.filter(product=p).values_list("pk", flat=True).get()


def _buy(api: Api, token: str, product: Product, **extra: object) -> None:
    order = buy(api, token, _sku(product), **extra)
    pay(api, token, order["payment_id"])


@dataclass
class Mall:
    sharer: str
    teas: list[Product]
    creams: list[Product]
    team: list[str]


@pytest.fixture
def mall(api: Api) -> Mall:
    """Cosmetics sell best across the mall; the sharer's team buys tea."""
    merchant = factories.merchant()
    tea, beauty = Category.objects.create(name="茶叶"), Category.objects.create(name="美妆")
    teas = [_product(merchant, tea, t) for t in ("西湖龙井", "正山小种", "普洱饼")]
    creams = [_product(merchant, beauty, t) for t in ("面霜", "口红", "精华")]
    _, sharer = register(api, "13800000001")
    code = share(api, sharer, teas[0].pk)
    for n in range(12):
        _, buyer = register(api, f"1370000{n:04d}")
        for cream in creams:
            _buy(api, buyer, cream)
    team = []
    for n in range(5):
        _, member = register(api, f"1360000{n:04d}", share_code=code)
        team.append(member)
        _buy(api, member, teas[0], share_code=code)
        _buy(api, member, teas[1])
    return Mall(sharer, teas, creams, team)


def test_a_sharer_whose_audience_buys_tea_sees_tea_above_cosmetics(api: Api, mall: Mall) -> None:
    answer = api.get("/me/recommended-products", as_=mall.sharer)
    assert answer.status == 200, answer.body
    order = [item["product_id"] for item in answer.body]
    teas = [p.pk for p in mall.teas]
    creams = [p.pk for p in mall.creams]
    assert max(order.index(t) for t in teas) < min(order.index(c) for c in creams)
    first = answer.body[0]
    assert set(first) >= {"product_id", "score", "reasons", "title", "price_from_fen"}
    assert any("茶叶" in reason for reason in first["reasons"]), first["reasons"]
    # Trained by the request itself: the mall is small and had no model.
    assert ModelRun.objects.count() == 1


def test_a_new_sale_counts_at_once_on_a_small_mall(api: Api, mall: Mall) -> None:
    sharer = mall.sharer
    api.get("/me/recommended-products", as_=sharer)
    creams = mall.creams
    for member in mall.team:
        for _ in range(3):
            _buy(api, member, creams[2])
    serving.forget()  # the next request looks for changes at once, not a second later
    order = [i["product_id"] for i in api.get("/me/recommended-products", as_=sharer).body]
    assert order.index(creams[2].pk) < order.index(creams[0].pk)


def test_buyers_get_bought_together_and_guesses(api: Api, mall: Mall) -> None:
    teas = mall.teas
    together = api.get(f"/products/{teas[0].pk}/bought-together")
    assert together.status == 200
    assert together.body[0]["product_id"] == teas[1].pk
    assert all(item["product_id"] != teas[0].pk for item in together.body)

    visitor = api.get("/recommended-products?limit=4")
    assert visitor.status == 200
    assert len(visitor.body) == 4
    assert {"reasons", "score", "product_id"} <= set(visitor.body[0])

    member = mall.team[0]
    mine = [i["product_id"] for i in api.get("/recommended-products", as_=member).body]
    assert teas[0].pk not in mine and teas[1].pk not in mine  # already bought

    # A new member bound to the sharer starts from what the sharer shared.
    _, newcomer = register(api, "13500000001", share_code=share(api, mall.sharer, teas[2].pk))
    first = api.get("/recommended-products", as_=newcomer).body[0]
    assert first["product_id"] in {teas[0].pk, teas[2].pk}

    assert api.get("/products/999999/bought-together").status == 404


def test_sharers_set_their_tags(api: Api, mall: Mall) -> None:
    sharer = mall.sharer
    snacks = Category.objects.create(name="零食")
    nuts = _product(mall.teas[0].merchant, snacks, "坚果礼盒 简约", 1990)
    body = {
        "category_ids": [snacks.pk],
        "price_min_fen": 1000,
        "price_max_fen": 3000,
        "styles": ["简约"],
    }
    answer = api.put("/me/recommendation-tags", body, as_=sharer)
    assert answer.status == 200, answer.body
    assert api.get("/me/recommendation-tags", as_=sharer).body == body
    serving.forget()
    got = api.get("/me/recommended-products", as_=sharer).body
    mine = next(i for i in got if i["product_id"] == nuts.pk)
    assert any("零食" in r for r in mine["reasons"]), mine

    bad = api.put("/me/recommendation-tags", {**body, "price_min_fen": 5000}, as_=sharer)
    assert bad.status == 400 and bad.body["error"]["code"] == "invalid_tags"
    missing = api.put("/me/recommendation-tags", {"category_ids": [987654]}, as_=sharer)
    assert missing.status == 400 and missing.body["error"]["code"] == "invalid_tags"
    assert api.get("/me/recommended-products").status == 401
