"""List pages of the consoles: declared columns, filters, search, sort, paging and CSV export.

A page declares its table once (a `TableSpec` at module level) and binds it to the request and
its already-scoped queryset in the view:

    table = ORDERS.bind(request, order_selectors.orders_of_merchant(merchant.pk))
    if table.wants_csv:
        return table.csv_response()
    return render(..., {"table": table})

and the template includes `web/console_table.html`. The helper only narrows and orders what the
selector gave it: scoping (which merchant's rows) stays the selector's business, so no query
string can widen it. Sorting follows only the columns declared sortable (`?sort=-created_at`);
anything else falls back to the default order.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, QueryDict, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sharemall.core.money import format_yuan
from sharemall.web.common import _int_param

PAGE_SIZE = 20
# An export is for a spreadsheet, not a backup: past this many rows, narrow the filters.
EXPORT_MAX_ROWS = 10_000
EXPORT_CHUNK = 500

Label = str | Promise
Formatter = Callable[[Any], str]

# How a cell reads and lines up: money and numbers right-aligned, statuses as badges.
TEXT, MONEY, NUMBER, DATETIME, DATE, STATUS, THUMB = (
    "text",
    "money",
    "number",
    "datetime",
    "date",
    "status",
    "thumb",
)
RIGHT_ALIGNED = frozenset({MONEY, NUMBER})


def _format_default(kind: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if kind == MONEY:
        return format_yuan(int(value))
    if kind == DATETIME:
        return f"{value:%Y-%m-%d %H:%M}"
    if kind == DATE:
        return f"{value:%Y-%m-%d}"
    return str(value)


def _resolve(obj: Any, path: str) -> Any:
    """`buyer.phone` on a row, without raising on a missing link (shown as empty)."""
    value = obj
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part)
        if callable(value) and not isinstance(value, type):
            value = value()
    return value


@dataclass(frozen=True)
class Column:
    """One column. `key` is the attribute path read from each row (`buyer.phone`), unless `value`
    computes it; `sortable` orders by `key` (or by the ORM expression given as `sort_field`);
    `formatter` turns the value into text (money columns default to ¥ via format_yuan);
    `link` gives a cell's URL; `badge` maps a status value to a CSS modifier."""

    key: str
    label: Label
    sortable: bool = False
    formatter: Formatter | None = None
    kind: str = TEXT
    value: Callable[[Any], Any] | None = None
    sort_field: str = ""
    link: Callable[[Any], str] | None = None
    in_csv: bool = True
    in_page: bool = True

    @property
    def order_by(self) -> str:
        return self.sort_field or self.key.replace(".", "__")

    def raw(self, obj: Any) -> Any:
        return self.value(obj) if self.value else _resolve(obj, self.key)

    def text(self, raw: Any) -> str:
        if self.formatter is not None:
            return "" if raw is None else str(self.formatter(raw))
        return _format_default(self.kind, raw)

    def csv_text(self, raw: Any) -> str:
        """What the spreadsheet gets: money as plain yuan ("1234.50") so it sums."""
        if self.kind == MONEY and self.formatter is None and raw is not None:
            return format_yuan(int(raw), plain=True)
        return self.text(raw)

    @property
    def align(self) -> str:
        return "num" if self.kind in RIGHT_ALIGNED else ""


@dataclass(frozen=True)
class ChoiceFilter:
    """A select of values; `lookup` is the ORM field it filters on, or `apply` does the narrowing
    (for a choice that is not one field's value, like "open after-sales")."""

    name: str
    label: Label
    choices: Sequence[tuple[str, Label]]
    lookup: str = ""
    apply: Callable[[QuerySet[Any], str], QuerySet[Any]] | None = None
    kind: str = field(default="choice", init=False)

    def narrow(self, queryset: QuerySet[Any], params: QueryDict) -> tuple[QuerySet[Any], str]:
        value = params.get(self.name, "")
        if value not in {str(v) for v, _label in self.choices}:
            return queryset, ""
        if self.apply is not None:
            return self.apply(queryset, value), value
        return queryset.filter(**{self.lookup or self.name: value}), value


@dataclass(frozen=True)
class DateRangeFilter:
    """From and to days (inclusive, in the site's time zone): `<name>_from`, `<name>_to`."""

    name: str
    label: Label
    lookup: str
    kind: str = field(default="date_range", init=False)

    def narrow(
        self, queryset: QuerySet[Any], params: QueryDict
    ) -> tuple[QuerySet[Any], tuple[str, str]]:
        start = _day(params.get(f"{self.name}_from"))
        end = _day(params.get(f"{self.name}_to"))
        if start:
            queryset = queryset.filter(**{f"{self.lookup}__date__gte": start})
        if end:
            queryset = queryset.filter(**{f"{self.lookup}__date__lte": end})
        return queryset, (start.isoformat() if start else "", end.isoformat() if end else "")


Filter = ChoiceFilter | DateRangeFilter


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


@dataclass(frozen=True)
class BatchAction:
    """A button under the table acting on the checked rows: it posts `ids` to `url` (a URL name
    reversed with no arguments, or a path). `confirm` asks first (data-confirm) — give it for
    anything that cannot be undone. `export` names the built-in "export the checked rows as CSV",
    which posts back to the list page itself."""

    name: str
    label: Label
    url: str = ""
    confirm: Label = ""
    primary: bool = False
    export: bool = False


EXPORT_SELECTED = BatchAction("export", _("Export selected"), export=True)
SEARCH_LABEL = _("Search")
EMPTY_LABEL = _("Nothing here yet.")


@dataclass(frozen=True)
class TableSpec:
    columns: Sequence[Column]
    default_sort: str = "-created_at"
    filters: Sequence[Filter] = ()
    search: Sequence[str] = ()  # ORM lookups searched with icontains, any of them
    search_label: Label = SEARCH_LABEL
    batch: Sequence[BatchAction] = ()
    export_name: str = "export"
    page_size: int = PAGE_SIZE
    empty: Label = EMPTY_LABEL
    row_link: Callable[[Any], str] | None = None

    def bind(self, request: HttpRequest, queryset: QuerySet[Any]) -> Table:
        return Table(self, request, queryset)

    def sortable(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns if c.sortable}


@dataclass(frozen=True)
class Cell:
    text: str
    raw: Any
    column: Column
    link: str = ""


@dataclass(frozen=True)
class Row:
    obj: Any
    pk: Any
    cells: list[Cell]
    link: str = ""


@dataclass(frozen=True)
class Header:
    column: Column
    url: str = ""  # where clicking the header sorts; empty when not sortable
    direction: str = ""  # "asc", "desc" or "" (not sorted by this column)

    @property
    def aria_sort(self) -> str:
        return {"asc": "ascending", "desc": "descending"}.get(self.direction, "")


@dataclass(frozen=True)
class FilterState:
    filter: Filter
    value: str = ""
    start: str = ""
    end: str = ""


class Table:
    """A TableSpec bound to one request: the narrowed, ordered queryset, its page and rows."""

    def __init__(self, spec: TableSpec, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self.spec = spec
        self.request = request
        self.params = request.GET
        self.filter_states: list[FilterState] = []
        for declared in spec.filters:
            if isinstance(declared, DateRangeFilter):
                queryset, (start, end) = declared.narrow(queryset, self.params)
                self.filter_states.append(FilterState(declared, start=start, end=end))
            else:
                queryset, value = declared.narrow(queryset, self.params)
                self.filter_states.append(FilterState(declared, value=value))
        self.q = (self.params.get("q") or "").strip()[:100]
        if self.q and spec.search:
            match = Q()
            for lookup in spec.search:
                match |= Q(**{f"{lookup}__icontains": self.q})
            # A search across a to-many link (an order's lines) would repeat rows.
            queryset = queryset.filter(match).distinct()
        self.sort = self._sort_key()
        self.queryset = queryset.order_by(*self._ordering())

    def _sort_key(self) -> str:
        wanted = self.params.get("sort", "")
        if wanted.lstrip("-") in self.spec.sortable():
            return wanted
        return self.spec.default_sort

    def _ordering(self) -> list[str]:
        key = self.sort.lstrip("-")
        descending = self.sort.startswith("-")
        column = self.spec.sortable().get(key)
        field_name = column.order_by if column else key
        # The primary key breaks ties, so a page never repeats or skips a row.
        return [f"-{field_name}" if descending else field_name, "-pk" if descending else "pk"]

    # --- the page ---

    @property
    def page(self) -> Page[Any]:
        if not hasattr(self, "_page"):
            paginator = Paginator(self.queryset, self.spec.page_size)
            self._page = paginator.get_page(self.params.get("page"))
        return self._page

    @property
    def rows(self) -> list[Row]:
        return [self._row(obj) for obj in self.page.object_list]

    def _row(self, obj: Any) -> Row:
        cells = []
        for column in self.page_columns:
            raw = column.raw(obj)
            cells.append(
                Cell(column.text(raw), raw, column, column.link(obj) if column.link else "")
            )
        link = self.spec.row_link(obj) if self.spec.row_link else ""
        return Row(obj, obj.pk, cells, link)

    @property
    def page_columns(self) -> list[Column]:
        return [c for c in self.spec.columns if c.in_page]

    @property
    def headers(self) -> list[Header]:
        headers = []
        for column in self.page_columns:
            if not column.sortable:
                headers.append(Header(column))
                continue
            direction = ""
            if self.sort.lstrip("-") == column.key:
                direction = "desc" if self.sort.startswith("-") else "asc"
            # First click sorts descending (newest, biggest first); the next flips it.
            target = column.key if direction == "desc" else f"-{column.key}"
            headers.append(Header(column, self.url(sort=target, page=None), direction))
        return headers

    @property
    def filters(self) -> list[FilterState]:
        return self.filter_states

    @property
    def is_filtered(self) -> bool:
        return bool(self.q) or any(s.value or s.start or s.end for s in self.filter_states)

    @property
    def has_batch(self) -> bool:
        return bool(self.spec.batch)

    @property
    def dom_id(self) -> str:
        return f"table-{self.spec.export_name}"

    @property
    def sort_param(self) -> str:
        """The sort asked for in the address, kept when the filters are submitted again."""
        return self.sort if self.params.get("sort") == self.sort else ""

    @property
    def batch_actions(self) -> list[tuple[BatchAction, str]]:
        """Each batch button with where it posts: the list page itself for an export."""
        actions = []
        for action in self.spec.batch:
            if action.export:
                href = self.request.get_full_path()
            elif ":" in action.url:
                href = reverse(action.url)
            else:
                href = action.url
            actions.append((action, href))
        return actions

    @property
    def export_url(self) -> str:
        return self.url(export="csv", page=None)

    @property
    def reset_url(self) -> str:
        return self.request.path

    def url(self, **changes: str | None) -> str:
        """The current list's URL with some parameters changed (None drops one)."""
        query = self.params.copy()
        for name, value in changes.items():
            if value is None:
                query.pop(name, None)
            else:
                query[name] = value
        encoded = query.urlencode()
        return f"{self.request.path}?{encoded}" if encoded else self.request.path

    # --- CSV ---

    @property
    def wants_csv(self) -> bool:
        return "csv" in (self.params.get("export"), self.request.POST.get("export"))

    def selected_ids(self) -> list[int]:
        """The rows checked for a batch action, as posted (`ids`); unreadable ones dropped."""
        ids = (_int_param(raw) for raw in self.request.POST.getlist("ids"))
        return [i for i in ids if i is not None]

    def csv_rows(self) -> Iterator[list[str]]:
        columns = [c for c in self.spec.columns if c.in_csv]
        yield [str(c.label) for c in columns]
        queryset = self.queryset
        if self.request.method == "POST":  # "export selected": only the checked rows
            queryset = queryset.filter(pk__in=self.selected_ids())
        for obj in queryset[:EXPORT_MAX_ROWS].iterator(chunk_size=EXPORT_CHUNK):
            yield [_csv_safe(c.csv_text(c.raw(obj))) for c in columns]

    def csv_response(self) -> StreamingHttpResponse:
        """The same rows as the page shows (all pages, same filters and order), as UTF-8 with a
        BOM so Excel in China opens it right; streamed, capped at EXPORT_MAX_ROWS."""
        writer = csv.writer(_Echo())

        def lines() -> Iterator[str]:
            yield "\ufeff"
            for row in self.csv_rows():
                yield writer.writerow(row)

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        name = f"{self.spec.export_name}-{timezone.localdate():%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class _Echo:
    """A file-like object csv.writer writes one line to and hands straight back."""

    def write(self, value: str) -> str:
        return value


def _csv_safe(text: str) -> str:
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
