"""The optional Redis gate's Lua scripts against a real Redis (127.0.0.1:6379, database 15;
skipped when none answers), and the sold-out answer in front of Django."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
from conftest import Api
from django.db import transaction
from django.utils import timezone
from tests.factories import MemberFactory
from tests.flows import ADDRESS

from sharemall.core.errors import Conflict
from sharemall.promotions.models.flash import FlashSale
from sharemall.promotions.rules.offers import FLASH
from sharemall.promotions.services import flash, offers
from sharemall.promotions.tests.flash_support import (
    bare_orders,
    forget_snapshots,
    live_sale,
    members,
)

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def gate(settings: Any) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=0.5)
    try:
        client.ping()
    except (redis.RedisError, OSError):
        pytest.skip("no Redis at 127.0.0.1:6379")
    client.flushdb()
    settings.REDIS_URL = REDIS_URL
    forget_snapshots()
    yield client
    client.flushdb()
    forget_snapshots()


@pytest.fixture(autouse=True)
def _fresh_snapshots(monkeypatch: Any) -> Iterator[None]:
    # No resync thread of the process either: it would hold a connection to the test database.
    monkeypatch.setattr(flash, "_resync_soon", lambda sale_id: None)
    forget_snapshots()
    yield
    forget_snapshots()


def test_without_redis_the_gate_lets_everything_through_to_the_database(settings: Any) -> None:
    settings.REDIS_URL = ""
    sale = live_sale(stock=1)
    assert all(flash.gate_admit(sale.pk, m, 1) for m in range(5))
    flash.gate_return(sale.pk, 1, 1)  # nothing to give back, nothing fails


def test_the_gate_admits_the_stock_then_answers_sold_out(gate: redis.Redis) -> None:
    sale = live_sale(stock=3, per_member=1)
    admitted = [flash.gate_admit(sale.pk, member, 1) for member in range(1, 6)]
    assert admitted == [True, True, True, False, False]
    assert int(gate.get(f"flash:{sale.pk}:left") or -1) == 0
    with pytest.raises(Conflict) as refused:
        flash.gate_admit_or_refuse(sale.pk, 9, 1)
    assert refused.value.code == "flash_sold_out"


def test_the_gate_holds_each_member_to_the_limit(gate: redis.Redis) -> None:
    sale = live_sale(stock=10, per_member=2)
    buyer = MemberFactory.create()
    assert flash.gate_admit(sale.pk, buyer.pk, 2)
    with pytest.raises(Conflict) as refused:
        flash.gate_admit_or_refuse(sale.pk, buyer.pk, 1)
    assert refused.value.code == "flash_limit"
    # The database holds none for the member (their checkout never happened): after a
    # give-back the member is admitted again.
    flash.gate_return(sale.pk, buyer.pk, 2)
    assert flash.gate_admit(sale.pk, buyer.pk, 2)
    assert int(gate.get(f"flash:{sale.pk}:left") or -1) == 8


def test_a_member_count_the_database_does_not_back_is_corrected(gate: redis.Redis) -> None:
    sale = live_sale(stock=10, per_member=1)
    buyer = MemberFactory.create()
    assert flash.gate_admit(sale.pk, buyer.pk, 1)  # its checkout died without a give-back
    assert not flash.gate_admit(sale.pk, buyer.pk, 1)  # may still be in flight: refused
    key = flash.gate_keys(sale.pk, buyer.pk)[1]
    gate.hset(key, "at", time.time() - flash.MEMBER_RESYNC_SECONDS - 1)
    assert flash.gate_admit(sale.pk, buyer.pk, 1)  # the database holds none: admitted again
    assert int(gate.get(f"flash:{sale.pk}:left") or -1) == 8


def _age_emptied(gate: redis.Redis, sale_id: int) -> None:
    """As if the gate had gone empty longer ago than a checkout in flight could take."""
    key = flash.gate_keys(sale_id, 0)[2]
    gate.set(key, time.time() - flash.REOPEN_AFTER_SECONDS - 1)


def test_giving_back_returns_only_what_was_taken(gate: redis.Redis) -> None:
    sale = live_sale(stock=2, per_member=2)
    assert flash.gate_admit(sale.pk, 7, 1)
    flash.gate_return(sale.pk, 7, 2)  # one was taken: one comes back
    flash.gate_return(sale.pk, 8, 1)  # member 8 took nothing
    assert int(gate.get(f"flash:{sale.pk}:left") or -1) == 2


def test_a_gate_emptier_than_the_database_reopens_to_what_the_database_has(
    gate: redis.Redis,
) -> None:
    sale = live_sale(stock=2, per_member=1)
    assert flash.gate_admit(sale.pk, 1, 1)
    assert flash.gate_admit(sale.pk, 2, 1)
    assert not flash.gate_admit(sale.pk, 3, 1)
    # Neither checkout happened and neither gave back. While they may still be in flight a look
    # at the database does not reopen the gate (it would count them twice) ...
    forget_snapshots()
    assert not flash.gate_admit(sale.pk, 3, 1)
    # ... once the gate has been empty for longer, the next look reopens it.
    _age_emptied(gate, sale.pk)
    forget_snapshots()
    assert flash.gate_admit(sale.pk, 3, 1)
    assert int(gate.get(f"flash:{sale.pk}:left") or -1) == 1


def test_the_gate_is_exact_under_concurrency(gate: redis.Redis, monkeypatch: Any) -> None:
    sale = live_sale(stock=50, per_member=1)
    # The threads work from this thread's snapshot: only the Lua script is under test.
    monkeypatch.setattr(flash, "SNAPSHOT_SECONDS", 600.0)
    assert flash.gate_admit(sale.pk, 1, 1)
    with ThreadPoolExecutor(max_workers=16) as pool:
        admitted = list(pool.map(lambda m: flash.gate_admit(sale.pk, m, 1), range(2, 501)))
    assert sum(admitted) == 49
    assert int(gate.get(f"flash:{sale.pk}:left") or -1) == 0


def test_an_unpaid_timeout_gives_the_gate_back_its_units(
    gate: redis.Redis, django_capture_on_commit_callbacks: Any
) -> None:
    sale = live_sale(stock=1, per_member=1)
    a, b = members(2)
    offer = offers.offer(FLASH, sale.pk, buyer=a, sku_id=sale.sku_id, now=timezone.now())
    (order,) = bare_orders([a], sale.sku)
    with transaction.atomic():
        offers.reserve(offer, buyer=a, quantity=1, order=order)
    assert not flash.gate_admit(sale.pk, b.pk, 1)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        offers.release([order.pk])
    assert flash.gate_admit(sale.pk, b.pk, 1)


# -- the answer in front of Django -----------------------------------------------------------


def _call(app: Any, body: dict[str, Any], **environ: str) -> tuple[str, bytes]:
    raw = json.dumps(body).encode()
    seen: list[str] = []
    env = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/orders",
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
        **environ,
    }
    out = b"".join(app(env, lambda status, headers: seen.append(status)))
    return seen[0], out


def _django(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("201 Created", [])
    return [environ["wsgi.input"].read()]


def test_front_answers_a_sale_known_sold_out_and_passes_the_rest_on_whole() -> None:
    sale = live_sale(stock=1)
    other = live_sale(stock=5)
    app = flash.front(_django)
    body = {"items": [{"sku_id": sale.sku_id, "quantity": 1, "flash_sale_id": sale.pk}]}
    assert _call(app, body)[0] == "201 Created"  # nothing known yet: Django answers
    buyer = MemberFactory.create()
    offers.offer(FLASH, other.pk, buyer=buyer, sku_id=other.sku_id, now=timezone.now())
    FlashSale.objects.filter(pk=sale.pk).update(sold=1)
    forget_snapshots()
    with pytest.raises(Conflict):  # a checkout refused: this process now knows
        offers.offer(FLASH, sale.pk, buyer=buyer, sku_id=sale.sku_id, now=timezone.now())
    status, answer = _call(app, body)
    assert status == "409 Conflict"
    assert json.loads(answer)["error"]["code"] == "flash_sold_out"
    # A retry carrying an Idempotency-Key must replay its stored answer: Django's.
    assert _call(app, body, HTTP_IDEMPOTENCY_KEY="k1")[0] == "201 Created"
    # Another sale's order goes on, with its body intact.
    other_body = {"items": [{"sku_id": other.sku_id, "quantity": 1, "flash_sale_id": other.pk}]}
    status, echoed = _call(app, other_body)
    assert (status, json.loads(echoed)) == ("201 Created", other_body)


def _reserve(sale: FlashSale, buyer: Any) -> None:
    offer = offers.offer(FLASH, sale.pk, buyer=buyer, sku_id=sale.sku_id, now=timezone.now())
    (order,) = bare_orders([buyer], sale.sku)
    with transaction.atomic():
        offers.reserve(offer, buyer=buyer, quantity=1, order=order)


def test_checkout_goes_through_the_gate_and_the_database_refuses_what_it_let_by(
    gate: redis.Redis,
) -> None:
    sale = live_sale(stock=2, per_member=1)
    a, b, c = members(3)
    _reserve(sale, a)
    assert int(gate.get(f"flash:{sale.pk}:left") or -1) == 1
    # Redis lost the member's count (a restart): the gate lets `a` by, the database refuses,
    # and the gate gets its unit back.
    gate.delete(flash.gate_keys(sale.pk, a.pk)[1])
    with pytest.raises(Conflict) as again:
        _reserve(sale, a)
    assert again.value.code == "flash_limit"
    assert int(gate.get(f"flash:{sale.pk}:left") or -1) == 1
    _reserve(sale, b)
    # Sold out in the gate: a quote is refused by reading it, checkout before the hot rows.
    with pytest.raises(Conflict) as quoted:
        offers.offer(FLASH, sale.pk, buyer=c, sku_id=sale.sku_id, now=timezone.now())
    assert quoted.value.code == "flash_sold_out"
    assert FlashSale.objects.get(pk=sale.pk).sold == 2


# -- the answer in front of Django, from the gate --------------------------------------------


@pytest.fixture
def resyncs(monkeypatch: Any) -> list[int]:
    """The sales the front asked to have re-read from the database (run by hand here: the
    process's thread would use a connection of its own)."""
    asked: list[int] = []
    monkeypatch.setattr(flash, "_resync_soon", asked.append)
    return asked


def _sell_out_through_the_gate(sale: FlashSale) -> None:
    for buyer in members(sale.units, prefix="1375"):
        _reserve(sale, buyer)


def test_with_the_gate_a_sold_out_order_is_answered_from_redis_without_the_orm(
    gate: redis.Redis, resyncs: list[int], django_assert_num_queries: Any, api: Api
) -> None:
    sale = live_sale(stock=2, per_member=1)
    _sell_out_through_the_gate(sale)
    forget_snapshots()  # another process, which has never looked at the sale
    reached: list[bool] = []

    def django(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        reached.append(True)
        return _django(environ, start_response)

    app = flash.front(django)
    body = {"items": [{"sku_id": sale.sku_id, "quantity": 1, "flash_sale_id": sale.pk}]}
    with django_assert_num_queries(0):
        answers = [_call(app, body) for _ in range(5)]
    assert not reached
    assert {status for status, _ in answers} == {"409 Conflict"}
    assert {json.loads(a)["error"]["code"] for _, a in answers} == {"flash_sold_out"}
    # The first answer claims the once-a-second look at the database; the rest do not ask.
    assert resyncs == [sale.pk]
    # Django's own answer to the same order, word for word.
    django_answer = api.post("/orders", {**body, "delivery": ADDRESS}, as_=MemberFactory.create())
    assert django_answer.status == 409
    assert json.loads(answers[0][1]) == django_answer.body
    # An Idempotency-Key still reaches Django (the stored answer must replay).
    assert _call(app, body, HTTP_IDEMPOTENCY_KEY="k2")[0] == "201 Created"
    assert reached == [True]


def test_with_the_gate_units_left_or_a_sale_redis_does_not_know_go_to_django(
    gate: redis.Redis, resyncs: list[int]
) -> None:
    sale = live_sale(stock=3, per_member=1)
    app = flash.front(_django)
    body = {"items": [{"sku_id": sale.sku_id, "quantity": 1, "flash_sale_id": sale.pk}]}
    assert _call(app, body)[0] == "201 Created"  # nothing in Redis yet
    _reserve(sale, MemberFactory.create())
    assert int(gate.get(f"flash:{sale.pk}:left") or -1) == 2
    assert _call(app, body)[0] == "201 Created"  # units left
    assert resyncs == []


def test_with_the_gate_a_stopped_sale_is_answered_not_live(
    gate: redis.Redis, resyncs: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    sale = live_sale(stock=1, per_member=1)
    _sell_out_through_the_gate(sale)
    app = flash.front(_django)
    body = {"items": [{"sku_id": sale.sku_id, "quantity": 1, "flash_sale_id": sale.pk}]}
    assert json.loads(_call(app, body)[1])["error"]["code"] == "flash_sold_out"
    with django_capture_on_commit_callbacks(execute=True):
        flash.sale_stop(sale, now=timezone.now())
    # Ended before sold out, as Django's status says.
    status, answer = _call(app, body)
    assert (status, json.loads(answer)["error"]["code"]) == ("409 Conflict", "flash_not_live")


def test_with_the_gate_a_released_unit_is_offered_by_the_front_at_once(
    gate: redis.Redis, resyncs: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    sale = live_sale(stock=1, per_member=1)
    a, b = members(2)
    offer = offers.offer(FLASH, sale.pk, buyer=a, sku_id=sale.sku_id, now=timezone.now())
    (order,) = bare_orders([a], sale.sku)
    with transaction.atomic():
        offers.reserve(offer, buyer=a, quantity=1, order=order)
    app = flash.front(_django)
    body = {"items": [{"sku_id": sale.sku_id, "quantity": 1, "flash_sale_id": sale.pk}]}
    assert _call(app, body)[0] == "409 Conflict"
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        offers.release([order.pk])
    # No snapshot to wait for: the gate has the unit, the front lets b's order through.
    assert _call(app, body)[0] == "201 Created"
    _reserve(sale, b)
    assert FlashSale.objects.get(pk=sale.pk).sold == 1


def test_lost_admissions_empty_the_gate_until_the_front_has_the_database_looked_at(
    gate: redis.Redis, resyncs: list[int]
) -> None:
    sale = live_sale(stock=2, per_member=1)
    # Two admissions whose checkouts died before giving back: the gate is empty, the
    # database has both units.
    assert flash.gate_admit(sale.pk, 1, 1)
    assert flash.gate_admit(sale.pk, 2, 1)
    app = flash.front(_django)
    body = {"items": [{"sku_id": sale.sku_id, "quantity": 1, "flash_sale_id": sale.pk}]}
    assert _call(app, body)[0] == "409 Conflict"
    assert resyncs == [sale.pk]
    flash.resync_from_database(sale.pk)  # what the process's thread runs
    assert int(gate.get(f"flash:{sale.pk}:left") or -1) == 0  # they may be in flight still
    _age_emptied(gate, sale.pk)
    flash.resync_from_database(sale.pk)
    assert int(gate.get(f"flash:{sale.pk}:left") or -1) == 2
    assert _call(app, body)[0] == "201 Created"


def test_a_gate_fuller_than_the_database_empties_at_the_first_refusal(
    gate: redis.Redis, resyncs: list[int]
) -> None:
    sale = live_sale(stock=1, per_member=1)
    a, b = members(2)
    _reserve(sale, a)
    # The gate started from a stale count (or reopened to a unit still in flight).
    gate.set(f"flash:{sale.pk}:left", 3)
    with pytest.raises(Conflict) as refused:
        _reserve(sale, b)
    assert refused.value.code == "flash_sold_out"
    assert int(gate.get(f"flash:{sale.pk}:left") or -1) == 0
    assert gate.hget(flash.gate_keys(sale.pk, b.pk)[1], "n") == b"0"  # b's count came back
    app = flash.front(_django)
    body = {"items": [{"sku_id": sale.sku_id, "quantity": 1, "flash_sale_id": sale.pk}]}
    assert _call(app, body)[0] == "409 Conflict"


def test_with_redis_away_the_front_falls_back_to_what_the_process_remembers(
    settings: Any, resyncs: list[int], monkeypatch: Any
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/15"  # nothing listens there
    sale = live_sale(stock=1, per_member=1)
    a, b = members(2)
    _reserve(sale, a)
    with pytest.raises(Conflict):
        _reserve(sale, b)  # the database refuses: this process knows
    app = flash.front(_django)
    body = {"items": [{"sku_id": sale.sku_id, "quantity": 1, "flash_sale_id": sale.pk}]}
    status, answer = _call(app, body)
    assert (status, json.loads(answer)["error"]["code"]) == ("409 Conflict", "flash_sold_out")
    # Redis stays away: for a while the front does not even ask it.
    calls: list[dict[str, Any]] = []

    def front(**kw: Any) -> int:
        calls.append(kw)
        return 0

    monkeypatch.setattr(flash._the_gate(), "front", front)
    assert _call(app, body)[0] == "409 Conflict"
    assert calls == []
    flash._front_gate_away_until[0] = 0.0  # the retry time has come: it asks again
    assert _call(app, body)[0] == "201 Created"  # the gate (stubbed) knows nothing: Django
    assert len(calls) == 1


def test_a_process_reuses_the_gates_refusal_only_briefly(
    gate: redis.Redis, resyncs: list[int], django_assert_num_queries: Any
) -> None:
    sale = live_sale(stock=1, per_member=1)
    _sell_out_through_the_gate(sale)
    forget_snapshots()
    app = flash.front(_django)
    body = {"items": [{"sku_id": sale.sku_id, "quantity": 1, "flash_sale_id": sale.pk}]}
    assert _call(app, body)[0] == "409 Conflict"
    # Another process gives a unit back to the gate: within FRONT_REUSE_SECONDS this one
    # still answers what the gate last told it, then asks again and lets the order through.
    gate.incr(f"flash:{sale.pk}:left")
    with django_assert_num_queries(0):
        assert _call(app, body)[0] == "409 Conflict"
    time.sleep(flash.FRONT_REUSE_SECONDS)
    assert _call(app, body)[0] == "201 Created"


def test_a_gate_fuller_than_a_sold_out_database_empties_at_the_next_read(
    gate: redis.Redis, resyncs: list[int]
) -> None:
    sale = live_sale(stock=1, per_member=1)
    a, b = members(2)
    _reserve(sale, a)
    # A reopening counted a unit still in flight; the database then sold it. Django refuses
    # from its snapshot in `offer`, before the gate: the read itself must empty the gate.
    gate.set(f"flash:{sale.pk}:left", 1)
    forget_snapshots()
    with pytest.raises(Conflict):
        offers.offer(FLASH, sale.pk, buyer=b, sku_id=sale.sku_id, now=timezone.now())
    assert int(gate.get(f"flash:{sale.pk}:left") or -1) == 0
    app = flash.front(_django)
    body = {"items": [{"sku_id": sale.sku_id, "quantity": 1, "flash_sale_id": sale.pk}]}
    assert _call(app, body)[0] == "409 Conflict"


def test_the_resync_runs_on_a_thread_of_its_own(monkeypatch: Any) -> None:
    ran: list[tuple[int, str]] = []
    done = threading.Event()

    def resync(sale_id: int) -> None:
        ran.append((sale_id, threading.current_thread().name))
        done.set()

    monkeypatch.setattr(flash, "resync_from_database", resync)
    monkeypatch.setattr(flash, "close_old_connections", lambda: None)
    flash._Resyncer().request(41)
    assert done.wait(5)
    assert ran == [(41, "flash-resync")]
