"""The pure model on small hand-made histories."""

from __future__ import annotations

from sharemall.recommendations.model import (
    Index,
    ProductInfo,
    Purchase,
    Scored,
    Tags,
    TrainingData,
    build,
)
from sharemall.recommendations.quality import SkuFacts

TEA, BEAUTY, SNACK = 1, 2, 3
NAMES = {TEA: "茶叶", BEAUTY: "美妆", SNACK: "零食"}
DAY = 86_400.0
NOW = 1_800_000_000.0


def product(pid: int, category: int, price: int = 5_000, title: str = "") -> ProductInfo:
    return ProductInfo(pid, 1, category, NAMES[category], price, True, title or f"p{pid}")


PRODUCTS = [
    product(10, TEA, title="明前龙井 绿茶"),
    product(11, TEA, title="正山小种 红茶"),
    product(12, TEA, 30_000, title="普洱 礼盒"),
    product(20, BEAUTY),
    product(21, BEAUTY),
    product(22, BEAUTY),
    product(30, SNACK, 1_500),
]


def purchases() -> list[Purchase]:
    out: list[Purchase] = []
    basket = 0
    # Cosmetics sell best across the mall ...
    for member in range(1000, 1060):
        for pid in (20, 21, 22):
            basket += 1
            out.append(Purchase(member, pid, basket, NOW - 2 * DAY))
    # ... while sharer 1's team (members 1..9) buys tea, 10 and 11 together.
    for member in range(1, 10):
        basket += 1
        out.append(Purchase(member, 10, basket, NOW - 3 * DAY))
        out.append(Purchase(member, 11, basket, NOW - 3 * DAY))
    return out


def data(**extra: object) -> TrainingData:
    base: dict[str, object] = {
        "now": NOW,
        "products": PRODUCTS,
        "purchases": purchases(),
        "teams": {500: list(range(1, 10))},
    }
    base.update(extra)
    return TrainingData(**base)  # type: ignore[arg-type]


def ranks(items: list[Scored]) -> list[int]:
    return [s.product_id for s in items]


def test_a_sharer_whose_audience_buys_tea_sees_tea_first() -> None:
    index = build(data())
    got = index.for_sharer(500, limit=7)
    order = ranks(got)
    assert order.index(10) < order.index(20)
    assert order.index(12) < order.index(20)  # tea the team never bought still beats cosmetics
    assert ("audience_category", "茶叶") in got[0].reasons


def test_a_sharer_with_no_audience_gets_the_popular_list() -> None:
    order = ranks(build(data()).for_sharer(999, limit=3))
    assert set(order) == {20, 21, 22}


def test_tags_steer_a_new_sharer() -> None:
    index = build(data())
    got = index.for_sharer(999, Tags(category_ids=frozenset({SNACK})), limit=2)
    assert got[0].product_id == 30
    assert ("tag_category", "零食") in got[0].reasons
    styled = index.for_sharer(999, Tags(styles=("红茶",)), limit=1)
    assert styled[0].product_id == 11


def test_returns_demote_a_product() -> None:
    bad = SkuFacts(
        sku_id=200, product_id=20, merchant_id=1, orders=60, units=60, returns=30, complaints=0
    )
    index = build(data(skus=[bad]))
    assert index.demoted == frozenset({20})
    assert 20 not in ranks(index.for_sharer(999, limit=2))
    assert ranks(index.popular(limit=7))[-1] == 20
    assert 20 not in build(data(skus=[bad], demote=False)).demoted


def test_bought_together_and_buyer_history() -> None:
    index = build(data())
    assert index.bought_together(10)[0] == 11
    got = index.for_buyer([10], limit=3)
    assert got[0].product_id == 11
    assert 10 not in ranks(got)
    assert ranks(index.for_buyer([], limit=2))  # cold start: popular


def test_an_index_survives_its_bytes() -> None:
    index = build(data())
    again = Index.from_bytes(index.to_bytes())
    assert ranks(again.for_sharer(500, limit=7)) == ranks(index.for_sharer(500, limit=7))
    assert again.bought_together(10) == index.bought_together(10)


def test_empty_history_builds() -> None:
    index = build(TrainingData(now=NOW, products=PRODUCTS, purchases=[]))
    assert len(index.popular(limit=3)) == 3
    assert index.for_sharer(1, limit=3)
    assert build(TrainingData(now=NOW, products=[], purchases=[])).popular(limit=3) == []


def test_returns_lower_a_product_before_it_can_be_demoted() -> None:
    # Five orders, four returns: too few to demote, enough to fall behind its peers.
    returned = SkuFacts(
        sku_id=210, product_id=21, merchant_id=1, orders=5, units=5, returns=4, complaints=0
    )
    index = build(data(skus=[returned]))
    assert index.demoted == frozenset()
    popular = ranks(index.popular(limit=7))
    assert popular.index(21) > max(popular.index(20), popular.index(22))
    assert 21 in ranks(build(data()).for_sharer(999, limit=3))
    assert 21 not in ranks(index.for_sharer(999, limit=3))


def test_without_categories_the_audience_still_steers() -> None:
    bare = [ProductInfo(p.product_id, 1, None, "", p.price_fen, True, p.text) for p in PRODUCTS]
    index = build(data(products=bare))
    order = ranks(index.for_sharer(500, limit=7))
    assert max(order.index(10), order.index(11)) < min(order.index(20), order.index(21))
