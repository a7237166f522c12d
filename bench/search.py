"""Storefront search latency over a generated catalogue, on SQLite (FTS5) or PostgreSQL (tsvector).

    .venv/bin/python bench/search.py --db sqlite     [--products 20000] [--rounds 30]
    .venv/bin/python bench/search.py --db postgresql [--products 20000] [--rounds 30]

1. A fresh database (a temporary SQLite file, or PostgreSQL `sharemall_bench_search`), migrated;
   `--merchants` approved merchants with `--products` products on sale, two SKUs each, titles and
   descriptions drawn (with a fixed seed) from Chinese shop vocabulary, some with Latin models.
2. Indexing: `search.index_products` over all of them, timed (jieba segmentation + upserts).
3. Searching, in-process: for each query, `rounds` times after a warm-up, the storefront's first
   page of 20 (`storefront_products(query=…)[:20]` with its prefetches, as the JSON list and the
   home page run it) and the home page's result count. The old `icontains` filter is timed on the
   same data for comparison.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

DB = "sharemall_bench_search"

ORIGINS = ["云南", "福建", "杭州", "安溪", "武夷山", "宜兴", "景德镇", "新疆", "东北", "四川"]
BRANDS = ["茗香园", "青禾", "悦厨", "山野", "禾木", "初心", "匠造", "鲜丰", "花间", "北纬"]
GOODS = [
    "普洱熟茶饼",
    "明前绿茶",
    "大红袍岩茶",
    "白牡丹白茶",
    "铁观音",
    "紫砂壶",
    "玻尿酸补水精华液",
    "氨基酸洁面乳",
    "烟酰胺面膜",
    "清透防晒乳",
    "不锈钢炒锅",
    "不粘平底锅",
    "竹制砧板",
    "玻璃保鲜盒",
    "手工绿豆糕",
    "每日坚果",
    "红枣枸杞",
    "蜂蜜柚子茶",
    "手机壳",
    "蓝牙耳机",
    "充电宝",
    "保温杯",
    "羊毛围巾",
    "纯棉T恤",
]
MODELS = ["iPhone 15", "iPhone 14", "Mate 60", "Redmi K70", "AirPods Pro", "SPF50+", ""]
SPECS = ["357g", "250g", "500ml", "120g", "礼盒装", "家庭装", "三件套", "28cm", "20000mAh", ""]
PRAISE = [
    "产地直发，品质保证",
    "精选原料，口感醇厚",
    "温和不刺激，适合敏感肌",
    "加厚材质，经久耐用",
    "送礼自用两相宜",
    "限时特惠，买二送一",
    "传统工艺，匠心制作",
]


def title(rng: random.Random) -> str:
    goods = rng.choice(GOODS)
    model = rng.choice(MODELS) if goods in {"手机壳", "蓝牙耳机", "清透防晒乳"} else ""
    parts = [rng.choice(BRANDS), rng.choice(ORIGINS) + goods, model, rng.choice(SPECS)]
    return " ".join(p for p in parts if p)


def description(rng: random.Random) -> str:
    return "，".join(rng.sample(PRAISE, 3)) + "。"


def seed(products: int, merchants: int) -> list[int]:
    from _setup import approved_merchant
    from stdnum.cn import uscc

    from sharemall.accounts.models import Member
    from sharemall.catalog.models import Product, Sku

    operator = Member.objects.create_superuser("13700000002", "bench-pass-2", nickname="op")
    shops = []
    for n in range(merchants):
        owner = Member.objects.create_user(f"137100{n:05d}", "bench-pass-1", nickname=f"m{n}")
        body = f"91440300{n:09d}"[:17]
        shops.append(
            approved_merchant(
                operator,
                owner=owner,
                legal_name=f"Bench Co {n}",
                uscc=body + uscc.calc_check_digit(body),
                legal_rep="B",
                contact_phone=f"137200{n:05d}",
            )
        )
    rng = random.Random(20261122)
    made = Product.objects.bulk_create(
        (
            Product(
                merchant=rng.choice(shops),
                title=title(rng),
                description=description(rng),
                status="on_sale",
            )
            for _ in range(products)
        ),
        batch_size=1000,
    )
    Sku.objects.bulk_create(
        (
            Sku(product=p, name=f"规格{j}", price_fen=1000 + j, stock=10)
            for p in made
            for j in (1, 2)
        ),
        batch_size=1000,
    )
    return [p.pk for p in made]


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def ms(figures: tuple[float, ...]) -> str:
    return " / ".join(f"{f:.1f}" for f in figures)


def timed(call: Callable[[], object], rounds: int) -> list[float]:
    call()  # warm-up: caches, the planner's first look
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--merchants", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    if args.db == "postgresql":
        from _setup import fresh_postgres

        fresh_postgres(DB)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='sharemall-bench-')}/b.db"
        os.environ.setdefault("SECRET_KEY", "bench-only")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharemall.config.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)

    from django.db import connection
    from django.db.models import Q

    from sharemall.catalog import search, selectors

    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"database {connection.vendor}, load average {os.getloadavg()[0]:.1f}"
    )
    ids = seed(args.products, args.merchants)
    search.segment("预热")  # the dictionary load is once per process, not per product
    start = time.perf_counter()
    search.index_products(ids)
    spent = time.perf_counter() - start
    print(f"indexed {len(ids):,} products in {spent:.1f} s ({len(ids) / spent:,.0f} products/s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would have, after a bulk load

    queries = ["茶", "普洱", "补水 精华液", "iphone 15 手机壳", "云南 普洱熟茶饼 357g", "红酒"]
    print(f"{'query':24s} {'matches':>8s}  first page p50/p95/max ms   count p50/p95/max ms")
    pages: list[float] = []
    for query in queries:
        products = selectors.storefront_products(query=query)
        matches = products.count()
        page = timed(lambda products=products: list(products[:20]), args.rounds)
        count = timed(lambda products=products: products.count(), args.rounds)
        pages += page
        print(f"{query:24s} {matches:8d}  {ms(percentiles(page))}     {ms(percentiles(count))}")
    print(f"all queries, first page p50/p95/max: {ms(percentiles(pages))} ms")
    for query in ["普洱", "红酒"]:
        before = selectors.storefront_products().filter(
            Q(title__icontains=query) | Q(description__icontains=query)
        )
        page = timed(lambda before=before: list(before[:20]), args.rounds)
        print(f"icontains {query!r} (before), first page p50/p95/max: {ms(percentiles(page))} ms")


if __name__ == "__main__":
    main()
