"""Recommendation training time and serving latency on a generated mall, on PostgreSQL.

    .venv/bin/python bench/recommend_serving.py [--products 3000] [--members 30000]
        [--lines 200000] [--sharers 600] [--rounds 2000]

1. A fresh database `sharemall_bench_recommend`, migrated; one approved merchant with
   `--products` products on sale in eight root categories (one SKU each), `--members` members,
   `--sharers` of them with a team of 10-60 members bound under them, and `--lines` paid order
   lines written in bulk over the last 120 days (members keep to two favourite categories; a
   fifth of the sales come through a sharer's share link).
2. Training: `sharemall train-recommendations`' service, timed (reads, EASE, persistence).
3. Serving, in-process, as the API calls it (the freshness look, the caller's tags or history,
   the model in memory, the on-sale filter): `--rounds` calls each of a sharer's 为你推荐, a
   buyer's 猜你喜欢, a visitor's popular list and a product's bought-together, for random
   callers. Then the same lists through the HTTP API (Django's test client, bearer tokens),
   which adds authentication and the product cards. p50 / p99 / max in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import fresh_postgres, pct, timed

DB = "sharemall_bench_recommend"
CATEGORIES = ["茶叶", "美妆", "零食", "母婴", "数码", "服饰", "家居", "运动"]


def seed(args: argparse.Namespace) -> dict[str, list[int]]:  # noqa: PLR0915 - one linear script
    from _setup import approved_merchant
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone
    from stdnum.cn import uscc

    from sharemall.accounts.models import Member
    from sharemall.catalog.models import Category, Product, Sku
    from sharemall.orders.models import Order, OrderLine
    from sharemall.payments.models import Payment

    rng = random.Random(7)
    now = timezone.now()
    operator = Member.objects.create_superuser("13700000002", "bench-pass-2", nickname="op")
    owner = Member.objects.create_user("13710000001", "bench-pass-1", nickname="shop")
    body = "91440300000000001"[:17]
    shop = approved_merchant(
        operator,
        owner=owner,
        legal_name="Bench Co",
        uscc=body + uscc.calc_check_digit(body),
        legal_rep="B",
        contact_phone="13720000001",
    )
    categories = [Category.objects.create(name=name) for name in CATEGORIES]
    products = Product.objects.bulk_create(
        Product(
            merchant=shop,
            category=categories[i % len(categories)],
            title=f"{CATEGORIES[i % len(CATEGORIES)]}好物{i}",
            status="on_sale",
            published_at=now,
        )
        for i in range(args.products)
    )
    Sku.objects.bulk_create(
        Sku(product=p, name="标准", price_fen=rng.randrange(990, 99_000), stock=1_000_000)
        for p in products
    )
    by_category: dict[int, list[Product]] = {}
    for p in products:
        by_category.setdefault(p.category_id or 0, []).append(p)
    # Popular products sell more: a Zipf-like weight within each category.
    weights = {
        c: [1 / (rank + 1) ** 0.8 for rank in range(len(ps))] for c, ps in by_category.items()
    }
    password = make_password("bench-password-1")
    members = Member.objects.bulk_create(
        Member(phone=f"1{3_000_000_000 + i}", nickname=f"m{i}", password=password)
        for i in range(args.members)
    )
    sharers = members[: args.sharers]
    parent_of: dict[int, int] = {}
    pool = members[args.sharers :]
    rng.shuffle(pool)
    cursor = 0
    for sharer in sharers:
        size = rng.randrange(10, 60)
        for m in pool[cursor : cursor + size]:
            parent_of[m.pk] = sharer.pk
        cursor += size
    for m in members:
        if m.pk in parent_of:
            m.parent_id = parent_of[m.pk]
    Member.objects.bulk_update(
        [m for m in members if m.pk in parent_of], ["parent"], batch_size=5000
    )
    favourite = {m.pk: rng.sample(list(by_category), 2) for m in members}
    sku_of = dict(Sku.objects.values_list("product_id", "pk"))
    lines_left = args.lines
    payments: list[Payment] = []
    orders: list[Order] = []
    plan: list[tuple[int, Product, int | None]] = []
    while lines_left > 0:
        buyer = rng.choice(members)
        category = rng.choice(favourite[buyer.pk])
        product = rng.choices(by_category[category], weights[category])[0]
        referrer = parent_of.get(buyer.pk) if rng.random() < 0.2 else None
        plan.append((buyer.pk, product, referrer))
        lines_left -= 1
    for n, (buyer_id, _product, _referrer) in enumerate(plan):
        paid = now - timedelta(days=rng.uniform(0, 120))
        payments.append(
            Payment(
                payment_no=f"B{n:012d}",
                buyer_id=buyer_id,
                amount_fen=1000,
                status="paid",
                provider="sandbox",
                provider_txn_id=f"T{n:012d}",
                pay_token=f"t{n:012d}",
                expires_at=paid,
                paid_at=paid,
            )
        )
    Payment.objects.bulk_create(payments, batch_size=5000)
    for n, ((buyer_id, _product, referrer), payment) in enumerate(zip(plan, payments, strict=True)):
        orders.append(
            Order(
                order_no=f"O{n:014d}",
                buyer_id=buyer_id,
                merchant=shop,
                payment=payment,
                status="completed",
                delivery="express",
                goods_fen=1000,
                total_fen=1000,
                platform_fee_bp=500,
                referrer_id=referrer,
                attribution="share" if referrer else "",
                created_at=payment.paid_at,
                paid_at=payment.paid_at,
            )
        )
    Order.objects.bulk_create(orders, batch_size=5000)
    OrderLine.objects.bulk_create(
        (
            OrderLine(
                order=order,
                sku_id=sku_of[product.pk],
                product_id=product.pk,
                title=product.title,
                sku_name="标准",
                unit_price_fen=1000,
                quantity=1,
                paid_fen=1000,
            )
            for order, (_b, product, _r) in zip(orders, plan, strict=True)
        ),
        batch_size=5000,
    )
    # As autovacuum would soon after a bulk load: the planner needs the tables' real sizes.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    buyers = sorted({b for b, _p, _r in plan})
    return {
        "sharers": [s.pk for s in sharers],
        "buyers": buyers,
        "products": [p.pk for p in products],
    }


def report(name: str, took: list[float]) -> None:
    print(
        f"  {name:<34} p50 {pct(took, 0.5):6.2f}  p99 {pct(took, 0.99):6.2f}  "
        f"max {max(took):6.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=3000)
    parser.add_argument("--members", type=int, default=30_000)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--sharers", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    fresh_postgres(DB)
    from django.test import Client
    from django.utils import timezone

    from sharemall.accounts.models import Member
    from sharemall.accounts.services import token_issue
    from sharemall.recommendations import serving
    from sharemall.recommendations.services import model_train

    started = time.perf_counter()
    ids = seed(args)
    print(
        f"seeded {args.products} products, {args.members} members ({args.sharers} sharers "
        f"with teams), {args.lines} paid lines in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    run = model_train(timezone.now(), force=True)
    assert run is not None
    print(
        f"training: {time.perf_counter() - started:.2f} s wall ({run.seconds:.2f} s in the run), "
        f"index {len(bytes(run.index)) / 1e6:.1f} MB, {run.interactions} interactions"
    )
    started = time.perf_counter()
    serving.current_index()
    print(f"first load of the index: {(time.perf_counter() - started) * 1000:.0f} ms")

    rng = random.Random(3)
    sharers = Member.objects.in_bulk(ids["sharers"])
    buyers = Member.objects.in_bulk(rng.sample(ids["buyers"], 500))
    print(f"in-process, {args.rounds} calls each (ms):")
    report(
        "sharer 为你推荐 (20)",
        timed(
            lambda: serving.recommended_for_sharer(rng.choice(list(sharers.values()))), args.rounds
        ),
    )
    report(
        "buyer 猜你喜欢 (12)",
        timed(
            lambda: serving.recommended_for_buyer(rng.choice(list(buyers.values()))), args.rounds
        ),
    )
    report("visitor popular (12)", timed(lambda: serving.recommended_for_buyer(None), args.rounds))
    report(
        "bought together (6)",
        timed(lambda: serving.bought_together(rng.choice(ids["products"])), args.rounds),
    )

    client = Client(HTTP_HOST="localhost")
    tokens = [token_issue(m) for m in list(sharers.values())[:200]]
    print(f"through the HTTP API, {args.rounds} calls each (ms):")

    def call(path: str, token: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        answer = client.get(f"/api/v1{path}", headers=headers)
        assert answer.status_code == 200, answer.content

    report(
        "GET /me/recommended-products",
        timed(lambda: call("/me/recommended-products", rng.choice(tokens)), args.rounds),
    )
    report(
        "GET /recommended-products (visitor)",
        timed(lambda: call("/recommended-products"), args.rounds),
    )
    report(
        "GET /products/{id}/bought-together",
        timed(
            lambda: call(f"/products/{rng.choice(ids['products'])}/bought-together"), args.rounds
        ),
    )
    load = os.getloadavg()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


if __name__ == "__main__":
    main()
