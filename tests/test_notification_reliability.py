"""Notices are never lost and never sent twice: 10,000 of them to a receiver that fails 30 % of
the time and is down for an hour, delivered by the job with an advancing clock; and a worker
killed (kill -9) mid-batch, then run again."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from sharemall.notifications import rules
from sharemall.notifications.models import Delivery, Notice
from sharemall.notifications.services import notifications_deliver
from sharemall.sms import services as sms_services
from sharemall.sms.models import SandboxSms
from sharemall.sms.rules import SmsUnavailable
from sharemall.wallet.tests.support import committing_db  # noqa: F401 - a fixture
from tests.factories import MemberFactory
from tests.test_job_kills import SHAREMALL, _jobs_database, _jobs_env

N = 10_000


def outbox(n: int, start: datetime) -> None:
    member = MemberFactory.create()
    Notice.objects.bulk_create(
        (
            Notice(
                recipient=member,
                kind=rules.ORDER_SHIPPED,
                key=f"order:{i}:shipped",
                params={"order_no": f"SO{i}"},
                created_at=start,
            )
            for i in range(n)
        ),
        batch_size=2000,
    )
    Delivery.objects.bulk_create(
        (
            Delivery(notice_id=pk, channel=rules.SMS, next_attempt_at=start)
            for pk in Notice.objects.values_list("pk", flat=True)
        ),
        batch_size=2000,
    )


class FlakyReceiver:
    """Fails 30 % of calls (seeded) and every call while down; counts what it accepted."""

    def __init__(self, down_from: datetime, down_until: datetime) -> None:
        self.rng = random.Random(20261206)
        self.now = down_from
        self.down = (down_from, down_until)
        self.accepted: Counter[str] = Counter()
        self.calls = 0

    def send(
        self, phone: str, template: str, params: Mapping[str, str], *, dedupe_id: str = ""
    ) -> str:
        self.calls += 1
        if self.down[0] <= self.now < self.down[1] or self.rng.random() < 0.3:
            raise SmsUnavailable("provider down")
        self.accepted[dedupe_id] += 1
        return "fake-" + dedupe_id


@pytest.mark.django_db
def test_ten_thousand_notices_through_a_flaky_receiver(monkeypatch: pytest.MonkeyPatch) -> None:
    began = time.monotonic()
    start = timezone.now()
    outbox(N, start)
    receiver = FlakyReceiver(start + timedelta(minutes=1), start + timedelta(minutes=61))
    monkeypatch.setattr(sms_services, "send", receiver.send)
    now = start
    for _minute in range(24 * 60):
        receiver.now = now
        notifications_deliver(now, batch=2000, max_batches=20, rng=random.Random(now.timestamp()))
        if not Delivery.objects.filter(status=rules.PENDING).exists():
            break
        now += timedelta(minutes=1)
    assert now > start + timedelta(minutes=61)  # the outage was lived through
    assert Delivery.objects.filter(status=rules.SENT).count() == N
    assert len(receiver.accepted) == N
    assert set(receiver.accepted.values()) == {1}  # each accepted exactly once
    assert receiver.calls > N * 1.3  # failures were retried
    assert time.monotonic() - began < 60


# --- kill -9 mid-batch -----------------------------------------------------------------------

KILL_N = 600
KILL_ROUNDS = 4
SENT_SQL = "SELECT COUNT(*) FROM sms_sandboxsms"


def _progress(url: str) -> Callable[[], int]:
    if connection.vendor == "postgresql":

        def count() -> int:
            with connection.cursor() as cursor:
                cursor.execute(SENT_SQL)
                return int(cursor.fetchone()[0])

        return count
    path = url.removeprefix("sqlite:///")

    def file_count() -> int:
        with closing(sqlite3.connect(path, timeout=30)) as db:
            return int(db.execute(SENT_SQL).fetchone()[0])

    return file_count


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committing_db")
def test_a_worker_killed_mid_batch_loses_nothing_and_sends_once(tmp_path: Path) -> None:
    base = timezone.now()
    outbox(KILL_N, base)
    log = []
    with _jobs_database(tmp_path) as (url, _orders_progress):
        env = {**_jobs_env(url), "SMS_BACKEND": "sandbox"}
        progress = _progress(url)
        rng = random.Random()
        for round_no in range(KILL_ROUNDS):
            # Each round a lease later: what a killed run claimed is due again.
            now = base + round_no * (rules.LEASE + timedelta(seconds=1))
            before = progress()
            jobs = subprocess.Popen(
                [SHAREMALL, "run-due-jobs", "--now", now.isoformat()],
                cwd=tmp_path,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 30
            while jobs.poll() is None and progress() == before and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.2))
            if jobs.poll() is None:
                jobs.send_signal(signal.SIGKILL)
                jobs.wait()
                log.append(f"killed at {progress() - before} sent")
            else:
                log.append(f"finished at {progress() - before} sent")
        final = subprocess.run(
            [SHAREMALL, "run-due-jobs", "--now", (base + rules.LEASE * 10).isoformat()],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert final.returncode == 0, final.stderr
    print(f"\n{connection.vendor}: {'; '.join(log)}")  # noqa: T201 - the measured figures
    assert Delivery.objects.filter(status=rules.SENT).count() == KILL_N
    per_message = Counter(SandboxSms.objects.values_list("message_id", flat=True))
    assert len(per_message) == KILL_N
    assert set(per_message.values()) == {1}
