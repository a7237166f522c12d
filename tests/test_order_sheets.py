"""The merchant's order sheets: the export (API and console, CSV and XLSX, one row per order
line, filtered, bounded) and batch shipping from the console page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import Api
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from sharemall.accounts.models import Member
from sharemall.checkout import services as checkout
from sharemall.merchants.models import Merchant
from sharemall.orders import rules, services
from sharemall.orders.models import Order
from tests.factories import MemberFactory, merchant, product

pytestmark = pytest.mark.django_db

EXPRESS = checkout.Delivery("express", "440305", "科技园 1 号", "=HYPERLINK(1)", "13912345678")


def order_of(shop: Merchant, *, lines: int = 1, buyer: Member | None = None) -> Order:
    skus = [
        product(shop, price_fen=1000 * (i + 1), title=f"茶{i}").skus.get() for i in range(lines)
    ]
    created = checkout.order_create(
        buyer=buyer or MemberFactory.create(nickname="阿明"),
        items=[checkout.Item(sku.pk, 2) for sku in skus],
        delivery=EXPRESS,
    )
    checkout.sandbox_complete(created.payment)
    return Order.objects.get(pk=created.orders[0].pk)


def csv_of(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def export(api: Api, shop: Merchant, **params: str) -> Any:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return api.client.get(
        f"/api/v1/merchants/{shop.pk}/orders/export?{query}",
        headers={"Authorization": f"Bearer {token(shop.owner)}", "accept-language": "en"},
    )


def token(member: Member) -> str:
    from sharemall.accounts.services import token_issue  # noqa: PLC0415

    return token_issue(member)


# --- the rules --------------------------------------------------------------------------------


def test_buyers_are_named_without_their_phone_numbers() -> None:
    assert rules.masked_phone("13912345678") == "139****5678"
    assert rules.buyer_name("", "13912345678") == "139****5678"
    assert rules.buyer_name("阿明", "13912345678") == "阿明"
    assert rules.buyer_name("13912345678", "13912345678") == "139****5678"
    assert rules.buyer_name("小王 13912345678", "1") == "小王 139****5678"


# --- the API ----------------------------------------------------------------------------------


def test_the_csv_export_has_a_row_per_line_in_china_time(api: Api) -> None:
    shop = merchant()
    two_lines = order_of(shop, lines=2)
    Order.objects.filter(pk=two_lines.pk).update(
        created_at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
    )
    services.order_ship(two_lines, actor=shop.owner, carrier="顺丰", tracking_no="SF1")
    order_of(merchant())  # another shop's order is never in it

    response = export(api, shop, format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="orders-' in response["Content-Disposition"]
    header, *rows = csv_of(response.content)
    assert header[:4] == ["Order no.", "Placed at", "Status", "Buyer"]
    assert len(rows) == 2
    first, second = rows
    assert first[0] == second[0] == two_lines.order_no
    assert first[1] == "2026-03-02 01:30:00"  # China time, UTC+8
    assert first[3] == "阿明"
    assert first[4] == "'=HYPERLINK(1)"  # never a formula
    assert "广东省深圳市南山区" in first[5]
    assert (first[7], first[9], first[10]) == ("茶0", "2", "20.00")
    assert (second[7], second[10]) == ("茶1", "40.00")
    # Order-wide amounts on the first line only, so the column sums right.
    assert first[12] == f"{two_lines.total_fen / 100:.2f}" and second[12] == ""
    assert (first[14], first[15]) == ("顺丰", "SF1")
    assert "13912345678" not in response.content.decode("utf-8-sig")


def test_the_export_filters_like_the_list(api: Api) -> None:
    shop = merchant()
    old, shipped, waiting = order_of(shop), order_of(shop), order_of(shop)
    Order.objects.filter(pk=old.pk).update(created_at=datetime(2025, 1, 10, 3, tzinfo=UTC))
    services.order_ship(shipped, actor=shop.owner, carrier="SF", tracking_no="SF1")

    def numbers(**params: str) -> set[str]:
        response = export(api, shop, **params)
        assert response.status_code == 200, response.content
        return {row[0] for row in csv_of(response.content)[1:]}

    assert numbers() == {old.order_no, shipped.order_no, waiting.order_no}
    assert numbers(status="shipped") == {shipped.order_no}
    assert numbers(**{"from": "2025-01-10", "to": "2025-01-10"}) == {old.order_no}
    assert old.order_no not in numbers(**{"from": "2025-01-11"})
    assert numbers(q=waiting.order_no[-10:]) == {waiting.order_no}


def test_the_xlsx_export_opens_with_numbers_for_amounts(api: Api) -> None:
    shop = merchant()
    order = order_of(shop)
    response = export(api, shop, format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Order no."
    assert rows[1][0] == order.order_no
    assert rows[1][10] == 20.0
    assert rows[1][4] == "'=HYPERLINK(1)"


def test_the_export_is_bounded(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = merchant()
    order_of(shop, lines=2)
    monkeypatch.setattr(rules, "EXPORT_MAX_ROWS", 1)
    response = export(api, shop)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "export_too_large"


@pytest.mark.parametrize(
    "params",
    [{"format": "pdf"}, {"status": "nonsense"}, {"from": "yesterday"}, {"q": "x" * 500}],
)
def test_bad_export_parameters_are_4xx(api: Api, params: dict[str, str]) -> None:
    shop = merchant()
    response = export(api, shop, **params)
    assert 400 <= response.status_code < 500


def test_another_merchant_cannot_export(api: Api) -> None:
    shop = merchant()
    order_of(shop)
    answer = api.get(f"/merchants/{shop.pk}/orders/export", as_=merchant().owner)
    assert answer.status in (403, 404)


# --- the console ------------------------------------------------------------------------------


def console(member: Member) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(member)
    return client


def test_the_orders_page_exports_with_its_filters() -> None:
    shop = merchant()
    shipped, waiting = order_of(shop), order_of(shop)
    services.order_ship(shipped, actor=shop.owner, carrier="SF", tracking_no="SF1")
    client = console(shop.owner)
    html = client.get("/merchant/orders?status=paid&created_from=2020-01-01").content.decode()
    assert (
        'href="/merchant/orders/export?status=paid&amp;created_from=2020-01-01&amp;format=csv"'
        in html
    )
    assert "format=xlsx" in html
    assert 'id="ship-batch-link"' in html

    response = client.get("/merchant/orders/export?status=paid&created_from=2020-01-01&format=csv")
    assert response.status_code == 200
    assert [row[0] for row in csv_of(response.content)[1:]] == [waiting.order_no]
    xlsx = client.get("/merchant/orders/export?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_too_large_console_export_goes_back_with_a_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shop = merchant()
    order_of(shop, lines=2)
    monkeypatch.setattr(rules, "EXPORT_MAX_ROWS", 1)
    client = console(shop.owner)
    response = client.get("/merchant/orders/export?status=paid&format=csv", follow=True)
    assert response.redirect_chain[-1][0] == "/merchant/orders?status=paid"
    assert "Narrow the filters" in response.content.decode()


def test_the_batch_shipping_page_ships_and_lists_each_row() -> None:
    shop = merchant()
    order, foreign = order_of(shop), order_of(merchant())
    client = console(shop.owner)
    assert 'id="ship-template-link"' in client.get("/merchant/orders/ship-batch").content.decode()
    template = client.get("/merchant/orders/ship-batch/template.csv")
    assert csv_of(template.content) == [
        ["订单号", "快递公司", "快递单号"],
        [order.order_no, "", ""],
    ]

    sheet = (
        f"订单号,快递公司,快递单号\r\n{order.order_no},顺丰,SF1\r\n{foreign.order_no},顺丰,SF2\r\n"
    )
    upload = SimpleUploadedFile("ship.csv", sheet.encode("gbk"), content_type="text/csv")
    html = client.post("/merchant/orders/ship-batch", {"file": upload}).content.decode()
    assert "1 of 2 rows shipped." in html
    assert 'class="ship-row-shipped"' in html and 'class="ship-row-error"' in html
    assert "This order belongs to another shop." in html
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert Order.objects.get(pk=foreign.pk).status == "paid"


def test_a_bad_file_on_the_batch_page_is_a_message_not_an_error() -> None:
    shop = merchant()
    client = console(shop.owner)
    upload = SimpleUploadedFile("ship.csv", b"name,phone\r\nx,y\r\n", content_type="text/csv")
    response = client.post("/merchant/orders/ship-batch", {"file": upload})
    assert response.status_code == 200
    assert 'id="ship-batch-error"' in response.content.decode()
