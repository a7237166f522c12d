"""Idempotency-Key: replays, refusals, takeovers, cleanup and a real race on PostgreSQL.

Most tests run against a tiny URLconf in this module whose views count their calls, so they
depend on no feature endpoint; one test drives the real merchant application endpoint.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from tests.factories import PASSWORD, MemberFactory, phone, valid_uscc

from sharemall.core.idempotency import (
    LOCK_SECONDS,
    REPLAYED_HEADER,
    caller_scope,
    idempotency_records_purge,
    request_hash,
)
from sharemall.core.models import IdempotencyRecord

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

MIDDLEWARE = "sharemall.core.idempotency.IdempotencyMiddleware"
# Innermost, where the lead is asked to install it; de-duplicated so the tests keep passing
# once settings carry it too (installed twice, the inner copy would see the outer's claim).
WITH_IDEMPOTENCY = [*(m for m in settings.MIDDLEWARE if m != MIDDLEWARE), MIDDLEWARE]

CALLS: dict[str, int] = {}
_calls_lock = threading.Lock()


def _count(name: str) -> int:
    with _calls_lock:
        CALLS[name] = CALLS.get(name, 0) + 1
        return CALLS[name]


@csrf_exempt
def things(request: HttpRequest) -> HttpResponse:
    n = _count("things")
    if request.method == "DELETE":
        return HttpResponse(status=204)
    return JsonResponse({"call": n, "sent": json.loads(request.body or b"null")}, status=201)


@csrf_exempt
def invalid(request: HttpRequest) -> HttpResponse:
    n = _count("invalid")
    return JsonResponse({"error": {"code": "invalid_input", "message": f"no {n}"}}, status=400)


@csrf_exempt
def flaky(request: HttpRequest) -> HttpResponse:
    n = _count("flaky")
    if n == 1:
        return JsonResponse({"error": {"code": "unavailable", "message": "down"}}, status=503)
    return JsonResponse({"call": n}, status=201)


@csrf_exempt
def crash(request: HttpRequest) -> HttpResponse:
    _count("crash")
    raise RuntimeError("boom")


@csrf_exempt
def throttled(request: HttpRequest) -> HttpResponse:
    _count("throttled")
    return JsonResponse({"error": {"code": "rate_limited", "message": "slow down"}}, status=429)


@csrf_exempt
def missing(request: HttpRequest) -> HttpResponse:
    _count("missing")
    return HttpResponseNotFound(b"<h1>gone</h1>")


@csrf_exempt
def slow(request: HttpRequest) -> HttpResponse:
    n = _count("slow")
    time.sleep(0.2)
    return JsonResponse({"call": n}, status=201)


urlpatterns = [
    path("api/things", things),
    path("api/invalid", invalid),
    path("api/flaky", flaky),
    path("api/crash", crash),
    path("api/throttled", throttled),
    path("api/missing", missing),
    path("api/slow", slow),
    path("api/v1/auth/login", things),
    path("pages/things", things),
]


@pytest.fixture
def site() -> Iterator[Client]:
    CALLS.clear()
    with override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=WITH_IDEMPOTENCY):
        yield Client()


def send(
    client: Client,
    url: str,
    body: Any = None,
    *,
    key: str | None = "key-1",
    method: str = "post",
    token: str | None = "token-a",  # noqa: S107 - a made-up bearer token
) -> TestResponse:
    headers = {}
    if key is not None:
        headers["Idempotency-Key"] = key
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body if body is not None else {"amount_fen": 100})
    response: TestResponse = getattr(client, method)(
        url, data=data, content_type="application/json", headers=headers
    )
    return response


def in_progress_record(url: str, body: Any, *, locked_until: datetime) -> IdempotencyRecord:
    """The row a first request still running (or a dead worker) would have left."""
    request = RequestFactory().post(
        url,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": "Bearer token-a"},
    )
    return IdempotencyRecord.objects.create(
        scope=caller_scope(request),
        key="key-1",
        method="POST",
        path=url,
        body_hash=request_hash(request),
        locked_until=locked_until,
    )


def error_code(response: TestResponse) -> str:
    return str(response.json()["error"]["code"])


def test_without_a_key_nothing_is_recorded(site: Client) -> None:
    assert send(site, "/api/things", key=None).status_code == 201
    assert send(site, "/api/things", key=None).status_code == 201
    assert CALLS["things"] == 2
    assert not IdempotencyRecord.objects.exists()


def test_a_repeat_replays_the_first_answer(site: Client) -> None:
    first = send(site, "/api/things")
    second = send(site, "/api/things")
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/json"
    assert not first.has_header(REPLAYED_HEADER)
    assert second[REPLAYED_HEADER] == "true"
    assert CALLS["things"] == 1
    record = IdempotencyRecord.objects.get()
    assert record.state == IdempotencyRecord.State.DONE
    assert record.response_status == 201


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_every_write_method_is_covered(site: Client, method: str) -> None:
    first = send(site, "/api/things", method=method)
    second = send(site, "/api/things", method=method)
    assert second.status_code == first.status_code
    assert second.content == first.content
    assert second[REPLAYED_HEADER] == "true"
    assert CALLS["things"] == 1


def test_same_key_with_another_body_is_refused(site: Client) -> None:
    send(site, "/api/things", {"amount_fen": 100})
    other = send(site, "/api/things", {"amount_fen": 200})
    assert other.status_code == 422
    assert error_code(other) == "idempotency_key_reused"
    assert CALLS["things"] == 1


def test_same_key_on_another_endpoint_is_refused(site: Client) -> None:
    send(site, "/api/things")
    other = send(site, "/api/flaky")
    assert other.status_code == 422
    assert error_code(other) == "idempotency_key_reused"
    assert "flaky" not in CALLS


def test_a_duplicate_while_the_first_runs_is_refused(site: Client) -> None:
    body = {"amount_fen": 100}
    in_progress_record("/api/things", body, locked_until=timezone.now() + timedelta(seconds=30))
    answer = send(site, "/api/things", body)
    assert answer.status_code == 409
    assert error_code(answer) == "idempotency_in_progress"
    assert answer["Retry-After"] == "1"
    assert "things" not in CALLS
    assert IdempotencyRecord.objects.get().state == IdempotencyRecord.State.IN_PROGRESS


def test_a_different_body_is_refused_even_while_the_first_runs(site: Client) -> None:
    in_progress_record(
        "/api/things", {"amount_fen": 1}, locked_until=timezone.now() + timedelta(seconds=30)
    )
    answer = send(site, "/api/things", {"amount_fen": 2})
    assert answer.status_code == 422
    assert "things" not in CALLS


def test_an_abandoned_claim_is_taken_over(site: Client) -> None:
    body = {"amount_fen": 100}
    stale = in_progress_record(
        "/api/things", body, locked_until=timezone.now() - timedelta(seconds=1)
    )
    answer = send(site, "/api/things", body)
    assert answer.status_code == 201
    assert not answer.has_header(REPLAYED_HEADER)
    assert CALLS["things"] == 1
    record = IdempotencyRecord.objects.get()
    assert record.pk == stale.pk
    assert record.state == IdempotencyRecord.State.DONE
    assert record.locked_until > timezone.now()
    # …and from then on it replays like any finished key.
    assert send(site, "/api/things", body)[REPLAYED_HEADER] == "true"
    assert CALLS["things"] == 1


def test_a_fresh_claim_is_locked_for_the_documented_time(site: Client) -> None:
    before = timezone.now()
    send(site, "/api/things", key="key-2")
    record = IdempotencyRecord.objects.get(key="key-2")
    assert record.locked_until >= before + timedelta(seconds=LOCK_SECONDS)


def test_a_server_error_frees_the_key_for_a_retry(site: Client) -> None:
    failed = send(site, "/api/flaky")
    assert failed.status_code == 503
    assert not IdempotencyRecord.objects.exists()
    retried = send(site, "/api/flaky")
    assert retried.status_code == 201
    assert not retried.has_header(REPLAYED_HEADER)
    assert CALLS["flaky"] == 2
    assert send(site, "/api/flaky").content == retried.content
    assert CALLS["flaky"] == 2


def test_an_unhandled_exception_frees_the_key(site: Client) -> None:
    client = Client(raise_request_exception=False)
    for _ in range(2):
        answer = send(client, "/api/crash")
        assert answer.status_code == 500
        assert error_code(answer) == "internal_error"
        assert not IdempotencyRecord.objects.exists()
    assert CALLS["crash"] == 2


def test_client_errors_are_kept_and_replayed(site: Client) -> None:
    first = send(site, "/api/invalid")
    second = send(site, "/api/invalid")
    assert first.status_code == second.status_code == 400
    assert second.content == first.content
    assert second[REPLAYED_HEADER] == "true"
    assert CALLS["invalid"] == 1


def test_a_replayed_error_keeps_the_api_error_shape(site: Client) -> None:
    # The view answers an HTML 404; the shaping middleware outside ours turns both the live
    # answer and the replay into the same JSON error. (The shaper builds a new response, so
    # this replay carries the replay header only once the shaper copies that header across.)
    first = send(site, "/api/missing")
    second = send(site, "/api/missing")
    assert first.status_code == second.status_code == 404
    shaped = {"error": {"code": "not_found", "message": "Not found."}}
    assert first.json() == second.json() == shaped
    assert CALLS["missing"] == 1
    assert IdempotencyRecord.objects.get().response_status == 404


def test_a_throttled_answer_is_not_kept(site: Client) -> None:
    assert send(site, "/api/throttled").status_code == 429
    assert not IdempotencyRecord.objects.exists()
    assert send(site, "/api/throttled").status_code == 429
    assert CALLS["throttled"] == 2


def test_keys_are_scoped_per_caller(site: Client) -> None:
    a = send(site, "/api/things", token="token-a")
    b = send(site, "/api/things", token="token-b")
    assert a.status_code == b.status_code == 201
    assert not b.has_header(REPLAYED_HEADER)
    assert a.json()["call"] == 1
    assert b.json()["call"] == 2
    assert IdempotencyRecord.objects.count() == 2
    assert send(site, "/api/things", token="token-b")[REPLAYED_HEADER] == "true"
    assert CALLS["things"] == 2


def test_scopes_keep_credentials_out_of_the_table() -> None:
    factory = RequestFactory()
    bearer = caller_scope(factory.post("/api/x", headers={"Authorization": "Bearer secret"}))
    factory.cookies[settings.SESSION_COOKIE_NAME] = "sessionsecret"
    session = caller_scope(factory.post("/api/x"))
    anonymous = caller_scope(RequestFactory().post("/api/x", REMOTE_ADDR="203.0.113.9"))
    assert len(bearer) == 64
    assert "secret" not in bearer
    assert session.startswith("session:")
    assert "sessionsecret" not in session
    assert len(session) <= 64
    assert anonymous == "anon:203.0.113.9"


@pytest.mark.parametrize("key", ["k" * 256, "", " padded ", "clé", "tab\tkey"])
def test_a_malformed_key_is_refused(site: Client, key: str) -> None:
    answer = send(site, "/api/things", key=key)
    assert answer.status_code == 400
    assert error_code(answer) == "invalid_idempotency_key"
    assert "things" not in CALLS
    assert not IdempotencyRecord.objects.exists()


def test_the_longest_allowed_key_works(site: Client) -> None:
    key = "k" * 255
    send(site, "/api/things", key=key)
    assert send(site, "/api/things", key=key)[REPLAYED_HEADER] == "true"
    assert CALLS["things"] == 1


def test_reads_are_never_replayed(site: Client) -> None:
    for _ in range(2):
        answer = site.get("/api/things", headers={"Idempotency-Key": "key-1"})
        assert answer.status_code == 201
        assert not answer.has_header(REPLAYED_HEADER)
    assert CALLS["things"] == 2
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("url", ["/pages/things", "/api/v1/auth/login"])
def test_pages_and_sign_in_pass_straight_through(site: Client, url: str) -> None:
    send(site, url)
    send(site, url)
    assert CALLS["things"] == 2
    assert not IdempotencyRecord.objects.exists()


def test_purge_forgets_day_old_answers_and_dead_claims() -> None:
    now = timezone.now()
    day = timedelta(hours=24)

    def record(key: str, state: str, created_at: datetime, locked_until: datetime) -> None:
        IdempotencyRecord.objects.create(
            scope="s",
            key=key,
            method="POST",
            path="/api/x",
            body_hash="h",
            state=state,
            created_at=created_at,
            locked_until=locked_until,
        )

    done, running = IdempotencyRecord.State.DONE, IdempotencyRecord.State.IN_PROGRESS
    record("old-done", done, now - day - timedelta(minutes=1), now - day)
    record("young-done", done, now - day + timedelta(minutes=1), now - day + timedelta(minutes=2))
    record("dead-claim", running, now - 2 * day, now - day - timedelta(minutes=1))
    record("stale-claim", running, now - timedelta(hours=1), now - timedelta(minutes=59))
    assert idempotency_records_purge(now) == 2
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {
        "young-done",
        "stale-claim",
    }
    assert idempotency_records_purge(now) == 0


def test_the_real_api_replays_a_merchant_application(api: Any, settings: Any) -> None:
    settings.MIDDLEWARE = WITH_IDEMPOTENCY
    merchants = apps.get_model("merchants", "Merchant")
    owner = MemberFactory.create()
    login = api.post("/auth/login", {"phone": owner.phone, "password": PASSWORD})
    assert login.status == 200
    headers = {"Authorization": f"Bearer {login.body['token']}", "Idempotency-Key": "apply-1"}
    body = {
        "legal_name": "幂等测试有限公司",
        "uscc": valid_uscc(),
        "legal_rep": "张三",
        "contact_phone": phone(),
    }

    def apply(payload: dict[str, str]) -> TestResponse:
        response: TestResponse = api.client.post(
            "/api/v1/merchants",
            data=json.dumps(payload),
            content_type="application/json",
            headers=headers,
        )
        return response

    first = apply(body)
    assert first.status_code == 201, first.content
    second = apply(body)
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second[REPLAYED_HEADER] == "true"
    assert merchants.objects.count() == 1

    other = apply({**body, "uscc": valid_uscc(), "legal_name": "另一家有限公司"})
    assert other.status_code == 422
    assert error_code(other) == "idempotency_key_reused"
    assert merchants.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_run_once(site: Client) -> None:
    threads_n = 12
    barrier = threading.Barrier(threads_n)
    answers: list[tuple[int, bytes, str | None]] = []
    answers_lock = threading.Lock()

    def duplicate() -> None:
        try:
            client = Client()
            barrier.wait(timeout=10)
            answer = send(client, "/api/slow", {"amount_fen": 100})
            with answers_lock:
                answers.append((answer.status_code, answer.content, answer.get(REPLAYED_HEADER)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=duplicate) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(answers) == threads_n
    assert CALLS["slow"] == 1
    originals = [a for a in answers if a[0] == 201 and a[2] is None]
    assert len(originals) == 1
    for status, content, replayed in answers:
        assert (status == 201 and content == originals[0][1]) or status == 409, (status, replayed)
    record = IdempotencyRecord.objects.get()
    assert record.state == IdempotencyRecord.State.DONE
