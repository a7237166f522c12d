"""Flash sale (秒杀) under a crowd: POST /orders of one flash sale through HTTP on PostgreSQL,
with the Redis gate and on PostgreSQL alone, beside the Redis script's own rate and the
database's rate for one hot row.

    .venv/bin/python bench/flash_sale.py [--units 5000] [--connections 256] [--buyers 20000]
        [--after 10] [--workers 2] [--threads 8] [--load-processes 2] [--modes pg,redis]

1. A fresh database `sharemall_bench_flash`, migrated; one approved merchant, one SKU (¥99, ample
   stock) and `--buyers` members with bearer tokens (made in bulk).
2. For each mode a new flash sale of `--units` units (¥9.90, 1 per member, live now) and a fresh
   server (`sharemall serve`, granian, `--workers` × `--threads`): `pg` without REDIS_URL, `redis`
   with REDIS_URL pointing at a scratch Redis database (127.0.0.1:6379/14, flushed first).
   `--connections` keep-alive connections (asyncio, split over `--load-processes` processes) each
   loop POST /api/v1/orders for the sale as a random buyer, until `--after` seconds past the first
   sold-out answer. Every answer counts: 201 orders, 409 sold out, 409 over the member's limit.
3. Oversell: after the run the database must show exactly the 201s as units sold, never more than
   the flash stock, and one purchase row per order; the script exits 1 otherwise.
4. Beside it, measured in the same run: the gate's Lua admission script driven by
   `redis-benchmark` (EVALSHA, random members, 50 clients, pipelined 16), and `pgbench` running one
   conditional UPDATE of a single hot row of a scratch table (the flash stock's statement).

Everything runs on this one machine (server, load, PostgreSQL, Redis): the figures are for it only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import SHAREMALL, approved_merchant, fresh_postgres, pct, pgbench_tps

DB = "sharemall_bench_flash"
REDIS_URL = "redis://127.0.0.1:6379/14"
ADDRESS = {
    "type": "express",
    "region_code": "440305",
    "address": "科技园 1 号",
    "receiver": "王小二",
    "phone": "13912345678",
}


def seed(buyers: int) -> tuple[int, list[str]]:
    from django.contrib.auth.hashers import make_password

    from sharemall.accounts.models import ApiToken, Member
    from sharemall.accounts.rules import TOKEN_PREFIX, hash_token
    from sharemall.catalog.models import Product, Sku

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
    product = Product.objects.create(merchant=merchant, title="秒杀好茶", status="on_sale")
    sku = Sku.objects.create(product=product, name="罐装", price_fen=9900, stock=10_000_000)
    unusable = make_password(None)
    members = Member.objects.bulk_create(
        (Member(phone=f"135{i:08d}", nickname=f"b{i}", password=unusable) for i in range(buyers)),
        batch_size=2000,
    )
    from django.utils import timezone

    expires = timezone.now() + timedelta(days=30)
    raws = [TOKEN_PREFIX + f"bench{i:08d}{random.getrandbits(64):016x}" for i in range(buyers)]
    ApiToken.objects.bulk_create(
        (
            ApiToken(member=m, key_hash=hash_token(raw), expires_at=expires)
            for m, raw in zip(members, raws, strict=True)
        ),
        batch_size=2000,
    )
    return sku.pk, raws


def new_sale(sku_id: int, units: int) -> int:
    from django.utils import timezone

    from sharemall.catalog.models import Sku
    from sharemall.promotions.services import flash

    sku = Sku.objects.select_related("product__merchant").get(pk=sku_id)
    now = timezone.now()
    sale = flash.sale_create(
        sku.product.merchant,
        sku_id=sku_id,
        price_fen=990,
        stock=units,
        per_member=1,
        starts_at=now - timedelta(seconds=1),
        ends_at=now + timedelta(hours=2),
    )
    return sale.pk


# -- the load ----------------------------------------------------------------------------------


@dataclass
class Tally:
    # (start offset s, latency ms, outcome) per answer: outcome is "201", a 409 code, or other.
    answers: list[tuple[float, float, str]] = field(default_factory=list)
    errors: int = 0


@dataclass(frozen=True)
class Load:
    port: int
    body: bytes
    tokens: list[str]
    stop_after: float  # seconds past the first sold-out answer
    limit: float  # seconds at most


async def _connection(
    load: Load, start: float, sold_out_at: list[float], tally: Tally, seed: int
) -> None:
    port, body, tokens, stop_after, limit = (
        load.port,
        load.body,
        load.tokens,
        load.stop_after,
        load.limit,
    )
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        "POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nAuthorization: Bearer "
    ).encode()
    loop_clock = time.perf_counter
    while True:
        now = loop_clock()
        if now - start > limit or (sold_out_at and now - sold_out_at[0] > stop_after):
            break
        request = head + rng.choice(tokens).encode() + b"\r\n\r\n" + body
        sent = loop_clock()
        try:
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            data = await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            tally.errors += 1
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            continue
        done = loop_clock()
        status = status_line.split(b" ", 2)[1].decode() if status_line else "none"
        outcome = status
        if status == "409":
            outcome = json.loads(data)["error"]["code"]
            if outcome == "flash_sold_out" and not sold_out_at:
                sold_out_at.append(done)
        tally.answers.append((sent - start, (done - sent) * 1000, outcome))
    writer.close()


def _load_process(
    load: Load,
    connections: int,
    start_wall: float,
    seed: int,
    out: multiprocessing.Queue,  # type: ignore[type-arg]
) -> None:
    tally = Tally()
    sold_out_at: list[float] = []

    async def run() -> None:
        # Every process measures from the same wall-clock start.
        start = time.perf_counter() - (time.time() - start_wall)
        await asyncio.gather(
            *(_connection(load, start, sold_out_at, tally, seed + i) for i in range(connections))
        )

    asyncio.run(run())
    out.put((tally.answers, tally.errors))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


@dataclass
class Run:
    mode: str
    answers: list[tuple[float, float, str]]
    errors: int
    elapsed: float

    def outcomes(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for _, _, outcome in self.answers:
            counted[outcome] = counted.get(outcome, 0) + 1
        return counted

    @property
    def orders(self) -> int:
        return self.outcomes().get("201", 0)

    def selling_seconds(self) -> float:
        """From the start to the last order's answer: the time the units took to sell."""
        ends = [t + ms / 1000 for t, ms, o in self.answers if o == "201"]
        return max(ends) if ends else self.elapsed


def run_mode(
    mode: str, url: str, sale: tuple[int, int], tokens: list[str], args: argparse.Namespace
) -> Run:
    sku_id, sale_id = sale
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-only",
        "SANDBOX_PAYMENTS": "1",
        "AUTH_THROTTLE": "off",
    }
    env.pop("REDIS_URL", None)
    if mode == "redis":
        env["REDIS_URL"] = REDIS_URL
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(
        [
            SHAREMALL,
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        _wait_for(port)
        time.sleep(1.0)
        body = json.dumps(
            {
                "items": [{"sku_id": sku_id, "quantity": 1, "flash_sale_id": sale_id}],
                "delivery": ADDRESS,
            }
        ).encode()
        queue: multiprocessing.Queue[tuple[list[tuple[float, float, str]], int]] = (
            multiprocessing.Queue()
        )
        per = args.connections // args.load_processes
        start_wall = time.time() + 0.5
        procs = [
            multiprocessing.Process(
                target=_load_process,
                args=(
                    Load(port, body, tokens, args.after, args.limit),
                    per,
                    start_wall,
                    1000 * i,
                    queue,
                ),
            )
            for i in range(args.load_processes)
        ]
        for p in procs:
            p.start()
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
        elapsed = time.time() - start_wall
    finally:
        server.terminate()
        server.wait(timeout=60)
    answers = [a for r in results for a in r[0]]
    errors = sum(r[1] for r in results)
    if errors or not answers:
        log.seek(0)
        print(log.read()[-3000:], file=sys.stderr)
    return Run(mode, answers, errors, elapsed)


def check_oversell(sale_id: int, orders: int) -> tuple[int, int, int]:
    """(units sold, purchase rows, orders holding the sale's line); exits 1 on any oversell."""
    from sharemall.promotions.models.flash import FlashPurchase, FlashSale

    sale = FlashSale.objects.get(pk=sale_id)
    purchases = FlashPurchase.objects.filter(sale_id=sale_id)
    rows = purchases.count()
    distinct_orders = purchases.values("order_id").distinct().count()
    ok = sale.sold <= sale.units and sale.sold == rows == distinct_orders == orders
    if not ok:
        print(
            f"OVERSELL OR MISMATCH: sold {sale.sold} of {sale.units}, {rows} purchase rows, "
            f"{distinct_orders} orders, {orders} answered 201",
            file=sys.stderr,
        )
        raise SystemExit(1)
    return sale.sold, rows, distinct_orders


# -- beside it: the Redis script and one hot row in PostgreSQL ---------------------------------


def redis_script_rate(seconds: float) -> float:
    """The gate's admission script alone: redis-benchmark calling it by EVALSHA, random members
    of one sale with ample units."""
    import redis

    from sharemall.promotions.services import flash

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    sha = client.script_load(flash._ADMIT)  # the very script the gate runs
    client.set("flash:999999:left", 10**12)
    n = max(100_000, int(seconds * 60_000))
    done = subprocess.run(
        [
            "redis-benchmark",
            "-h",
            "127.0.0.1",
            "-p",
            "6379",
            "--dbnum",
            "14",
            "-c",
            "50",
            "-P",
            "16",
            "-n",
            str(n),
            "-r",
            "1000000",
            "-q",
            "EVALSHA",
            sha,
            "2",
            "flash:999999:left",
            "flash:999999:m:__rand_int__",
            "1",
            "1",
            "3600",
            "0",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    client.flushdb()
    match = re.search(r"([\d.]+) requests per second", done.stdout)
    assert match, done.stdout + done.stderr
    return float(match.group(1))


def pgbench_hot_row(url: str, clients: int, seconds: int) -> float:
    """One conditional UPDATE of one row, as the flash stock's, on a scratch table."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_flash_hot")
        conn.execute("CREATE TABLE bench_flash_hot (id int PRIMARY KEY, sold int, stock int)")
        conn.execute("INSERT INTO bench_flash_hot VALUES (1, 0, 2000000000)")
    tps = pgbench_tps(
        url,
        "UPDATE bench_flash_hot SET sold = sold + 1 WHERE id = 1 AND sold + 1 <= stock;\n",
        clients=clients,
        seconds=seconds,
    )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_flash_hot")
    return tps


def front_cost(sale_id: int, sku_id: int, times: int = 20_000) -> float:
    """Microseconds of CPU per sold-out answer given in front of Django, in-process."""
    import io

    from django.utils import timezone

    from sharemall.accounts.models import Member
    from sharemall.core.errors import DomainError
    from sharemall.promotions.rules.offers import FLASH
    from sharemall.promotions.services import flash, offers

    flash.SNAPSHOT_SECONDS = 3600.0  # measure the answer, not the once-a-second look
    # Sold out: the refusal leaves this process knowing it.
    with contextlib.suppress(DomainError):
        offers.offer(
            FLASH, sale_id, buyer=Member.objects.first(), sku_id=sku_id, now=timezone.now()
        )
    body = json.dumps(
        {
            "items": [{"sku_id": sku_id, "quantity": 1, "flash_sale_id": sale_id}],
            "delivery": ADDRESS,
        }
    ).encode()
    app = flash.front(lambda environ, start_response: [b"django"])
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/orders"}
    environ["CONTENT_LENGTH"] = str(len(body))
    start = time.process_time()
    for _ in range(times):
        answer = app({**environ, "wsgi.input": io.BytesIO(body)}, lambda *a: None)
    took = time.process_time() - start
    assert answer != [b"django"], "the front did not answer"
    return took / times * 1e6


# -- the report --------------------------------------------------------------------------------


def report(run: Run, units: int) -> None:
    counted = run.outcomes()
    total = len(run.answers)
    selling = run.selling_seconds()
    during = [ms for t, ms, _ in run.answers if t <= selling]
    after = [ms for t, ms, _ in run.answers if t > selling]
    after_seconds = max(run.elapsed - selling, 1e-9)
    latencies = [ms for _, ms, _ in run.answers]
    print(
        f"== {run.mode}: {units} units, {total} answers in {run.elapsed:.1f} s, {run.errors} errors"
    )
    print(f"   answers: {json.dumps(counted, sort_keys=True)}")
    print(
        f"   orders/s while selling: {run.orders / selling:.0f}  "
        f"({run.orders} orders in {selling:.1f} s)"
    )
    print(f"   requests/s overall: {total / run.elapsed:.0f}")
    if after:
        print(f"   requests/s once sold out: {len(after) / after_seconds:.0f}")
    print(
        f"   latency ms p50 / p99 overall: {pct(latencies, 0.5):.1f} / {pct(latencies, 0.99):.1f}"
    )
    print(
        f"   latency ms p50 / p99 while selling: {pct(during, 0.5):.1f} / {pct(during, 0.99):.1f}"
    )
    if after:
        print(
            f"   latency ms p50 / p99 once sold out: {pct(after, 0.5):.1f} / {pct(after, 0.99):.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--buyers", type=int, default=20000)
    parser.add_argument("--after", type=float, default=10, help="seconds of load past sold out")
    parser.add_argument("--limit", type=float, default=180, help="seconds of load at most")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--load-processes", type=int, default=2)
    parser.add_argument("--modes", default="pg,redis")
    parser.add_argument("--side-seconds", type=int, default=10)
    args = parser.parse_args()

    url = fresh_postgres(DB)
    sku_id, tokens = seed(args.buyers)
    runs = []
    for mode in args.modes.split(","):
        if mode == "redis":
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
        sale_id = new_sale(sku_id, args.units)
        run = run_mode(mode, url, (sku_id, sale_id), tokens, args)
        sold, _rows, _orders = check_oversell(sale_id, run.orders)
        runs.append((run, sold, sale_id))
    script_rate = redis_script_rate(args.side_seconds)
    hot_row = pgbench_hot_row(url, 32, args.side_seconds)
    front_us = front_cost(runs[-1][2], sku_id)

    from django.db import connection

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, PostgreSQL {connection.pg_version // 10000}; "  # type: ignore[attr-defined]
        f"{args.connections} connections over {args.load_processes} load processes, "
        f"{args.workers} workers x {args.threads} threads, {args.buyers} buyers"
    )
    for run, sold, _sale in runs:
        report(run, args.units)
        print(f"   oversell: {sold - args.units if sold > args.units else 0} (units sold {sold})")
    print(
        f"Redis gate script alone (redis-benchmark EVALSHA, 50 clients, -P 16): {script_rate:.0f}/s"
    )
    print(f"pgbench one hot-row conditional UPDATE, 32 clients: {hot_row:.0f} tps")
    print(f"sold-out answer in front of Django, in-process: {front_us:.1f} us CPU each")


if __name__ == "__main__":
    main()
