"""Placing an order with an Idempotency-Key: the key and the order commit together, so a retry
after a lost answer returns the first order instead of placing a second one."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from conftest import Api
from django.db import connection, connections
from django.http import HttpRequest, HttpResponseBase
from django.test import Client
from django.utils import timezone
from tests.factories import MemberFactory, product
from tests.flows import ADDRESS

from sharemall.accounts.models import Member
from sharemall.accounts.services import token_issue
from sharemall.catalog.models import Sku
from sharemall.checkout import api as checkout_api
from sharemall.checkout import services as checkout_services
from sharemall.core.idempotency import LOCK_SECONDS, REPLAYED_HEADER
from sharemall.core.models import IdempotencyRecord
from sharemall.orders.models import Order
from sharemall.payments.models import Payment


class AnswerLost:
    """Stands just inside the idempotency layer and loses the first answer that passes it:
    the work is done and committed, but the client never hears back (a worker killed after
    the commit, a dropped connection)."""

    lost = 0

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if AnswerLost.lost == 0:
            AnswerLost.lost += 1
            raise ConnectionResetError("the worker died before answering")
        return response


def _order_body(sku: Sku) -> dict[str, Any]:
    return {"items": [{"sku_id": sku.pk, "quantity": 1}], "delivery": ADDRESS}


def _post(client: Client, token: str, body: dict[str, Any], key: str) -> Any:
    return client.post(
        "/api/v1/orders",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


@pytest.mark.django_db
def test_a_retry_after_the_answer_was_lost_returns_the_first_order(settings: Any) -> None:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.AnswerLost"]
    AnswerLost.lost = 0
    sku = product(stock=5).skus.get()
    token = token_issue(MemberFactory.create())
    client = Client(raise_request_exception=False)

    lost = _post(client, token, _order_body(sku), "checkout-1")
    assert lost.status_code == 500
    assert Order.objects.count() == 1  # it was placed; only the answer went missing

    # The client retries later, once any unfinished claim's lock would have run out.
    IdempotencyRecord.objects.filter(state=IdempotencyRecord.State.IN_PROGRESS).update(
        locked_until=timezone.now() - timedelta(seconds=LOCK_SECONDS)
    )
    retried = _post(client, token, _order_body(sku), "checkout-1")
    assert retried.status_code == 201, retried.content
    assert retried[REPLAYED_HEADER] == "true"
    first = Order.objects.get()
    assert [o["id"] for o in retried.json()["orders"]] == [first.pk]
    assert retried.json()["payment_id"] == first.payment_id
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 4


@pytest.mark.django_db
def test_a_failure_after_the_service_leaves_no_order_behind(api: Api) -> None:
    """The answer cannot be built: the order goes with it, so the retry places exactly one."""
    sku = product(stock=5).skus.get()
    buyer = token_issue(MemberFactory.create())
    headers = {"Idempotency-Key": "checkout-2"}
    api.client.raise_request_exception = False
    with mock.patch.object(checkout_api, "checkout_out", side_effect=RuntimeError("lost")):
        failed = api.post("/orders", _order_body(sku), as_=buyer, headers=headers)
    assert failed.status == 500
    assert not Order.objects.exists()
    assert not Payment.objects.exists()
    assert Sku.objects.get(pk=sku.pk).stock == 5
    assert not IdempotencyRecord.objects.exists()

    retried = api.post("/orders", _order_body(sku), as_=buyer, headers=headers)
    assert retried.status == 201
    again = api.post("/orders", _order_body(sku), as_=buyer, headers=headers)
    assert again.body == retried.body
    assert Order.objects.count() == 1
    assert [o["id"] for o in retried.body["orders"]] == [Order.objects.get().pk]


@pytest.mark.django_db
def test_a_refused_order_is_replayed_and_writes_nothing(api: Api) -> None:
    sku = product(stock=0).skus.get()
    buyer = token_issue(MemberFactory.create())
    headers = {"Idempotency-Key": "checkout-3"}
    first = api.post("/orders", _order_body(sku), as_=buyer, headers=headers)
    assert (first.status, first.error_code) == (409, "out_of_stock")
    Sku.objects.filter(pk=sku.pk).update(stock=5)
    again = api.post("/orders", _order_body(sku), as_=buyer, headers=headers)
    assert again.body == first.body  # the first answer stands for this key
    assert not Order.objects.exists()
    assert not Payment.objects.exists()
    assert IdempotencyRecord.objects.get().response_status == 409


@pytest.mark.django_db
def test_a_claim_taken_over_meanwhile_rolls_the_slow_request_back(api: Api) -> None:
    """A first request slower than the lock: the retry took its key over, so the slow one must
    not commit an order beside the retry's."""
    sku = product(stock=5).skus.get()
    buyer = MemberFactory.create()
    real = checkout_services.order_create

    def slow_then_taken_over(**kwargs: Any) -> Any:
        result = real(**kwargs)
        IdempotencyRecord.objects.update(locked_until=timezone.now())  # someone else's fence
        return result

    with mock.patch.object(checkout_services, "order_create", side_effect=slow_then_taken_over):
        answer = api.post(
            "/orders", _order_body(sku), as_=buyer, headers={"Idempotency-Key": "checkout-4"}
        )
    assert (answer.status, answer.error_code) == (409, "idempotency_in_progress")
    assert not Order.objects.exists()
    assert Sku.objects.get(pk=sku.pk).stock == 5


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_same_key_sent_by_many_threads_at_once_places_one_order() -> None:
    sku = product(stock=50).skus.get()
    buyer: Member = MemberFactory.create()
    token = token_issue(buyer)
    threads_n = 12
    barrier = threading.Barrier(threads_n)
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def send() -> None:
        try:
            client = Client()
            barrier.wait(timeout=10)
            answer = _post(client, token, _order_body(sku), "checkout-race")
            with lock:
                answers.append((answer.status_code, answer.content))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(answers) == threads_n
    assert Order.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 49
    created = [content for status, content in answers if status == 201]
    assert created
    assert all(content == created[0] for content in created)
    assert {status for status, _c in answers} <= {201, 409}
    assert json.loads(created[0])["orders"][0]["id"] == Order.objects.get().pk
