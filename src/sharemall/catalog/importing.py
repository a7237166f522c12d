"""Bulk product import from a merchant's CSV or XLSX sheet.

Every row is checked with the catalogue's own rules before anything is written, and every problem
is reported with its spreadsheet row, so a merchant fixes the whole sheet in one round. Either all
products are created (as drafts) or none are.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sharemall.catalog import rules, search, services
from sharemall.catalog.models import Category, Product, Sku
from sharemall.core.errors import DomainError
from sharemall.core.money import MoneyError, parse_yuan
from sharemall.merchants.models import Merchant

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
# An XLSX is a zip: a 5 MB upload could inflate to gigabytes, so the declared sizes are checked
# before openpyxl reads it (zipfile never inflates a member past its declared size).
MAX_XLSX_UNZIPPED = 100 * 1024 * 1024
_BATCH = 500

# Canonical column → the header spellings accepted (compared case-insensitively).
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "商品名称"),
    "sku_name": ("sku_name", "规格"),
    "price": ("price", "价格"),
    "price_fen": ("price_fen",),
    "stock": ("stock", "库存"),
    "description": ("description", "描述"),
    "category": ("category", "分类"),
    "sku_code": ("sku_code", "编码"),
}
_HEADERS = {alias.casefold(): name for name, aliases in COLUMNS.items() for alias in aliases}
_REQUIRED = ("title", "sku_name", "stock")
# Twenty digits is far beyond any valid stock or price; longer runs only risk huge-int parsing.
_WHOLE = re.compile(r"-?\d{1,20}")


class InvalidImportFile(DomainError):
    code = "invalid_file"


class ImportTooLarge(DomainError):
    code = "file_too_large"


class ImportFailed(DomainError):
    code = "import_failed"


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class ImportSummary:
    products_created: int
    skus_created: int
    dry_run: bool


@dataclass
class _ProductPlan:
    title: str
    description: str = ""
    description_row: int = 0
    category_id: int | None = None
    category_row: int = 0
    skus: list[services.SkuDraft] = field(default_factory=list)
    sku_rows: dict[str, int] = field(default_factory=dict)


def products_import(merchant: Merchant, data: bytes, *, dry_run: bool = False) -> ImportSummary:
    """Create draft products with their SKUs from a sheet, all or nothing.

    Raises ImportFailed with `details={"rows": [...]}` listing every problem when any row is
    wrong; InvalidImportFile or ImportTooLarge when the file itself cannot be taken.
    """
    rows = read_rows(data)
    plans, errors = _plan(rows)
    if errors:
        raise ImportFailed(
            ngettext(
                "The file has %(n)d error; nothing was imported.",
                "The file has %(n)d errors; nothing was imported.",
                len(errors),
            )
            % {"n": len(errors)},
            details={"rows": [e.as_dict() for e in errors]},
        )
    skus_total = sum(len(p.skus) for p in plans)
    if not dry_run:
        _create(merchant, plans)
    return ImportSummary(products_created=len(plans), skus_created=skus_total, dry_run=dry_run)


def read_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """The sheet's non-blank rows as (spreadsheet row number, stripped cell texts)."""
    if len(data) > MAX_BYTES:
        raise ImportTooLarge(
            _("An import file can be at most %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if data.startswith(b"PK"):
        rows = _xlsx_rows(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidImportFile(
            _("Old .xls workbooks are not supported; save the sheet as .xlsx or CSV.")
        )
    else:
        rows = _csv_rows(data)
    taken: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        if not any(cells):
            continue  # spreadsheets often carry blank or merely formatted rows
        taken.append((number, cells))
        # The header row is not counted, hence the + 1.
        if len(taken) > MAX_ROWS + 1:
            raise ImportTooLarge(
                _("An import file can have at most %(n)s product rows.") % {"n": f"{MAX_ROWS:,}"}
            )
    if not taken:
        raise InvalidImportFile(_("The file is empty."))
    return taken


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    if b"\x00" in data:
        raise InvalidImportFile(_("This is not a CSV or XLSX file."))
    text = _decode(data)
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield number, [cell.strip() for cell in record]
    except csv.Error:
        raise InvalidImportFile(_("The CSV file is malformed.")) from None


def _decode(data: bytes) -> str:
    # Chinese Excel saves "CSV" in GB18030 (GBK) unless told otherwise; UTF-8 with or without
    # a BOM comes from everything else. UTF-8 is tried first: GB18030 would accept it as mojibake.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise InvalidImportFile(
            _("The file could not be read as text; save it as UTF-8 CSV or XLSX.")
        ) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    # Imported lazily: only XLSX uploads pay for loading openpyxl.
    from openpyxl import load_workbook  # noqa: PLC0415

    not_xlsx = _("This is not a CSV or XLSX file.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise InvalidImportFile(not_xlsx) from None
    if unzipped > MAX_XLSX_UNZIPPED:
        raise ImportTooLarge(_("The workbook is too large to import."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on foreign zips (docx, plain zip, …)
        raise InvalidImportFile(not_xlsx) from None
    try:
        if not workbook.worksheets:
            raise InvalidImportFile(not_xlsx)
        sheet = workbook.worksheets[0]
        # Some writers record a wrong sheet size, which would silently cut rows off.
        sheet.reset_dimensions()
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_cell_text(v) for v in values]
        except Exception:  # a corrupt sheet part surfaces only while streaming rows
            raise InvalidImportFile(not_xlsx) from None
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Excel stores binary doubles (a formula's 19.9 may be 19.899999999999999) but shows
        # 15 significant digits; read what the merchant sees.
        return format(value, ".15g")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _plan(rows: list[tuple[int, list[str]]]) -> tuple[list[_ProductPlan], list[RowError]]:
    (header_row, header), data_rows = rows[0], rows[1:]
    columns, errors = _columns(header_row, header)
    if errors:
        return [], errors  # without the right columns every row would fail the same way
    if not data_rows:
        return [], [RowError(header_row, "", _("The file has no product rows."))]
    categories = _category_index()
    plans: dict[str, _ProductPlan] = {}
    for number, cells in data_rows:
        row = {name: (cells[i] if i < len(cells) else "") for name, i in columns.items()}
        row_errors = _plan_row(number, row, plans, categories)
        # Left to right, as the merchant reads the row.
        errors.extend(sorted(row_errors, key=lambda e: columns.get(e.column, len(columns))))
    return list(plans.values()), errors


def _columns(number: int, header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    columns: dict[str, int] = {}
    errors: list[RowError] = []
    for i, text in enumerate(header):
        if not text:
            continue
        name = _HEADERS.get(text.casefold())
        if name is None:
            # Refused rather than skipped: a misspelt "category" would otherwise drop data.
            errors.append(
                RowError(
                    number,
                    text,
                    _("Unknown column. The columns are: %(names)s.")
                    % {"names": ", ".join(COLUMNS)},
                )
            )
        elif name in columns:
            errors.append(RowError(number, name, _("This column appears twice.")))
        else:
            columns[name] = i
    errors.extend(
        RowError(number, name, _("This column is missing."))
        for name in _REQUIRED
        if name not in columns
    )
    if "price" in columns and "price_fen" in columns:
        errors.append(RowError(number, "price_fen", _("Give either price or price_fen, not both.")))
    elif "price" not in columns and "price_fen" not in columns:
        errors.append(RowError(number, "price", _("This column is missing.")))
    return columns, errors


def _category_index() -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for pk, name in Category.objects.values_list("pk", "name"):
        index.setdefault(" ".join(name.split()).casefold(), []).append(pk)
    return index


def _plan_row(
    number: int,
    row: dict[str, str],
    plans: dict[str, _ProductPlan],
    categories: dict[str, list[int]],
) -> list[RowError]:
    errors: list[RowError] = []

    def problem(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    try:
        title = services.check_title(row["title"])
    except services.InvalidProduct as exc:
        problem("title", exc.message)
        title = ""

    description = ""
    try:
        description = services.check_description(row.get("description", ""))
    except services.InvalidProduct as exc:
        problem("description", exc.message)

    category_id: int | None = None
    category_name = " ".join(row.get("category", "").split())
    if category_name:
        matches = categories.get(category_name.casefold(), [])
        if len(matches) == 1:
            category_id = matches[0]
        elif matches:
            problem("category", _("Several categories have this name."))
        else:
            problem("category", _("No such category."))

    price_column = "price_fen" if "price_fen" in row else "price"
    price_fen = _price(row[price_column], in_fen=price_column == "price_fen")
    if price_fen is None:
        problem(price_column, _price_hint(price_column))
    stock = _whole(row["stock"])
    if stock is None:
        problem("stock", _("Write the stock as a whole number, e.g. 25."))
    draft = services.SkuDraft(
        row["sku_name"],
        price_fen if price_fen is not None else 1,
        stock if stock is not None else 0,
        row.get("sku_code", ""),
    )
    field_columns = {"name": "sku_name", "price_fen": price_column, "stock": "stock"}
    for field_name, message in services.sku_problems(draft).items():
        problem(field_columns[field_name], message)

    if errors or not title:
        return errors
    sku = services.check_sku(draft)
    plan = plans.setdefault(title, _ProductPlan(title=title))
    errors.extend(_merge(plan, number, sku, description, category_id))
    return errors


def _merge(
    plan: _ProductPlan,
    number: int,
    sku: services.SkuDraft,
    description: str,
    category_id: int | None,
) -> list[RowError]:
    """Add one row's SKU to its product; product fields may be repeated but must agree."""
    errors: list[RowError] = []
    if description:
        if plan.description_row and description != plan.description:
            errors.append(
                RowError(
                    number,
                    "description",
                    _("Rows of one product must share its description (see row %(row)d).")
                    % {"row": plan.description_row},
                )
            )
        elif not plan.description_row:
            plan.description, plan.description_row = description, number
    if category_id is not None:
        if plan.category_row and category_id != plan.category_id:
            errors.append(
                RowError(
                    number,
                    "category",
                    _("Rows of one product must share its category (see row %(row)d).")
                    % {"row": plan.category_row},
                )
            )
        elif not plan.category_row:
            plan.category_id, plan.category_row = category_id, number
    if sku.name in plan.sku_rows:
        errors.append(
            RowError(
                number,
                "sku_name",
                _("Two options of a product cannot share a name (see row %(row)d).")
                % {"row": plan.sku_rows[sku.name]},
            )
        )
    elif len(plan.skus) >= rules.MAX_SKUS:
        errors.append(
            RowError(
                number,
                "sku_name",
                _("A product has at most %(n)d options.") % {"n": rules.MAX_SKUS},
            )
        )
    elif not errors:
        plan.skus.append(sku)
        plan.sku_rows[sku.name] = number
    return errors


def _price(text: str, *, in_fen: bool) -> int | None:
    if in_fen:
        return _whole(text)
    try:
        return parse_yuan(text)
    except MoneyError:
        return None


def _price_hint(column: str) -> str:
    if column == "price_fen":
        return _("Write the price in fen as a whole number, e.g. 1250.")
    return _("Write the price in yuan, above zero with at most two decimals, e.g. 12.50.")


def _whole(text: str) -> int | None:
    return int(text) if _WHOLE.fullmatch(text) else None


def _create(merchant: Merchant, plans: list[_ProductPlan]) -> None:
    # Bulk inserts rather than product_create per product: a full sheet is thousands of rows in
    # one request. The rows were checked with the same rules product_create applies.
    with transaction.atomic():
        products = Product.objects.bulk_create(
            [
                Product(
                    merchant=merchant,
                    title=p.title,
                    description=p.description,
                    category_id=p.category_id,
                )
                for p in plans
            ],
            batch_size=_BATCH,
        )
        Sku.objects.bulk_create(
            [
                sku
                for product, plan in zip(products, plans, strict=True)
                for sku in services.unsaved_skus(product, plan.skus)
            ],
            batch_size=_BATCH,
        )
        search.index_products([product.pk for product in products])
