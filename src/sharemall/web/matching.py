"""What the matching pages share: the products a recommendation names, as the storefront reads
them (on sale, images and SKUs prefetched) and in the recommendation's order, each with its
reasons; and the quality report's rows in words, for the merchant console and the back office."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sharemall.aftersales import rules as aftersale_rules
from sharemall.catalog import selectors as catalog
from sharemall.catalog.models import Product
from sharemall.merchants import selectors as merchant_selectors
from sharemall.recommendations import quality
from sharemall.recommendations.quality_facts import ReportRow
from sharemall.recommendations.serving import Recommendation
from sharemall.web.charts import Chart, grouped_bars


@dataclass(frozen=True)
class Pick:
    product: Product
    reasons: list[str]  # already in the request's language


def picks(recommendations: Sequence[Recommendation]) -> list[Pick]:
    reasons = {r.product_id: r.reasons for r in recommendations}
    products = catalog.on_sale_in_order(r.product_id for r in recommendations)
    return [Pick(p, reasons[p.pk]) for p in products]


@dataclass(frozen=True)
class ReturnReason:
    label: str
    count: int


@dataclass(frozen=True)
class QualityRow:
    """One SKU of a quality report as the pages show it."""

    row: ReportRow
    shop_name: str
    reasons: list[str]
    return_reasons: list[ReturnReason]
    suggestion: str
    trend: Chart  # orders (series 0) and returns (series 1) per week, oldest first
    weeks: int


def _return_reasons(counts: Mapping[str, int]) -> list[ReturnReason]:
    """What buyers gave as the reason for their returns, most often first."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        ReturnReason(str(aftersale_rules.REASON_CODES.get(code, code)), count)
        for code, count in ordered
        if count
    ]


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0


def _trend(weeks: Sequence[Mapping[str, object]]) -> Chart:
    return grouped_bars(
        [
            (str(week.get("week", "")), (_count(week.get("orders")), _count(week.get("returns"))))
            for week in weeks
        ],
        label_every=max(len(weeks), 1),
    )


def quality_rows(rows: Sequence[ReportRow]) -> list[QualityRow]:
    """The report's rows (quality_facts.merchant_report or worst_report, as the API reads them),
    with the shops' names in one query."""
    shops = merchant_selectors.shops({row.merchant_id for row in rows})
    return [
        QualityRow(
            row=row,
            shop_name=shops[row.merchant_id].name if row.merchant_id in shops else "",
            reasons=quality.reason_labels(row.reason_codes),
            return_reasons=_return_reasons(row.return_reasons),
            suggestion=quality.suggestion_label(row.suggestion) if row.suggestion else "",
            trend=_trend(row.trend),
            weeks=len(row.trend),
        )
        for row in rows
    ]
