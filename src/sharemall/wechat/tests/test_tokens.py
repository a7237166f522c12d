"""The shared credential store: fetched once, reused while valid, refreshed once per stale
value, and — on PostgreSQL — one refresh for twenty processes asking at once."""

from __future__ import annotations

import multiprocessing
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone
from tests.races import postgres_only

from sharemall.wechat import tokens
from sharemall.wechat.models import Credential

APP = "wx00000000000000aa"


class Issuer:
    """Stands in for WeChat's token endpoint: each fetch issues a new token."""

    def __init__(self) -> None:
        self.issued = 0

    def __call__(self) -> tuple[str, int]:
        self.issued += 1
        return f"token-{self.issued}", 7200


@pytest.mark.django_db
def test_a_token_is_fetched_once_and_reused_while_valid() -> None:
    issue = Issuer()
    assert tokens.current(APP, tokens.ACCESS_TOKEN, issue) == "token-1"
    assert tokens.current(APP, tokens.ACCESS_TOKEN, issue) == "token-1"
    assert issue.issued == 1
    row = Credential.objects.get(app_id=APP, kind=tokens.ACCESS_TOKEN)
    # Kept until five minutes before WeChat's stated expiry.
    assert row.expires_at is not None
    left = row.expires_at - timezone.now()
    assert timedelta(minutes=114) < left <= timedelta(minutes=115)


@pytest.mark.django_db
def test_an_expiring_token_is_fetched_again() -> None:
    issue = Issuer()
    tokens.current(APP, tokens.ACCESS_TOKEN, issue)
    Credential.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tokens.current(APP, tokens.ACCESS_TOKEN, issue) == "token-2"


@pytest.mark.django_db
def test_a_refused_token_is_refreshed_once_whoever_saw_it_fail() -> None:
    issue = Issuer()
    stale = tokens.current(APP, tokens.ACCESS_TOKEN, issue)
    first = tokens.refresh_stale(APP, tokens.ACCESS_TOKEN, stale, issue)
    second = tokens.refresh_stale(APP, tokens.ACCESS_TOKEN, stale, issue)  # a slower caller
    assert first == second == "token-2"
    assert issue.issued == 2
    assert Credential.objects.get().refreshes == 2


@pytest.mark.django_db
def test_kinds_and_apps_are_kept_apart() -> None:
    issue = Issuer()
    tokens.current(APP, tokens.ACCESS_TOKEN, issue)
    tokens.current(APP, tokens.JSAPI_TICKET, issue)
    tokens.current("wx00000000000000bb", tokens.ACCESS_TOKEN, issue)
    assert issue.issued == 3
    tokens.forget(APP, tokens.JSAPI_TICKET)
    assert tokens.current(APP, tokens.JSAPI_TICKET, issue) == "token-4"


def _ask(barrier: Any, answers: Any) -> None:
    # A forked child: open its own connection (the parent closed its own before forking).
    try:
        barrier.wait(timeout=30)

        def slow_issue() -> tuple[str, int]:
            time.sleep(0.3)  # WeChat's answer takes a while: the others pile up on the lock
            return f"token-{time.monotonic_ns()}", 7200

        answers.put(tokens.current(APP, tokens.ACCESS_TOKEN, slow_issue))
    except Exception as exc:  # the parent counts it
        answers.put(f"error: {exc!r}")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_twenty_processes_asking_at_once_cause_exactly_one_refresh() -> None:
    postgres_only()
    Credential.objects.create(app_id=APP, kind=tokens.ACCESS_TOKEN)
    connections.close_all()  # the children must not share the parent's connection
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(20)
    answers = context.Queue()
    children = [context.Process(target=_ask, args=(barrier, answers)) for _ in range(20)]
    for child in children:
        child.start()
    got = [answers.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=30)
    assert connection.vendor == "postgresql"
    assert len(set(got)) == 1, got
    assert not str(got[0]).startswith("error")
    assert Credential.objects.get(app_id=APP, kind=tokens.ACCESS_TOKEN).refreshes == 1
