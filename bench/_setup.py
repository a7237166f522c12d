"""Shared set-up for benchmarks: a fresh PostgreSQL database, migrated, with Django configured."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

SHAREMALL = str(Path(sys.executable).parent / "sharemall")


def fresh_postgres(name: str, server: str = "postgres://postgres@127.0.0.1:5432") -> str:
    """Drop and create database `name`; returns its URL. Configures Django to use it."""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["SANDBOX_PAYMENTS"] = "1"
    os.environ["AUTH_THROTTLE"] = "off"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharemall.config.settings")
    subprocess.run([SHAREMALL, "migrate", "-v0"], check=True)
    import django  # after the environment names the database

    django.setup()
    return url


def approved_merchant(operator: Any, **application: Any) -> Any:
    """A merchant applied for, with its licence photo, and approved: the operator approves only
    a complete application."""
    import io

    from PIL import Image

    from sharemall.merchants.services import licence_upload, merchant_apply, merchant_approve

    photo = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 30, 30)).save(photo, format="PNG")
    merchant = licence_upload(merchant_apply(**application), photo.getvalue())
    return merchant_approve(merchant, operator=operator)


def pct(values: list[float], q: float) -> float:
    """The q-quantile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(call: Callable[[], object], times: int, warm: int = 5) -> list[float]:
    """Milliseconds per call, after `warm` untimed calls (caches, the planner's first look)."""
    for _ in range(warm):
        call()
    took = []
    for _ in range(times):
        start = time.perf_counter()
        call()
        took.append((time.perf_counter() - start) * 1000)
    return took


def pgbench_tps(
    url: str,
    script: str,
    *,
    clients: int,
    seconds: int,
    variables: dict[str, Any] | None = None,
    prepared: bool = False,
    transactions: int | None = None,
) -> float:
    """Transactions per second pgbench reaches running `script` (SQL) against `url`; with
    `prepared`, each statement is parsed and planned once per connection (`-M prepared`). With
    `transactions`, each client runs that many instead of running for `seconds`."""
    import re
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".sql") as file:
        file.write(script)
        file.flush()
        length = ["-t", str(transactions)] if transactions else ["-T", str(seconds)]
        args = ["pgbench", "-n", "-c", str(clients), "-j", "2", *length, "-f", file.name]
        if prepared:
            args += ["-M", "prepared"]
        args += [f"-D{k}={v}" for k, v in (variables or {}).items()]
        done = subprocess.run([*args, url], capture_output=True, text=True, check=False)
    # pgbench's own words say which statement of which client failed.
    assert done.returncode == 0, done.stderr[-2000:]
    match = re.search(r"tps = ([\d.]+)", done.stdout)
    assert match, done.stdout + done.stderr
    return float(match.group(1))
