"""The harness of the PostgreSQL race tests: tasks released together from their own threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections


def postgres_only() -> None:
    """Skip a race on SQLite, which queues writers one after another."""
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


def all_at_once(tasks: list[Callable[[], Any]]) -> list[Any]:
    """Run every task in its own thread, released together; each outcome or its exception."""
    barrier = threading.Barrier(len(tasks))
    outcomes: list[Any] = [None] * len(tasks)

    def run(i: int, task: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=20)
            outcomes[i] = task()
        except Exception as exc:  # the outcome is what the test counts
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes
