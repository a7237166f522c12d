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

A review queue declares a bit more on the same spec: `tabs` (a choice filter shown as status
tabs with counts above the table), `row_actions` (the last cell of each row: the decisions),
`row_id` (an id per row, for links and tests) and `batch_fields` (inputs the batch buttons send
along); `bind(..., selectable=...)` says which rows a batch may take. Every link the table makes
(tabs, sort, export, reset) keeps the rest of the address: the tab, the filters, the search.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from sharemall.core.csvexport import csv_response
from sharemall.core.money import format_yuan
from sharemall.web.common import _int_param

PAGE_SIZE = 20
# An export is for a spreadsheet, not a backup: past this many rows, narrow the filters.
EXPORT_MAX_ROWS = 10_000
EXPORT_CHUNK = 500
# A batch is what a page of a table shows, with room to spare.
BATCH_MAX = 100

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
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if kind == DATE:
        return f"{value:%Y-%m-%d}"
    return str(value)


def labelled(choices: Any) -> Formatter:
    """A formatter showing a stored value by its label: labelled(Order.Status.choices)."""
    labels = dict(choices)
    return lambda value: str(labels.get(value, value))


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


def status_column(key: str, label: Label, choices: Any, **options: Any) -> Column:
    """A state shown as a badge in words: status_column("status", _("Status"), X.Status.choices)."""
    return Column(key, label, kind=STATUS, formatter=labelled(choices), **options)


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

ALL = "all"
ALL_LABEL = _("All")


@dataclass(frozen=True)
class StatusTabs:
    """A choice filter shown as tabs above the table, each with how many rows it holds.

    The first choice is the tab shown when the address names none (a queue opens on what waits);
    `all_label` adds a last tab with every row (None: no such tab). The tab narrows on `lookup`
    (the field; counted with one grouped query). Without a lookup the view narrows the rows
    itself, by `chosen()`, which suits tabs whose rows come from different selectors, and gives
    their counts to `bind(tab_counts=...)`. `counted` limits which tabs show a count (None:
    every tab but "all")."""

    choices: Sequence[tuple[str, Label]]
    name: str = "status"
    lookup: str = ""
    all_label: Label | None = ALL_LABEL
    counted: frozenset[str] | None = None

    @classmethod
    def pick(cls, choices: Any, values: Sequence[str], **options: Any) -> StatusTabs:
        """Tabs for some of a model's statuses, in the queue's order, with their (lazy) labels:
        StatusTabs.pick(X.Status.choices, ("requested", "paid"), lookup="status")."""
        labels = dict(choices)
        return cls([(value, labels[value]) for value in values], **options)

    @property
    def values(self) -> list[str]:
        values = [str(v) for v, _label in self.choices]
        return [*values, ALL] if self.all_label is not None else values

    def chosen(self, params: QueryDict) -> str:
        wanted = params.get(self.name, "")
        return wanted if wanted in self.values else str(self.choices[0][0])

    def counts(self, queryset: QuerySet[Any]) -> dict[str, int]:
        if not self.lookup:
            return {}
        grouped = queryset.order_by().values_list(self.lookup).annotate(n=Count("pk"))
        return {str(value): n for value, n in grouped}

    def narrow(self, queryset: QuerySet[Any], value: str) -> QuerySet[Any]:
        if not self.lookup or value == ALL:
            return queryset
        return queryset.filter(**{self.lookup: value})


@dataclass(frozen=True)
class Tab:
    value: str
    label: Label
    count: int | None
    url: str
    active: bool


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
ACTIONS_LABEL = _("Actions")


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
    tabs: StatusTabs | None = None
    # The last cell of each row: a template (a partial, included with the row's object as `obj`
    # and the page's context) or a callable giving the cell's HTML (a SafeString).
    row_actions: str | Callable[[Any], SafeString] = ""
    actions_label: Label = ACTIONS_LABEL
    row_id: str = ""  # "withdrawal" gives each row id="withdrawal-12"
    batch_fields: str = ""  # a partial of inputs for the batch bar (their form= is `form_id`)

    def bind(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        *,
        defaults: dict[str, str] | None = None,
        selectable: Callable[[Any], bool] | None = None,
        tab_counts: dict[str, int] | None = None,
    ) -> Table:
        """The table for this request. `defaults` are parameters assumed when the address does
        not carry them at all (after-sales open to the open requests; ?status= shows all).
        `selectable` says which rows a batch may take (default: every row); `tab_counts` are the
        tabs' counts when the view narrows by tab itself."""
        return Table(
            self,
            request,
            queryset,
            defaults=defaults,
            selectable=selectable,
            tab_counts=tab_counts,
        )

    def respond(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        page: Callable[[Table], HttpResponse],
        **bind: Any,
    ) -> HttpResponse:
        """A list page: the CSV when it is asked for, else `page(table)`."""
        table = self.bind(request, queryset, **bind)
        if table.wants_csv:
            return table.csv_response()
        return page(table)

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
    selectable: bool = True
    actions: SafeString | None = None  # the actions cell, when a callable renders it


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

    def __init__(
        self,
        spec: TableSpec,
        request: HttpRequest,
        queryset: QuerySet[Any],
        *,
        defaults: dict[str, str] | None = None,
        selectable: Callable[[Any], bool] | None = None,
        tab_counts: dict[str, int] | None = None,
    ) -> None:
        self.spec = spec
        self.request = request
        self.params = request.GET.copy()
        for name, value in (defaults or {}).items():
            self.params.setdefault(name, value)
        self.selectable = selectable
        self.tab = ""
        self._tab_counts: dict[str, int] = {}
        if spec.tabs is not None:
            # Counted before any other filter: a tab says how much waits in it, not how much
            # of it the search matches.
            self.tab = spec.tabs.chosen(self.params)
            self._tab_counts = tab_counts if tab_counts is not None else spec.tabs.counts(queryset)
            queryset = spec.tabs.narrow(queryset, self.tab)
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
        selectable = self.selectable(obj) if self.selectable else True
        actions = self.spec.row_actions
        html = actions(obj) if callable(actions) else None
        return Row(obj, obj.pk, cells, link, selectable, html)

    @property
    def tabs(self) -> list[Tab]:
        declared = self.spec.tabs
        if declared is None:
            return []
        counted = declared.counted
        labels = [*declared.choices]
        if declared.all_label is not None:
            labels.append((ALL, declared.all_label))
        tabs = []
        for choice, label in labels:
            value = str(choice)
            shows_count = value != ALL if counted is None else value in counted
            count = self._tab_counts.get(value, 0) if shows_count else None
            # A tab keeps the search, filters and sort; only the page starts again.
            url = self.url(**{declared.name: value, "page": None})
            tabs.append(Tab(value, label, count, url, value == self.tab))
        return tabs

    @property
    def has_actions(self) -> bool:
        return bool(self.spec.row_actions)

    @property
    def actions_template(self) -> str:
        actions = self.spec.row_actions
        return actions if isinstance(actions, str) else ""

    @property
    def column_count(self) -> int:
        return len(self.page_columns) + int(self.has_batch) + int(self.has_actions)

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
        """The list without search and filters, on the same tab."""
        tabs = self.spec.tabs
        if tabs is not None and tabs.name in self.request.GET:
            return f"{self.request.path}?{tabs.name}={self.tab}"
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
        return selected_ids(self.request)

    def csv_rows(self) -> Iterator[list[str]]:
        columns = [c for c in self.spec.columns if c.in_csv]
        yield [str(c.label) for c in columns]
        queryset = self.queryset
        if self.request.method == "POST":  # "export selected": only the checked rows
            queryset = queryset.filter(pk__in=self.selected_ids())
        for obj in queryset[:EXPORT_MAX_ROWS].iterator(chunk_size=EXPORT_CHUNK):
            yield [c.csv_text(c.raw(obj)) for c in columns]

    def csv_response(self) -> HttpResponse:
        """The same rows as the page shows (all pages, same filters and order), as UTF-8 with a
        BOM so Excel in China opens it right; read in chunks, capped at EXPORT_MAX_ROWS (so it is
        a plain HttpResponse, which every page view may return)."""
        name = f"{self.spec.export_name}-{timezone.localdate():%Y%m%d}.csv"
        return csv_response(self.csv_rows(), filename=name)


def selected_ids(request: HttpRequest) -> list[int]:
    """The rows ticked for a batch action, as posted (`ids`): each once, in the order shown,
    unreadable ones dropped, at most BATCH_MAX (a batch is a page's work, not more)."""
    ids = (_int_param(raw) for raw in request.POST.getlist("ids"))
    return list(dict.fromkeys(i for i in ids if i is not None))[:BATCH_MAX]
