"""Group-buy (拼团) seat-taking: joins per second on PostgreSQL, never overfilled.

    PYTHONPATH=src .venv/bin/python bench/group_buy.py [--groups 400] [--size 5] [--extra 2]
        [--workers 8] [--captured 240]

1. A fresh database `sharemall_bench_group_buy`, migrated; one merchant, one SKU, a group-buy of
   `--size`, and `--groups` forming groups, each with `--size + --extra` members who joined and
   whose orders wait for their payment (made in bulk: the checkout itself is bench/checkout.py).
2. Seat-take: `--workers` processes capture every join's seat at once, each seat in its own
   transaction through the GROUP offer handler's `paid()` — the code checkout's capture runs
   (the seat row keyed on its order, the conditional `paid_count < size` UPDATE, the group
   turning succeeded and its orders released by the payer that fills it). The payments of a
   group are spread over all workers. Phase A pays every seat but each group's last (the
   plain seat-take); phase B pays the rest, `1 + --extra` payers racing for each group's last
   seat (the fill: the group turns succeeded, its orders' holds are released and its members
   told; the others are refused). Reported per phase and in all: joins/s (every payment that
   asked for a seat), seats taken, refusals, per-join latency.
3. End to end: `--captured` joins made through the real checkout (`group_join`) and paid through
   the sandbox's signed notification (`payment_notification_handle`: ledger, commissions, the
   seat, and the at-once refund of each payer a full group cannot seat), by the same workers.
4. Checks: every group has exactly `size` paid seats and succeeded, every other payer was
   refused (and, end to end, refunded once); exit 1 otherwise.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import approved_merchant, fresh_postgres, pct

DB = "sharemall_bench_group_buy"
GROUP_FEN, LIST_FEN = 5900, 9900


def seed(groups: int, size: int, extra: int) -> tuple[Any, list[int]]:
    from datetime import timedelta

    from django.utils import timezone

    from sharemall.accounts.models import Member
    from sharemall.catalog.models import Product, Sku
    from sharemall.orders.models import Order
    from sharemall.payments.services import payment_create
    from sharemall.promotions.models import Group, GroupMember
    from sharemall.promotions.services import groups as group_services

    owner = Member.objects.create_user("13700000001", "bench-pass-1", nickname="owner")
    operator = Member.objects.create_superuser("13700000002", "bench-pass-2", nickname="op")
    merchant = approved_merchant(
        operator,
        owner=owner,
        legal_name="Bench Co",
        uscc="91110000600037341L",
        legal_rep="B",
        contact_phone="13700000003",
    )
    product = Product.objects.create(merchant=merchant, title="拼团好茶", status="on_sale")
    sku = Sku.objects.create(product=product, name="一盒", price_fen=LIST_FEN, stock=10**7)
    gb = group_services.group_buy_create(
        merchant, sku_id=sku.pk, price_fen=GROUP_FEN, size=size, hours=24
    )
    members = [
        Member.objects.create_user(f"1380000{i:04d}", "bench-pass", nickname=f"m{i}")
        for i in range(size + extra)
    ]
    now = timezone.now()
    payment = payment_create(
        buyer=members[0], amount_fen=GROUP_FEN, expires_at=now + timedelta(minutes=30)
    )
    made = Group.objects.bulk_create(
        Group(
            group_buy=gb,
            leader=members[0],
            price_fen=GROUP_FEN,
            size=size,
            opened_at=now,
            expires_at=now + timedelta(hours=24),
        )
        for _ in range(groups)
    )
    orders = Order.objects.bulk_create(
        Order(
            buyer=m,
            merchant=merchant,
            payment=payment,
            delivery="express",
            region_code="440305",
            address="科技园 1 号",
            receiver="王小二",
            phone="13912345678",
            goods_fen=GROUP_FEN,
            total_fen=GROUP_FEN,
            platform_fee_bp=merchant.platform_fee_bp,
            on_hold=True,
        )
        for _g in made
        for m in members
    )
    GroupMember.objects.bulk_create(
        GroupMember(
            group=g,
            member=m,
            order=orders[gi * len(members) + mi],
            is_leader=mi == 0,
        )
        for gi, g in enumerate(made)
        for mi, m in enumerate(members)
    )
    return gb, [o.pk for o in orders]


def take_seats(order_ids: list[int]) -> tuple[int, int, list[float]]:
    """One worker: each seat's capture in its own transaction. (seated, refused, ms each)."""
    from django.db import connections, transaction

    from sharemall.orders.models import Order
    from sharemall.promotions.services.groups import HANDLER

    connections.close_all()
    orders = Order.objects.in_bulk(order_ids)
    seated = refused = 0
    took: list[float] = []
    for pk in order_ids:
        start = time.perf_counter()
        with transaction.atomic():
            due = HANDLER.paid([orders[pk]])
        took.append((time.perf_counter() - start) * 1000)
        if due:
            refused += 1
        else:
            seated += 1
    connections.close_all()
    return seated, refused, took


def capture(payment_ids: list[int]) -> tuple[int, float]:
    from django.db import connections

    from sharemall.checkout import services as checkout
    from sharemall.payments.models import Payment

    connections.close_all()
    payments = list(Payment.objects.filter(pk__in=payment_ids))
    start = time.perf_counter()
    for payment in payments:
        checkout.sandbox_complete(payment)
    took = time.perf_counter() - start
    connections.close_all()
    return len(payments), took


def raw_seat_takes(args: tuple[str, list[int]]) -> int:
    """The same transaction shape in plain SQL, no Django: claim the seat row, take the
    group's counter conditionally, commit. The database's own ceiling for a seat-take."""
    import psycopg

    url, seat_ids = args
    with psycopg.connect(url) as conn:
        for seat_id in seat_ids:
            row = conn.execute(
                "UPDATE bench_seat SET status = 'paid' WHERE id = %s AND status = 'pending' "
                "RETURNING group_id",
                (seat_id,),
            ).fetchone()
            if row:
                conn.execute(
                    "UPDATE bench_group SET paid_count = paid_count + 1 "
                    "WHERE id = %s AND paid_count < size RETURNING paid_count",
                    (row[0],),
                ).fetchone()
            conn.commit()
    return len(seat_ids)


def raw_ceiling(url: str, pool: Any, *, groups: int, joined: int, size: int, workers: int) -> float:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_seat, bench_group")
        conn.execute("CREATE TABLE bench_group (id int PRIMARY KEY, paid_count int, size int)")
        conn.execute(
            "CREATE TABLE bench_seat (id int PRIMARY KEY, group_id int, status varchar(10))"
        )
        conn.execute(
            "INSERT INTO bench_group SELECT g, 0, %s FROM generate_series(0, %s) g",
            (size, groups - 1),
        )
        conn.execute(
            "INSERT INTO bench_seat SELECT s, s / %s, 'pending' FROM generate_series(0, %s) s",
            (joined, groups * joined - 1),
        )
    start = time.perf_counter()
    done = sum(
        pool.map(
            raw_seat_takes, [(url, part) for part in spread(list(range(groups * joined)), workers)]
        )
    )
    return done / (time.perf_counter() - start)


def spread(ids: list[int], workers: int) -> list[list[int]]:
    shuffled = ids[:]
    random.Random(7).shuffle(shuffled)
    return [shuffled[w::workers] for w in range(workers)]


def check_groups(gb_id: int, size: int, joined: int) -> list[str]:
    from django.db.models import Count, Q

    from sharemall.promotions.models import Group

    problems = []
    rows = Group.objects.filter(group_buy_id=gb_id).annotate(
        paid=Count("members", filter=Q(members__status="paid")),
        refused=Count("members", filter=Q(members__status="refused")),
    )
    for g in rows:
        if (g.status, g.paid_count, g.paid) != ("succeeded", size, size):
            problems.append(f"group {g.pk}: {g.status} {g.paid_count}/{size}, {g.paid} paid seats")
        if g.refused != joined - size:
            problems.append(f"group {g.pk}: {g.refused} refused, expected {joined - size}")
    return problems


def end_to_end(args: argparse.Namespace, pool: Any) -> tuple[float, list[str]]:
    from django.db import connections

    from sharemall.accounts.models import Member
    from sharemall.checkout import services as checkout
    from sharemall.checkout import services_promotions
    from sharemall.payments.models import Refund
    from sharemall.promotions.models import GroupBuy

    gb = GroupBuy.objects.get()
    members = list(Member.objects.filter(phone__startswith="1380000").order_by("pk"))
    per_group = len(members)
    delivery = checkout.Delivery("express", "440305", "科技园 1 号", "王小二", "13912345678")
    payment_ids: list[int] = []
    refund_checks: list[tuple[int, int]] = []
    start = time.perf_counter()
    groups = max(1, args.captured // per_group)
    for _ in range(groups):
        group, opened = services_promotions.group_open(
            leader=members[0], group_buy_id=gb.pk, delivery=delivery
        )
        checkout.sandbox_complete(opened.payment)
        for m in members[1:]:
            joined = services_promotions.group_join(member=m, group_id=group.pk, delivery=delivery)
            payment_ids.append(joined.payment.pk)
        refund_checks.append((group.pk, per_group - args.size))
    print(f"  set-up: {groups} groups through the checkout in {time.perf_counter() - start:.1f} s")
    connections.close_all()
    start = time.perf_counter()
    results = pool.map(capture, spread(payment_ids, args.workers))
    wall = time.perf_counter() - start
    rate = sum(n for n, _t in results) / wall
    problems = []
    refunds = Refund.objects.filter(status="succeeded").count()
    if refunds != sum(n for _g, n in refund_checks):
        problems.append(f"{refunds} refunds, expected {sum(n for _g, n in refund_checks)}")
    return rate, problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=400)
    parser.add_argument("--size", type=int, default=5)
    parser.add_argument("--extra", type=int, default=2)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--captured", type=int, default=240)
    args = parser.parse_args()

    url = fresh_postgres(DB)
    from django.db import connections

    started = time.perf_counter()
    gb, order_ids = seed(args.groups, args.size, args.extra)
    joined = args.size + args.extra
    print(
        f"seed: {args.groups} groups × {joined} joins = {len(order_ids)} in "
        f"{time.perf_counter() - started:.1f} s"
    )
    connections.close_all()
    # Phase A: every seat but each group's last (seat-takes only); phase B: the last seat of
    # every group raced by its 1 + extra remaining payers (the fill, and the refusals).
    first = [
        pk for g in range(args.groups) for pk in order_ids[g * joined : g * joined + args.size - 1]
    ]
    last = [
        pk
        for g in range(args.groups)
        for pk in order_ids[g * joined + args.size - 1 : (g + 1) * joined]
    ]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(args.workers) as pool:
        totals = {"seated": 0, "refused": 0, "joins": 0, "seconds": 0.0}
        for label, ids in (("A, seats before the last", first), ("B, last seat raced", last)):
            start = time.perf_counter()
            results = pool.map(take_seats, spread(ids, args.workers))
            wall = time.perf_counter() - start
            seated = sum(r[0] for r in results)
            refused = sum(r[1] for r in results)
            each = [ms for r in results for ms in r[2]]
            print(
                f"seat-take {label}: {len(ids)} joins in {wall:.2f} s with {args.workers} "
                f"workers = {len(ids) / wall:,.0f} joins/s; seated {seated}, refused {refused}; "
                f"per join p50 {pct(each, 0.5):.1f} ms, p99 {pct(each, 0.99):.1f} ms"
            )
            totals["seated"] += seated
            totals["refused"] += refused
            totals["joins"] += len(ids)
            totals["seconds"] += wall
        problems = check_groups(gb.pk, args.size, joined)
        print(
            f"seat-take, all: {totals['joins']} joins = "
            f"{totals['joins'] / totals['seconds']:,.0f} joins/s; seated {totals['seated']}, "
            f"refused {totals['refused']}"
        )
        ceiling = raw_ceiling(
            url, pool, groups=args.groups, joined=joined, size=args.size, workers=args.workers
        )
        print(
            f"the same transactions in plain SQL (psycopg, no Django), {args.workers} workers: "
            f"{ceiling:,.0f} joins/s"
        )
        e2e_rate, e2e_problems = end_to_end(args, pool)
        print(f"end to end (sandbox notification → capture → seat): {e2e_rate:,.0f} joins/s")
    problems += e2e_problems
    overfilled = "none" if not problems else "; ".join(problems[:5])
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"overfilled or wrong: {overfilled}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
