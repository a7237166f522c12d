"""Checkout throughput: orders per second through the HTTP API (create order + sandbox pay) on
PostgreSQL, beside the database's own ceilings for the same transactions.

    .venv/bin/python bench/checkout.py [--seconds 20] [--clients 32] [--workers 2] [--threads 1]
        [--skus 500] [--share]   # --share: every order sent with a share code of its product
    CHECKOUT_FAST_PATH=0 .venv/bin/python bench/checkout.py   # the general (ORM) path instead

1. A fresh database `sharemall_bench_checkout` is made and migrated; one approved merchant with
   `--skus` SKUs of ample stock, and `--clients` buyers with bearer tokens.
2. Statements per order: one order created and paid in-process through the whole stack, counting
   every SQL statement (Django's query capture).
3. HTTP: `sharemall serve` (granian, `--workers` processes × `--threads`) and load processes,
   each buyer looping POST /orders then POST /payments/sandbox/{id}/complete over keep-alive
   connections. An order counts when both answered 2xx. Reported: orders/s, p50/p99 of create
   + pay, and CPU per order of the web server, of every PostgreSQL process and of the load
   generator, with the load average before and after.
4. Hand-written ceiling: pgbench running the two transactions in plain SQL (stock reservation,
   payment, order, line, event; then payment and order transitions, event, the order's own
   receivable account and one ledger transaction with six postings, as orders/ledger.py posts a
   capture) with 8 clients. It writes less than the application does (no notice, payment event
   or device sighting) and reads nothing: a floor for any implementation, kept for comparison
   with earlier runs.
5. Replayed ceiling (`_replay`): the statements the application itself sent for one order,
   captured in-process, replayed by pgbench with each transaction another buyer, SKU, order and
   payment number, at the best of 2, 4 and 8 clients (the fast path only: the general path
   chains ids through Python, which a replay cannot follow). The database does exactly the
   application's work, for a client far cheaper than a web tier: the ratio HTTP / replayed is
   what the web tier's overhead costs.
6. Floor (`checkout_floor`, fast path; `--no-floor` skips it): the same captured statements
   sent by a bare WSGI application under the same granian, workers and load, doing nothing
   else. The ratio floor / replayed is what the server, the driver and the load client alone
   leave to any web tier on this box.

The load generators run on the same machine as the server, as a client would in a one-box
deployment; the figures are for this machine only.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import multiprocessing
import os
import pickle
import platform
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import checkout_floor
from _replay import Script, Statement, captured, pgbench_script
from _setup import SHAREMALL, approved_merchant, fresh_postgres, pct, pgbench_tps

DB = "sharemall_bench_checkout"


def share_codes(skus: list[int], prefix: str = "bench") -> dict[int, str]:
    """One sharer's share link for each SKU's product: the code each order of it is sent with
    (`--share`), as a buyer arriving through a friend's share sends it."""
    from sharemall.accounts.models import Member
    from sharemall.catalog.models import Sku
    from sharemall.sharing.models import ShareLink

    sharer = Member.objects.filter(phone="13700000009").first() or Member.objects.create_user(
        "13700000009", "bench-pass-4", nickname="sharer"
    )
    products = dict(Sku.objects.filter(pk__in=skus).values_list("pk", "product_id"))
    links = ShareLink.objects.bulk_create(
        ShareLink(
            code=f"{prefix}{i:07d}",
            sharer=sharer,
            target_type="product",
            target_id=products[sku],
            rewarded=True,
        )
        for i, sku in enumerate(skus)
    )
    return {sku: link.code for sku, link in zip(skus, links, strict=True)}


def seed(clients: int, skus: int) -> tuple[list[int], list[str]]:
    from sharemall.accounts.models import Member
    from sharemall.accounts.services import token_issue
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
    products = Product.objects.bulk_create(
        Product(merchant=merchant, title=f"Bench tea {i}", status="on_sale") for i in range(skus)
    )
    made = Sku.objects.bulk_create(
        Sku(product=p, name="tin", price_fen=1999, stock=10_000_000) for p in products
    )
    tokens = []
    for i in range(clients):
        buyer = Member.objects.create_user(f"1360000{i:04d}", "bench-pass-3", nickname=f"b{i}")
        tokens.append(token_issue(buyer))
    return [s.pk for s in made], tokens


ADDRESS = {
    "type": "express",
    "region_code": "440305",
    "address": "科技园 1 号",
    "receiver": "王小二",
    "phone": "13912345678",
}


def order_body(sku: int, codes: dict[int, str]) -> str:
    order: dict[str, object] = {"items": [{"sku_id": sku, "quantity": 1}], "delivery": ADDRESS}
    if sku in codes:
        order["share_code"] = codes[sku]
    return json.dumps(order)


def statements_per_order(sku: int, token: str, codes: dict[int, str]) -> tuple[int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    body = order_body(sku, codes)
    warm = client.post("/api/v1/orders", body, content_type="application/json")
    client.post(f"/api/v1/payments/sandbox/{warm.json()['payment_id']}/complete")  # warm caches
    with CaptureQueriesContext(connection) as create:
        answer = client.post("/api/v1/orders", body, content_type="application/json")
    payment = answer.json()["payment_id"]
    with CaptureQueriesContext(connection) as pay:
        done = client.post(f"/api/v1/payments/sandbox/{payment}/complete")
    assert done.status_code == 200, done.content
    return len(create), len(pay)


class KeepAlive:
    """A keep-alive HTTP/1.1 connection doing only what the load needs: each request written as
    bytes, each answer read by its Content-Length. The load generator shares the machine with
    the server, so its CPU is counted against the one-box ratio: back to back on one machine,
    http.client (headers parsed through the email package) spent 0.8 ms per order, this 0.3 ms
    (docs/BENCHMARKS.md, 2026-12-07 late night)."""

    def __init__(self, port: int, token: str):
        self.port = port
        self.head = (
            f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\n"
        ).encode()
        self.sock = self._connect()
        self.pending = b""  # what the server sent past the last answer (nothing, with HTTP/1.1)

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def reconnect(self) -> None:
        self.sock.close()
        self.sock, self.pending = self._connect(), b""

    def post(self, path: str, body: bytes = b"") -> tuple[int, bytes]:
        self.sock.sendall(
            b"POST %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s"
            % (path.encode(), self.head, len(body), body)
        )
        data = self.pending
        while (end := data.find(b"\r\n\r\n")) < 0:
            data += self._recv()
        head, data = data[:end].lower(), data[end + 4 :]
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            raise http.client.HTTPException(f"no Content-Length: {head[:200]!r}")
        line_end = head.find(b"\r\n", at + 2)
        length = int(head[at + 17 : line_end if line_end > 0 else len(head)])
        while len(data) < length:
            data += self._recv()
        self.pending = data[length:]
        return int(head[9:12]), data[:length]

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        return chunk


def _buyer_loop(
    port: int,
    skus: list[int],
    tokens: list[str],
    seconds: float,
    out: object,
    *,
    codes: dict[int, str],
) -> None:
    import random
    import threading

    ok = [0]
    errors = [0]
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run(token: str) -> None:
        rng = random.Random(token)
        conn = KeepAlive(port, token)
        bodies = {sku: order_body(sku, codes).encode() for sku in skus}
        done = failed = 0
        took: list[float] = []
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                status, data = conn.post("/api/v1/orders", bodies[rng.choice(skus)])
                if status != 201:
                    failed += 1
                    continue
                payment = json.loads(data)["payment_id"]
                status, _ = conn.post(f"/api/v1/payments/sandbox/{payment}/complete")
                if status == 200:
                    done += 1
                    took.append((time.monotonic() - started) * 1000)
                else:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.reconnect()
        with lock:
            ok[0] += done
            errors[0] += failed
            latencies.extend(took)

    threads = [threading.Thread(target=run, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((ok[0], errors[0], latencies))  # type: ignore[attr-defined]


def _cpu_of(pids: list[str]) -> float:
    """User + system CPU seconds of these processes, from /proc."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _pgrep(*args: str) -> list[str]:
    return subprocess.run(
        ["pgrep", *args], capture_output=True, text=True, check=False
    ).stdout.split()


def _cpu_seconds(root: int) -> float:
    """The server process and its children (the web workers)."""
    return _cpu_of([str(root), *_pgrep("-P", str(root))])


def _children_cpu_seconds() -> float:
    """CPU of this process's children that have ended: the load processes, once joined."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _postgres_cpu_seconds() -> float:
    """Every PostgreSQL server process (backends, WAL writer, checkpointer): what the database
    spent, whoever asked."""
    return _cpu_of(_pgrep("-x", "postgres"))


@dataclass(frozen=True)
class HttpRun:
    rate: float
    ok: int
    errors: int
    web_cpu_ms: float
    db_cpu_ms: float
    load_cpu_ms: float
    p50_ms: float
    p99_ms: float


def http_throughput(
    url: str,
    skus: list[int],
    codes: dict[int, str],
    tokens: list[str],
    *,
    seconds: float,
    workers: int,
    threads: int,
    load_processes: int,
    floor: Path | None = None,
) -> HttpRun:
    """Orders/s through `sharemall serve`, or with `floor` (a pickled `CapturedOrder`) through
    bench/checkout_floor.py's bare application, served by granian the same way."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-only",
        "SANDBOX_PAYMENTS": "1",
        "AUTH_THROTTLE": "off",
        "CHECKOUT_FAST_PATH": os.environ.get("CHECKOUT_FAST_PATH", "1"),
    }
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115
    sizes = ["--port", str(port), "--workers", str(workers)]
    command = [SHAREMALL, "serve", *sizes, "--threads", str(threads)]
    if floor is not None:
        env.update(FLOOR_ORDER=str(floor), PYTHONPATH=str(Path(__file__).resolve().parent))
        command = [sys.executable, "-m", "granian", "--interface", "wsgi", *sizes]
        command += [
            "--blocking-threads",
            str(threads),
            "--access-log",
            "checkout_floor:application",
        ]
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        # Warm every worker (first requests load code and connections).
        warm = multiprocessing.Queue()
        _buyer_loop(port, skus, tokens[:4], 2.0, warm, codes=codes)
        warm.get()
        queue: multiprocessing.Queue[tuple[int, int, list[float]]] = multiprocessing.Queue()
        chunks = [tokens[i::load_processes] for i in range(load_processes)]
        procs = [
            multiprocessing.Process(
                target=_buyer_loop,
                args=(port, skus, chunk, seconds, queue),
                kwargs={"codes": codes},
            )
            for chunk in chunks
        ]
        cpu_before = _cpu_seconds(server.pid)
        db_before = _postgres_cpu_seconds()
        load_before = _children_cpu_seconds()
        start = time.monotonic()
        for p in procs:
            p.start()
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
        elapsed = time.monotonic() - start
        server_cpu = _cpu_seconds(server.pid) - cpu_before
        db_cpu = _postgres_cpu_seconds() - db_before
        load_cpu = _children_cpu_seconds() - load_before
    finally:
        server.terminate()
        server.wait(timeout=30)
    ok = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    if ok == 0:
        said = Path(log.name).read_text()[-3000:]
        raise RuntimeError(f"no order went through; the server said:\n{said}")
    Path(log.name).unlink()
    latencies = [t for r in results for t in r[2]] or [0.0]
    return HttpRun(
        ok / elapsed,
        ok,
        errors,
        server_cpu * 1000 / max(ok, 1),
        db_cpu * 1000 / max(ok, 1),
        load_cpu * 1000 / max(ok, 1),
        pct(latencies, 0.5),
        pct(latencies, 0.99),
    )


PGBENCH_SCRIPT = r"""
\set r random(1, 9000000000000000)
\set buyer random(:buyer_min, :buyer_max)
\set sku random(:sku_min, :sku_max)
-- Set before use: with -M prepared, pgbench prepares every statement up front, and a variable
-- only a later \gset would create reads as plain text there. For the same reason no string
-- holds a colon before a word (the ledger key's ":captured" is spelled with chr(58)).
\set payment_id 0
\set order_id 0
\set acct_order 0
\set t1 0
BEGIN;
INSERT INTO payments_payment (payment_no, buyer_id, amount_fen, currency, status, provider,
  pay_token, created_at, expires_at)
  VALUES ('B' || :r, :buyer, 1999, 'CNY', 'pending', '', 'T' || :r, now(),
          now() + interval '30 minutes') RETURNING id AS payment_id \gset
INSERT INTO orders_order (order_no, buyer_id, merchant_id, payment_id, status, delivery,
  region_code, address, receiver, phone, pickup_code, goods_fen, discount_fen, shipping_fen,
  total_fen, platform_fee_bp, platform_funded_fen, on_hold, refunded_fen, open_aftersales,
  carrier, tracking_no, shipped_without_logistics, created_at, attribution, share_rewarded,
  device_id)
  VALUES ('O' || :r, :buyer, :merchant, :payment_id, 'pending_payment', 'express', '440305',
          'a', 'r', '13912345678', '', 1999, 0, 0, 1999, 500, 0, false, 0, 0, '', '', false,
          now(), '', false, '')
  RETURNING id AS order_id \gset
INSERT INTO orders_orderline (order_id, sku_id, product_id, title, sku_name, unit_price_fen,
  quantity, discount_fen, paid_fen, claimed_quantity, claimed_fen, refunded_quantity,
  refunded_fen)
  VALUES (:order_id, :sku, :product, 'Bench tea', 'tin', 1999, 1, 0, 1999, 0, 0, 0, 0);
INSERT INTO orders_orderevent (order_id, from_status, to_status, actor_id, note, created_at)
  VALUES (:order_id, '', 'pending_payment', :buyer, '', now());
UPDATE catalog_sku SET stock = stock - 1 WHERE id = :sku AND stock >= 1;
COMMIT;
BEGIN;
UPDATE payments_payment SET status = 'paid', provider = 'sandbox', payer_id = buyer_id,
  provider_txn_id = 'X' || :r, paid_at = now() WHERE id = :payment_id AND status = 'pending';
UPDATE orders_order SET status = 'paid', paid_at = now()
  WHERE payment_id = :payment_id AND status = 'pending_payment';
INSERT INTO orders_orderevent (order_id, from_status, to_status, actor_id, note, created_at)
  VALUES (:order_id, 'pending_payment', 'paid', NULL, '', now());
INSERT INTO wallet_account (kind, owner_id, balance_fen, tracks_balance)
  VALUES ('order_receivable', :order_id, 0, false) RETURNING id AS acct_order \gset
INSERT INTO wallet_ledgertransaction (key, kind, memo, created_at)
  VALUES ('payment:' || :payment_id || chr(58) || 'captured', 'payment_captured', '', now())
  RETURNING id AS t1 \gset
INSERT INTO wallet_posting (transaction_id, account_id, amount_fen)
  VALUES (:t1, :acct_funds, 1999), (:t1, :acct_clearing, -1999),
         (:t1, :acct_clearing, 1999), (:t1, :acct_order, -1999),
         (:t1, :acct_order, 99), (:t1, :acct_fees, -99);
COMMIT;
"""


def raw_ceiling(url: str, skus: list[int], clients: int, seconds: int) -> float:
    from django.db import connection

    from sharemall.catalog.models import Sku
    from sharemall.wallet.models import Account

    product_sku = Sku.objects.select_related("product").get(pk=skus[0])
    buyers = list(
        connection.cursor()
        .execute(  # type: ignore[union-attr]
            "SELECT min(id), max(id) FROM accounts_member WHERE phone LIKE '136%%'"
        )
        .fetchone()
    )
    accounts = {(a.kind, a.owner_id): a.pk for a in Account.objects.all()}
    variables = {
        "sku_min": min(skus),
        "sku_max": max(skus),
        "product": product_sku.product_id,
        "merchant": product_sku.product.merchant_id,
        "buyer_min": buyers[0],
        "buyer_max": buyers[1],
        "acct_funds": accounts[("provider_funds", None)],
        "acct_clearing": accounts[("buyer_payments_clearing", None)],
        "acct_fees": accounts[("platform_fees", None)],
    }
    return pgbench_tps(
        url, PGBENCH_SCRIPT, clients=clients, seconds=seconds, variables=variables, prepared=True
    )


# Where the ids of the captured order start: far from every other number its statements carry,
# so each is found and replaced unambiguously (`_replay`).
_CAPTURE_IDS = {
    "accounts_member": 7_700_000,
    "catalog_product": 5_500_000,
    "catalog_sku": 4_400_000,
    "payments_payment": 8_800_000,
    "orders_order": 9_900_000,
}


REPLAY_CLIENTS = (2, 4, 8)
# The columns of the fast path's placing statement's one row that later statements read.
PLACED_MARK = checkout_floor.PLACED_MARK
PLACED_COLUMNS = ("payment_id", "order_ids", "line_ids", "checked")


@dataclass(frozen=True)
class Replayed:
    rate: float  # orders/s at the best concurrency tried
    clients: int
    statements: int  # per order


@dataclass(frozen=True)
class CapturedOrder:
    """The statements one order sent, placing and paying apart, with the values that make it
    that order: each is replaced by another order's when the statements are sent again."""

    create: list[Statement]
    pay: list[Statement]
    order_no: str
    payment_no: str
    pay_token: str
    buyer: int
    sku: int
    product: int
    payment_id: int
    order_id: int
    buyers: tuple[int, int]  # the bench's buyers (phones 136…), lowest and highest id
    sku_range: tuple[int, int]  # the bench's SKUs (`skus`), lowest and highest id
    product_offset: int  # a bench SKU's product id minus its own id


def captured_order(skus: list[int], *, share: bool) -> CapturedOrder:
    """One order placed and paid in-process (the served WSGI application, as `sharemall serve`
    runs it) while every statement is captured. Its ids are made distinctive first
    (`_CAPTURE_IDS`), so no other number in the statements is taken for one of them. With
    `share`, the order is sent with a share code, by a buyer already bound by an earlier one
    (as the HTTP run's buyers are after their first)."""
    from checkout_cpu import Shop
    from django.db import connection

    from sharemall.accounts.models import Member
    from sharemall.accounts.services import token_issue
    from sharemall.catalog.models import Product, Sku
    from sharemall.config import wsgi

    with connection.cursor() as cursor:
        for table, start in _CAPTURE_IDS.items():
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, start])
    template = Sku.objects.select_related("product").get(pk=skus[0])
    product = Product.objects.create(
        merchant_id=template.product.merchant_id, title="Bench tea", status="on_sale"
    )
    sku = Sku.objects.create(product=product, name="tin", price_fen=1999, stock=10_000_000)
    buyer = Member.objects.create_user("13500000001", "bench-pass-5", nickname="replayed")
    codes = share_codes([sku.pk], prefix="replay") if share else {}
    token = token_issue(buyer)
    shop = Shop(wsgi.application, [sku.pk], [token], ADDRESS, codes)
    shop.order(0)  # the first order of a buyer warms per-process caches, as the HTTP run's did
    with captured() as create:
        status, answer = shop.call("/api/v1/orders", token, shop.cart(0))
    assert status.startswith("201"), (status, answer)
    order = buyer.orders.latest("pk")
    payment = order.payment
    assert payment is not None
    with captured() as pay:
        status, answer = shop.call(f"/api/v1/payments/sandbox/{payment.pk}/complete", token)
    assert status.startswith("200"), (status, answer)
    offsets = {p - s for s, p in Sku.objects.filter(pk__in=skus).values_list("pk", "product_id")}
    assert len(offsets) == 1, "the bench's products and SKUs are made in step"
    buyers = Member.objects.filter(phone__startswith="136").values_list("pk", flat=True)
    return CapturedOrder(
        create=create.statements,
        pay=pay.statements,
        order_no=order.order_no,
        payment_no=payment.payment_no,
        pay_token=payment.pay_token,
        buyer=buyer.pk,
        sku=sku.pk,
        product=product.pk,
        payment_id=payment.pk,
        order_id=order.pk,
        buyers=(min(buyers), max(buyers)),
        sku_range=(min(skus), max(skus)),
        product_offset=offsets.pop(),
    )


def replay_script(order: CapturedOrder) -> tuple[Script, int]:
    """The pgbench script of the application's own statements for one order, and how many there
    are: each replayed transaction is another buyer of the bench's, SKU, order and payment
    number, the ids chained as the application chains them."""
    statements = [*order.create, *order.pay]
    prelude = "\n".join(
        [
            "\\set r random(1, 9000000000000000)",
            f"\\set buyer random({order.buyers[0]}, {order.buyers[1]})",
            f"\\set sku random({order.sku_range[0]}, {order.sku_range[1]})",
            f"\\set product :sku + {order.product_offset}",
        ]
    )
    script = pgbench_script(
        statements,
        vary={
            order.order_no: "'O' || :r",
            order.payment_no: "'P' || :r",
            order.pay_token: "'T' || :r",
            str(order.buyer): ":buyer",
            str(order.sku): ":sku",
            str(order.product): ":product",
            str(order.payment_id): ":payment_id",
            str(order.order_id): "(:order_ids::bigint[])[1]",
        },
        gset={i: PLACED_COLUMNS for i, st in enumerate(statements) if PLACED_MARK in st.sql},
        prelude=prelude,
    )
    return script, len(statements)


def replay_ceiling(url: str, order: CapturedOrder, seconds: int) -> Replayed:
    """Orders/s of `replay_script` at the best of REPLAY_CLIENTS concurrent clients."""
    script, statements = replay_script(order)
    # A ceiling is the best the database does: PostgreSQL on two cores does more with fewer
    # connections than the HTTP run holds, so the concurrency is tried, not assumed.
    runs = {
        c: pgbench_tps(
            url,
            script.text,
            clients=c,
            seconds=max(5, seconds // 2),
            variables=script.variables,
            prepared=True,
        )
        for c in REPLAY_CLIENTS
    }
    best = max(runs, key=runs.__getitem__)
    return Replayed(runs[best], best, statements)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    # One thread per worker, a worker per core: on 2 cores that beat 2 × 2 and 2 × 4 threads by
    # ~15 % in orders/s, with less CPU per order in both the web tier and PostgreSQL
    # (docs/BENCHMARKS.md, 2026-12-07 night).
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--load-processes", type=int, default=2)
    parser.add_argument(
        "--skus",
        type=int,
        default=500,
        help="orders spread over this many SKUs (1 = a flash sale's hot row)",
    )
    parser.add_argument(
        "--share",
        action="store_true",
        help="every order sent with a share code of its product (the buyer is bound at the first)",
    )
    parser.add_argument(
        "--floor",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also serve the same statements from a bare WSGI application (checkout_floor.py)",
    )
    args = parser.parse_args()

    url = fresh_postgres(DB)
    skus, tokens = seed(args.clients, args.skus)
    codes = share_codes(skus) if args.share else {}
    create_statements, pay_statements = statements_per_order(skus[0], tokens[0], codes)
    load_before = os.getloadavg()
    serve = functools.partial(
        http_throughput,
        url,
        skus,
        codes,
        tokens,
        seconds=args.seconds,
        workers=args.workers,
        threads=args.threads,
        load_processes=args.load_processes,
    )
    run = serve()
    load_between = os.getloadavg()
    ceiling = raw_ceiling(url, skus, min(args.clients, 8), int(args.seconds))
    # The general path chains ids through Python (an INSERT's RETURNING read back into the next
    # statement's parameters), which a replay cannot follow: only the fast path is replayed.
    general = os.environ.get("CHECKOUT_FAST_PATH") == "0"
    order = None if general else captured_order(skus, share=args.share)
    replayed = None if order is None else replay_ceiling(url, order, int(args.seconds))
    floor = None
    if args.floor and order is not None:
        with tempfile.NamedTemporaryFile(suffix=".pickle") as file:
            pickle.dump(checkout_floor.portable(dict(vars(order))), file)
            file.flush()
            floor = serve(floor=Path(file.name))
    load_after = os.getloadavg()

    from django.db import connection

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, PostgreSQL {connection.pg_version // 10000}"
    )  # type: ignore[attr-defined]
    print(
        "load average (1 min) before / after HTTP / after raw: "
        f"{load_before[0]:.2f} / {load_between[0]:.2f} / {load_after[0]:.2f}"
    )
    path = "general (CHECKOUT_FAST_PATH=0)" if general else "fast"
    print(f"checkout path: {path}")
    print(
        f"statements per order: {create_statements} (create) + {pay_statements} (pay) = "
        f"{create_statements + pay_statements}"
    )
    print(
        f"HTTP orders/s (create + sandbox pay): {run.rate:.0f}  "
        f"[{run.ok} orders, {run.errors} errors, {args.clients} clients, "
        f"{args.workers} workers x {args.threads} threads, {args.skus} SKUs"
        f"{', each order through a share' if args.share else ''}]"
    )
    print(f"latency per order (create + pay), p50 / p99: {run.p50_ms:.1f} / {run.p99_ms:.1f} ms")
    print(
        f"CPU per order: web {run.web_cpu_ms:.1f} ms, PostgreSQL {run.db_cpu_ms:.1f} ms "
        f"(all server processes), load generator {run.load_cpu_ms:.1f} ms"
    )
    print(
        f"hand-written ceiling (pgbench, the same transactions written lean, "
        f"{min(args.clients, 8)} clients): "
        f"{ceiling:.0f} orders/s"
    )
    print(f"ratio HTTP / hand-written: {run.rate / ceiling:.2f}")
    if replayed is None:
        print("replayed ceiling: the fast path's only (run without CHECKOUT_FAST_PATH=0)")
        return
    print(
        f"replayed ceiling (pgbench, the {replayed.statements} statements the application sent "
        f"for one order; best of {', '.join(map(str, REPLAY_CLIENTS))} clients: "
        f"{replayed.clients}): {replayed.rate:.0f} orders/s"
    )
    print(f"ratio HTTP / replayed: {run.rate / replayed.rate:.2f}")
    if floor is None:
        return
    print(
        f"floor (bench/checkout_floor.py: the same statements sent by a bare WSGI application, "
        f"same server and load): {floor.rate:.0f} orders/s [{floor.errors} errors]; CPU per "
        f"order: web {floor.web_cpu_ms:.1f} ms, PostgreSQL {floor.db_cpu_ms:.1f} ms, load "
        f"generator {floor.load_cpu_ms:.1f} ms"
    )
    print(f"ratio floor / replayed: {floor.rate / replayed.rate:.2f}")


if __name__ == "__main__":
    main()
