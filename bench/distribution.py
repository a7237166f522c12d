"""Distribution at scale on PostgreSQL: a generated referral tree, then the team counts of a
member with 100,000+ descendants, sign-ups with binding per second, and paid orders per second
with commissions beside the same orders without.

    .venv/bin/python bench/distribution.py [--members 1000000] [--quick] [--signups 20000]
        [--threads 4] [--seconds 15]

1. A fresh database `sharemall_bench_dist` is made and migrated; `--members` members are
   generated in plain SQL (INSERT … SELECT generate_series, 100,000 rows per transaction, with
   one binding row each), shaped as a complete 50-ary tree: member i's parent is (i-2)/50+1, so
   the root has 50 children, 2,500 grandchildren and 125,000 great-grandchildren. Each row
   carries its parent, grandparent and great-grandparent as the engine stores them. ANALYZE.
2. /team for the root: `distribution.selectors.team` in-process, 200 calls after a warm-up,
   first straight after the load (ANALYZE only), then after VACUUM (what autovacuum reaches
   soon after a bulk load: the visibility map that lets the counts be index-only scans); and
   GET /api/v1/team through Django's test client with a bearer token.
3. Sign-ups with binding, database layer: `member_register` then `bind(member, parent)` to a
   random member of the tree (the parent is read first, as a share link's sharer would be), in
   `--threads` threads. Passwords are hashed with MD5PasswordHasher here: the real hasher is
   CPU-bound by design and not part of the database layer. Beside it, a bulk import's way:
   one statement per 1,000 newcomers inserting the members with their ancestors and their
   binding rows.
4. Paid orders, service layer: `checkout.order_create` + `checkout.sandbox_complete` in
   `--threads` threads for `--seconds`, once by buyers deep in the tree from a merchant with a
   commission plan (attribution "parent" → commission entries), once by buyers without a parent
   from a merchant without a plan. Statements per order counted on one warm order of each.

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
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import approved_merchant, fresh_postgres, pct, timed

DB = "sharemall_bench_dist"
BRANCHING = 50
CHUNK = 100_000
PASSWORD = "Bench-pass-2026"
ADDRESS = {
    "region_code": "440305",
    "address": "科技园 1 号",
    "receiver": "王小二",
    "phone": "13912345678",
}

# Phones (11-digit national form, all valid mainland mobile numbers):
#   tree member i          13 + i (9 digits)       13000000001 …
#   threaded sign-ups      15 + j (9 digits)       15000000000 …
#   batched sign-ups       181 + j (8 digits)      18100000000 …
#   atomic code sign-ups   166 + j (8 digits)      16600000000 …
#   atomic password ones   177 + j (8 digits)      17700000000 …
#   buyers without parent  1890000 + n (4 digits)
#   merchant people        1370000000n

TREE_SQL = """
INSERT INTO accounts_member (id, password, is_superuser, phone, nickname, is_distributor,
    is_operator, is_staff, is_active, date_joined, parent_id, grandparent_id,
    great_grandparent_id, signup_device)
SELECT i, '!', false, '13' || lpad(i::text, 9, '0'), 'm' || i, false, false, false, true, now(),
    p, gp, ggp, ''
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS i
CROSS JOIN LATERAL (SELECT CASE WHEN i > 1 THEN (i - 2) / %(k)s + 1 END AS p) AS a
CROSS JOIN LATERAL (SELECT CASE WHEN p > 1 THEN (p - 2) / %(k)s + 1 END AS gp) AS b
CROSS JOIN LATERAL (SELECT CASE WHEN gp > 1 THEN (gp - 2) / %(k)s + 1 END AS ggp) AS c
"""
TREE_BINDINGS_SQL = """
INSERT INTO accounts_binding (mode, source, bound_at, member_id, parent_id)
SELECT 'first_touch', 'bench:tree', date_joined, id, parent_id
FROM accounts_member WHERE id BETWEEN %(lo)s AND %(hi)s AND parent_id IS NOT NULL
"""


def tree_generate(url: str, members: int) -> float:
    """The whole tree in plain SQL; returns the seconds it took (load + ANALYZE)."""
    start = time.monotonic()
    with psycopg.connect(url) as conn:
        for lo in range(1, members + 1, CHUNK):
            hi = min(lo + CHUNK - 1, members)
            with conn.transaction():
                conn.execute(TREE_SQL, {"lo": lo, "hi": hi, "k": BRANCHING})
                conn.execute(TREE_BINDINGS_SQL, {"lo": lo, "hi": hi})
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('accounts_member', 'id'), %s)", [members]
        )
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE accounts_member")
        conn.execute("ANALYZE accounts_binding")
    return time.monotonic() - start


def vacuum(url: str) -> float:
    start = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) accounts_member")
        conn.execute("VACUUM (ANALYZE) accounts_binding")
    return time.monotonic() - start


def summary(ms: list[float]) -> str:
    return f"p50 {pct(ms, 0.5):.1f} ms, p95 {pct(ms, 0.95):.1f} ms, max {max(ms):.1f} ms"


# --- /team -------------------------------------------------------------------------------------


def team_selector(root_id: int, calls: int) -> tuple[list[float], dict[str, int], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sharemall.accounts.models import Member
    from sharemall.distribution.selectors import team

    root = Member.objects.get(pk=root_id)
    ms = timed(lambda: team(root), calls, warm=10)
    with CaptureQueriesContext(connection) as queries:
        counts = team(root)["counts"]
    return ms, counts, len(queries)


def team_http(root_id: int, calls: int) -> list[float]:
    from django.test import Client

    from sharemall.accounts.models import Member
    from sharemall.accounts.services import token_issue

    token = token_issue(Member.objects.get(pk=root_id), label="bench")
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")

    def get() -> None:
        answer = client.get("/api/v1/team")
        assert answer.status_code == 200, answer.content

    return timed(get, calls, warm=10)


# --- sign-ups ------------------------------------------------------------------------------------


def _in_threads(threads: int, work: Callable[[int], int]) -> tuple[int, float, float]:
    """Run work(t) in `threads` threads, each closing its connection; (total, seconds, CPU
    seconds of this Python process, all threads)."""
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
    cpu = time.process_time()
    start = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - start
    cpu = time.process_time() - cpu
    if failures:
        raise failures[0]
    return sum(done), elapsed, cpu


def signup_one(phone: str, nickname: str, parent_id: int) -> bool:
    from sharemall.accounts.binding import bind
    from sharemall.accounts.models import Member
    from sharemall.accounts.services import member_register

    member = member_register(phone=phone, password=PASSWORD, nickname=nickname)
    parent = Member.objects.get(pk=parent_id)  # stands in for the share link's sharer
    return bind(member, parent, source="share:bench")


def signups_threaded(count: int, threads: int, tree: int) -> tuple[float, int, int, float]:
    """(sign-ups per second, bound, statements for one sign-up, Python CPU ms per sign-up)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signup_one("15999999999", "warm", 1)
    with CaptureQueriesContext(connection) as queries:
        signup_one("15999999998", "warm2", 2)

    def work(t: int) -> int:
        rng = random.Random(t)
        bound = 0
        for j in range(t, count, threads):
            bound += signup_one(f"15{j:09d}", f"s{j}", rng.randint(1, tree))
        return bound

    bound, elapsed, cpu = _in_threads(threads, work)
    return count / elapsed, bound, len(queries), cpu * 1000 / count


BATCH_SQL = """
WITH rows AS (
    SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::bigint[])
        AS r(phone, nickname, password, parent)
), made AS (
    INSERT INTO accounts_member (password, is_superuser, phone, nickname, is_distributor,
        is_operator, is_staff, is_active, date_joined, parent_id, grandparent_id,
        great_grandparent_id, signup_device)
    SELECT r.password, false, r.phone, r.nickname, false, false, false, true, now(),
        p.id, p.parent_id, p.grandparent_id, ''
    FROM rows AS r JOIN accounts_member AS p ON p.id = r.parent AND p.is_active
    RETURNING id, parent_id, date_joined
)
INSERT INTO accounts_binding (mode, source, bound_at, member_id, parent_id)
SELECT %s, 'share:bench', date_joined, id, parent_id FROM made
"""


def signups_batched(
    count: int, threads: int, tree: int, batch: int = 1000
) -> tuple[float, int, float]:
    """A bulk import: phones normalised, passwords validated and hashed (MD5) in Python, then
    one statement per batch inserting members with their ancestors and their binding rows.
    New members have no team, so no cycle check is needed. (sign-ups/s, bound, CPU ms each)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.password_validation import validate_password
    from django.db import connection, transaction

    from sharemall.accounts.rules import normalize_phone
    from sharemall.platform.services import current

    mode = current().binding_mode

    def work(t: int) -> int:
        rng = random.Random(1000 + t)
        bound = 0
        mine = list(range(t, count, threads))
        for at in range(0, len(mine), batch):
            phones, names, hashes, parents = [], [], [], []
            for j in mine[at : at + batch]:
                validate_password(PASSWORD)
                phones.append(normalize_phone(f"181{j:08d}"))
                names.append(f"b{j}")
                hashes.append(make_password(PASSWORD))
                parents.append(rng.randint(1, tree))
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(BATCH_SQL, [phones, names, hashes, parents, mode])
                bound += cursor.rowcount
        return bound

    bound, elapsed, cpu = _in_threads(threads, work)
    return count / elapsed, bound, cpu * 1000 / count


# --- atomic sign-ups (issue 17) ------------------------------------------------------------------

CODE = "246810"  # every pre-issued code is this one; each phone's code is its own row and hash


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f}"


def backend_cpu(pid: int) -> float:
    """CPU seconds a PostgreSQL backend on this machine has used (from /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


PG_CPU: list[float] = []  # CPU seconds of each finished sign-up connection's backend, per process


def codes_issue(phones: list[str]) -> None:
    """A `login` code for every phone, as `code_issue` leaves it (the hash, unused, delivered),
    written in bulk before the clock starts: issuing codes is not part of a sign-up. They are
    good for an hour instead of five minutes, so a long run finds them unexpired."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from sharemall.verification.models import VerificationCode
    from sharemall.verification.rules import hash_code

    now = timezone.now()
    VerificationCode.objects.bulk_create(
        [
            VerificationCode(
                phone=phone,
                purpose="login",
                code_hash=hash_code(settings.SECRET_KEY, phone, "login", CODE),
                created_at=now,
                expires_at=now + timedelta(hours=1),
            )
            for phone in phones
        ],
        batch_size=5000,
    )


def code_signup_one(phone: str, referrer: Any, device: str) -> bool:
    """What POST /auth/login-by-code does below its edge for a new number with a share code:
    the code checked (its guess counted), then one transaction: code consumed, member with its
    ancestors, binding, device sighting, consent, bearer token."""
    from sharemall.accounts.services import member_login_by_code

    member, is_new = member_login_by_code(
        phone=phone,
        sms_code=CODE,
        device=device,
        referrer=referrer,
        source="signup:bench",
        bearer_label="login-by-code",
    )
    assert is_new and member.issued_token
    return member.parent_id is not None


def password_signup_one(phone: str, referrer: Any, device: str) -> bool:
    from sharemall.accounts.services import member_signup

    member = member_signup(
        phone=phone,
        password=PASSWORD,
        nickname="新人",
        device=device,
        referrer=referrer,
        source="signup:bench",
        bearer_label="register",
    )
    assert member.issued_token
    return member.parent_id is not None


def statements_of(action: Callable[[], object]) -> tuple[int, int, int]:
    """(statements, of which BEGIN/COMMIT, SAVEPOINTs) one call sends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        action()
    words = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    control = sum(w in {"BEGIN", "COMMIT"} for w in words)
    return len(words), control, words.count("SAVEPOINT")


def _signup_slice(
    args: tuple[str, list[str], list[Any], int, int, int],
) -> tuple[int, list[float], float, float, int]:
    """One process's share of a threaded run: (bound, latencies in ms, CPU seconds, CPU
    seconds of its PostgreSQL backends, sign-up statements it sent)."""
    kind, phones, referrers, threads, offset, stride = args
    from django.db import connection

    from sharemall.accounts import signup

    one = code_signup_one if kind == "code" else password_signup_one
    mine = phones[offset::stride]
    latencies: list[list[float]] = [[] for _ in range(threads)]

    def work(t: int) -> int:
        from sharemall.core import ids

        rng = random.Random(offset * 1000 + t)
        bound = 0
        for phone in mine[t::threads]:
            start = time.perf_counter()
            bound += one(phone, rng.choice(referrers), ids.new_device_id())
            latencies[t].append((time.perf_counter() - start) * 1000)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            PG_CPU.append(backend_cpu(cursor.fetchone()[0]))
        return bound

    connection.close()
    PG_CPU.clear()
    statements = signup.together.statements
    bound, _elapsed, cpu = _in_threads(threads, work)
    statements = signup.together.statements - statements
    return bound, [ms for part in latencies for ms in part], cpu, sum(PG_CPU), statements


def signups_atomic(
    kind: str, phones: list[str], referrers: list[Any], threads: int, procs: int
) -> tuple[float, int, list[float], tuple[float, float], float, float]:
    """(sign-ups per second, bound, latencies ms, CPU ms per sign-up in the Python processes
    and in their PostgreSQL backends, seconds, sign-ups per grouped statement) for `procs`
    processes of `threads` threads."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    jobs = [(kind, phones, referrers, threads, p, procs) for p in range(procs)]
    start = time.monotonic()
    if procs == 1:
        results = [_signup_slice(jobs[0])]
    else:
        with multiprocessing.get_context("fork").Pool(procs) as pool:
            results = pool.map(_signup_slice, jobs)
    elapsed = time.monotonic() - start
    bound = sum(r[0] for r in results)
    latencies = [ms for r in results for ms in r[1]]
    cpu = sum(r[2] for r in results) * 1000 / len(phones)
    pg_cpu = sum(r[3] for r in results) * 1000 / len(phones)
    grouped = len(phones) / max(1, sum(r[4] for r in results))
    return len(phones) / elapsed, bound, latencies, (cpu, pg_cpu), elapsed, grouped


RAW_PG_CPU: list[float] = []


def raw_ceiling(
    url: str, phones: list[str], referrers: list[int], threads: int, group: int = 1
) -> float:
    """The same statement that `member_login_by_code` sends (guess, code, member, binding,
    device, token, consent; autocommit, so it is its own commit), `group` sign-ups a statement,
    straight through psycopg, prepared, no Django: what the database and the driver allow on
    this machine. Sign-ups per second."""
    from django.conf import settings
    from django.utils import timezone

    from sharemall.accounts import signup
    from sharemall.accounts.rules import hash_token
    from sharemall.verification.rules import hash_code

    def attempt(phone: str, referrer: int) -> Any:
        now = timezone.now()
        return signup.CodeAttempt(
            signup.NewMember(
                phone=phone,
                nickname="raw",
                password="!raw",
                signup_ip=None,
                signup_device=f"raw-{phone}",
                now=now,
                last_login=now,
            ),
            signup.Extras(referrer_id=referrer, source="signup:raw", bearer_label="raw"),
            purpose="login",
            code_hash=hash_code(settings.SECRET_KEY, phone, "login", CODE),
            max_attempts=settings.SMS_CODE_MAX_ATTEMPTS,
            key_hash=hash_token(phone),
        )

    def work(t: int) -> int:
        rng = random.Random(t)
        mine = phones[t::threads]
        with psycopg.connect(url, autocommit=True) as conn:
            for at in range(0, len(mine), group):
                chunk = [attempt(p, rng.choice(referrers)) for p in mine[at : at + group]]
                sql, params = signup.code_signup_statement(chunk)
                made = conn.execute(sql, params, prepare=True).fetchall()
                assert all(row[5] is not None for row in made), made
            RAW_PG_CPU.append(backend_cpu(conn.info.backend_pid))
        return len(phones[t::threads])

    failures: list[BaseException] = []

    def run(t: int) -> None:
        try:
            work(t)
        except BaseException as exc:
            failures.append(exc)

    start = time.monotonic()
    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if failures:
        raise failures[0]
    return len(phones) / (time.monotonic() - start)


def hasher_cost(times: int = 5) -> tuple[str, float]:
    """The configured password hasher and its milliseconds per hash."""
    from django.contrib.auth.hashers import get_hasher, make_password

    hasher = get_hasher()
    make_password(PASSWORD)
    start = time.perf_counter()
    for _ in range(times):
        make_password(PASSWORD)
    ms = (time.perf_counter() - start) * 1000 / times
    name = f"{type(hasher).__name__} ({hasher.algorithm}"
    iterations = getattr(hasher, "iterations", None)
    return name + (f", {iterations:,} iterations)" if iterations else ")"), ms


def bench_atomic_signups(args: argparse.Namespace, real_hashers: list[str]) -> None:
    """SMS-code sign-ups with binding at the service layer, then password sign-ups with the
    real hasher, each with its load average."""
    tree, count, threads = args.members, args.atomic_signups, args.threads
    procs, passwords = args.procs, args.password_signups
    from django.conf import settings
    from django.contrib.auth import hashers

    from sharemall.accounts.models import Member
    from sharemall.core import ids
    from sharemall.legal import rules as legal_rules
    from sharemall.legal.services import current as legal_current
    from sharemall.platform.services import current as platform_current

    platform_current()
    for kind in legal_rules.KINDS:
        legal_current(kind)
    rng = random.Random(17)
    referrers = list(Member.objects.filter(pk__in=rng.sample(range(1, tree + 1), 2000)))
    phones = [f"166{j:08d}" for j in range(count + 2)]
    raw_phones = [f"155{j:08d}" for j in range(count)]
    grouped_phones = [f"156{j:08d}" for j in range(count)]
    codes_issue(phones + raw_phones + grouped_phones)
    code_signup_one(phones[-1], referrers[0], ids.new_device_id())  # warm
    statements, control, savepoints = statements_of(
        lambda: code_signup_one(phones[-2], referrers[1], ids.new_device_id())
    )
    before = load()
    rate, bound, ms, cpu, seconds, grouped = signups_atomic(
        "code", phones[:count], referrers, threads, procs
    )
    after = load()
    print(
        f"sign-ups by SMS code with binding, one statement and one commit (service layer: "
        f"member_login_by_code with a share's sharer, bearer token in the same statement; "
        f"concurrent ones of a process share a statement), {procs} process(es) x {threads} "
        f"threads:"
    )
    print(
        f"  {rate:,.0f} sign-ups/s  [{count:,} in {seconds:.1f} s, {bound:,} bound; p50 "
        f"{pct(ms, 0.5):.1f} ms, p99 {pct(ms, 0.99):.1f} ms; {statements} statement(s) for a "
        f"lone sign-up incl. {control} BEGIN/COMMIT and {savepoints} savepoints; "
        f"{grouped:.1f} sign-ups per statement on average; {cpu[0]:.2f} ms Python CPU and "
        f"{cpu[1]:.2f} ms PostgreSQL backend CPU each]   [goal >= 1,500/s]"
    )
    print(f"  {before} before, {after} after", flush=True)
    url, ids_of = os.environ["DATABASE_URL"], [r.pk for r in referrers]
    for group, raw_set in ((1, raw_phones), (max(1, round(grouped)), grouped_phones)):
        before = load()
        RAW_PG_CPU.clear()
        raw_rate = raw_ceiling(url, raw_set, ids_of, threads * procs, group)
        print(
            f"  raw ceiling, the same statement through psycopg (prepared, autocommit, no "
            f"Django), {group} sign-up(s) a statement, {threads * procs} threads in one "
            f"process: {raw_rate:,.0f} sign-ups/s, {sum(RAW_PG_CPU) * 1000 / count:.2f} ms "
            f"PostgreSQL backend CPU each (service / raw: {rate / raw_rate:.2f})   {before} "
            f"before, {load()} after",
            flush=True,
        )

    # Password sign-ups with the platform's real hasher (the bench's MD5 set aside).
    settings.PASSWORD_HASHERS = real_hashers
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    verification, settings.PHONE_VERIFICATION = settings.PHONE_VERIFICATION, False
    try:
        name, per_hash = hasher_cost()
        pw_phones = [f"177{j:08d}" for j in range(passwords)]
        before = load()
        pw_rate, pw_bound, pw_ms, pw_cpu, pw_seconds, _grouped = signups_atomic(
            "password", pw_phones, referrers, threads, procs
        )
        after = load()
    finally:
        settings.PHONE_VERIFICATION = verification
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        hashers.get_hashers.cache_clear()
        hashers.get_hashers_by_algorithm.cache_clear()
    print(
        f"password sign-ups with binding, same transaction, real hasher {name}: "
        f"{per_hash:,.0f} ms per hash"
    )
    print(
        f"  {pw_rate:,.1f} sign-ups/s  [{passwords} in {pw_seconds:.1f} s, {pw_bound} bound; "
        f"p50 {pct(pw_ms, 0.5):,.0f} ms, p99 {pct(pw_ms, 0.99):,.0f} ms; {pw_cpu[0]:,.0f} ms "
        f"Python CPU each]   {before} before, {after} after",
        flush=True,
    )


# --- paid orders ---------------------------------------------------------------------------------


def merchant_with_skus(n: int, skus: int, *, plan: bool) -> list[int]:
    from stdnum.cn import uscc

    from sharemall.accounts.models import Member
    from sharemall.catalog.models import Product, Sku
    from sharemall.distribution import rules
    from sharemall.distribution.services import plan_set

    owner = Member.objects.create_user(f"137000000{n}1", PASSWORD, nickname=f"owner{n}")
    operator = Member.objects.create_superuser(f"137000000{n}2", PASSWORD, nickname=f"op{n}")
    body = f"91440300{n:09d}"
    merchant = approved_merchant(
        operator,
        owner=owner,
        legal_name=f"Bench Co {n}",
        uscc=body + uscc.calc_check_digit(body),
        legal_rep="B",
        contact_phone=f"137000000{n}3",
    )
    if plan:
        plan_set(merchant, actor=owner, plan=rules.Plan("bp", 2000, 500, (800, 400, 200), 100))
    products = Product.objects.bulk_create(
        Product(merchant=merchant, title=f"Bench tea {n}-{i}", status="on_sale")
        for i in range(skus)
    )
    made = Sku.objects.bulk_create(
        Sku(product=p, name="tin", price_fen=1999, stock=10_000_000) for p in products
    )
    return [s.pk for s in made]


def buyers_without_parent(count: int) -> list[int]:
    from sharemall.accounts.models import Member

    made = Member.objects.bulk_create(
        Member(phone=f"1890000{i:04d}", nickname=f"p{i}", password="!") for i in range(count)
    )
    return [m.pk for m in made]


def one_order(buyer_id: int, sku: int) -> None:
    from sharemall.accounts.models import Member
    from sharemall.checkout import services as checkout

    buyer = Member.objects.get(pk=buyer_id)  # stands in for the request's authentication
    result = checkout.order_create(
        buyer=buyer,
        items=[checkout.Item(sku, 1)],
        delivery=checkout.Delivery(type="express", **ADDRESS),
        share_code=None,
    )
    checkout.sandbox_complete(result.payment)


def statements_per_order(buyer_id: int, sku: int) -> int:
    """Statements of order_create + sandbox_complete (not the buyer read); warm order first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    one_order(buyer_id, sku)
    with CaptureQueriesContext(connection) as queries:
        one_order(buyer_id, sku)
    return len(queries) - 1


def orders_throughput(
    buyers: list[int], skus: list[int], threads: int, seconds: float
) -> tuple[float, int, float]:
    """(orders per second, orders, Python CPU ms per order)."""
    deadline = time.monotonic() + seconds

    def work(t: int) -> int:
        rng = random.Random(t)
        done = 0
        while time.monotonic() < deadline:
            one_order(rng.choice(buyers), rng.choice(skus))
            done += 1
        return done

    done, elapsed, cpu = _in_threads(threads, work)
    return done / elapsed, done, cpu * 1000 / max(done, 1)


# --- main ----------------------------------------------------------------------------------------


def bench_tree(url: str, members: int) -> None:
    generated = tree_generate(url, members)
    print(
        f"tree: {members:,} members ({BRANCHING}-ary, ancestors on every row, one binding row "
        f"each) generated in {generated:.1f} s incl. ANALYZE ({members / generated:,.0f} "
        "members/s)",
        flush=True,
    )


def bench_team(url: str, root: int, calls: int) -> None:
    cold_ms, _, _ = team_selector(root, calls)
    vacuumed = vacuum(url)
    team_ms, counts, statements = team_selector(root, calls)
    http_ms = team_http(root, calls)
    print(
        f"/team of the root: level1 {counts['level1']:,}, level2 {counts['level2']:,}, "
        f"level3 {counts['level3']:,} = {sum(counts.values()):,} within three levels; "
        f"{statements} statements; {calls} calls each"
    )
    print(f"  team() just after the load (ANALYZE only): {summary(cold_ms)}")
    print(f"  team() after VACUUM ({vacuumed:.1f} s):         {summary(team_ms)}   [goal <= 20 ms]")
    print(f"  GET /api/v1/team (test client, bearer):    {summary(http_ms)}", flush=True)


def bench_signups(count: int, threads: int, tree: int) -> None:
    rate, bound, statements, cpu = signups_threaded(count, threads, tree)
    batch_rate, batch_bound, batch_cpu = signups_batched(count, threads, tree)
    print(
        "sign-ups with binding, database layer (passwords hashed with MD5PasswordHasher for "
        "this measurement: the real hasher is CPU-bound by design, not database work):"
    )
    print(
        f"  member_register + parent read + bind(), {threads} threads: {rate:,.0f}/s  "
        f"[{count:,} sign-ups, {bound:,} bound, {statements} statements and {cpu:.1f} ms "
        "Python CPU each]   [goal >= 2,000/s]"
    )
    print(
        f"  batched import (1 statement per 1,000: members + ancestors + binding rows), "
        f"{threads} threads: {batch_rate:,.0f}/s  [{batch_bound:,} bound, {batch_cpu:.2f} ms "
        "Python CPU each]",
        flush=True,
    )


def bench_orders(members: int, threads: int, seconds: float) -> None:
    from sharemall.distribution.models import CommissionEntry

    with_skus = merchant_with_skus(1, 200, plan=True)
    without_skus = merchant_with_skus(2, 200, plan=False)
    deep = random.Random(7).sample(range(max(2, members // 2), members + 1), 500)
    plain = buyers_without_parent(500)

    with_statements = statements_per_order(deep[0], with_skus[0])
    without_statements = statements_per_order(plain[0], without_skus[0])
    before = CommissionEntry.objects.count()
    with_rate, with_done, with_cpu = orders_throughput(deep, with_skus, threads, seconds)
    entries = CommissionEntry.objects.count() - before
    without_rate, without_done, without_cpu = orders_throughput(
        plain, without_skus, threads, seconds
    )
    entries_without = CommissionEntry.objects.count() - before - entries
    print(
        f"paid orders, service layer (order_create + sandbox_complete), {threads} threads, "
        f"{seconds:g} s each, one line from 200 SKUs:"
    )
    print(
        f"  with commissions (buyers deep in the tree, attribution parent; plan 2000 bp "
        f"budget, 800/400/200 bp levels, platform max_levels default): {with_rate:,.0f} "
        f"orders/s  [{with_done:,} orders, {entries:,} commission entries, {with_statements} "
        f"statements and {with_cpu:.1f} ms Python CPU per order]"
    )
    print(
        f"  without (buyers without parent, merchant without plan): {without_rate:,.0f} "
        f"orders/s  [{without_done:,} orders, {entries_without} commission entries, "
        f"{without_statements} statements and {without_cpu:.1f} ms Python CPU per order]"
    )
    print(
        f"  commissions add {with_statements - without_statements} statements and "
        f"{(1 / with_rate - 1 / without_rate) * 1000:.1f} ms per order "
        f"(rate with / without: {with_rate / without_rate:.2f})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 members, shorter runs")
    parser.add_argument("--signups", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15, help="per order-throughput run")
    parser.add_argument("--team-calls", type=int, default=200)
    parser.add_argument(
        "--atomic-signups", type=int, default=20_000, help="SMS-code sign-ups (issue 17)"
    )
    parser.add_argument("--password-signups", type=int, default=40)
    parser.add_argument(
        "--procs", type=int, default=2, help="processes for the atomic sign-ups (threads each)"
    )
    parser.add_argument(
        "--signups-only", action="store_true", help="the tree and the atomic sign-ups only"
    )
    parser.add_argument("--db", default=DB, help="the database to make (dropped first)")
    args = parser.parse_args()
    if args.quick:
        args.members, args.signups, args.seconds = 100_000, 4_000, 5
        args.atomic_signups, args.password_signups = 6_000, 16

    url = fresh_postgres(args.db)

    from django.conf import settings
    from django.contrib.auth import hashers
    from django.db import connection

    real_hashers = list(settings.PASSWORD_HASHERS)
    # Cheap hashing for every member this script makes (set before anything is hashed).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    settings.AUTH_THROTTLE = False

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, PostgreSQL {connection.pg_version // 10000}",  # type: ignore[attr-defined]
        flush=True,
    )
    print(load(), flush=True)
    bench_tree(url, args.members)
    connection.close()
    if not args.signups_only:
        bench_team(url, 1, args.team_calls)
        bench_signups(args.signups, args.threads, args.members)
    bench_atomic_signups(args, real_hashers)
    if not args.signups_only:
        bench_orders(args.members, args.threads, args.seconds)


if __name__ == "__main__":
    main()
