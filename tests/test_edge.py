"""The lean way in (core.edge) answers the hot routes exactly as Django's full stack does.

Each request is sent once through the served application's front and once through Django's own
WSGI handler, from the same state where the answer depends on it: status, headers and body must
match (ids, numbers and instants of a new order aside), and the front must really have taken
the request (or, with a cookie or another method, really have left it to Django).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections

from sharemall.accounts.services import token_issue
from sharemall.catalog.models import Sku
from sharemall.config.wsgi import HOT_ROUTES
from sharemall.core import edge
from sharemall.payments.providers.sandbox import SandboxProvider
from tests.factories import MemberFactory, product
from tests.flows import ADDRESS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_connection() -> Iterator[None]:
    """As Django's test client does: the test's transaction must outlive each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


class Apps:
    def __init__(self) -> None:
        self.full = WSGIHandler()
        self.django_calls = 0

        def counted(environ: dict[str, Any], start_response: Any) -> Any:
            self.django_calls += 1
            return self.full(environ, start_response)

        self.front = edge.front(HOT_ROUTES, counted)


@pytest.fixture(scope="module")
def apps() -> Apps:
    return Apps()


Answer = tuple[int, dict[str, str], bytes]


def call(
    app: Any, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> Answer:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        **{"HTTP_" + k.upper(): v for k, v in (headers or {}).items()},
    }
    got: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> None:
        got["status"], got["headers"] = status, response_headers

    response = app(environ, start_response)
    try:
        content = b"".join(response)
    finally:
        getattr(response, "close", lambda: None)()
    headers_seen: dict[str, str] = {}
    for name, value in got["headers"]:
        headers_seen[name] = ", ".join(filter(None, [headers_seen.get(name), value]))
    return int(got["status"].split()[0]), headers_seen, content


def both(
    apps: Apps, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[Answer, Answer]:
    """The same request through the front (which must take it) and through Django."""
    before = apps.django_calls
    lean = call(apps.front, method, path, body, headers=headers)
    assert apps.django_calls == before, "the front left the request to Django"
    return lean, call(apps.full, method, path, body, headers=headers)


def same(lean: Answer, full: Answer) -> None:
    assert lean[0] == full[0]
    assert _vary(lean[1]) == _vary(full[1])
    assert {k: v for k, v in lean[1].items() if k != "Vary"} == {
        k: v for k, v in full[1].items() if k != "Vary"
    }
    assert lean[2] == full[2]


def _vary(headers: dict[str, str]) -> set[str]:
    return {v.strip() for v in headers.get("Vary", "").split(",")}


@pytest.fixture
def cart() -> tuple[str, bytes]:
    sku = Sku.objects.get(product=product(stock=50, price_fen=1999))
    body = json.dumps({"items": [{"sku_id": sku.pk, "quantity": 1}], "delivery": ADDRESS})
    return token_issue(MemberFactory.create()), body.encode()


def test_placing_and_paying_answer_as_django_does(apps: Apps, cart: tuple[str, bytes]) -> None:
    token, body = cart
    auth = {"authorization": f"Bearer {token}"}
    (s1, h1, b1), (s2, h2, b2) = both(apps, "POST", "/api/v1/orders", body, headers=auth)
    assert s1 == s2 == 201
    assert h1 == h2
    placed, other = json.loads(b1), json.loads(b2)
    assert placed.keys() == other.keys()
    assert placed["amount_fen"] == other["amount_fen"] == 1999

    path = f"/api/v1/payments/sandbox/{placed['payment_id']}/complete"
    before = apps.django_calls
    paid = call(apps.front, "POST", path, headers=auth)
    assert apps.django_calls == before
    assert paid[0] == 200 and json.loads(paid[2])["status"] == "paid"
    # Paid already: both answer the same, changing nothing.
    same(*both(apps, "POST", path, headers=auth))


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b'{"items": [], "delivery": {}}', {}),  # refused by the schema (422)
        (b"{not json", {}),
        (b'{"items": [{"sku_id": 99999999999999999999, "quantity": 1}]}', {}),  # past 64 bits
        (b'{"items": [{"sku_id": 1, "quantity": 1}], "delivery": {"address": "a\\u0000"}}', {}),
        (None, {}),  # an unknown SKU
        (None, {"accept_language": "en"}),  # the same, in English
        (None, {"authorization": "Bearer nonsense"}),  # 401
    ],
)
def test_refusals_are_django_s_own(
    apps: Apps, cart: tuple[str, bytes], body: bytes | None, headers: dict[str, str]
) -> None:
    token, _ = cart
    if body is None:
        body = json.dumps(
            {"items": [{"sku_id": 987654, "quantity": 1}], "delivery": ADDRESS}
        ).encode()
    sent = {"authorization": f"Bearer {token}", **headers}
    lean, full = both(apps, "POST", "/api/v1/orders", body, headers=sent)
    assert lean[0] >= 400
    same(lean, full)


def test_payment_refusals_are_django_s_own(apps: Apps, cart: tuple[str, bytes]) -> None:
    token, _ = cart
    auth = {"authorization": f"Bearer {token}"}
    for path in (
        "/api/v1/payments/sandbox/424242/complete",  # no such payment
        "/api/v1/payments/sandbox/abc/complete",  # not a number
        "/api/v1/payments/sandbox/99999999999999999999/complete",  # past 64 bits
    ):
        lean, full = both(apps, "POST", path, headers=auth)
        assert lean[0] >= 400, path
        same(lean, full)
    headers, notice = SandboxProvider().signed_notification(payment_no="P1", amount_fen=1)
    forged = notice.replace(b'"amount_fen":1', b'"amount_fen":2')
    sent = {k.replace("-", "_").lower(): v for k, v in headers.items()}
    same(*both(apps, "POST", "/api/v1/payments/notify/sandbox", forged, headers=sent))
    same(*both(apps, "POST", "/api/v1/payments/notify/nobody", forged, headers=sent))


def test_an_idempotency_key_replays_across_both_ways_in(
    apps: Apps, cart: tuple[str, bytes]
) -> None:
    token, body = cart
    sent = {"authorization": f"Bearer {token}", "idempotency_key": "order-1"}
    before = apps.django_calls
    first = call(apps.front, "POST", "/api/v1/orders", body, headers=sent)
    assert apps.django_calls == before and first[0] == 201
    again = call(apps.full, "POST", "/api/v1/orders", body, headers=sent)
    assert again[2] == first[2] and again[1].get("Idempotent-Replayed") == "true"
    assert call(apps.front, "POST", "/api/v1/orders", body, headers=sent)[2] == first[2]


def test_cookies_and_other_routes_go_to_django(apps: Apps, cart: tuple[str, bytes]) -> None:
    token, body = cart
    auth = {"authorization": f"Bearer {token}"}
    for method, path, headers in (
        ("POST", "/api/v1/orders", {**auth, "cookie": "sessionid=x"}),
        ("GET", "/api/v1/orders", auth),
        ("POST", "/api/v1/orders/quote", auth),
        ("POST", "/api/v1/orders/", auth),
    ):
        before = apps.django_calls
        call(apps.front, method, path, body, headers=headers)
        assert apps.django_calls == before + 1, (method, path)


def test_a_route_must_resolve_to_itself() -> None:
    with pytest.raises(ValueError, match="resolves to"):
        edge.front([edge.Route("POST", "api/v1/nowhere/<thing>")], WSGIHandler())
