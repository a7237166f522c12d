"""CSV downloads for spreadsheets in China: UTF-8 with a BOM (so Excel opens Chinese text
right) and cells that a spreadsheet would run as a formula defused. The console's tables and
the API's statement downloads both answer with `csv_response`."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import HttpResponse

BOM = "\ufeff"


class _Echo:
    """A file-like object csv.writer writes one line to and hands straight back."""

    def write(self, value: str) -> str:
        return value


def csv_safe(text: str) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula; a buyer's nickname must not."""
    if text and text[0] in "=+-@\t\r" and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_lines(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The BOM, then each row as one CSV line with its cells made safe."""
    writer = csv.writer(_Echo())
    yield BOM
    for row in rows:
        yield writer.writerow([csv_safe(str(cell)) for cell in row])


def csv_response(rows: Iterable[Sequence[str]], *, filename: str) -> HttpResponse:
    """A download of `rows` (the header first) named `filename`. A plain HttpResponse over a
    generator: callers bound how many rows they give it."""
    response = HttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
