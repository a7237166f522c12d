"""Storefront search with Chinese word segmentation, on SQLite (FTS5) and PostgreSQL (tsvector).

CI runs the suite on both databases, and so every test here runs on both, except the query-plan
test (SQLite's plan) and the race test (PostgreSQL: SQLite's writers queue anyway).
"""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from conftest import Api
from django.apps import apps as django_apps
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet
from django.test import Client, RequestFactory
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django import DjangoAssertNumQueries
from tests.factories import CategoryFactory, OperatorFactory, merchant

from sharemall.catalog import importing, search, selectors, services
from sharemall.catalog.admin import CategoryAdmin, ProductAdmin
from sharemall.catalog.models import Category, Product, ProductSearch
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant

pytestmark = pytest.mark.django_db

HOSTILE = [
    '"',
    '""',
    "'",
    "*",
    "茶*",
    "NEAR",
    "NEAR(普洱 熟茶, 2)",
    "-普洱",
    "普洱 -熟茶",
    "普洱 OR 1=1",
    "' OR '1'='1",
    "'; DROP TABLE catalog_product; --",
    "title:普洱",
    "{title body}: 普洱",
    "^普洱",
    "普洱 & 熟茶 | !茶",
    "普洱:*",
    "\x00",
    "普洱\x00熟茶",
    "🍵🍵🍵",
    "\u200b\u200d",
    "%_%",
    "\\",
    "ᾅ" * 100,
    "茶" * 500,
    "",
    " ",
]


def listed(
    shop: Merchant,
    title: str,
    *,
    description: str = "",
    category_id: int | None = None,
    skus: tuple[str, ...] = ("标准装",),
) -> Product:
    """A product as a merchant lists it: created and published through the services."""
    created = services.product_create(
        shop,
        title=title,
        description=description,
        category_id=category_id,
        skus=[services.SkuDraft(name, 1990, 5) for name in skus],
    )
    return services.product_publish(created)


def titles(query: str, products: QuerySet[Product] | None = None) -> list[str]:
    """What a stranger finds, or what `products` holds that matches."""
    if products is None:
        products = selectors.visible_products(None)
    return [p.title for p in search.search_products(products, query)]


def storefront(api: Api, query: str) -> list[str]:
    answer = api.client.get("/api/v1/products", {"q": query})
    assert answer.status_code == 200, answer.content
    return [p["title"] for p in answer.json()]


@pytest.fixture
def shop() -> Merchant:
    return merchant()


# Segmentation: pure, no database.


def test_segment_cuts_chinese_into_words_in_search_mode() -> None:
    assert search.segment("云南普洱熟茶饼") == ["云南", "普洱", "熟茶", "饼"]
    # Search mode also gives the shorter dictionary words inside a long one.
    assert search.segment("武夷山大红袍") == ["武夷", "武夷山", "大红", "红袍", "大红袍"]


def test_segment_keeps_latin_words_and_numbers_whole_lower_cased() -> None:
    assert search.segment("iPhone 15 手机壳") == ["iphone", "15", "手机", "壳"]
    assert search.segment("Apple iPhone15 Pro") == ["apple", "iphone", "15", "pro"]


def test_segment_normalises_full_width_and_drops_punctuation_and_symbols() -> None:
    assert search.segment("【包邮】ＩＰＨＯＮＥ１５，手机壳！🍵") == [
        "包邮",
        "iphone",
        "15",
        "手机",
        "壳",
    ]
    assert search.segment("!!! ... —— 🍵 \x00") == []


def test_index_words_add_every_chinese_character_for_one_character_queries() -> None:
    assert search.index_words("绿茶 250g") == ["绿茶", "绿", "茶", "250", "g"]


def test_query_words_are_distinct_and_cut_at_the_length_limit() -> None:
    assert search.query_words("普洱 普洱 熟茶") == ["普洱", "熟茶"]
    long_query = "a" * search.MAX_QUERY_CHARS + " 普洱"
    assert search.query_words(long_query) == ["a" * search.MAX_QUERY_CHARS]


def test_jieba_loads_quietly_once_with_its_cache_in_a_private_directory(tmp_path: Path) -> None:
    # A fresh process with an empty temp dir: the dictionary is built and cached there.
    code = (
        "import django; django.setup()\n"
        "from sharemall.catalog import search\n"
        "print(search.segment('云南普洱'), search.segment('熟茶'))\n"
    )
    env = {
        **os.environ,
        "TMPDIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "sharemall.config.test_settings",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )

    assert done.stdout == "['云南', '普洱'] ['熟茶']\n"
    assert done.stderr == ""  # jieba's "Building prefix dict…" chatter is silenced
    cache_dir = tmp_path / f"sharemall-jieba-{os.getuid()}"
    assert (cache_dir / "jieba.cache").is_file()
    assert cache_dir.stat().st_mode & 0o777 == 0o700


# Finding products.


def test_chinese_title_is_found_by_each_of_its_words(shop: Merchant) -> None:
    listed(shop, "云南普洱熟茶饼 357g")
    listed(shop, "西湖龙井 明前特级绿茶")

    for word in ["普洱", "熟茶", "云南", "云南普洱", "普洱熟茶饼", "357g", "357"]:
        assert titles(word) == ["云南普洱熟茶饼 357g"], word
    assert sorted(titles("茶")) == ["云南普洱熟茶饼 357g", "西湖龙井 明前特级绿茶"]
    assert titles("红茶") == []
    assert titles("普洱 龙井") == []  # every word must match


def test_mixed_chinese_and_latin_title_is_found_by_either(shop: Merchant) -> None:
    listed(shop, "iPhone 15 手机壳 磨砂防摔")
    listed(shop, "华为 Mate 60 手机壳")

    assert titles("iphone") == ["iPhone 15 手机壳 磨砂防摔"]
    assert titles("IPHONE１５") == ["iPhone 15 手机壳 磨砂防摔"]
    assert titles("手机壳") == ["华为 Mate 60 手机壳", "iPhone 15 手机壳 磨砂防摔"]
    assert titles("iphone 手机壳") == ["iPhone 15 手机壳 磨砂防摔"]
    assert titles("iphone 16") == []


def test_description_category_and_sku_names_are_searchable(shop: Merchant) -> None:
    drinks = CategoryFactory.create(name="饮品")
    tea = CategoryFactory.create(name="茶叶", parent=drinks)
    listed(
        shop,
        "明前特级",
        description="产自杭州西湖核心产区",
        category_id=tea.pk,
        skus=("250克罐装", "礼盒装"),
    )

    for word in ["杭州", "西湖", "茶叶", "饮品", "罐装", "礼盒"]:
        assert titles(word) == ["明前特级"], word


def test_a_title_match_ranks_above_a_description_only_match(shop: Merchant) -> None:
    for filler in ["不锈钢炒锅", "竹制砧板", "玻璃保鲜盒"]:
        listed(shop, filler)
    in_title = listed(shop, "普洱茶饼")
    # Newer, so without ranking it would come first; its description names the word twice.
    listed(shop, "紫砂壶 宜兴原矿", description="最适合冲泡普洱，普洱越泡越香")

    assert titles("普洱") == ["普洱茶饼", "紫砂壶 宜兴原矿"]
    first, second = search.search_products(selectors.visible_products(None), "普洱")
    assert first.pk == in_title.pk
    # An annotation, which the type checker cannot see on the model.
    assert vars(first)["search_rank"] > vars(second)["search_rank"] > 0


def test_equally_relevant_products_come_newest_first(shop: Merchant) -> None:
    listed(shop, "绿豆糕 一号")
    listed(shop, "绿豆糕 二号")
    listed(shop, "绿豆糕 三号")

    found = selectors.storefront_products(query="绿豆糕")

    assert [p.title for p in found] == ["绿豆糕 三号", "绿豆糕 二号", "绿豆糕 一号"]


def test_storefront_search_keeps_the_category_filter(api: Api, shop: Merchant) -> None:
    tea = CategoryFactory.create(name="茶")
    pots = CategoryFactory.create(name="茶具")
    listed(shop, "普洱茶饼", category_id=tea.pk)
    listed(shop, "普洱茶刀", category_id=pots.pk)

    answer = api.client.get("/api/v1/products", {"q": "普洱", "category_id": str(tea.pk)})

    assert [p["title"] for p in answer.json()] == ["普洱茶饼"]


# The index follows every write.


def test_renaming_a_product_moves_it_to_its_new_words(shop: Merchant) -> None:
    item = listed(shop, "安溪铁观音 清香型")

    services.product_update(item, title="武夷山大红袍 岩茶")

    assert titles("铁观音") == []
    assert titles("大红袍") == ["武夷山大红袍 岩茶"]


def test_description_and_category_changes_are_indexed(shop: Merchant) -> None:
    item = listed(shop, "白牡丹")
    fujian = CategoryFactory.create(name="福鼎白茶")
    assert titles("福鼎") == []

    services.product_update(item, category_id=fujian.pk)
    assert titles("福鼎") == ["白牡丹"]

    services.product_update(item, description="高山日晒")
    assert titles("日晒") == ["白牡丹"]


def test_added_and_renamed_options_are_indexed(shop: Merchant) -> None:
    item = listed(shop, "每日坚果")

    sku = services.sku_add(item, services.SkuDraft("混合装", 3990, 10))
    assert titles("混合装") == ["每日坚果"]

    services.sku_update(sku, name="家庭装")
    assert titles("混合装") == []
    assert titles("家庭装") == ["每日坚果"]


def test_back_office_corrections_are_indexed(shop: Merchant, rf: RequestFactory) -> None:
    tea = CategoryFactory.create(name="茶叶")
    item = listed(shop, "白茶 寿眉", category_id=tea.pk)
    request = rf.post("/admin/")
    request.user = OperatorFactory.create()

    item.title = "白茶 贡眉"
    ProductAdmin(Product, admin.site).save_model(request, item, form=None, change=True)
    tea.name = "福建茶"
    CategoryAdmin(Category, admin.site).save_model(request, tea, form=None, change=True)

    assert titles("寿眉") == []
    assert titles("贡眉") == ["白茶 贡眉"]
    assert titles("茶叶") == []
    assert titles("福建") == ["白茶 贡眉"]


def test_imported_products_are_searchable_once_published(shop: Merchant) -> None:
    sheet = "title,sku_name,price,stock\n手工绿豆糕 茶点礼盒,六只装,39.90,10\n"
    importing.products_import(shop, sheet.encode())
    imported = Product.objects.get(title="手工绿豆糕 茶点礼盒")
    assert ProductSearch.objects.filter(product=imported).exists()
    assert titles("绿豆糕") == []  # a draft until the merchant publishes it

    services.product_publish(imported)

    assert titles("绿豆糕") == ["手工绿豆糕 茶点礼盒"]
    assert titles("六只装") == ["手工绿豆糕 茶点礼盒"]


def test_a_deleted_product_leaves_nothing_in_the_index(shop: Merchant) -> None:
    item = listed(shop, "丝绒雾面口红")
    everything = Product.objects.all()
    assert titles("口红", everything) == ["丝绒雾面口红"]

    item.delete()

    assert not ProductSearch.objects.exists()
    assert titles("口红", everything) == []


def test_reindex_search_command_rebuilds_a_lost_index(shop: Merchant) -> None:
    listed(shop, "青禾 氨基酸洁面乳")
    listed(shop, "青禾 烟酰胺面膜")
    ProductSearch.objects.all().delete()
    assert titles("青禾") == []

    out = io.StringIO()
    with translation.override("en"):
        call_command("reindex_search", stdout=out)

    assert out.getvalue() == "Search index rebuilt: 2 products.\n"
    assert sorted(titles("青禾")) == ["青禾 氨基酸洁面乳", "青禾 烟酰胺面膜"]


def test_the_backfill_migration_indexes_existing_products(shop: Merchant) -> None:
    tea = CategoryFactory.create(name="茶叶")
    listed(shop, "安溪铁观音", category_id=tea.pk, skus=("罐装",))
    ProductSearch.objects.all().delete()  # as before migration 0003
    backfill = importlib.import_module("sharemall.catalog.migrations.0003_product_search_backfill")

    backfill.backfill(django_apps, None)  # it writes rows only, no schema

    assert titles("铁观音") == titles("茶叶") == titles("罐装") == ["安溪铁观音"]


# Who sees what.


def test_hidden_products_never_appear_in_search(api: Api, shop: Merchant) -> None:
    listed(shop, "普洱 在售")
    draft = services.product_create(
        shop, title="普洱 草稿", skus=[services.SkuDraft("标准装", 100, 1)]
    )
    assert draft.status == "draft"
    services.product_unpublish(listed(shop, "普洱 已下架"))
    pending = merchant(approved=False)
    services.product_create(
        pending, title="普洱 待审商户", skus=[services.SkuDraft("标准装", 100, 1)]
    )
    suspended = merchant()
    listed(suspended, "普洱 停业商户")
    merchant_services.merchant_suspend(suspended, operator=OperatorFactory.create(), reason="fraud")

    assert titles("普洱") == ["普洱 在售"]
    assert storefront(api, "普洱") == ["普洱 在售"]
    assert storefront(api, "草稿") == []
    assert storefront(api, "下架") == []
    assert storefront(api, "商户") == []


def test_home_page_ranks_and_counts_search_results() -> None:
    shop = merchant()
    listed(shop, "紫砂壶", description="适合普洱")
    listed(shop, "普洱熟茶")
    client = Client(headers={"accept-language": "en"})

    body = client.get("/", {"q": "普洱"}).content.decode()

    assert "2 products match" in body
    assert body.index("普洱熟茶") < body.index("紫砂壶")


def test_a_query_of_only_punctuation_matches_nothing(api: Api, shop: Merchant) -> None:
    listed(shop, "普洱熟茶")
    client = Client(headers={"accept-language": "en"})

    assert titles("!!! ？？ 🍵") == []
    assert storefront(api, "!!!") == []
    assert "0 products match" in client.get("/", {"q": "!!!"}).content.decode()
    # A blank query is no search at all: everything is listed.
    assert storefront(api, "   ") == ["普洱熟茶"]


def test_search_operators_are_read_as_words(shop: Merchant) -> None:
    listed(shop, "Near Field 蓝牙音箱")
    listed(shop, "Or 咖啡杯")

    assert titles("NEAR") == ["Near Field 蓝牙音箱"]
    assert titles("near OR field") == []  # "or" is a word too, and this product lacks it
    assert titles("音箱*") == ["Near Field 蓝牙音箱"]
    assert titles('"咖啡杯') == ["Or 咖啡杯"]
    assert titles("-咖啡杯") == ["Or 咖啡杯"]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_answer_normally(api: Api, shop: Merchant, query: str) -> None:
    listed(shop, "普洱熟茶饼")
    client = Client(headers={"accept-language": "en"})

    assert isinstance(titles(query), list)
    answer = api.client.get("/api/v1/products", {"q": query})
    # Too long, or carrying a NUL byte (no text field accepts one): invalid input.
    refused = len(query) > 100 or "\x00" in query
    assert answer.status_code == (400 if refused else 200)
    assert client.get("/", {"q": query}).status_code == (400 if "\x00" in query else 200)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=120))
def test_any_text_query_returns_a_list(shop: Merchant, query: str) -> None:
    if not Product.objects.exists():
        listed(shop, "云南普洱熟茶饼 357g", description="Near 熟茶 *")
    found = titles(query)
    assert isinstance(found, list)
    assert set(found) <= {"云南普洱熟茶饼 357g"}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=100))
def test_any_text_query_through_the_api_answers_200(api: Api, query: str) -> None:
    answer = api.client.get("/api/v1/products", {"q": query})
    if "\x00" in query:  # no text field accepts a NUL byte
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, "invalid_input")
        return
    assert answer.status_code == 200
    assert isinstance(answer.json(), list)


def test_search_adds_no_queries_to_the_storefront_list(
    api: Api, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    shop = merchant()
    for i in range(15):
        listed(shop, f"普洱 第{i}号", skus=("小", "大"))

    with django_assert_num_queries(3):
        answer = api.client.get("/api/v1/products", {"q": "普洱", "limit": "20"})

    assert len(answer.json()) == 15


def test_sqlite_reads_the_matches_once_then_each_product_by_key(shop: Merchant) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("an SQLite query plan")
    listed(shop, "普洱熟茶")
    page = selectors.storefront_products(query="普洱")[:20]
    sql, params = page.query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = [row[3] for row in cursor.fetchall()]

    # Products first, the index probed per product, runs the whole match once per product.
    assert plan[0].startswith("SCAN catalog_product_fts VIRTUAL TABLE")
    assert "SEARCH catalog_product USING INTEGER PRIMARY KEY (rowid=?)" in plan


# Races (PostgreSQL: SQLite writers queue for the whole database, so there is nothing to prove).


def _in_threads(tasks: list[Callable[[], Any]]) -> list[Any]:
    def run(task: Callable[[], Any]) -> Any:
        try:
            return task()
        except Exception as exc:  # the outcome is what the test counts
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        return list(pool.map(run, tasks))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_options_added_at_once_are_all_indexed() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")
    item = listed(merchant(), "组合礼盒")

    outcomes = _in_threads(
        [partial(services.sku_add, item, services.SkuDraft(f"款式{n}", 100, 1)) for n in range(12)]
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    words = set(ProductSearch.objects.get(product=item).body.split())
    assert {str(n) for n in range(12)} <= words
