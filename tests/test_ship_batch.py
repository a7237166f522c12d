"""Batch shipping from a merchant's sheet: each row ships like a single order would, refused rows
say why, and a bad file is a 400 with a code, never a 5xx."""

from __future__ import annotations

import io

import pytest
from conftest import Answer, Api
from django.core.files.uploadedfile import SimpleUploadedFile

from sharemall.checkout import services as checkout
from sharemall.merchants.models import Merchant
from sharemall.orders import services
from sharemall.orders.models import Order, OrderEvent
from tests.factories import MemberFactory, merchant, product

pytestmark = pytest.mark.django_db

EXPRESS = checkout.Delivery("express", "440305", "科技园 1 号", "王小二", "13912345678")


def paid_orders(shop: Merchant, n: int) -> list[Order]:
    sku = product(shop, price_fen=1000, stock=100).skus.get()
    found = []
    for _ in range(n):
        created = checkout.order_create(
            buyer=MemberFactory.create(), items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS
        )
        checkout.sandbox_complete(created.payment)
        found.append(Order.objects.get(pk=created.orders[0].pk))
    return found


def sheet(*rows: tuple[str, ...], encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = "\r\n".join(",".join(cells) for cells in rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def upload(api: Api, shop: Merchant, data: bytes, name: str = "ship.csv") -> Answer:
    return api.call(
        "POST",
        f"/merchants/{shop.pk}/orders/ship-batch",
        as_=shop.owner,
        data={"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


@pytest.mark.parametrize(
    ("encoding", "bom", "header"),
    [
        ("utf-8", False, ("订单号", "快递公司", "快递单号")),
        ("utf-8", True, ("订单号", "快递公司", "快递单号")),
        ("gbk", False, ("订单号", "快递公司", "快递单号")),
        ("utf-8", False, ("order_no", "carrier", "tracking_no")),
        ("utf-8", True, ("Tracking_No", "Carrier", "Order No")),  # any order, any case
    ],
)
def test_a_sheet_ships_its_orders_through_the_single_shipping_service(
    api: Api, encoding: str, bom: bool, header: tuple[str, ...]
) -> None:
    shop = merchant()
    first, second = paid_orders(shop, 2)
    by_name = {
        "订单号": 0, "order_no": 0, "Order No": 0,
        "快递公司": 1, "carrier": 1, "Carrier": 1,
        "快递单号": 2, "tracking_no": 2, "Tracking_No": 2,
    }  # fmt: skip
    rows = [
        (first.order_no, "顺丰速运", "SF100"),
        (second.order_no, "中通快递", "ZT200"),
    ]
    arranged = [tuple(r[by_name[h]] for h in header) for r in rows]
    answer = upload(api, shop, sheet(header, *arranged, encoding=encoding, bom=bom))
    assert answer.status == 200, answer.body
    assert answer.body == {
        "shipped": 2,
        "results": [
            {"row": 2, "order_no": first.order_no, "status": "shipped"},
            {"row": 3, "order_no": second.order_no, "status": "shipped"},
        ],
    }
    first.refresh_from_db()
    assert (first.status, first.carrier, first.tracking_no) == ("shipped", "顺丰速运", "SF100")
    event = OrderEvent.objects.filter(order=first).last()
    assert event is not None
    assert (event.to_status, event.actor_id) == ("shipped", shop.owner.pk)


def test_refused_rows_say_why_and_the_others_still_ship(api: Api) -> None:
    shop, other_shop = merchant(), merchant()
    good, done, untouched = paid_orders(shop, 3)
    services.order_ship(done, actor=shop.owner, carrier="SF", tracking_no="SF1")
    [foreign] = paid_orders(other_shop, 1)
    no_tracking = paid_orders(shop, 1)[0]
    no_logistics = paid_orders(shop, 1)[0]
    data = sheet(
        ("订单号", "快递公司", "快递单号"),
        (good.order_no, "顺丰", "SF9"),
        ("20990101" + "0" * 10, "顺丰", "SF9"),
        (foreign.order_no, "顺丰", "SF9"),
        (done.order_no, "顺丰", "SF9"),
        (no_tracking.order_no, "顺丰", ""),
        (good.order_no, "顺丰", "SF9"),
        ("", "顺丰", "SF9"),
        (no_logistics.order_no, "无需物流", ""),
    )
    answer = upload(api, shop, data)
    assert answer.status == 200, answer.body
    assert answer.body["shipped"] == 2
    codes = [(r["row"], r["status"], r.get("code")) for r in answer.body["results"]]
    assert codes == [
        (2, "shipped", None),
        (3, "error", "unknown_order"),
        (4, "error", "not_your_order"),
        (5, "error", "not_shippable"),
        (6, "error", "tracking_required"),
        (7, "error", "duplicate_row"),
        (8, "error", "missing_order_no"),
        (9, "shipped", None),
    ]
    assert all(r["message"] for r in answer.body["results"] if r["status"] == "error")
    foreign.refresh_from_db()
    assert foreign.status == "paid"  # another shop's order is never touched
    no_logistics.refresh_from_db()
    assert (no_logistics.status, no_logistics.shipped_without_logistics) == ("shipped", True)
    assert Order.objects.get(pk=untouched.pk).status == "paid"


def test_staff_may_ship_in_batch_but_strangers_may_not(api: Api) -> None:
    shop = merchant()
    [order] = paid_orders(shop, 1)
    data = sheet(("订单号", "快递公司", "快递单号"), (order.order_no, "SF", "SF1"))
    stranger = merchant().owner
    answer = api.call(
        "POST",
        f"/merchants/{shop.pk}/orders/ship-batch",
        as_=stranger,
        data={"file": SimpleUploadedFile("a.csv", data)},
    )
    assert answer.status in (403, 404)
    assert Order.objects.get(pk=order.pk).status == "paid"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "invalid_file"),
        (b"\x00\x01\x02 binary", "invalid_file"),
        (b"\xff\xfe\xfd\xfc\x81\x30", "invalid_file"),  # neither UTF-8 nor GBK
        (b"PK\x03\x04 not really a zip", "invalid_file"),
        ("订单号,快递公司\n1,SF\n".encode(), "missing_columns"),
        (b"name,phone\nx,y\n", "missing_columns"),
        (b'"unterminated,quote\n' + b"x" * 10, "missing_columns"),
        (b"a" * (1024 * 1024 + 1), "file_too_large"),
        (("订单号,快递公司,快递单号\n" + "1,SF,1\n" * 1001).encode(), "too_many_rows"),
        (("订单号,快递公司,快递单号\n" + "1,SF,1\n" * 6000).encode(), "too_many_rows"),
    ],
)
def test_bad_files_are_400_with_a_code(api: Api, data: bytes, code: str) -> None:
    shop = merchant()
    answer = upload(api, shop, data)
    assert (answer.status, answer.error_code) == (400, code), answer.body


def test_exactly_the_row_limit_is_taken() -> None:
    shop = merchant()
    data = ("订单号,快递公司,快递单号\n" + "1,SF,1\n" * 1000).encode()
    result = services.orders_ship_batch(shop, data, actor=shop.owner)
    assert (result.shipped, len(result.results)) == (0, 1000)


def test_a_missing_file_is_not_a_server_error(api: Api) -> None:
    shop = merchant()
    answer = api.call(
        "POST", f"/merchants/{shop.pk}/orders/ship-batch", as_=shop.owner, data={"x": "1"}
    )
    assert 400 <= answer.status < 500


def test_an_xlsx_sheet_ships_too(api: Api) -> None:
    from openpyxl import Workbook  # noqa: PLC0415

    shop = merchant()
    [order] = paid_orders(shop, 1)
    book = Workbook()
    first_sheet = book.worksheets[0]
    first_sheet.append(["订单号", "快递公司", "快递单号"])
    first_sheet.append([order.order_no, "顺丰", "SF5"])
    out = io.BytesIO()
    book.save(out)
    answer = upload(api, shop, out.getvalue(), name="ship.xlsx")
    assert answer.status == 200, answer.body
    assert answer.body["shipped"] == 1
