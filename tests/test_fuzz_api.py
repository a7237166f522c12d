"""Every operation of the OpenAPI document, fuzzed by schemathesis as each kind of caller: no
input, valid or not, may ever get a server error.

The world (a merchant with a product on sale and a store, a buyer with a paid order, an operator)
is built once; every operation then gets a few generated requests per caller, both within the
schema and outside it, with path ids left to the generator and pinned to real rows in turn.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
import responses
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from hypothesis.strategies import SearchStrategy
from PIL import Image
from requests import PreparedRequest
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.case import Case

from sharemall.accounts.models import Member
from sharemall.accounts.services import token_issue
from sharemall.checkout import services as checkout
from sharemall.merchants import services as merchant_services
from sharemall.wechat import tokens
from tests.factories import MemberFactory, OperatorFactory, merchant, product

# Per operation and caller (the explicit examples come on top): with some three hundred
# operations the whole run stays around a minute on a small machine.
EXAMPLES = 2
_PARAMETER = re.compile(r"{(\w+)}")


def _world() -> tuple[dict[str, Member | None], dict[str, Any]]:
    shop = merchant()
    goods = product(shop, stock=1000).skus.get()
    store = merchant_services.store_create(
        shop,
        kind="offline",
        name="店",
        region_code="440305",
        address="路 1 号",
        latitude=22.5,
        longitude=113.9,
    )
    buyer = MemberFactory.create()
    express = checkout.Delivery("express", "440305", "路 1 号", "收件人", "13912345678")
    paid = checkout.order_create(buyer=buyer, items=[checkout.Item(goods.pk, 1)], delivery=express)
    checkout.sandbox_complete(paid.payment)
    order = paid.orders[0]
    callers: dict[str, Member | None] = {
        "anonymous": None,
        "member": buyer,
        "merchant": shop.owner,
        "operator": OperatorFactory.create(),
    }
    ids: dict[str, Any] = {
        "merchant_id": shop.pk,
        "product_id": goods.product_id,
        "sku_id": goods.pk,
        "store_id": store.pk,
        "order_id": order.pk,
        "payment_id": paid.payment.pk,
        "member_id": buyer.pk,
        "token": paid.payment.pay_token,
        "provider": "sandbox",
    }
    return callers, ids


def _fuzz(
    cases: SearchStrategy[Case], headers: dict[str, str], label: str, failures: list[str]
) -> None:
    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        phases=[Phase.explicit, Phase.generate],
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Case) -> None:
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except (AssertionError, FailureGroup) as exc:
            failures.append(f"{label}: {case.method} {case.formatted_path} -> {exc}"[:2000])

    # Nothing can be generated outside the schema of an operation without parameters.
    with contextlib.suppress(Unsatisfiable):
        run()


@pytest.fixture
def _connections_kept() -> Iterator[None]:
    """The app is called through WSGI, as a server would; like Django's test client, keep the
    test's connection (and its transaction) open between requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# WeChat's host, standing in for WeChat: every code a client sends is one WeChat refuses (40029),
# credentials are issued, a mini-program code is a picture.
_WECHAT_HOST = re.compile(r"https://api\.weixin\.qq\.com/.*")
_PNG = io.BytesIO()
Image.new("1", (1, 1)).save(_PNG, format="PNG")


def _wechat_answer(request: PreparedRequest) -> tuple[int, dict[str, str], bytes | str]:
    path = (request.path_url or "").split("?", 1)[0]
    if path == "/cgi-bin/token":
        return 200, {}, '{"access_token": "fuzz-token", "expires_in": 7200}'
    if path == "/cgi-bin/ticket/getticket":
        return 200, {}, '{"errcode": 0, "errmsg": "ok", "ticket": "fuzz", "expires_in": 7200}'
    if path == "/wxa/getwxacodeunlimit":
        return 200, {"Content-Type": "image/png"}, _PNG.getvalue()
    if path == "/cgi-bin/component/api_component_token":
        return 200, {}, '{"component_access_token": "fuzz-component", "expires_in": 7200}'
    if path == "/cgi-bin/component/api_create_preauthcode":
        return 200, {}, '{"pre_auth_code": "fuzz-preauth", "expires_in": 1800}'
    return 200, {}, '{"errcode": 40029, "errmsg": "invalid code"}'


AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # any 43 characters


@pytest.fixture
def _wechat_stand_in(settings: Any, db: None) -> Iterator[None]:
    """WeChat switched on (the WeChat endpoints run past "not configured"), its host mocked."""
    account = {"APP_ID": "wxfuzz00000000000a", "APP_SECRET": "s", "TOKEN": "t"}
    settings.WECHAT_OA = account
    settings.WECHAT_MP = account
    settings.WECHAT_COMPONENT = {
        **account,
        "AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    }
    # The component's verify ticket, as WeChat would have pushed it.
    tokens.store(account["APP_ID"], tokens.VERIFY_TICKET, "fuzz", 43200)
    settings.WECHAT_API_BASE = "https://api.weixin.qq.com"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in (responses.GET, responses.POST):
            mock.add_callback(method, _WECHAT_HOST, callback=_wechat_answer)
        yield


@pytest.mark.django_db
@pytest.mark.usefixtures("_connections_kept", "_wechat_stand_in")
def test_no_operation_answers_a_server_error() -> None:
    callers, ids = _world()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        names = _PARAMETER.findall(operation.path)
        pinned = {name: ids[name] for name in names if name in ids}
        # Within the schema and outside it, with path ids generated or naming real rows.
        strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
        if names or operation.body or operation.query:
            strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
        if pinned:
            strategies.append(
                operation.as_strategy(GenerationMode.POSITIVE, path_parameters=pinned)
            )
        cases = st.one_of(strategies)
        for role, caller in callers.items():
            headers = {"Authorization": f"Bearer {token_issue(caller)}"} if caller else {}
            _fuzz(cases, headers, f"{role} {operation.label}", failures)
    assert operations > 100
    assert not failures, "\n\n".join(failures)
