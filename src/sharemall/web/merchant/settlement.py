"""The shop's settlement: what is waiting to settle, what may be withdrawn, and the statement
of the available balance by day or month, with its CSV download.

The owner only, as in the API (`GET /merchants/{id}/balance` and `/statements`); the figures
come from the same selectors.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from sharemall.core import sheets
from sharemall.core.errors import DomainError
from sharemall.settlement import rules as settlement_rules
from sharemall.settlement import selectors as settlement
from sharemall.settlement.rules import StatementRow
from sharemall.web.merchant.console import Console, _render, console_page, owner_page
from sharemall.web.merchant.forms import StatementForm

# What the page shows before the owner picks: the last 30 days, or the last 12 months.
DEFAULT_DAYS = 30
DEFAULT_MONTHS = 12


def _today() -> date:
    return timezone.now().astimezone(settlement.STATEMENT_TIME_ZONE).date()


def _default_range(period: str, today: date) -> tuple[date, date]:
    if period == settlement_rules.MONTH:
        months_back = today.year * 12 + today.month - 1 - (DEFAULT_MONTHS - 1)
        return date(months_back // 12, months_back % 12 + 1, 1), today
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def _choice(request: HttpRequest) -> tuple[StatementForm, str]:
    """The form as asked, with the default range filled in where the owner left it out, and
    its query (for the download link)."""
    data = request.GET.copy()
    asked = data.get("period") or ""
    period = asked if asked in settlement_rules.PERIODS else settlement_rules.DAY
    start, end = _default_range(period, _today())
    data.setdefault("period", period)
    if not data.get("start"):
        data["start"] = start.isoformat()
    if not data.get("end"):
        data["end"] = end.isoformat()
    return StatementForm(data), data.urlencode()


def _totals(rows: list[StatementRow]) -> StatementRow | None:
    """The whole range as one row: first opening, last closing, the movements summed."""
    if not rows:
        return None
    summed = {
        name: sum(getattr(row, name) for row in rows)
        for name in (
            "orders_fen",
            "shipping_fen",
            "refunds_fen",
            "fees_fen",
            "commissions_fen",
            "withdrawals_fen",
            "other_fen",
            "orders_count",
        )
    }
    return StatementRow(
        period_start=rows[0].period_start,
        period_end=rows[-1].period_end,
        opening_fen=rows[0].opening_fen,
        closing_fen=rows[-1].closing_fen,
        **summed,
    )


def _moved(row: StatementRow) -> bool:
    return bool(
        row.orders_count
        or row.opening_fen != row.closing_fen
        or any(
            (
                row.orders_fen,
                row.refunds_fen,
                row.fees_fen,
                row.commissions_fen,
                row.withdrawals_fen,
            )
        )
    )


@console_page
@owner_page
def merchant_settlement(request: HttpRequest, console: Console) -> HttpResponse:
    merchant_id = console.merchant.pk
    form, query = _choice(request)
    rows: list[StatementRow] = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            rows = settlement.statements(
                merchant_id, period=data["period"], start=data["start"], end=data["end"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if request.GET.get("export") == sheets.CSV:
                name = f"statement-{data['period']}-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}"
                return sheets.sheet_response(
                    list(settlement_rules.statement_csv_rows(rows)), name=name
                )
    return _render(
        request,
        console,
        "web/merchant/settlement.html",
        {
            "form": form,
            "balance": settlement.merchant_balance(merchant_id),
            # Newest first, as a statement is read, leaving out periods where nothing moved;
            # the totals row sums the whole range.
            "rows": [row for row in rows[::-1] if _moved(row)],
            "quiet_periods": sum(1 for row in rows if not _moved(row)),
            "totals": _totals(rows),
            "export_query": query if form.is_valid() else "",
        },
    )
