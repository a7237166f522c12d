"""Merchant settlement on PostgreSQL: completing and settling a merchant's paid orders, then the
reads of its money (balance, statements, the statements CSV) and the ledger checks.

    .venv/bin/python bench/settlement.py [--orders 2000] [--quick] [--threads 4]

1. A fresh database `sharemall_bench_settle` is made and migrated; one approved merchant with a
   commission plan (2000 bp budget, 500 bp buyer discount, 800/400/200 bp levels, 100 bp region
   agent; the platform's default `max_levels` 2) and a freight template (by piece: ¥10 the
   first, ¥5 each further piece); 20 products, half of them shipped with the template, half
   without postage. A region agent for 440305 (the buyers' district); 200 buyers bound under 20
   parents bound under one grandparent, so a paid order earns two levels and the agent.
2. `--orders` paid orders (`--quick`: 300) through the service layer, `checkout.order_create` +
   `checkout.sandbox_complete`, 1–3 pieces of one random product each, in `--threads` threads;
   then every order shipped by the merchant's owner (`orders.order_ship`) and received by its
   buyer (`orders.order_confirm_receipt`), also services in threads: no SQL writes anywhere.
   The after-sales window is passed by giving the jobs a `now` of 8 days from now
   (AFTERSALES_WINDOW_DAYS + 1), as a later run of the jobs would see it.
3. Timed: `checkout.orders_complete(now)` (completion with commissions settled), repeated until
   it completes nothing (it takes 1,000 a run), then `settlement.merchants_settle_due(now)` the
   same way. Statements counted with Django's query capture before each timed run, on the first
   order alone: its completion (`orders_complete` at the moment only its window has closed)
   and its settlement (`order_settle`).
4. Reads: `merchant_balance` (200 calls), `statements(period="day")` over 31 days and
   `period="month"` over 12 months (50 calls each), all after 5 warm-up calls; the 31-day CSV
   through `GET /api/v1/merchants/{id}/statements.csv` with the owner's bearer token (Django's
   test client, 20 calls); `sharemall ledger-check`'s two checks (`wallet.services.ledger_check`
   and `settlement.selectors.merchant_ledger_check`) once, in-process.
5. Before anything is printed the money is checked: merchant pending + available + platform fees
   + every member account + refunds must equal what buyers paid, every order settled, and both
   ledger checks clean; otherwise it exits with status 1.

Everything runs on the same machine as PostgreSQL; the figures are for this machine only.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import approved_merchant, fresh_postgres, pct, timed

DB = "sharemall_bench_settle"
PASSWORD = "Bench-pass-2026"
REGION = "440305"
PRODUCTS = 20
PARENTS = 20
BUYERS = 200

# Phones: merchant people 1370000001n, region agent 13600000001, grandparent 13800000000,
# parents 1380000nnnn (from 1), buyers 1390000nnnn.


def in_threads(threads: int, work: Callable[[int], int]) -> tuple[int, float]:
    """Run work(t) in `threads` threads, each closing its connection; (total, seconds)."""
    from django.db import connection

    done = [0] * threads
    failures: list[BaseException] = []

    def run(t: int) -> None:
        try:
            done[t] = work(t)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    start = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if failures:
        raise failures[0]
    return sum(done), time.monotonic() - start


# --- set-up --------------------------------------------------------------------------------------


def merchant_with_products() -> tuple[int, int, list[int]]:
    """(merchant id, owner id, SKU ids)."""
    from stdnum.cn import uscc

    from sharemall.accounts.models import Member
    from sharemall.catalog.models import Product, Sku
    from sharemall.distribution import rules
    from sharemall.distribution.services import plan_set
    from sharemall.freight import rules as freight_rules
    from sharemall.freight.services import template_create

    owner = Member.objects.create_user("13700000011", PASSWORD, nickname="owner")
    operator = Member.objects.create_superuser("13700000012", PASSWORD, nickname="op")
    body = "91440300000000011"
    merchant = approved_merchant(
        operator,
        owner=owner,
        legal_name="Bench Settle Co",
        uscc=body + uscc.calc_check_digit(body),
        legal_rep="B",
        contact_phone="13700000013",
    )
    plan_set(merchant, actor=owner, plan=rules.Plan("bp", 2000, 500, (800, 400, 200), 100))
    template = template_create(
        merchant,
        name="快递",
        template=freight_rules.Template(
            by=freight_rules.BY_PIECE, rules=(freight_rules.Rule((), 1, 1000, 1, 500),)
        ),
    )
    products = Product.objects.bulk_create(
        Product(
            merchant=merchant,
            title=f"Bench tea {i}",
            status="on_sale",
            freight_template=template if i % 2 else None,
        )
        for i in range(PRODUCTS)
    )
    skus = Sku.objects.bulk_create(
        Sku(product=p, name="tin", price_fen=1999 + 100 * i, stock=10_000_000)
        for i, p in enumerate(products)
    )
    return merchant.pk, owner.pk, [s.pk for s in skus]


def buyers_in_chain() -> list[int]:
    """A region agent for the buyers' district; buyers under parents under one grandparent."""
    from sharemall.accounts.binding import bind
    from sharemall.accounts.models import Member
    from sharemall.distribution.services import region_agent_appoint

    agent = Member.objects.create_user("13600000001", PASSWORD, nickname="agent")
    region_agent_appoint(member_id=agent.pk, region_code=REGION)
    top = Member.objects.create_user("13800000000", PASSWORD, nickname="top")
    parents = []
    for p in range(1, PARENTS + 1):
        parent = Member.objects.create_user(f"1380000{p:04d}", PASSWORD, nickname=f"p{p}")
        assert bind(parent, top, source="bench:settle")
        parents.append(parent)
    buyers = []
    for b in range(BUYERS):
        buyer = Member.objects.create_user(f"1390000{b:04d}", PASSWORD, nickname=f"b{b}")
        assert bind(buyer, parents[b % PARENTS], source="bench:settle")
        buyers.append(buyer.pk)
    return buyers


def orders_paid(count: int, threads: int, buyers: list[int], skus: list[int]) -> tuple[int, float]:
    from sharemall.accounts.models import Member
    from sharemall.checkout import services as checkout

    def work(t: int) -> int:
        rng = random.Random(t)
        done = 0
        for _ in range(t, count, threads):
            buyer = Member.objects.get(pk=rng.choice(buyers))
            result = checkout.order_create(
                buyer=buyer,
                items=[checkout.Item(rng.choice(skus), rng.randint(1, 3))],
                delivery=checkout.Delivery(
                    type="express",
                    region_code=REGION,
                    address="科技园 1 号",
                    receiver="王小二",
                    phone="13912345678",
                ),
                share_code=None,
            )
            checkout.sandbox_complete(result.payment)
            done += 1
        return done

    return in_threads(threads, work)


def orders_delivered(owner_id: int, threads: int) -> tuple[int, float]:
    """Every paid order shipped by the owner and received by its buyer, through the services."""
    from sharemall.accounts.models import Member
    from sharemall.orders.models import Order
    from sharemall.orders.services import order_confirm_receipt, order_ship

    ids = list(Order.objects.filter(status="paid").order_by("pk").values_list("pk", flat=True))

    def work(t: int) -> int:
        owner = Member.objects.get(pk=owner_id)
        for order_id in ids[t::threads]:
            order = order_ship(
                Order.objects.get(pk=order_id),
                actor=owner,
                carrier="顺丰",
                tracking_no=f"SF{order_id:010d}",
            )
            order_confirm_receipt(order, actor=Member.objects.get(pk=order.buyer_id))
        return len(ids[t::threads])

    return in_threads(threads, work)


# --- measured ------------------------------------------------------------------------------------


def run_until_idle(job: Callable[[Any], int], now: Any) -> tuple[int, float, float]:
    """(done, seconds, Python CPU seconds) of `job(now)` repeated until it does nothing."""
    cpu = time.process_time()
    start = time.monotonic()
    total = 0
    while done := job(now):
        total += done
    return total, time.monotonic() - start, time.process_time() - cpu


def statements_per_settlement(now: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sharemall.orders.models import Order
    from sharemall.settlement.services import order_settle

    order_id = (
        Order.objects.filter(status="completed").order_by("pk").values_list("pk", flat=True)[0]
    )
    with CaptureQueriesContext(connection) as queries:
        assert order_settle(order_id, now=now)
    return len(queries)


def reads(merchant_id: int, owner_id: int) -> dict[str, Any]:
    """Milliseconds per call of each read; "statements": SQL statements of one 31-day read."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from sharemall.accounts.models import Member
    from sharemall.accounts.services import token_issue
    from sharemall.settlement.selectors import merchant_balance, statements
    from sharemall.wallet.rules import CAP_TIME_ZONE

    today = timezone.now().astimezone(CAP_TIME_ZONE).date()
    month_ago = today - timedelta(days=30)
    year_start = date(today.year - (today.month < 12), today.month % 12 + 1, 1)
    days = statements(merchant_id, period="day", start=month_ago, end=today)
    months = statements(merchant_id, period="month", start=year_start, end=today)
    assert len(days) == 31 and len(months) == 12, (len(days), len(months))
    with CaptureQueriesContext(connection) as queries:
        statements(merchant_id, period="day", start=month_ago, end=today)
    read_statements = len(queries)  # before a request's start clears the log

    token = token_issue(Member.objects.get(pk=owner_id), label="bench")
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    url = (
        f"/api/v1/merchants/{merchant_id}/statements.csv?period=day"
        f"&from={month_ago.isoformat()}&to={today.isoformat()}"
    )

    def csv() -> None:
        answer = client.get(url)
        assert answer.status_code == 200, answer.content

    return {
        "balance": timed(lambda: merchant_balance(merchant_id), 200),
        "day": timed(lambda: statements(merchant_id, period="day", start=month_ago, end=today), 50),
        "month": timed(
            lambda: statements(merchant_id, period="month", start=year_start, end=today), 50
        ),
        "csv": timed(csv, 20),
        "statements": read_statements,
    }


def ledger_checks() -> tuple[list[str], float, float]:
    from sharemall.settlement.selectors import merchant_ledger_check
    from sharemall.wallet.services import ledger_check

    start = time.perf_counter()
    problems = ledger_check()
    wallet_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    problems += merchant_ledger_check()
    return problems, wallet_ms, (time.perf_counter() - start) * 1000


def money(merchant_id: int) -> dict[str, int]:
    """Where buyers' money went, each read on its own: the sum must be what they paid."""
    from django.db.models import Sum

    from sharemall.payments.models import Payment, Refund
    from sharemall.settlement.selectors import merchant_balance
    from sharemall.wallet import rules as wallet_rules
    from sharemall.wallet.models import Account, Posting

    def total(queryset: Any, field: str) -> int:
        return int(queryset.aggregate(s=Sum(field))["s"] or 0)

    held = merchant_balance(merchant_id)
    return {
        "paid": total(Payment.objects.filter(status=Payment.Status.PAID), "amount_fen"),
        "merchant": held.pending_fen + held.available_fen,
        "pending": held.pending_fen,
        "fees": -total(
            Posting.objects.filter(account__kind=wallet_rules.PLATFORM_FEES), "amount_fen"
        ),
        "members": total(Account.objects.filter(kind__in=wallet_rules.MEMBER_KINDS), "balance_fen"),
        "refunds": total(Refund.objects.all(), "amount_fen"),
    }


# --- main ----------------------------------------------------------------------------------------


def summary(ms: list[float]) -> str:
    return f"p50 {pct(ms, 0.5):.1f} ms, p95 {pct(ms, 0.95):.1f} ms"


def statements_per_completion(now: Any) -> tuple[int, int]:
    """(statements, orders) of `orders_complete` at a moment only the first received order's
    window has closed by: the statements of completing one order with its commissions."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sharemall.checkout.services import orders_complete
    from sharemall.orders.models import Order

    first = Order.objects.filter(status="received").order_by("received_at")[0].received_at
    assert first is not None
    early = first + timedelta(days=settings.AFTERSALES_WINDOW_DAYS)
    assert early < now
    with CaptureQueriesContext(connection) as queries:
        done = orders_complete(early)
    return len(queries), done


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.conf import settings
    from django.utils import timezone

    from sharemall.checkout.services import orders_complete
    from sharemall.distribution.models import CommissionEntry
    from sharemall.orders.models import Order
    from sharemall.settlement.services import merchants_settle_due

    merchant_id, owner_id, skus = merchant_with_products()
    buyers = buyers_in_chain()
    paid, paid_s = orders_paid(args.orders, args.threads, buyers, skus)
    print(f"set-up: {paid:,} paid orders in {paid_s:.1f} s ({paid / paid_s:.0f}/s)", flush=True)
    delivered, delivered_s = orders_delivered(owner_id, args.threads)
    print(f"set-up: {delivered:,} shipped and received in {delivered_s:.1f} s", flush=True)

    now = timezone.now() + timedelta(days=settings.AFTERSALES_WINDOW_DAYS + 1)
    complete_statements, first_done = statements_per_completion(now)
    completed, complete_s, complete_cpu = run_until_idle(orders_complete, now)
    settle_statements = statements_per_settlement(now)
    settled, settle_s, settle_cpu = run_until_idle(merchants_settle_due, now)
    problems, wallet_check_ms, merchant_check_ms = ledger_checks()
    return {
        "paid": paid,
        "first_done": first_done,
        "complete_statements": complete_statements,
        "completed": completed,
        "complete_s": complete_s,
        "complete_cpu": complete_cpu,
        "settle_statements": settle_statements,
        "settled": settled,
        "settle_s": settle_s,
        "settle_cpu": settle_cpu,
        "reads": reads(merchant_id, owner_id),
        "problems": problems,
        "wallet_check_ms": wallet_check_ms,
        "merchant_check_ms": merchant_check_ms,
        "entries": CommissionEntry.objects.count(),
        "shipping": Order.objects.filter(shipping_fen__gt=0).count(),
        "unsettled": Order.objects.filter(settled_at__isnull=True).count(),
        "money": money(merchant_id),
    }


def check(m: dict[str, Any]) -> list[str]:
    """Everything wrong with the books after the run; empty when the money adds up."""
    held = m["money"]
    accounted = held["merchant"] + held["fees"] + held["members"] + held["refunds"]
    failures = list(m["problems"])
    if accounted != held["paid"]:
        failures.append(f"money: accounted {accounted} fen != paid {held['paid']} fen ({held})")
    completed = m["first_done"] + m["completed"]
    settled = m["settled"] + 1  # the one whose statements were counted
    if m["unsettled"] or held["pending"] or completed != m["paid"] or settled != m["paid"]:
        failures.append(
            f"{completed} completed, {settled} settled of {m['paid']} paid; {m['unsettled']} "
            f"unsettled, {held['pending']} fen pending"
        )
    return failures


def report(m: dict[str, Any]) -> None:
    from django.db import connection

    held, read_ms = m["money"], m["reads"]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, PostgreSQL {connection.pg_version // 10000}"  # type: ignore[attr-defined]
    )
    print(
        f"orders: {m['paid']:,} paid ({m['shipping']:,} with shipping), {m['entries']:,} "
        f"commission entries; buyers paid {held['paid'] / 100:,.2f} yuan = merchant (pending "
        f"{held['pending'] / 100:,.2f} + available) {held['merchant'] / 100:,.2f} + platform "
        f"fees {held['fees'] / 100:,.2f} + members {held['members'] / 100:,.2f} + refunds "
        f"{held['refunds'] / 100:,.2f}; ledger checks clean"
    )
    print(
        f"orders_complete(now), until idle: {m['completed'] / m['complete_s']:,.0f} orders/s  "
        f"[{m['completed']:,} in {m['complete_s']:.1f} s, "
        f"{m['complete_cpu'] * 1000 / m['completed']:.1f} ms Python CPU each; "
        f"{m['complete_statements']} statements for {m['first_done']} order(s) alone]"
    )
    print(
        f"merchants_settle_due(now), until idle: {m['settled'] / m['settle_s']:,.0f} orders/s  "
        f"[{m['settled']:,} in {m['settle_s']:.1f} s, "
        f"{m['settle_cpu'] * 1000 / m['settled']:.1f} ms Python CPU each; "
        f"{m['settle_statements']} statements per settled order]"
    )
    print(f"merchant_balance(), 200 calls:              {summary(read_ms['balance'])}")
    print(
        f"statements(day, 31 days), 50 calls:        {summary(read_ms['day'])}  "
        f"[{m['reads']['statements']} statements]"
    )
    print(f"statements(month, 12 months), 50 calls:    {summary(read_ms['month'])}")
    print(f"GET statements.csv (31 days), 20 calls:    {summary(read_ms['csv'])}")
    print(
        f"ledger-check once: wallet ledger_check() {m['wallet_check_ms']:.0f} ms, "
        f"merchant_ledger_check() {m['merchant_check_ms']:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=2_000)
    parser.add_argument("--quick", action="store_true", help="300 orders")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if args.quick:
        args.orders = 300

    fresh_postgres(DB)

    from django.conf import settings
    from django.contrib.auth import hashers

    # Cheap hashing for the members this script makes (set before anything is hashed).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hashers.get_hashers.cache_clear()  # type: ignore[attr-defined]
    hashers.get_hashers_by_algorithm.cache_clear()  # type: ignore[attr-defined]

    measured = measure(args)
    failures = check(measured)
    if failures:
        print("\n".join(["CHECK FAILED:", *failures]), file=sys.stderr)
        sys.exit(1)
    report(measured)


if __name__ == "__main__":
    main()
