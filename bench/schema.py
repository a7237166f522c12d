"""Schema evidence for the write-heavy tables (docs/schema.md): a realistic orders table, the
plans of every sweep and list that filters it, and how many order and payment updates are HOT.

    # once: a database with N orders spread over two years (default 500,000), on today's schema
    PYTHONPATH=src .venv/bin/python bench/schema.py seed --db sm_schema_bench --orders 500000
    # the plans (EXPLAIN ANALYZE, BUFFERS) and the HOT figures of the schema it is migrated to
    PYTHONPATH=src .venv/bin/python bench/schema.py explain --db sm_schema_bench
    PYTHONPATH=src .venv/bin/python bench/schema.py hot --db sm_schema_bench --transitions 2000
    # before/after: `sharemall migrate orders 0009 && sharemall migrate payments 0002` gives the
    # old indexes back on the same rows; `sharemall migrate` the new ones.

The orders are written with SQL (generate_series), in the shapes the services leave them: paid
ones with a captured payment, shipped ones with a shipping time, completed ones settled a week
later, a tenth cancelled, 30 % brought by a share, 5 % for store pickup, two lines each.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SERVER = "postgres://postgres@127.0.0.1:5432"


def _django(db: str, *, fresh: bool) -> None:
    if fresh:
        from _setup import fresh_postgres

        fresh_postgres(db, SERVER)
        return
    os.environ["DATABASE_URL"] = f"{SERVER}/{db}"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["SANDBOX_PAYMENTS"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharemall.config.settings")
    import django

    django.setup()


def seed(orders: int, merchants: int, buyers: int) -> None:
    from django.db import connection
    from tests import factories

    from sharemall.accounts.models import Member
    from sharemall.merchants.models import Store

    started = time.perf_counter()
    Member.objects.bulk_create(
        [Member(phone=f"137{i:08d}", nickname=f"b{i}", password="!") for i in range(buyers)],
        batch_size=5000,
    )
    for _ in range(merchants):
        m = factories.merchant()
        Store.objects.create(
            merchant=m,
            kind="offline",
            name="门店",
            region_code="440305",
            address="科技园 1 号",
            latitude=22.54,
            longitude=113.95,
        )
        for _p in range(4):
            factories.product(m, skus=2, stock=10**6)
    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id) FROM accounts_member WHERE phone LIKE '137%%'")
        lo, hi = cur.fetchone()
        cur.execute(_SEED_SQL, {"n": orders, "blo": lo, "bhi": hi})
        cur.execute("VACUUM ANALYZE")  # outside a transaction: Django autocommits
    print(f"seeded {orders} orders in {time.perf_counter() - started:.0f} s")


# One payment per order; lines take the merchant's SKUs. Ages are uniform over two years, and
# the status follows the age, as the jobs would have moved the order on.
_SEED_SQL = """
CREATE TEMP TABLE skus AS
  SELECT s.id AS sku_id, p.id AS product_id, p.merchant_id, s.price_fen,
         row_number() OVER (PARTITION BY p.merchant_id ORDER BY s.id) AS k
  FROM catalog_sku s JOIN catalog_product p ON p.id = s.product_id;
CREATE TEMP TABLE merchants AS
  SELECT m.id, row_number() OVER (ORDER BY m.id) AS k,
         (SELECT min(st.id) FROM merchants_store st WHERE st.merchant_id = m.id
            AND st.kind = 'offline') AS store_id
  FROM merchants_merchant m WHERE m.status = 'approved';
CREATE TEMP TABLE o AS
SELECT g AS i,
       %(blo)s + (hashint4(g) & 2147483647) %% (%(bhi)s - %(blo)s + 1) AS buyer_id,
       1 + (hashint4(g + 7) & 2147483647) %% (SELECT count(*) FROM merchants) AS mk,
       random() * 730 AS age,
       random() AS r, random() AS r2, random() AS r3
FROM generate_series(1, %(n)s) g;
ALTER TABLE o ADD COLUMN status text, ADD COLUMN created timestamptz;
UPDATE o SET created = now() - make_interval(secs => age * 86400),
  status = CASE
    WHEN r < 0.10 AND age > 0.03 THEN 'cancelled'
    WHEN age < 0.02 OR (age < 1 AND r < 0.12) THEN 'pending_payment'
    WHEN r > 0.99 THEN 'closed'
    WHEN age < 3 THEN 'paid'
    WHEN age < 12 THEN 'shipped'
    WHEN age < 20 THEN 'received'
    ELSE 'completed' END;
INSERT INTO payments_payment (id, payment_no, buyer_id, payer_id, amount_fen, currency, status,
  provider, provider_txn_id, pay_token, created_at, expires_at, paid_at, closed_at)
SELECT i, 'P' || lpad(i::text, 20, '0'), buyer_id,
  CASE WHEN status IN ('pending_payment', 'cancelled') THEN NULL ELSE buyer_id END,
  2 * 9900 + 1000, 'CNY',
  CASE status WHEN 'pending_payment' THEN 'pending' WHEN 'cancelled' THEN 'closed' ELSE 'paid' END,
  CASE WHEN status IN ('pending_payment', 'cancelled') THEN '' ELSE 'sandbox' END,
  CASE WHEN status IN ('pending_payment', 'cancelled') THEN NULL ELSE 'T' || i END,
  md5(i::text), created, created + interval '30 minutes',
  CASE WHEN status IN ('pending_payment', 'cancelled') THEN NULL
       ELSE created + interval '2 minutes' END,
  CASE WHEN status = 'cancelled' THEN created + interval '30 minutes' END
FROM o;
SELECT setval(pg_get_serial_sequence('payments_payment', 'id'), %(n)s);
INSERT INTO orders_order (id, order_no, buyer_id, merchant_id, payment_id, status, delivery,
  region_code, address, receiver, phone, pickup_store_id, pickup_code, goods_fen, discount_fen,
  shipping_fen, total_fen, platform_funded_fen, on_hold, platform_fee_bp, refunded_fen,
  open_aftersales, referrer_id, share_link_id, attribution, share_rewarded, degree, client_ip,
  device_id, carrier, tracking_no, shipped_without_logistics, created_at, paid_at, shipped_at,
  received_at, completed_at, settled_at, cancelled_at)
SELECT i, to_char(created, 'YYYYMMDD') || lpad(i::text, 10, '0'), buyer_id, m.id, i, status,
  CASE WHEN r2 < 0.05 THEN 'pickup' ELSE 'express' END,
  lpad((440000 + (i %% 400))::text, 6, '0'), '某路 1 号', '收货人', '13900001111',
  CASE WHEN r2 < 0.05 THEN m.store_id END,
  CASE WHEN r2 < 0.05 THEN lpad(i::text, 8, '0') ELSE '' END,
  2 * 9900, 0, 1000, 2 * 9900 + 1000, 0, false, 500,
  CASE WHEN status = 'closed' THEN 2 * 9900 + 1000 ELSE 0 END, 0,
  CASE WHEN r3 < 0.30 THEN %(blo)s + (hashint4(i + 3) & 2147483647) %% (%(bhi)s - %(blo)s + 1) END,
  CASE WHEN r3 < 0.30 THEN (hashint4(i + 5) & 2147483647) %% 50000 END,
  CASE WHEN r3 < 0.30 THEN 'share' ELSE '' END, false,
  CASE WHEN r3 < 0.30 THEN 1 END, NULL, '', '', '', false,
  created,
  CASE WHEN status IN ('pending_payment', 'cancelled') THEN NULL
       ELSE created + interval '2 minutes' END,
  CASE WHEN status IN ('shipped', 'received', 'completed') THEN created + interval '1 day' END,
  CASE WHEN status IN ('received', 'completed') THEN created + interval '5 days' END,
  CASE WHEN status = 'completed' THEN created + interval '12 days' END,
  CASE WHEN status = 'completed' AND age > 30 THEN created + interval '19 days'
       WHEN status = 'closed' AND age > 30 THEN created + interval '10 days' END,
  CASE WHEN status = 'cancelled' THEN created + interval '30 minutes' END
FROM o JOIN merchants m ON m.k = o.mk;
SELECT setval(pg_get_serial_sequence('orders_order', 'id'), %(n)s);
INSERT INTO orders_orderline (order_id, sku_id, product_id, title, sku_name, unit_price_fen,
  quantity, discount_fen, paid_fen, plan, claimed_quantity, claimed_fen, refunded_quantity,
  refunded_fen)
SELECT o.id, s.sku_id, s.product_id, '好物', '规格', 9900, 1, 0, 9900, NULL,
  CASE WHEN o.status = 'closed' THEN 1 ELSE 0 END,
  CASE WHEN o.status = 'closed' THEN 9900 ELSE 0 END,
  CASE WHEN o.status = 'closed' THEN 1 ELSE 0 END,
  CASE WHEN o.status = 'closed' THEN 9900 ELSE 0 END
FROM orders_order o CROSS JOIN generate_series(1, 2) line
JOIN skus s ON s.merchant_id = o.merchant_id
  AND s.k = 1 + (hashint4((o.id * 2 + line)::int) & 2147483647) %% 8;
INSERT INTO orders_orderevent (order_id, from_status, to_status, note, created_at)
SELECT id, 'pending_payment', status, '', coalesce(paid_at, cancelled_at, created_at)
FROM orders_order WHERE status <> 'pending_payment';
"""


def _plans() -> dict[str, Any]:
    """Each query as the code builds it (same filters, same order, same limit)."""
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    from sharemall.analytics import selectors as analytics
    from sharemall.orders import rules, selectors
    from sharemall.orders.models import Order, OrderEvent, OrderLine
    from sharemall.orders.services import orders_completed_recently
    from sharemall.payments.models import Payment

    now = timezone.now()
    busy = Order.objects.values("merchant_id").order_by().annotate(n=_count()).order_by("-n")[0]
    merchant_id = busy["merchant_id"]
    referred = Order.objects.filter(referrer__isnull=False).order_by("-pk").first()
    assert referred is not None
    pickup = Order.objects.filter(pickup_store__isnull=False).order_by("-pk").first()
    assert pickup is not None
    payment = Payment.objects.order_by("-pk").first()
    assert payment is not None
    closed_at = (
        OrderEvent.objects.filter(order=OuterRef("pk"), to_status=rules.CLOSED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    since = now - timedelta(days=30)
    products = list(OrderLine.objects.values_list("product_id", flat=True).distinct()[:20])
    return {
        # the jobs (config/jobs.py)
        "unpaid_timeout (payments)": Payment.objects.filter(
            status=Payment.Status.PENDING, expires_at__lte=now
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:500],
        "unpaid_timeout: payments_left_unpaid": Order.objects.filter(
            status=rules.PENDING_PAYMENT, payment__status=Payment.Status.CLOSED
        )
        .order_by("payment_id")
        .values_list("payment_id", flat=True)
        .distinct()[:500],
        "auto_receipt": Order.objects.filter(
            status=rules.SHIPPED, shipped_at__lte=now - timedelta(days=10)
        ).order_by("pk")[:1000],
        "order_completion": Order.objects.filter(
            status=rules.RECEIVED, received_at__lte=now - timedelta(days=7), open_aftersales=0
        ).order_by("pk")[:1000],
        "order_completion: completed recently (healing)": orders_completed_recently(
            now, lookback=timedelta(days=60)
        ),
        "merchant_settlement: completed": Order.objects.filter(
            status=rules.COMPLETED, settled_at__isnull=True, completed_at__lte=now
        )
        .order_by("completed_at", "pk")
        .values_list("pk", flat=True)[:1000],
        "merchant_settlement: closed": Order.objects.filter(
            status=rules.CLOSED, settled_at__isnull=True
        )
        .annotate(closed_at=Subquery(closed_at))
        .filter(closed_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000],
        # lists
        "merchant orders, to ship (page)": selectors.orders_of_merchant(
            merchant_id, status=rules.PAID
        )[:20],
        "merchant orders, to ship (count)": _count_of(
            Order.objects.filter(merchant_id=merchant_id, status=rules.PAID)
        ),
        "merchant orders, all (page)": selectors.orders_of_merchant(merchant_id)[:20],
        "buyer orders (page)": Order.objects.filter(buyer_id=referred.buyer_id).order_by(
            "-created_at", "-id"
        )[:20],
        "orders of a payment": Order.objects.filter(payment_id=payment.pk),
        "payment by number": Payment.objects.filter(payment_no=payment.payment_no),
        "pickup verify": Order.objects.filter(
            pickup_store_id=pickup.pickup_store_id,
            pickup_code=pickup.pickup_code,
            delivery=rules.PICKUP,
        ),
        # fraud signals at capture (distribution/services/fraud.py)
        "fraud: sharer's paid orders": Order.objects.filter(
            referrer_id=referred.referrer_id, paid_at__gte=now - timedelta(days=30)
        ),
        "fraud: sharer's district": Order.objects.filter(
            referrer_id=referred.referrer_id,
            region_code=referred.region_code,
            paid_at__gte=now - timedelta(days=30),
        ),
        "fraud: share link burst": Order.objects.filter(
            share_link_id=referred.share_link_id,
            paid_at__gte=now - timedelta(hours=1),
            paid_at__lte=now,
        ),
        # storefront and reads by paid_at
        "storefront sold counts (20 products)": _sold(selectors, products),
        "analytics: platform paid orders, 30 days": analytics._orders(None).filter(
            paid_at__isnull=False, paid_at__gte=since, paid_at__lt=now
        ),
        "recommendations training (365 days)": OrderLine.objects.filter(
            order__paid_at__isnull=False, order__paid_at__gte=now - timedelta(days=365)
        )
        .values_list("order__buyer_id", "product_id", "order__paid_at")
        .order_by("pk"),
        "quality facts (180 days)": OrderLine.objects.filter(
            order__paid_at__gte=now - timedelta(days=180), order__paid_at__lte=now
        ).values_list("pk", "sku_id"),
    }


def _count() -> Any:
    from django.db.models import Count

    return Count("pk")


def _count_of(qs: Any) -> Any:
    return qs.values("merchant_id").order_by().annotate(n=_count())


def _sold(selectors: Any, products: list[int]) -> Any:
    from django.db.models import F, Sum

    return (
        selectors._sold_lines()
        .filter(product_id__in=products)
        .values("product_id")
        .annotate(sold=Sum(F("quantity") - F("refunded_quantity")))
    )


def explain(full: bool) -> None:
    for name, qs in _plans().items():
        qs.explain()  # once untimed: the pages it reads are then in shared buffers
        plan = qs.explain(analyze=True, buffers=True)
        print(f"### {name}")
        print(plan if full else _trim(plan))
        print()


def _trim(plan: str) -> str:
    """The plan's node lines, buffers and the time, without the per-node cost estimates."""
    keep = []
    for line in plan.splitlines():
        if "Planning" in line and "Buffers" in line:
            continue
        keep.append(re.sub(r"\(cost=[^)]*\) ", "", line))
    return "\n".join(keep)


def hot(transitions: int) -> None:
    """`transitions` orders (with their payments) made as checkout makes them, then taken
    through pay, ship, receive, complete and settle by the state machines, plus an after-sales
    request opened and closed on each; the counters of each table before and after."""
    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from sharemall.orders import rules
    from sharemall.orders.models import Order
    from sharemall.payments import rules as payment_rules
    from sharemall.payments.models import Payment

    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM orders_order")
        start = cur.fetchone()[0]
        cur.execute(_NEW_ORDERS_SQL, {"start": start, "n": transitions})
    ids = list(Order.objects.filter(pk__gt=start).order_by("pk").values_list("pk", flat=True))
    steps: list[tuple[str, Any]] = []

    def pay(order: Order) -> None:
        payment = Payment.objects.get(pk=order.payment_id)
        now = timezone.now()
        payment_rules.PAYMENT.move(
            payment,
            payment_rules.PAID,
            provider="sandbox",
            provider_txn_id=f"HOT{payment.pk}",
            payer=F("buyer"),
            paid_at=now,
        )
        rules.ORDER.move(order, rules.PAID, actor=None, paid_at=now)

    def ship(order: Order) -> None:
        rules.ORDER.move(
            order,
            rules.SHIPPED,
            actor=None,
            shipped_at=timezone.now(),
            carrier="SF",
            tracking_no=f"SF{order.pk}",
        )

    def aftersale(order: Order) -> None:  # opened and closed: orders/services.py
        Order.objects.filter(pk=order.pk).update(open_aftersales=F("open_aftersales") + 1)
        Order.objects.filter(pk=order.pk, open_aftersales__gt=0).update(
            open_aftersales=F("open_aftersales") - 1
        )

    def receive(order: Order) -> None:
        rules.ORDER.move(order, rules.RECEIVED, actor=None, received_at=timezone.now())

    def complete(order: Order) -> None:
        rules.ORDER.move(order, rules.COMPLETED, actor=None, completed_at=timezone.now())

    def settle(order: Order) -> None:
        Order.objects.filter(pk=order.pk, settled_at__isnull=True).update(settled_at=timezone.now())

    steps = [
        ("pay (payment + order)", pay),
        ("ship", ship),
        ("after-sales opened and closed (2 updates)", aftersale),
        ("receive", receive),
        ("complete", complete),
        ("settle", settle),
    ]
    orders = {o.pk: o for o in Order.objects.filter(pk__in=ids)}
    print(f"server {connection.pg_version}; {transitions} orders; load {os.getloadavg()}")
    header = f"{'step':42} {'table':16} {'updates':>7} {'HOT':>6} {'HOT %':>5}"
    print(f"{header} {'index entries/order':>19} {'WAL B/order':>11} {'ms/order':>8}")
    for name, step in steps:
        before, lsn = _counters(), _lsn()
        started = time.perf_counter()
        for pk in ids:
            step(orders[pk])
        took = (time.perf_counter() - started) * 1000 / len(ids)
        end = _lsn()
        after = _counters()
        entries, wal = _index_inserts(lsn, end)
        for table in ("payments_payment", "orders_order"):
            upd = after[table][0] - before[table][0]
            hot_ = after[table][1] - before[table][1]
            if not upd:
                continue
            print(
                f"{name:42} {table:16} {upd:7} {hot_:6} {100 * hot_ / upd:5.1f} "
                f"{entries.get(table, 0) / len(ids):19.2f} {wal / len(ids):11.0f} {took:8.2f}"
            )


_NEW_ORDERS_SQL = """
INSERT INTO payments_payment (payment_no, buyer_id, amount_fen, currency, status, provider,
  pay_token, created_at, expires_at)
SELECT 'H' || lpad((%(start)s + g)::text, 20, '0'), o.buyer_id, o.total_fen, 'CNY', 'pending', '',
  md5('hot' || (%(start)s + g)), now(), now() + interval '30 minutes'
FROM generate_series(1, %(n)s) g JOIN orders_order o ON o.id = g;
INSERT INTO orders_order (order_no, buyer_id, merchant_id, payment_id, status, delivery,
  region_code, address, receiver, phone, pickup_code, goods_fen, discount_fen, shipping_fen,
  total_fen, platform_funded_fen, on_hold, platform_fee_bp, refunded_fen, open_aftersales,
  referrer_id, share_link_id, attribution, share_rewarded, degree, device_id, carrier,
  tracking_no, shipped_without_logistics, created_at)
SELECT 'H' || lpad(p.id::text, 16, '0'), o.buyer_id, o.merchant_id, p.id, 'pending_payment',
  'express', o.region_code, o.address, o.receiver, o.phone, '', o.goods_fen, 0, o.shipping_fen,
  o.total_fen, 0, false, 500, 0, 0, o.referrer_id, o.share_link_id, o.attribution, false,
  o.degree, '', '', '', false, now()
FROM payments_payment p JOIN orders_order o ON o.id = substr(p.payment_no, 2)::bigint - %(start)s
WHERE p.payment_no LIKE 'H%%' AND p.status = 'pending'
  AND NOT EXISTS (SELECT 1 FROM orders_order x WHERE x.payment_id = p.id)
ORDER BY p.id;
"""


def _counters() -> dict[str, tuple[int, int]]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_force_next_flush()")
    time.sleep(1.2)  # the statistics reach the shared counters when the backend idles
    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_clear_snapshot()")
        cur.execute(
            "SELECT relname, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables "
            "WHERE relname IN ('orders_order', 'payments_payment')"
        )
        return {name: (upd, hot_) for name, upd, hot_ in cur.fetchall()}


def _lsn() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
        return int(cur.fetchone()[0])


def _index_inserts(start: int, end: int) -> tuple[dict[str, int], int]:
    """From the WAL between two positions (pg_walinspect), this database's records only: the
    index entries written into each table's indexes, and the WAL bytes. Other databases on the
    server write WAL meanwhile; their records are left out."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
        cur.execute(
            "SELECT c.relname, pg_relation_filenode(x.indexrelid) FROM pg_index x"
            " JOIN pg_class c ON c.oid = x.indrelid"
            " WHERE c.relname IN ('orders_order', 'payments_payment')"
        )
        table_of = {str(node): table for table, node in cur.fetchall()}
        cur.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
        prefix = f"/{cur.fetchone()[0]}/"
        cur.execute(
            "SELECT resource_manager, record_type, record_length, block_ref"
            " FROM pg_get_wal_records_info(%s::pg_lsn, %s::pg_lsn)",
            [_lsn_text(start), _lsn_text(end)],
        )
        entries: dict[str, int] = {}
        wal = 0
        for manager, kind, length, refs in cur.fetchall():
            if prefix not in (refs or ""):
                continue
            wal += length
            if manager != "Btree" or not kind.startswith("INSERT"):
                continue
            node = re.search(rf"{prefix}(\d+) ", refs)
            table = table_of.get(node.group(1)) if node else None
            if table:
                entries[table] = entries.get(table, 0) + 1
    return entries, wal


def _lsn_text(position: int) -> str:
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


def indexes() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname, i.relname, pg_size_pretty(pg_relation_size(i.oid)),"
            " pg_get_indexdef(i.oid), c.reloptions FROM pg_index x"
            " JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE c.relname IN ('orders_order', 'orders_orderline', 'orders_orderevent',"
            " 'payments_payment', 'payments_paymentevent') ORDER BY 1, 2"
        )
        for table, name, size, definition, options in cur.fetchall():
            print(f"{table:22} {size:>8}  {definition.split(' USING ')[1]:70} {name} {options}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["seed", "explain", "hot", "indexes"])
    parser.add_argument("--db", default="sm_schema_bench")
    parser.add_argument("--orders", type=int, default=500_000)
    parser.add_argument("--merchants", type=int, default=50)
    parser.add_argument("--buyers", type=int, default=50_000)
    parser.add_argument("--transitions", type=int, default=2000)
    parser.add_argument("--full", action="store_true", help="untrimmed plans")
    args = parser.parse_args()
    _django(args.db, fresh=args.what == "seed")
    print(f"# {platform.node()} load {os.getloadavg()}")
    if args.what == "seed":
        seed(args.orders, args.merchants, args.buyers)
    elif args.what == "explain":
        explain(args.full)
    elif args.what == "hot":
        hot(args.transitions)
    else:
        indexes()


if __name__ == "__main__":
    main()
