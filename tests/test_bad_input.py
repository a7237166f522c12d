"""Bad input never yields a 5xx: NUL characters, numbers past 64 bits, oversized or malformed
bodies and absurd signature headers are all refused at the edge with a 4xx and a code, and
nothing is written. Pages answer 400/404 pages the same way."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Api
from django.test import Client, override_settings

from sharemall.accounts.models import Member
from sharemall.accounts.services import token_issue
from sharemall.catalog.models import Product
from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order
from sharemall.payments.models import NotificationLog
from sharemall.payments.providers.base import InvalidNotification
from sharemall.payments.providers.wechatpay import WeChatPayProvider
from sharemall.payments.tests.test_wechatpay import (
    make_wechat_notification,
    wechat_settings,  # noqa: F401 (a fixture)
)
from tests.factories import merchant, product

pytestmark = pytest.mark.django_db

INT64_MAX = 2**63 - 1
HUGE = "99999999999999999999"


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Member.objects.count(),
        Merchant.objects.count(),
        Product.objects.count(),
        Order.objects.count(),
        NotificationLog.objects.count(),
    )


def _refused(answer: Any, *statuses: int) -> None:
    assert answer.status in (statuses or (400,)), (answer.status, answer.body)
    assert isinstance(answer.body, dict), answer.body
    assert answer.body["error"]["code"], answer.body
    assert answer.body["error"]["message"], answer.body


# --- NUL characters ------------------------------------------------------------------------


def test_nul_in_a_json_field_is_refused_and_nothing_is_written(api: Api) -> None:
    before = _counts()
    answer = api.post(
        "/auth/register",
        {"phone": "13900001111", "password": "Sh4re-Mall-pass", "nickname": "a\x00b"},
    )
    _refused(answer)
    assert answer.error_code == "invalid_input"
    assert _counts() == before


def test_nul_in_a_json_key_is_refused(api: Api) -> None:
    answer = api.call(
        "POST",
        "/auth/login",
        raw=json.dumps({"phone": "13900001111", "password": "x", "\x00": 1}).encode(),
    )
    _refused(answer)
    assert answer.error_code == "invalid_input"


def test_nul_in_a_product_title_writes_no_product(api: Api) -> None:
    shop = merchant()
    before = _counts()
    answer = api.post(
        f"/merchants/{shop.pk}/products",
        {"title": "好\x00物", "skus": [{"name": "默认", "price_fen": 100, "stock": 1}]},
        as_=shop.owner,
    )
    _refused(answer)
    assert _counts() == before


def test_nul_in_the_query_string_is_refused(api: Api) -> None:
    answer = api.get("/products?q=a%00b")
    _refused(answer)
    assert answer.error_code == "invalid_input"


def test_nul_in_a_query_string_name_is_refused(api: Api) -> None:
    _refused(api.get("/products?a%00=1"))


def test_nul_in_a_multipart_form_field_is_refused(api: Api, member: Member) -> None:
    answer = api.call(
        "POST", "/posts", as_=member, data={"order_line_id": "1", "text": "a\x00", "rating": "5"}
    )
    _refused(answer)
    assert answer.error_code == "invalid_input"


def test_nul_in_the_url_path_is_refused(api: Api, member: Member) -> None:
    _refused(api.get("/pay-for-me/ab%00cd", as_=member))
    _refused(api.get("/products/1%00"))


def test_pages_answer_400_to_nul(db: None) -> None:
    client = Client()
    assert client.get("/s/ab%00cd").status_code == 400
    assert client.get("/?q=%00").status_code == 400
    before = _counts()
    response = client.post(
        "/register/", {"phone": "13900002222", "password": "x\x00", "nickname": "n"}
    )
    assert response.status_code == 400
    assert _counts() == before


# --- numbers past 64 bits ------------------------------------------------------------------


@pytest.mark.parametrize("query", [f"offset={INT64_MAX + 1}", f"offset={HUGE}", f"limit={HUGE}"])
def test_an_offset_or_limit_past_64_bits_is_400(api: Api, query: str) -> None:
    product()
    answer = api.get(f"/products?{query}")
    _refused(answer)
    assert answer.error_code == "invalid_input"


def test_an_offset_just_inside_the_bound_is_a_page(api: Api) -> None:
    product()
    assert api.get("/products?offset=1000000").status == 200


def test_a_path_id_past_64_bits_is_404(api: Api, member: Member) -> None:
    answer = api.get(f"/products/{HUGE}")
    _refused(answer, 404)
    assert answer.error_code == "not_found"
    _refused(api.get(f"/orders/{INT64_MAX + 1}", as_=member), 404)
    _refused(api.post(f"/products/{HUGE}/publish", as_=member), 404)


def test_a_page_id_past_64_bits_is_404(db: None) -> None:
    assert Client().get(f"/p/{HUGE}").status_code == 404


def test_a_sku_id_past_64_bits_is_refused_and_writes_no_order(api: Api, member: Member) -> None:
    before = _counts()
    answer = api.post(
        "/orders",
        {
            "items": [{"sku_id": 2**63, "quantity": 1}],
            "delivery": {
                "type": "express",
                "region_code": "440305",
                "address": "路 1 号",
                "receiver": "收件人",
                "phone": "13912345678",
            },
        },
        as_=member,
    )
    _refused(answer, 400, 404)
    assert _counts() == before


def test_a_query_id_past_64_bits_is_refused(api: Api) -> None:
    _refused(api.get(f"/products?category_id={HUGE}"), 400, 404)
    _refused(api.get(f"/products?merchant_id={INT64_MAX + 1}"), 400, 404)


# --- bodies too large or malformed ---------------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_limit_is_413(api: Api) -> None:
    before = _counts()
    answer = api.post(
        "/auth/register", {"phone": "13900003333", "password": "x" * 2000, "nickname": "n"}
    )
    _refused(answer, 413)
    assert answer.error_code == "payload_too_large"
    assert _counts() == before


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_form_body_over_the_limit_is_413(member: Member) -> None:
    response = Client().post(
        "/api/v1/posts",
        "text=" + "x" * 2000,
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Bearer {_token(member)}"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_multipart_without_a_boundary_is_400(member: Member) -> None:
    response = Client().post(
        "/api/v1/posts",
        b"text=hello",
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {_token(member)}"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"]


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10)
def test_too_many_form_fields_is_400(member: Member) -> None:
    data = {f"f{i}": "x" for i in range(20)}
    response = Client().post(
        "/api/v1/posts", data, headers={"Authorization": f"Bearer {_token(member)}"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"]


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10)
def test_too_many_query_fields_is_400(api: Api) -> None:
    _refused(api.get("/products?" + "&".join(f"f{i}=x" for i in range(20))))


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10)
def test_pages_answer_400_to_too_many_fields(db: None) -> None:
    data = {f"f{i}": "x" for i in range(20)}
    assert Client().post("/login/", data).status_code == 400


def test_a_page_answers_400_to_multipart_without_a_boundary(db: None) -> None:
    response = Client().post("/login/", b"phone=1", content_type="multipart/form-data")
    assert response.status_code == 400


# --- payment notifications -----------------------------------------------------------------


def test_a_provider_name_longer_than_the_column_is_refused(api: Api) -> None:
    before = _counts()
    answer = api.call("POST", "/payments/notify/" + "p" * 40, raw=b"{}")
    assert answer.status in (400, 404), answer
    assert _counts() == before


def test_an_unknown_provider_name_is_404_and_writes_nothing(api: Api) -> None:
    before = _counts()
    answer = api.call("POST", "/payments/notify/nosuch", raw=b"{}")
    assert answer.status == 404, answer
    assert answer.error_code == "not_found"
    assert _counts() == before


def test_a_400_digit_timestamp_header_is_refused(api: Api) -> None:
    answer = api.call(
        "POST",
        "/payments/notify/sandbox",
        raw=b"{}",
        headers={
            "Sandbox-Timestamp": "1" * 400,
            "Sandbox-Nonce": "n",
            "Sandbox-Signature": "c2ln",
        },
    )
    assert answer.status in (400, 401), answer
    assert answer.body["code"] == "FAIL"


@pytest.fixture
def wechatpay(wechat_settings: dict[str, str]) -> WeChatPayProvider:  # noqa: F811
    return WeChatPayProvider.from_settings()


@pytest.mark.parametrize("digits", [400, 13])
def test_a_wechatpay_timestamp_of_many_digits_is_malformed(
    wechatpay: WeChatPayProvider, digits: int
) -> None:
    headers, body = make_wechat_notification()
    headers["Wechatpay-Timestamp"] = "1" * digits
    with pytest.raises(InvalidNotification, match="malformed"):
        wechatpay.parse_notification(headers, body)


def _token(member: Member) -> str:
    return token_issue(member)


def test_an_address_id_past_64_bits_is_refused_and_writes_nothing(api: Api, member: Member) -> None:
    before = _counts()
    answer = api.post(
        "/orders",
        {
            "items": [{"sku_id": 1, "quantity": 1}],
            "delivery": {"type": "express", "address_id": HUGE},
        },
        as_=member,
    )
    _refused(answer, 400, 404)
    body = {"region_code": "440305", "address": "路", "receiver": "甲", "phone": "13912345678"}
    _refused(api.put(f"/me/addresses/{HUGE}", body, as_=member), 404)
    _refused(api.delete(f"/me/addresses/{INT64_MAX + 1}", as_=member), 404)
    _refused(api.post("/me/addresses", {**body, "region_code": "4403\x0005"}, as_=member), 400)
    assert _counts() == before
