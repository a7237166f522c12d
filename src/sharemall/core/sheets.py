"""Spreadsheet downloads: CSV (UTF-8 with a BOM, so Excel in China opens it right) and XLSX,
written from the same rows. A row is a sequence of cells: text, whole numbers, or Decimal
amounts (yuan, shown with two decimals).

Every text cell goes through `safe_text` first: a spreadsheet runs a cell starting with = + - @
as a formula, and a buyer's nickname or an address must never run; characters XLSX cannot hold
(control characters) are dropped rather than failing the whole download.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.http import HttpResponse

Cell = str | int | Decimal | None
CSV, XLSX = "csv", "xlsx"
FORMATS = (CSV, XLSX)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What openpyxl refuses in a cell (its ILLEGAL_CHARACTERS_RE): C0 controls but tab and newlines.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as written: never as a formula."""
    if text and text[0] in "=+-@\t\r" and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, int):
        return str(value)
    return safe_text(value)


class _Echo:
    """A file-like object csv.writer writes one line to and hands straight back."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """The CSV text, a BOM first and then one line per row."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def xlsx_bytes(rows: Iterable[Sequence[Cell]], *, title: str = "Sheet1") -> bytes:
    """A one-sheet workbook of the rows (written as it goes: openpyxl's write-only mode)."""
    # Imported lazily: only XLSX downloads pay for loading openpyxl.
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_ILLEGAL.sub("", title)[:31] or "Sheet1")
    for row in rows:
        cells: list[object] = []
        for value in row:
            if isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=float(value))
                cell.number_format = "0.00"
                cells.append(cell)
            elif isinstance(value, str):
                cells.append(safe_text(_ILLEGAL.sub("", value)))
            else:
                cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_response(
    rows: Iterable[Sequence[Cell]], *, name: str, file_format: str = CSV
) -> HttpResponse:
    """The rows as a download named `name` (without extension) in `file_format`."""
    if file_format == XLSX:
        response = HttpResponse(xlsx_bytes(rows, title=name), content_type=XLSX_CONTENT_TYPE)
    else:
        file_format = CSV
        response = HttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response
