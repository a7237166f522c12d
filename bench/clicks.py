"""Share-click ingestion: clicks per second through `GET /s/{code}` with zero loss, beside the
database's raw insert rate for the same rows, in one run.

    .venv/bin/python bench/clicks.py [--seconds 20] [--links 1000] [--connections 64]
                                     [--workers 2] [--threads 4] [--no-access-log] [--sqlite]

1. A fresh database (PostgreSQL `sharemall_bench_clicks`, or with --sqlite a new SQLite file),
   migrated; one sharer with `--links` share links.
2. `sharemall serve` (granian; CLICK_INGEST=buffered, the default) on 127.0.0.1, warmed for 2 s.
3. wrk (Debian package `wrk`) for `--seconds` with `--connections` keep-alive connections; every
   request is a new visitor (its own `sm_vid` cookie) on a link from the list, so every answered
   click must count. The Lua script counts the 302 answers. The rows written are counted at the
   3rd second and at the end: the rate the database took them while the load ran.
4. At `--seconds` the server gets SIGTERM while wrk is still sending: the workers finish what
   they have, answer, and write every click still buffered before they exit; wrk is stopped a
   second after the server has exited, so it has read every answer the server sent.
5. Zero loss: ShareClick rows of the measured run == its 302 answers, with one ClickWindow each
   (the warm-up's wrk stops at its deadline, unread answers and all, so it is only reported).
   The script exits non-zero otherwise.
6. The raw insert rate, in the same run and on the same database: multi-row INSERTs of
   ShareClick rows (1,000 a statement, one transaction each) straight into the table, then the
   batch writer the server uses (`clicks_write`: windows claimed, then clicks inserted).

The load generator runs on the same machine as the server and the database; the figures are for
this machine only.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import SHAREMALL, fresh_postgres

DB = "sharemall_bench_clicks"
# wrk runs until told to stop (SIGINT): this long after the server has exited, so that it has
# read every answer the server sent. Its own deadline is only a backstop.
TAIL_SECONDS = 1.0
WRK_SPARE_SECONDS = 120.0
WARM_SECONDS = 2.0
RAW_SECONDS = 4.0
# Rows are counted at this second of the run and again at its end: the rate they were written.
WRITE_RATE_FROM = 3.0
ROWS_PER_STATEMENT = 1000

LUA = r"""
-- Every request: a share code from the list and a visitor id used nowhere else.
local codes = {%(codes)s}
local n = #codes
local seq = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  redirects, others = 0, 0
end

function request()
  seq = seq + 1
  return wrk.format("GET", "/s/" .. codes[seq %% n + 1], {
    ["Cookie"] = "sm_vid=%(prefix)s" .. tid .. "-" .. seq,
  })
end

function response(status, headers, body)
  if status == 302 then redirects = redirects + 1 else others = others + 1 end
end

function done(summary, latency, requests)
  local r, o = 0, 0
  for _, t in ipairs(threads) do
    r = r + t:get("redirects")
    o = o + t:get("others")
  end
  io.write(string.format("redirects %%d others %%d\n", r, o))
end
"""


def fresh_sqlite() -> str:
    folder = tempfile.mkdtemp(prefix="sharemall-bench-clicks-")
    url = f"sqlite:///{folder}/bench.db"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharemall.config.settings")
    subprocess.run([SHAREMALL, "migrate", "-v0"], check=True)
    import django  # after the environment names the database

    django.setup()
    return url


def seed(links: int) -> list[str]:
    from sharemall.accounts.models import Member
    from sharemall.core.ids import short_code
    from sharemall.sharing import rules
    from sharemall.sharing.models import ShareLink

    sharer = Member.objects.create_user("13700000001", "bench-pass-1", nickname="sharer")
    made = ShareLink.objects.bulk_create(
        ShareLink(
            code=short_code(rules.CODE_LENGTH),
            sharer=sharer,
            target_type=rules.PRODUCT,
            target_id=i + 1,
        )
        for i in range(links)
    )
    return [link.code for link in made]


def lua_script(codes: list[str], prefix: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"codes": ", ".join(f'"{c}"' for c in codes), "prefix": prefix})
    return script.name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(root: int) -> float:
    """User + system CPU time of a process and its children (the server's workers)."""
    pids = [str(root)]
    children = subprocess.run(
        ["pgrep", "-P", str(root)], capture_output=True, text=True, check=False
    )
    pids += children.stdout.split()
    return sum(_cpu_of(pid) for pid in pids)


def postgres_cpu_seconds() -> float:
    pids = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True, check=False)
    return sum(_cpu_of(pid) for pid in pids.stdout.split())


def _cpu_of(pid: str) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, script: str, *, seconds: float, connections: int, threads: int) -> list[str]:
    return [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:.0f}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        script,
        url,
    ]


def redirects_of(output: str) -> tuple[int, int]:
    match = re.search(r"redirects (\d+) others (\d+)", output)
    assert match, output
    return int(match.group(1)), int(match.group(2))


def latency_ms(output: str, percentile: str) -> float:
    match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    assert match, output
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def serve(
    url: str, port: int, workers: int, threads: int, log: Path, *, access_log: bool
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-only",
        "CLICK_INGEST": "buffered",
        "DJANGO_SETTINGS_MODULE": "sharemall.config.settings",
    }
    server = subprocess.Popen(
        [
            SHAREMALL,
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            *([] if access_log else ["--no-access-log"]),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError(f"the server did not start; see {log}")


def http_run(url: str, codes: list[str], args: argparse.Namespace) -> dict[str, float]:
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="sharemall-bench-clicks-")) / "serve.log"
    server = serve(url, port, args.workers, args.threads, log, access_log=not args.no_access_log)
    base = f"http://127.0.0.1:{port}/"
    warm = subprocess.run(
        wrk(base, lua_script(codes, "w"), seconds=WARM_SECONDS, connections=8, threads=1),
        capture_output=True,
        text=True,
        check=True,
    )
    warm_redirects, warm_others = redirects_of(warm.stdout)
    load = subprocess.Popen(
        wrk(
            base,
            lua_script(codes, "b"),
            seconds=args.seconds + WRK_SPARE_SECONDS,
            connections=args.connections,
            threads=args.wrk_threads,
        ),
        stdout=subprocess.PIPE,
        text=True,
    )
    server_cpu, pg_cpu, load_cpu = cpu_seconds(server.pid), postgres_cpu_seconds(), 0.0
    started = time.monotonic()
    time.sleep(WRITE_RATE_FROM)
    early, early_at = measured_rows(), time.monotonic()
    time.sleep(args.seconds - WRITE_RATE_FROM)
    server_cpu = cpu_seconds(server.pid) - server_cpu
    pg_cpu = postgres_cpu_seconds() - pg_cpu
    load_cpu = _cpu_of(str(load.pid))
    late, late_at = measured_rows(), time.monotonic()
    server.send_signal(signal.SIGTERM)
    loaded = time.monotonic() - started
    server.wait(timeout=60)
    stopped = time.monotonic() - started - loaded
    time.sleep(TAIL_SECONDS)  # every answer sent has arrived; what wrk sends now finds no one
    load.send_signal(signal.SIGINT)  # wrk stops and prints its summary
    output, _ = load.communicate(timeout=120)
    redirects, others = redirects_of(output)

    from sharemall.sharing.models import ClickWindow, ShareClick

    # The warm-up's wrk stopped at its deadline without reading its last answers, so its rows
    # may outnumber its counted redirects; the measured run's must match exactly.
    rows = measured_rows()
    windows = ClickWindow.objects.filter(visitor_key__startswith="v:b").count()
    warm_rows = ShareClick.objects.filter(visitor_key__startswith="v:w").count()
    errors = log.read_text().count("Traceback")
    return {
        "seconds": loaded,
        "redirects": redirects,
        "warm": warm_redirects,
        "warm_rows": warm_rows,
        "others": warm_others + others,
        "rows": rows,
        "windows": windows,
        "loss": redirects - rows,
        "write_rate": (late - early) / (late_at - early_at),
        "at_exit": rows - late,
        "rate": redirects / loaded,
        "p50": latency_ms(output, "50"),
        "p99": latency_ms(output, "99"),
        "stop": stopped,
        "server_cpu": server_cpu,
        "pg_cpu": pg_cpu,
        "load_cpu": load_cpu,
        "tracebacks": errors,
    }


def measured_rows() -> int:
    from sharemall.sharing.models import ShareClick

    return ShareClick.objects.filter(visitor_key__startswith="v:b").count()


def raw_insert_rate(link_ids: list[int]) -> float:
    """ShareClick rows per second, inserted straight into the table 1,000 a statement."""
    from django.db import connection, transaction
    from django.utils import timezone

    from sharemall.sharing.models import ShareClick

    quote = connection.ops.quote_name
    table = quote(ShareClick._meta.db_table)
    sql = (
        f"INSERT INTO {table} (link_id, visitor_key, visitor_id, ip, clicked_at) VALUES "
        + ", ".join(["(%s, %s, NULL, %s, %s)"] * ROWS_PER_STATEMENT)
    )
    rows = batch = 0
    start = time.perf_counter()
    while time.perf_counter() - start < RAW_SECONDS:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        params: list[object] = []
        for i in range(ROWS_PER_STATEMENT):
            params += [link_ids[i % len(link_ids)], f"v:raw-{batch}-{i}", "127.0.0.1", now]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
        rows += ROWS_PER_STATEMENT
        batch += 1
    return rows / (time.perf_counter() - start)


def writer_rate(link_ids: list[int]) -> float:
    """Clicks per second through the server's batch writer: windows claimed, clicks inserted."""
    from django.utils import timezone

    from sharemall.sharing.clickbatch import Click, clicks_write

    rows = batch = 0
    start = time.perf_counter()
    while time.perf_counter() - start < RAW_SECONDS:
        now = timezone.now() + timedelta(microseconds=batch)
        clicks = [
            Click(link_ids[i % len(link_ids)], f"v:writer-{batch}-{i}", "127.0.0.1", now)
            for i in range(ROWS_PER_STATEMENT)
        ]
        counted = clicks_write(clicks)
        assert len(counted) == ROWS_PER_STATEMENT
        rows += ROWS_PER_STATEMENT
        batch += 1
    return rows / (time.perf_counter() - start)


def machine() -> str:
    from django.db import connection

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    database = (
        f"PostgreSQL {connection.pg_version // 10000}"  # type: ignore[attr-defined]
        if connection.vendor == "postgresql"
        else f"SQLite {connection.Database.sqlite_version}"  # type: ignore[attr-defined]
    )
    return (
        f"{model}, {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{sys.version.split()[0]}, {database}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--sqlite", action="store_true", help="a fresh SQLite file, not PostgreSQL")
    parser.add_argument("--no-access-log", action="store_true", help="serve without access log")
    args = parser.parse_args()

    url = fresh_sqlite() if args.sqlite else fresh_postgres(DB)
    codes = seed(args.links)
    result = http_run(url, codes, args)

    from sharemall.sharing.models import ShareLink

    link_ids = list(ShareLink.objects.values_list("pk", flat=True))
    raw = raw_insert_rate(link_ids)
    writer = writer_rate(link_ids)

    print(f"machine: {machine()}")
    print(
        f"server: sharemall serve (granian), {args.workers} workers x {args.threads} threads, "
        f"access log {'off' if args.no_access_log else 'on'}, CLICK_INGEST=buffered; "
        f"load: wrk {args.wrk_threads} thread(s), "
        f"{args.connections} connections, {args.links} links, a new visitor every request"
    )
    print(
        f"clicks/s through GET /s/{{code}}: {result['rate']:.0f}  "
        f"[{result['redirects']:.0f} redirects in {result['seconds']:.1f} s]"
    )
    print(f"latency p50 / p99: {result['p50']:.2f} / {result['p99']:.2f} ms")
    print(
        f"clicks written to the database per second during the run: {result['write_rate']:.0f}; "
        f"written at SIGTERM (buffered or in flight): {result['at_exit']:.0f}"
    )
    print(
        f"answered 302: {result['redirects']:.0f}; ShareClick rows: {result['rows']:.0f}; "
        f"ClickWindow rows: {result['windows']:.0f}; loss: {result['loss']:.0f}; "
        f"other answers: {result['others']:.0f}"
    )
    print(
        f"warm-up (2 s, 8 connections): {result['warm']:.0f} answered 302, "
        f"{result['warm_rows']:.0f} rows"
    )
    print(
        f"SIGTERM to exit, buffered clicks written: {result['stop']:.2f} s; "
        f"tracebacks in the server log: {result['tracebacks']:.0f}"
    )
    rate = max(result["rate"], 1.0)
    print(
        "CPU per click: server {:.0f} us, PostgreSQL {:.0f} us, wrk {:.0f} us "
        "(2 cores = 2,000,000 us/s)".format(
            result["server_cpu"] / (rate * result["seconds"]) * 1e6,
            result["pg_cpu"] / (rate * result["seconds"]) * 1e6,
            result["load_cpu"] / (rate * result["seconds"]) * 1e6,
        )
    )
    print(f"raw insert rate (ShareClick, 1,000 rows a statement): {raw:.0f} rows/s")
    print(f"batch writer (clicks_write, windows + clicks, 1,000 a batch): {writer:.0f} clicks/s")
    if result["loss"] or result["windows"] != result["rows"] or result["others"]:
        sys.exit("FAILED: some answered click was not stored exactly once")


if __name__ == "__main__":
    main()
