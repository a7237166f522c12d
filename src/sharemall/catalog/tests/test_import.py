import io
import zipfile
from typing import Any

import pytest
from conftest import Answer, Api
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from tests.factories import CategoryFactory, MemberFactory, OperatorFactory, merchant, product

from sharemall.accounts.models import Member
from sharemall.catalog import importing
from sharemall.catalog.models import Category, Product, Sku
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant

pytestmark = pytest.mark.django_db

HEADER = "title,sku_name,price,stock"
PRICE_HINT = "Write the price in yuan, above zero with at most two decimals, e.g. 12.50."


def csv_file(text: str, *, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("products.csv", text.encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("products.xlsx", buffer.getvalue())


def upload(
    api: Api,
    shop: Merchant,
    file: SimpleUploadedFile,
    *,
    as_: Member | None = None,
    form: dict[str, str] | None = None,
    query: str = "",
) -> Answer:
    return api.call(
        "POST",
        f"/merchants/{shop.pk}/products/import{query}",
        as_=as_ or shop.owner,
        data={"file": file, **(form or {})},
        headers={"Accept-Language": "en"},
    )


def catalogue(shop: Merchant) -> list[tuple[Any, ...]]:
    return [
        (
            p.title,
            p.status,
            p.description,
            p.category.name if p.category else None,
            [(s.name, s.price_fen, s.stock, s.code, s.position) for s in p.skus.all()],
        )
        for p in Product.objects.filter(merchant=shop).order_by("id")
    ]


def failed_rows(answer: Answer) -> list[dict[str, Any]]:
    assert (answer.status, answer.error_code) == (400, "import_failed")
    rows: list[dict[str, Any]] = answer.body["error"]["details"]["rows"]
    return rows


@pytest.fixture
def shop() -> Merchant:
    return merchant()


# --- happy paths -------------------------------------------------------------------------------


def test_csv_rows_with_one_title_become_one_draft_product_with_several_skus(
    api: Api, shop: Merchant
) -> None:
    # given a category and a sheet where two rows share a title
    CategoryFactory.create(name="服装")
    sheet = (
        "title,sku_name,price,stock,description,category,sku_code\n"
        "纯棉T恤,红色 S,59.00,10,新疆长绒棉,服装,TS-R-S\n"
        "纯棉T恤,红色 M,¥59.5,5,,,TS-R-M\n"
        "  陶瓷  马克杯 ,默认,25,100,,,\n"
    )
    # when the owner imports it
    answer = upload(api, shop, csv_file(sheet))
    # then two draft products with three SKUs exist, in sheet order
    assert answer.status == 201
    assert answer.body == {"products_created": 2, "skus_created": 3, "dry_run": False}
    assert catalogue(shop) == [
        (
            "纯棉T恤",
            "draft",
            "新疆长绒棉",
            "服装",
            [("红色 S", 5900, 10, "TS-R-S", 0), ("红色 M", 5950, 5, "TS-R-M", 1)],
        ),
        ("陶瓷 马克杯", "draft", "", None, [("默认", 2500, 100, "", 0)]),
    ]


def test_xlsx_with_chinese_headers_and_numeric_cells_is_imported(api: Api, shop: Merchant) -> None:
    # given a workbook as Chinese Excel writes it: numbers are numbers, prices are floats
    CategoryFactory.create(name="茶叶")
    book = xlsx_file(
        [
            ["商品名称", "规格", "价格", "库存", "描述", "分类", "编码"],
            ["明前龙井", "罐装 250g", 128, 5, "西湖产区", "茶叶", 10001],
            ["明前龙井", "礼盒", 198.8, 0, None, None, None],
            ["碧螺春", "散装", 0.1 + 0.2, 7, None, "茶叶", "BLC"],
        ]
    )
    # when it is imported
    answer = upload(api, shop, book)
    # then the cells read as the merchant sees them in Excel
    assert answer.status == 201
    assert answer.body == {"products_created": 2, "skus_created": 3, "dry_run": False}
    assert catalogue(shop) == [
        (
            "明前龙井",
            "draft",
            "西湖产区",
            "茶叶",
            [("罐装 250g", 12800, 5, "10001", 0), ("礼盒", 19880, 0, "", 1)],
        ),
        ("碧螺春", "draft", "", "茶叶", [("散装", 30, 7, "BLC", 0)]),
    ]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_csv_in_gb18030_or_with_a_utf8_bom_is_decoded(
    api: Api, shop: Merchant, encoding: str
) -> None:
    # given a CSV as Chinese Excel saves it (GB18030) or as "CSV UTF-8" (with a BOM)
    sheet = "商品名称,规格,价格,库存\n手工皂,玫瑰,18.80,3\n"
    # when it is imported
    answer = upload(api, shop, csv_file(sheet, encoding=encoding))
    # then the Chinese headers and cells are read correctly
    assert answer.status == 201
    assert catalogue(shop) == [("手工皂", "draft", "", None, [("玫瑰", 1880, 3, "", 0)])]


def test_an_english_header_after_a_bom_is_recognised(api: Api, shop: Merchant) -> None:
    answer = upload(api, shop, csv_file(f"{HEADER}\nSoap,Rose,1,1\n", encoding="utf-8-sig"))
    assert answer.status == 201
    assert catalogue(shop) == [("Soap", "draft", "", None, [("Rose", 100, 1, "", 0)])]


def test_headers_are_case_insensitive_and_price_fen_may_replace_price(
    api: Api, shop: Merchant
) -> None:
    sheet = "TITLE,Sku_Name,PRICE_FEN,Stock\n香皂,大,1250,2\n"
    answer = upload(api, shop, csv_file(sheet))
    assert answer.status == 201
    assert catalogue(shop) == [("香皂", "draft", "", None, [("大", 1250, 2, "", 0)])]


def test_blank_rows_are_skipped_but_still_count_for_row_numbers(api: Api, shop: Merchant) -> None:
    # given a CSV with a blank line and a row of empty cells before a bad row
    sheet = f"{HEADER}\n香皂,大,12,2\n\n,,,\n香皂,小,abc,2\n"
    # when it is imported
    answer = upload(api, shop, csv_file(sheet))
    # then the error points at the spreadsheet's own row 5
    assert failed_rows(answer) == [{"row": 5, "column": "price", "message": PRICE_HINT}]


def test_xlsx_row_numbers_match_the_sheet_across_empty_rows(api: Api, shop: Merchant) -> None:
    # given a workbook whose bad row sits below two rows that were never written
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["title", "sku_name", "price", "stock"])
    sheet.append(["香皂", "大", 12, 2])
    sheet["A5"], sheet["B5"], sheet["C5"], sheet["D5"] = "香皂", "小", 12, -1
    buffer = io.BytesIO()
    book.save(buffer)
    # when it is imported
    answer = upload(api, shop, SimpleUploadedFile("p.xlsx", buffer.getvalue()))
    # then the error names row 5, as Excel does
    assert failed_rows(answer) == [
        {"row": 5, "column": "stock", "message": "Stock must be between 0 and 10000000."}
    ]


# --- all or nothing ----------------------------------------------------------------------------


def test_one_bad_row_among_many_imports_nothing_and_reports_its_row(
    api: Api, shop: Merchant
) -> None:
    # given an existing product and a sheet of 50 good rows with one bad row in the middle
    product(shop)
    lines = [f"商品{i},默认,9.90,1" for i in range(50)]
    lines.insert(30, "坏商品,默认,-3,1")
    # when it is imported
    answer = upload(api, shop, csv_file(HEADER + "\n" + "\n".join(lines) + "\n"))
    # then the one error is reported with its spreadsheet row and nothing was written
    assert answer.body["error"]["message"] == "The file has 1 error; nothing was imported."
    assert failed_rows(answer) == [{"row": 32, "column": "price", "message": PRICE_HINT}]
    assert (Product.objects.count(), Sku.objects.count()) == (1, 1)


def test_every_error_of_every_row_is_reported_at_once(api: Api, shop: Merchant) -> None:
    sheet = (
        "title,sku_name,price,stock,category\n"
        " ,默认,1,1,\n"  # no title
        "香皂,,0,x,\n"  # no option name, zero price, text stock
        "香皂,大,1,1,不存在的分类\n"
        f"{'长' * 121},默认,1,10000001,\n"
    )
    answer = upload(api, shop, csv_file(sheet))
    assert answer.body["error"]["message"] == "The file has 7 errors; nothing was imported."
    assert failed_rows(answer) == [
        {"row": 2, "column": "title", "message": "A product needs a title."},
        {
            "row": 3,
            "column": "sku_name",
            "message": "Each option needs a name of at most 60 characters.",
        },
        {
            "row": 3,
            "column": "price",
            "message": "A price must be more than ¥0 and at most ¥100,000,000.",
        },
        {"row": 3, "column": "stock", "message": "Write the stock as a whole number, e.g. 25."},
        {"row": 4, "column": "category", "message": "No such category."},
        {"row": 5, "column": "title", "message": "A title has at most 120 characters."},
        {"row": 5, "column": "stock", "message": "Stock must be between 0 and 10000000."},
    ]
    assert Product.objects.count() == 0


@pytest.mark.parametrize("price", ["-12.50", "12.505", "十二元", "1e30", "NaN", ""])
def test_a_bad_price_is_a_row_error(api: Api, shop: Merchant, price: str) -> None:
    answer = upload(api, shop, csv_file(f"{HEADER}\n香皂,大,12,1\n香皂,小,{price},1\n"))
    assert failed_rows(answer) == [{"row": 3, "column": "price", "message": PRICE_HINT}]
    assert Product.objects.count() == 0


def test_a_price_beyond_the_catalogue_limit_is_a_row_error(api: Api, shop: Merchant) -> None:
    answer = upload(api, shop, csv_file(f"{HEADER}\n香皂,大,100000000.01,1\n"))
    assert failed_rows(answer) == [
        {
            "row": 2,
            "column": "price",
            "message": "A price must be more than ¥0 and at most ¥100,000,000.",
        }
    ]


@pytest.mark.parametrize("price_fen", ["12.5", "-1", "abc"])
def test_a_bad_price_fen_is_a_row_error(api: Api, shop: Merchant, price_fen: str) -> None:
    answer = upload(api, shop, csv_file(f"title,sku_name,price_fen,stock\n香皂,大,{price_fen},1\n"))
    message = (
        "A price must be more than ¥0 and at most ¥100,000,000."
        if price_fen == "-1"
        else "Write the price in fen as a whole number, e.g. 1250."
    )
    assert failed_rows(answer) == [{"row": 2, "column": "price_fen", "message": message}]


def test_a_repeated_option_name_within_a_product_is_a_row_error(api: Api, shop: Merchant) -> None:
    # given two rows of one product whose option names differ only in spacing
    sheet = f"{HEADER}\n香皂,大 号,12,1\n肥皂,大 号,12,1\n香皂, 大  号 ,13,1\n"
    # when it is imported
    answer = upload(api, shop, csv_file(sheet))
    # then the later row is refused, pointing at the first; another product may reuse the name
    assert failed_rows(answer) == [
        {
            "row": 4,
            "column": "sku_name",
            "message": "Two options of a product cannot share a name (see row 2).",
        }
    ]
    assert Sku.objects.count() == 0


def test_rows_of_one_product_must_agree_on_description_and_category(
    api: Api, shop: Merchant
) -> None:
    CategoryFactory.create(name="洗护")
    CategoryFactory.create(name="日用")
    sheet = (
        "title,sku_name,price,stock,description,category\n"
        "香皂,大,12,1,,洗护\n"
        "香皂,中,12,1,好用,\n"
        "香皂,小,12,1,好用,洗护\n"  # repeating the same values is fine
        "香皂,迷你,12,1,更好用,日用\n"
    )
    answer = upload(api, shop, csv_file(sheet))
    assert failed_rows(answer) == [
        {
            "row": 5,
            "column": "description",
            "message": "Rows of one product must share its description (see row 3).",
        },
        {
            "row": 5,
            "column": "category",
            "message": "Rows of one product must share its category (see row 2).",
        },
    ]


def test_a_category_name_used_under_two_parents_is_ambiguous(api: Api, shop: Merchant) -> None:
    Category.objects.create(name="其他", parent=CategoryFactory.create(name="服装"))
    Category.objects.create(name="其他", parent=CategoryFactory.create(name="食品"))
    answer = upload(api, shop, csv_file(f"{HEADER},category\n香皂,大,12,1,其他\n"))
    assert failed_rows(answer) == [
        {"row": 2, "column": "category", "message": "Several categories have this name."}
    ]


def test_a_product_has_at_most_the_catalogue_limit_of_options(api: Api, shop: Merchant) -> None:
    lines = [f"香皂,款{i},12,1" for i in range(101)]
    answer = upload(api, shop, csv_file(HEADER + "\n" + "\n".join(lines) + "\n"))
    assert failed_rows(answer) == [
        {"row": 102, "column": "sku_name", "message": "A product has at most 100 options."}
    ]


def test_a_failure_while_writing_leaves_nothing_behind(
    shop: Merchant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the SKU insert fails after the products were inserted
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Sku.objects, "bulk_create", broken)
    # when a valid sheet is imported
    with pytest.raises(RuntimeError):
        importing.products_import(shop, f"{HEADER}\n香皂,大,12,1\n".encode())
    # then the products were rolled back too
    assert Product.objects.count() == 0


# --- the sheet's shape -------------------------------------------------------------------------


def test_header_problems_are_reported_on_row_one_and_rows_are_not_checked(
    api: Api, shop: Merchant
) -> None:
    sheet = "title,规格,名称备注,price,price_fen,title\n,,,bad,bad,\n"
    answer = upload(api, shop, csv_file(sheet))
    unknown = (
        "Unknown column. The columns are: "
        "title, sku_name, price, price_fen, stock, description, category, sku_code."
    )
    assert failed_rows(answer) == [
        {"row": 1, "column": "名称备注", "message": unknown},
        {"row": 1, "column": "title", "message": "This column appears twice."},
        {"row": 1, "column": "stock", "message": "This column is missing."},
        {
            "row": 1,
            "column": "price_fen",
            "message": "Give either price or price_fen, not both.",
        },
    ]


def test_a_missing_price_column_is_reported(api: Api, shop: Merchant) -> None:
    answer = upload(api, shop, csv_file("title,sku_name,stock\n香皂,大,1\n"))
    assert failed_rows(answer) == [
        {"row": 1, "column": "price", "message": "This column is missing."}
    ]


def test_a_header_without_rows_is_reported(api: Api, shop: Merchant) -> None:
    answer = upload(api, shop, csv_file(f"{HEADER}\n\n"))
    assert failed_rows(answer) == [
        {"row": 1, "column": "", "message": "The file has no product rows."}
    ]


def test_the_row_limit_is_inclusive(api: Api, shop: Merchant) -> None:
    lines = [f"商品{i},默认,1,1" for i in range(importing.MAX_ROWS)]
    answer = upload(
        api, shop, csv_file(HEADER + "\n" + "\n".join(lines) + "\n"), form={"dry_run": "true"}
    )
    assert answer.status == 200
    assert answer.body == {"products_created": 5000, "skus_created": 5000, "dry_run": True}


def test_too_many_rows_are_refused(api: Api, shop: Merchant) -> None:
    lines = [f"商品{i},默认,1,1" for i in range(importing.MAX_ROWS + 1)]
    answer = upload(api, shop, csv_file(HEADER + "\n" + "\n".join(lines) + "\n"))
    assert (answer.status, answer.error_code) == (400, "file_too_large")
    assert answer.body["error"]["message"] == "An import file can have at most 5,000 product rows."
    assert Product.objects.count() == 0


def test_a_file_over_5_mb_is_refused(api: Api, shop: Merchant) -> None:
    padding = " " * (importing.MAX_BYTES - len(HEADER))
    answer = upload(api, shop, csv_file(HEADER + padding + "\n"))
    assert (answer.status, answer.error_code) == (400, "file_too_large")
    assert answer.body["error"]["message"] == "An import file can be at most 5 MB."


def test_a_workbook_that_inflates_too_far_is_refused(
    api: Api, shop: Merchant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "MAX_XLSX_UNZIPPED", 1000)
    answer = upload(api, shop, xlsx_file([["title", "sku_name", "price", "stock"]]))
    assert (answer.status, answer.error_code) == (400, "file_too_large")


def _zip(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\n \n,,\n", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV or XLSX file."),
        (_zip("notes.txt"), "This is not a CSV or XLSX file."),
        (b"PK\x03\x04 truncated", "This is not a CSV or XLSX file."),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "Old .xls workbooks are not supported; save the sheet as .xlsx or CSV.",
        ),
        (
            b"title,sku_name\n\xff\xfe\xff",
            "The file could not be read as text; save it as UTF-8 CSV or XLSX.",
        ),
    ],
)
def test_a_file_that_is_not_a_readable_sheet_is_invalid(
    api: Api, shop: Merchant, content: bytes, message: str
) -> None:
    answer = upload(api, shop, SimpleUploadedFile("products.csv", content))
    assert (answer.status, answer.error_code) == (400, "invalid_file")
    assert answer.body["error"]["message"] == message


# --- dry run -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "query"), [({"dry_run": "true"}, ""), ({}, "?dry_run=true"), ({"dry_run": "1"}, "")]
)
def test_dry_run_checks_the_sheet_and_creates_nothing(
    api: Api, shop: Merchant, form: dict[str, str], query: str
) -> None:
    sheet = f"{HEADER}\n香皂,大,12,1\n香皂,小,10,1\n毛巾,白,20,3\n"
    answer = upload(api, shop, csv_file(sheet), form=form, query=query)
    assert answer.status == 200
    assert answer.body == {"products_created": 2, "skus_created": 3, "dry_run": True}
    assert (Product.objects.count(), Sku.objects.count()) == (0, 0)


def test_dry_run_reports_row_errors_like_a_real_import(api: Api, shop: Merchant) -> None:
    answer = upload(api, shop, csv_file(f"{HEADER}\n香皂,大,12.345,1\n"), form={"dry_run": "true"})
    assert failed_rows(answer) == [{"row": 2, "column": "price", "message": PRICE_HINT}]


# --- who may import ----------------------------------------------------------------------------


def _caller(who: str, shop: Merchant) -> Member | None:
    if who == "anonymous":
        return None
    if who == "member":
        return MemberFactory.create()
    if who == "other_merchant":
        return merchant().owner
    if who == "operator":
        return OperatorFactory.create()
    if who == "owner":
        return shop.owner
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    return clerk


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", (401, "unauthenticated")),
        ("member", (404, "not_found")),
        ("other_merchant", (404, "not_found")),
        ("operator", (404, "not_found")),
        ("owner", (201, None)),
        # A clerk sees the shop but the catalogue is the owner's.
        ("staff", (403, "owner_only")),
    ],
)
def test_only_the_merchants_owner_may_import(
    api: Api, shop: Merchant, who: str, expected: tuple[int, str | None]
) -> None:
    # given a caller in one role
    as_ = _caller(who, shop)
    # when they import a one-row sheet into the shop
    answer = api.call(
        "POST",
        f"/merchants/{shop.pk}/products/import",
        as_=as_,
        data={"file": csv_file(f"{HEADER}\n香皂,大,12,1\n")},
    )
    # then only the shop's owner gets a product created
    assert (answer.status, answer.error_code) == expected
    assert Product.objects.filter(merchant=shop).count() == (1 if expected[0] == 201 else 0)


def test_a_merchant_cannot_import_into_another_merchants_shop(api: Api, shop: Merchant) -> None:
    # given the owner of another shop
    other = merchant()
    # when they import into this shop
    answer = upload(api, shop, csv_file(f"{HEADER}\n香皂,大,12,1\n"), as_=other.owner)
    # then it is hidden, and neither shop gains a product
    assert (answer.status, answer.error_code) == (404, "not_found")
    assert Product.objects.count() == 0
