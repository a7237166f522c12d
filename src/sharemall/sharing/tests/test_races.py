"""Races on PostgreSQL, where writers really run side by side (SQLite queues them): the daily caps
and the one-click-a-day rule must hold exactly when one member or visitor fires many at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from tests.factories import MemberFactory, product

from sharemall.sharing import rules
from sharemall.sharing.models import (
    ClickWindow,
    ShareClick,
    ShareDayCount,
    ShareLink,
    ShareSourceDayCount,
    ShareTouch,
)
from sharemall.sharing.services import ClickResult, ShareResult, click_record, share_create
from sharemall.sharing.tests.support import NOON, set_rules

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL")


# Enough workers to keep many transactions in flight together, few enough that the server's
# connection limit (100 by default, shared with other test runs) is never the thing tested.
WORKERS = 24


def race(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(0)` … `work(count - 1)` on WORKERS threads at once; results or exceptions."""
    start = threading.Barrier(min(count, WORKERS))

    def run(i: int) -> Any:
        try:
            if i < WORKERS:
                start.wait()  # the first wave sets off together; the rest follow as slots free
            return work(i)
        except Exception as exc:  # the outcome under test
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(run, range(count)))


def test_two_hundred_simultaneous_shares_reward_exactly_the_daily_cap() -> None:
    set_rules(share_daily_cap=20, share_product_daily_cap=10_000)
    sharer = MemberFactory.create()
    tea = product()

    outcomes = race(
        200,
        lambda i: share_create(sharer=sharer, target_type="product", target_id=tea.pk, now=NOON),
    )

    assert all(isinstance(o, ShareResult) for o in outcomes), [
        repr(o) for o in outcomes if not isinstance(o, ShareResult)
    ]
    assert sum(o.rewarded for o in outcomes) == 20
    assert ShareLink.objects.filter(sharer=sharer).count() == 200
    assert ShareLink.objects.filter(sharer=sharer, rewarded=True).count() == 20
    assert ShareDayCount.objects.get(member=sharer, product_id=rules.TOTAL).count == 20


def test_simultaneous_shares_of_one_product_reward_exactly_its_cap() -> None:
    sharer = MemberFactory.create()
    tea = product()

    outcomes = race(
        50,
        lambda i: share_create(sharer=sharer, target_type="product", target_id=tea.pk, now=NOON),
    )

    assert sum(o.rewarded for o in outcomes) == 3, outcomes
    # The refused product slots gave back the total slots they had taken.
    assert ShareDayCount.objects.get(member=sharer, product_id=rules.TOTAL).count == 3
    assert ShareDayCount.objects.get(member=sharer, product_id=tea.pk).count == 3


def test_simultaneous_clicks_by_one_visitor_count_once() -> None:
    link = share_create(
        sharer=MemberFactory.create(), target_type="product", target_id=product().pk
    ).link

    outcomes = race(
        50, lambda i: click_record(code=link.code, visitor_key="device-1", ip="", now=NOON)
    )

    assert all(isinstance(o, ClickResult) for o in outcomes), outcomes
    assert sum(o.counted for o in outcomes) == 1
    assert ShareClick.objects.filter(link=link).count() == 1
    assert ClickWindow.objects.filter(link=link).count() == 1


def test_simultaneous_clicks_by_one_member_count_once_and_touch_once() -> None:
    link = share_create(
        sharer=MemberFactory.create(), target_type="product", target_id=product().pk
    ).link
    visitor = MemberFactory.create()

    outcomes = race(50, lambda i: click_record(code=link.code, visitor_member=visitor, now=NOON))

    assert all(isinstance(o, ClickResult) for o in outcomes), outcomes
    assert sum(o.counted for o in outcomes) == 1
    assert ShareTouch.objects.get(member=visitor).link_id == link.pk


def test_many_accounts_sharing_from_one_device_and_address_reward_exactly_their_caps() -> None:
    set_rules(share_device_daily_cap=15, share_ip_daily_cap=25)
    tea = product()
    sharers = MemberFactory.create_batch(60)

    on_device = race(
        60,
        lambda i: share_create(
            sharer=sharers[i],
            target_type="product",
            target_id=tea.pk,
            now=NOON,
            device="farm-phone",
            ip="8.8.8.8",
        ),
    )
    # Other phones on the same line: only the address's cap is left to stop them.
    on_line = race(
        60,
        lambda i: share_create(
            sharer=sharers[i],
            target_type="product",
            target_id=tea.pk,
            now=NOON,
            device=f"phone-{i}",
            ip="8.8.8.8",
        ),
    )

    assert all(isinstance(o, ShareResult) for o in on_device + on_line), [
        repr(o) for o in on_device + on_line if not isinstance(o, ShareResult)
    ]
    assert sum(o.rewarded for o in on_device) == 15
    assert sum(o.rewarded for o in on_line) == 25 - 15
    counts = dict(ShareSourceDayCount.objects.values_list("key", "count"))
    assert counts["farm-phone"] == 15
    assert counts["8.8.8.8"] == 25
