"""Flash sale (秒杀) under a crowd: POST /orders of one flash sale through HTTP on PostgreSQL,
with the Redis gate and on PostgreSQL alone, beside the Redis script's own rate and the
database's rate for one hot row.

    .venv/bin/python bench/flash_sale.py [--units 1000] [--connections 256] [--rate 3500]
        [--after 20] [--saturation 5] [--buyers 20000] [--workers 2] [--threads 8]
        [--load-processes 2] [--modes pg,redis] [--dump answers.jsonl]

1. A fresh database `sharemall_bench_flash`, migrated; one approved merchant, one SKU (¥99, ample
   stock) and `--buyers` members with bearer tokens (made in bulk).
2. For each mode a new flash sale of `--units` units (¥9.90, 1 per member, live now) and a fresh
   server (`sharemall serve`, granian, `--workers` × `--threads`): `pg` without REDIS_URL, `redis`
   with REDIS_URL pointing at a scratch Redis database (127.0.0.1:6379/14, flushed first).
   `--connections` keep-alive connections (asyncio, split over `--load-processes` processes)
   POST /api/v1/orders for the sale, each request as a random buyer, in three phases:
   - selling: closed loop (each connection sends its next request when its answer is in) until
     the first sold-out answer anywhere: every admitted request is a real checkout;
   - the crowd, `--gap` s later: open loop for `--after` s — requests arrive at `--rate` per
     second whatever the server does, each timed from when it was due, so a server that falls
     behind shows as latency (a request over `--max-lag` s late is not sent and counted);
   - saturation: closed loop for `--saturation` s, as fast as answers come: the ceiling.
   Every answer counts: 201 orders, 409 sold out, 409 over the member's limit. The report gives
   requests/s and p50/p99 over the whole run and per phase, sold-out answers/s, and the load
   average before and after each mode.
3. Oversell: after the run the database must show exactly the 201s as units sold, never more than
   the flash stock, and one purchase row per order; the script exits 1 otherwise.
4. Beside it, measured in the same run: the gate's Lua admission script driven by
   `redis-benchmark` (EVALSHA, random members, 50 clients, pipelined 16), `pgbench` running one
   conditional UPDATE of a single hot row of a scratch table (the flash stock's statement), and
   the CPU of one sold-out answer in front of Django, in-process, from memory and from Redis.

Everything runs on this one machine (server, load, PostgreSQL, Redis): the figures are for it only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
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
from dataclasses import astuple, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

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

SELLING, CROWD, SATURATION = "selling", "crowd", "saturation"
PHASES = (SELLING, CROWD, SATURATION)


@dataclass(frozen=True)
class Answer:
    phase: str
    due: float  # seconds from the run's start when the request was due (closed loop: sent)
    ms: float  # from due to the whole answer read: queueing in the load generator counts
    outcome: str  # "201", a 409 code, or another status


@dataclass(frozen=True)
class Load:
    port: int
    body: bytes
    tokens: list[str]
    connections: int  # over all load processes
    rate: float  # the crowd's arrivals per second over all connections (0: closed loop)
    gap: float  # seconds between the first sold-out answer and the crowd's first arrival
    crowd_seconds: float
    saturation_seconds: float
    max_lag: float  # a crowd request this late is not sent: counted as not served
    limit: float  # seconds of selling at most


@dataclass
class Tally:
    answers: list[Answer] = field(default_factory=list)
    errors: int = 0
    unsent: int = 0  # crowd requests the server was too far behind to be sent at all


class _Conn:
    """One keep-alive HTTP/1.1 connection sending POST /api/v1/orders as random buyers."""

    def __init__(self, load: Load, seed: int) -> None:
        self.load = load
        self.rng = random.Random(seed)
        self.head = (
            "POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(load.body)}\r\nAuthorization: Bearer "
        ).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.load.port)

    async def ask(self) -> str | None:
        """One request; its outcome, or None when the connection broke (reopened)."""
        assert self.reader is not None and self.writer is not None
        request = self.head + self.rng.choice(self.load.tokens).encode() + b"\r\n\r\n"
        try:
            self.writer.write(request + self.load.body)
            status_line = await self.reader.readline()
            length = 0
            while True:
                line = await self.reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            data = await self.reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            self.writer.close()
            await self.open()
            return None
        status = status_line.split(b" ", 2)[1].decode() if status_line else "none"
        if status == "409":
            return str(json.loads(data)["error"]["code"])
        return status


async def _one_connection(
    load: Load, index: int, *, start: float, sold_out_at: Any, tally: Tally
) -> None:
    """Selling (closed loop) until anyone sees sold out; then the crowd (open loop: this
    connection's share of `rate`, each request due at a fixed time and timed from then, so a
    server that falls behind shows in the latency instead of slowing the load down); then
    saturation (closed loop, as fast as answers come)."""
    clock = time.monotonic
    conn = _Conn(load, 7919 * index)
    await conn.open()

    async def closed(phase: str, until: float) -> None:
        while clock() < until:
            sent = clock()
            outcome = await conn.ask()
            if outcome is None:
                tally.errors += 1
                continue
            done = clock()
            if outcome == "flash_sold_out" and not sold_out_at.value:
                sold_out_at.value = done
            tally.answers.append(Answer(phase, sent - start, (done - sent) * 1000, outcome))

    # Selling: until the first sold-out answer anywhere (or the limit).
    while not sold_out_at.value and clock() - start < load.limit:
        await closed(SELLING, clock() + 0.05)
    if not sold_out_at.value:
        sold_out_at.value = clock()
    crowd_start = sold_out_at.value + load.gap
    crowd_end = crowd_start + load.crowd_seconds
    await asyncio.sleep(max(0.0, crowd_start - clock()))
    if load.rate > 0:
        interval = load.connections / load.rate
        due = crowd_start + index / load.rate
        while due < crowd_end:
            now = clock()
            if now < due:
                await asyncio.sleep(due - now)
            elif now - due > load.max_lag:
                tally.unsent += 1
                due += interval
                continue
            outcome = await conn.ask()
            if outcome is None:
                tally.errors += 1
                continue
            done = clock()
            tally.answers.append(Answer(CROWD, due - start, (done - due) * 1000, outcome))
            due += interval
    else:
        await closed(CROWD, crowd_end)
    saturation_start = crowd_end + 0.5
    await asyncio.sleep(max(0.0, saturation_start - clock()))
    await closed(SATURATION, saturation_start + load.saturation_seconds)
    assert conn.writer is not None
    conn.writer.close()


def _load_process(
    load: Load,
    connections: range,
    start: float,
    sold_out_at: Any,
    out: multiprocessing.Queue,  # type: ignore[type-arg]
) -> None:
    # The tally grows to 100,000s of objects: a full collection walking them pauses the load
    # for a good part of a second, which the crowd's open loop would count as the server's
    # latency. A minute's run needs no collector.
    gc.disable()
    tally = Tally()

    async def run() -> None:
        await asyncio.sleep(max(0.0, start - time.monotonic()))
        await asyncio.gather(
            *(
                _one_connection(load, i, start=start, sold_out_at=sold_out_at, tally=tally)
                for i in connections
            )
        )

    asyncio.run(run())
    out.put(tally)


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
    answers: list[Answer]
    errors: int
    unsent: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    def of(self, phase: str) -> list[Answer]:
        return [a for a in self.answers if a.phase == phase]

    @staticmethod
    def outcomes(answers: list[Answer]) -> dict[str, int]:
        counted: dict[str, int] = {}
        for a in answers:
            counted[a.outcome] = counted.get(a.outcome, 0) + 1
        return counted

    @property
    def orders(self) -> int:
        return self.outcomes(self.answers).get("201", 0)

    @staticmethod
    def span(answers: list[Answer]) -> float:
        """From the first request due to the last answer read."""
        if not answers:
            return 1e-9
        return max(a.due + a.ms / 1000 for a in answers) - min(a.due for a in answers)


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
        load = Load(
            port=port,
            body=body,
            tokens=tokens,
            connections=args.connections,
            rate=args.rate,
            gap=args.gap,
            crowd_seconds=args.after,
            saturation_seconds=args.saturation,
            max_lag=args.max_lag,
            limit=args.limit,
        )
        queue: multiprocessing.Queue[Tally] = multiprocessing.Queue()
        sold_out_at = multiprocessing.Value("d", 0.0, lock=False)
        per = args.connections // args.load_processes
        start = time.monotonic() + 1.0
        load_before = os.getloadavg()
        procs = [
            multiprocessing.Process(
                target=_load_process,
                args=(load, range(per * i, per * (i + 1)), start, sold_out_at, queue),
            )
            for i in range(args.load_processes)
        ]
        for p in procs:
            p.start()
        tallies = [queue.get() for _ in procs]
        for p in procs:
            p.join()
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=60)
    answers = [a for t in tallies for a in t.answers]
    errors = sum(t.errors for t in tallies)
    if errors or not answers:
        log.seek(0)
        print(log.read()[-3000:], file=sys.stderr)
    return Run(mode, answers, errors, sum(t.unsent for t in tallies), load_before, load_after)


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
            "3",
            "flash:999999:left",
            "flash:999999:m:__rand_int__",
            "flash:999999:emptied",
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


def front_cost(
    sale_id: int, sku_id: int, *, gated: bool, times: int = 20_000
) -> tuple[float, float]:
    """Microseconds of CPU and of wall time per sold-out answer given in front of Django,
    in-process: from the process's memory, or (`gated`) from the Redis gate."""
    import io

    from django.conf import settings
    from django.utils import timezone

    from sharemall.accounts.models import Member
    from sharemall.core.errors import DomainError
    from sharemall.promotions.rules.offers import FLASH
    from sharemall.promotions.services import flash, offers

    settings.REDIS_URL = REDIS_URL if gated else ""
    flash.SNAPSHOT_SECONDS = 3600.0  # measure the answer, not the once-a-second look
    flash._resync_soon = lambda sale_id: None  # nor the once-a-second resync it asks for
    # Sold out: the refusal leaves this process knowing it (and the gate, when there is one).
    buyer = Member.objects.order_by("pk").first()
    assert buyer is not None
    with contextlib.suppress(DomainError):
        offers.offer(FLASH, sale_id, buyer=buyer, sku_id=sku_id, now=timezone.now())
    body = json.dumps(
        {
            "items": [{"sku_id": sku_id, "quantity": 1, "flash_sale_id": sale_id}],
            "delivery": ADDRESS,
        }
    ).encode()
    app = flash.front(lambda environ, start_response: [b"django"])
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/orders"}
    environ["CONTENT_LENGTH"] = str(len(body))
    ignore: Any = lambda *a: None  # noqa: E731 - start_response, whose answer is not read
    start, wall = time.process_time(), time.perf_counter()
    for _ in range(times):
        answer = app({**environ, "wsgi.input": io.BytesIO(body)}, ignore)
    took, wall_took = time.process_time() - start, time.perf_counter() - wall
    settings.REDIS_URL = ""
    assert answer != [b"django"], "the front did not answer"
    return took / times * 1e6, wall_took / times * 1e6


# -- the report --------------------------------------------------------------------------------


def _latency(answers: list[Answer]) -> str:
    ms = [a.ms for a in answers]
    if not ms:
        return "-"
    return f"{pct(ms, 0.5):.1f} / {pct(ms, 0.99):.1f}"


def report(run: Run, units: int, args: argparse.Namespace) -> bool:
    """Print one mode's figures; True when the crowd phase met the goal."""
    counted = run.outcomes(run.answers)
    whole = run.span(run.answers)
    before = "/".join(f"{x:.2f}" for x in run.load_before)
    after = "/".join(f"{x:.2f}" for x in run.load_after)
    print(f"== {run.mode}: {units} units; load average before {before}, after {after}")
    print(f"   answers: {json.dumps(counted, sort_keys=True)}; {run.errors} connection errors")
    print(
        f"   whole run: {len(run.answers) / whole:.0f} requests/s over {whole:.1f} s, "
        f"p50 / p99 {_latency(run.answers)} ms"
    )
    selling = run.of(SELLING)
    took = run.span(selling)
    print(
        f"   selling ({args.connections} connections, closed loop): "
        f"{len(selling) / took:.0f} requests/s, {run.orders / took:.0f} orders/s "
        f"({run.orders} orders in {took:.1f} s), p50 / p99 {_latency(selling)} ms"
    )
    crowd = run.of(CROWD)
    crowd_took = run.span(crowd)
    sold_out = sum(1 for a in crowd if a.outcome == "flash_sold_out")
    shape = f"offered {args.rate:.0f}/s open loop" if args.rate else "closed loop"
    print(
        f"   crowd once sold out ({shape}, {args.after:.0f} s): "
        f"{len(crowd) / crowd_took:.0f} requests/s answered, "
        f"{sold_out / crowd_took:.0f} sold-out answers/s, p50 / p99 {_latency(crowd)} ms "
        f"from when each was due; {run.unsent} not sent (over {args.max_lag:.0f} s late)"
    )
    saturated = run.of(SATURATION)
    sat_took = run.span(saturated)
    sat_sold_out = sum(1 for a in saturated if a.outcome == "flash_sold_out")
    print(
        f"   saturation ({args.connections} connections, closed loop, {args.saturation:.0f} s): "
        f"{sat_sold_out / sat_took:.0f} sold-out answers/s, p50 / p99 {_latency(saturated)} ms"
    )
    p99 = pct([a.ms for a in crowd], 0.99) if crowd else float("inf")
    rate = len(crowd) / crowd_took
    met = bool(args.rate) and rate >= 0.98 * args.rate and p99 <= GOAL_P99_MS and not run.unsent
    print(
        f"   goal (crowd phase: {GOAL_RATE:,}/s offered, p99 <= {GOAL_P99_MS:.0f} ms): "
        + ("met" if met else "not met")
    )
    return met


GOAL_RATE = 3500
GOAL_P99_MS = 100.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--buyers", type=int, default=20000)
    parser.add_argument(
        "--rate",
        type=float,
        default=GOAL_RATE,
        help="the crowd's arrivals per second once sold out (open loop); 0: closed loop",
    )
    parser.add_argument("--after", type=float, default=20, help="seconds of crowd once sold out")
    parser.add_argument("--gap", type=float, default=1.0, help="seconds from sold out to crowd")
    parser.add_argument("--saturation", type=float, default=5, help="seconds of closed loop")
    parser.add_argument("--max-lag", type=float, default=5, help="crowd requests this late drop")
    parser.add_argument("--limit", type=float, default=300, help="seconds of selling at most")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--load-processes", type=int, default=2)
    parser.add_argument("--modes", default="pg,redis")
    parser.add_argument("--side-seconds", type=int, default=10)
    parser.add_argument("--dump", help="write every answer here (JSON lines) for a closer look")
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
        if args.dump:
            with Path(args.dump).open("a") as out:
                out.writelines(json.dumps([mode, *astuple(a)]) + "\n" for a in run.answers)
    memory_us = front_cost(runs[0][2], sku_id, gated=False)
    gated_us = front_cost(runs[-1][2], sku_id, gated=True) if "redis" in args.modes else None
    side_load = os.getloadavg()
    script_rate = redis_script_rate(args.side_seconds)
    hot_row = pgbench_hot_row(url, 32, args.side_seconds)

    from django.db import connection

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, PostgreSQL {connection.pg_version // 10000}; "  # type: ignore[attr-defined]
        f"{args.connections} connections over {args.load_processes} load processes, "
        f"{args.workers} workers x {args.threads} threads, {args.buyers} buyers"
    )
    for run, sold, _sale in runs:
        report(run, args.units, args)
        print(f"   oversell: {sold - args.units if sold > args.units else 0} (units sold {sold})")
    print(f"beside it (load average {'/'.join(f'{x:.2f}' for x in side_load)} before):")
    print(
        f"   Redis gate script alone (redis-benchmark EVALSHA, 50 clients, -P 16): "
        f"{script_rate:.0f}/s"
    )
    print(f"   pgbench one hot-row conditional UPDATE, 32 clients: {hot_row:.0f} tps")
    print(
        f"   a sold-out answer in front of Django, in-process: {memory_us[0]:.1f} us CPU "
        f"(from the process's memory)"
        + (
            f", {gated_us[0]:.1f} us CPU / {gated_us[1]:.1f} us wall (from the Redis gate)"
            if gated_us
            else ""
        )
    )


if __name__ == "__main__":
    main()
