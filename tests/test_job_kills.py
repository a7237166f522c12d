"""`sharemall run-due-jobs` killed with SIGKILL at random points, round after round, then run
to the end: nothing is left half-done.

The jobs run as an operator's cron runs them, in a separate process against the same database:
on PostgreSQL the test database itself; on SQLite (whose test database lives in memory) a file
copy of it, copied back for the checks.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import Api
from django.db import connection
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.catalog.models import Sku
from sharemall.checkout import services as checkout
from sharemall.distribution.models import CommissionEntry
from sharemall.orders import services as orders
from sharemall.orders.models import Order, OrderEvent
from sharemall.payments.models import Payment
from sharemall.settlement.selectors import merchant_ledger_check
from sharemall.wallet.services import ledger_check
from sharemall.wallet.tests.support import committing_db  # noqa: F401 - a fixture
from tests.factories import MemberFactory, merchant, phone, product
from tests.flows import register, share

pytestmark = pytest.mark.django_db(transaction=True)

SHAREMALL = str(Path(sys.executable).parent / "sharemall")
EXPRESS = checkout.Delivery("express", "440305", "科技园 1 号", "王小二", "13912345678")
PLAN = {
    "share_budget_bp": 2000,
    "buyer_discount_bp": 500,
    "level_bp": [800, 400, 200],
    "region_agent_bp": 100,
}
ITEMS = 40  # unpaid payments (two orders each) and received orders with commissions
ROUNDS = 5
STOCK = 1000
# A progress counter the killer watches, read with plain SQL from outside the jobs' process.
PROGRESS_SQL = (
    "SELECT (SELECT COUNT(*) FROM payments_payment WHERE status = 'closed')"
    " + (SELECT COUNT(*) FROM orders_order WHERE status = 'completed')"
)


def _unpaid_carts(skus: list[Sku]) -> None:
    """ITEMS payments, each over two merchants' orders (1 + 2 units), left unpaid."""
    buyer = MemberFactory.create()
    for _ in range(ITEMS):
        checkout.order_create(
            buyer=buyer,
            items=[checkout.Item(skus[0].pk, 1), checkout.Item(skus[1].pk, 2)],
            delivery=EXPRESS,
        )


def _received_sales(api: Api) -> list[int]:
    """ITEMS orders bought through a share, paid, shipped and received: commissions pending."""
    shop = merchant()
    item = product(shop, price_fen=9999, stock=STOCK)
    assert api.put(f"/merchants/{shop.pk}/commission-plan", PLAN, as_=shop.owner).status == 200
    _sharer, sharer_token = register(api, phone())
    code = share(api, sharer_token, item.pk)
    buyer_id, _token = register(api, phone(), code)
    buyer = Member.objects.get(pk=buyer_id)
    sku = item.skus.get()
    ids = []
    for _ in range(ITEMS):
        bought = checkout.order_create(
            buyer=buyer, items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS, share_code=code
        )
        checkout.sandbox_complete(bought.payment)
        [order] = bought.orders
        order = orders.order_ship(
            Order.objects.get(pk=order.pk), actor=shop.owner, carrier="SF", tracking_no="SF1"
        )
        orders.order_confirm_receipt(order, actor=buyer)
        ids.append(order.pk)
    return ids


@contextmanager
def _jobs_database(tmp_path: Path) -> Iterator[tuple[str, Callable[[], int]]]:
    """A DATABASE_URL the jobs' process reaches this test's data at, and a progress reader."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(str(settings["USER"] or ""))
        password = quote(str(settings["PASSWORD"] or ""))
        auth = f"{user}:{password}@" if password else f"{user}@"
        url = f"postgres://{auth}{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        url += f"/{settings['NAME']}"

        def progress() -> int:
            with connection.cursor() as cursor:
                cursor.execute(PROGRESS_SQL)
                return int(cursor.fetchone()[0])

        yield url, progress
        return
    # SQLite: the test database is in memory; the jobs work on a file copy of it.
    path = tmp_path / "jobs.db"
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as target:
        connection.connection.backup(target)

    def file_progress() -> int:
        with closing(sqlite3.connect(path, timeout=30)) as db:
            return int(db.execute(PROGRESS_SQL).fetchone()[0])

    yield f"sqlite:///{path}", file_progress
    with closing(sqlite3.connect(path, timeout=30)) as source:
        source.backup(connection.connection)


def _jobs_env(url: str) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    return {**base, "DATABASE_URL": url, "SECRET_KEY": "jobs-kill-test"}


def _kill_rounds(
    now: str, env: dict[str, str], progress: Callable[[], int], cwd: Path
) -> list[str]:
    """Start the jobs, wait until they move something, let them run a random moment more,
    then SIGKILL them; ROUNDS times. Returns what happened in each round."""
    rng = random.Random()
    log = []
    for _ in range(ROUNDS):
        before = progress()
        jobs = subprocess.Popen(
            [SHAREMALL, "run-due-jobs", "--now", now],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while jobs.poll() is None and progress() == before and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.25))
        if jobs.poll() is None:
            jobs.send_signal(signal.SIGKILL)
            jobs.wait()
            log.append(f"killed at {progress() - before} moved")
        else:
            log.append(f"finished ({jobs.returncode}) at {progress() - before} moved")
    return log


def _stuck() -> dict[str, int]:
    return {
        "closed payments with unpaid orders": Payment.objects.filter(
            status=Payment.Status.CLOSED, orders__status="pending_payment"
        )
        .distinct()
        .count(),
        "pending payments past the deadline": Payment.objects.filter(
            status=Payment.Status.PENDING
        ).count(),
        "completed orders with pending commissions": Order.objects.filter(
            status="completed",
            pk__in=CommissionEntry.objects.filter(status="pending", reversal_of=None).values(
                "order_id"
            ),
        ).count(),
        "received orders not completed": Order.objects.filter(status="received").count(),
        # No settlement delay: an order completes and settles in the same run.
        "completed orders not settled": Order.objects.filter(
            status="completed", settled_at__isnull=True
        ).count(),
    }


@pytest.mark.usefixtures("committing_db")
def test_killed_job_runs_leave_nothing_half_done(api: Api, tmp_path: Path) -> None:
    unpaid_skus = [product(stock=STOCK).skus.get(), product(stock=STOCK).skus.get()]
    _unpaid_carts(unpaid_skus)
    sold = _received_sales(api)
    assert [Sku.objects.get(pk=s.pk).stock for s in unpaid_skus] == [
        STOCK - ITEMS,
        STOCK - 2 * ITEMS,
    ]
    now = (timezone.now() + timedelta(days=8)).isoformat()

    with _jobs_database(tmp_path) as (url, progress):
        env = _jobs_env(url)
        rounds = _kill_rounds(now, env, progress, tmp_path)
        # Then a run to the end, as the next cron tick would.
        final = subprocess.run(
            [SHAREMALL, "run-due-jobs", "--now", now],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert final.returncode == 0, final.stderr

    print(f"\n{connection.vendor}: {'; '.join(rounds)}")  # noqa: T201 - the measured figures
    stuck = _stuck()
    assert stuck == dict.fromkeys(stuck, 0), f"after {rounds}: {stuck}"
    # Every unit of every cancelled order came back, exactly once.
    assert [Sku.objects.get(pk=s.pk).stock for s in unpaid_skus] == [STOCK, STOCK]
    assert OrderEvent.objects.filter(to_status="cancelled").count() == 2 * ITEMS
    assert Order.objects.filter(status="cancelled").count() == 2 * ITEMS
    assert Order.objects.filter(pk__in=sold, status="completed").count() == ITEMS
    assert OrderEvent.objects.filter(to_status="completed").count() == ITEMS
    entries = CommissionEntry.objects.filter(order_id__in=sold, reversal_of=None)
    assert entries.exists()
    statuses = set(entries.values_list("status", flat=True))
    assert "settled" in statuses
    assert "pending" not in statuses  # settled, or held for review (risk rules)
    assert ledger_check() == []
    assert merchant_ledger_check() == []
    # Each settled order's money reached its merchant exactly once.
    assert Order.objects.filter(pk__in=sold, settled_at__isnull=False).count() == ITEMS
