"""The KPI dashboard as both consoles show it: KPI cards with their change on the previous
period, server-drawn charts and the 7/30/90-day period selector, from analytics.dashboard.

    context = dashboard_context(request, merchant_id)  # None: the whole platform
    render(request, "...", {**context, ...})

and in the template: {% include "web/console_parts.html#dashboard" %}.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sharemall.analytics import rules as analytics_rules
from sharemall.analytics import selectors as analytics
from sharemall.core.money import format_yuan
from sharemall.web.charts import Plot, bar_chart, line_chart
from sharemall.web.templatetags.sharemall_console import percent


def money_text(fen: float | None) -> str:
    return "—" if fen is None else format_yuan(round(fen))


def money_axis(fen: float) -> str:
    """Axis labels in whole yuan where that is exact enough: ¥1,200, ¥2.50."""
    yuan = fen / 100
    if yuan >= 100 or yuan == int(yuan):
        return f"¥{yuan:,.0f}"
    return f"¥{yuan:,.2f}"


def count_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def percent_text(value: float | None) -> str:
    return percent(value)


TEXT_OF: dict[str, Callable[[float | None], str]] = {
    analytics.MONEY: money_text,
    analytics.COUNT: count_text,
    analytics.RATIO: percent_text,
}
AXIS_OF: dict[str, Callable[[float], str]] = {
    analytics.MONEY: money_axis,
    analytics.COUNT: count_text,
    analytics.RATIO: percent_text,
}


@dataclass(frozen=True)
class Kpi:
    """A KPI card: the metric's key in analytics.Dashboard, its label, and whether a rise is bad
    (costs: the change shows red when it goes up)."""

    key: str
    label: str | Promise
    is_cost: bool = False
    note_key: str = ""  # a second figure under the value (the refunds' count)
    note: str | Promise = ""


@dataclass(frozen=True)
class Chart:
    """A chart card: metric keys drawn together (same unit), as lines or bars."""

    title: str | Promise
    keys: Sequence[str]
    legend: Sequence[str | Promise]
    kind: str = "line"


KPIS = (
    Kpi("gmv", _("GMV")),
    Kpi("orders", _("Paid orders")),
    Kpi("paid_conversion", _("Paid conversion")),
    Kpi("share_conversion", _("Share → order conversion")),
    Kpi("commission_ratio", _("Commission cost ratio"), is_cost=True),
    Kpi("refund_amount", _("Refunds"), is_cost=True, note_key="refund_count", note=_("refunds")),
    Kpi("new_bindings", _("New bindings")),
    Kpi("new_sharers", _("New sharers")),
)

CHARTS = (
    Chart(_("GMV per day"), ("gmv",), (_("GMV"),)),
    Chart(
        _("Orders per day"),
        ("created_orders", "orders"),
        (_("Placed"), _("Paid")),
        kind="bar",
    ),
    Chart(
        _("Conversion"),
        ("paid_conversion", "share_conversion"),
        (_("Paid conversion"), _("Share → order conversion")),
    ),
    Chart(_("Commission cost ratio"), ("commission_ratio",), (_("Commissions ÷ GMV"),)),
    Chart(_("Refunds per day"), ("refund_amount",), (_("Refunded"),), kind="bar"),
    Chart(
        _("Team growth"),
        ("new_bindings", "new_sharers"),
        (_("New bindings"), _("New sharers")),
        kind="bar",
    ),
)


@dataclass(frozen=True)
class KpiCard:
    kpi: Kpi
    value: str
    change: float | None
    previous: str
    note: str = ""


@dataclass(frozen=True)
class ChartCard:
    chart: Chart
    plot: Plot


def kpi_cards(board: analytics.Dashboard, kpis: Sequence[Kpi] = KPIS) -> list[KpiCard]:
    cards = []
    for kpi in kpis:
        metric = board[kpi.key]
        text = TEXT_OF[metric.kind]
        note = ""
        if kpi.note_key:
            note = f"{count_text(board[kpi.note_key].total)} {kpi.note}"
        cards.append(KpiCard(kpi, text(metric.total), metric.change, text(metric.previous), note))
    return cards


def chart_cards(board: analytics.Dashboard, charts: Sequence[Chart] = CHARTS) -> list[ChartCard]:
    labels = [f"{day:%m-%d}" for day in board.days]
    cards = []
    for chart in charts:
        metrics = [board[key] for key in chart.keys]
        axis = AXIS_OF[metrics[0].kind]
        series = [m.series for m in metrics]
        if chart.kind == "bar":
            plot = bar_chart(labels, [[v or 0 for v in s] for s in series], fmt=axis)
        else:
            plot = line_chart(labels, series, fmt=axis)
        cards.append(ChartCard(chart, plot))
    return cards


def period_links(request: HttpRequest, days: int) -> list[dict[str, Any]]:
    links = []
    for choice in analytics_rules.PERIODS:
        query = request.GET.copy()
        query["days"] = str(choice)
        links.append({"days": choice, "url": f"?{query.urlencode()}", "current": choice == days})
    return links


def dashboard_context(request: HttpRequest, merchant_id: int | None) -> dict[str, Any]:
    """Everything web/console_parts.html#dashboard needs, for the period in ?days=."""
    days = analytics_rules.period_days(request.GET.get("days"))
    board = analytics.dashboard(merchant_id, days)
    return {
        "dashboard": board,
        "days": days,
        "kpis": kpi_cards(board),
        "charts": chart_cards(board),
        "periods": period_links(request, days),
    }
