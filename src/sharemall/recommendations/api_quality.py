"""The JSON edge of the quality feedback: a merchant's quality report and the platform's worst
SKUs (docs/quality.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from sharemall.accounts.auth import member_auth, require_member, require_operator
from sharemall.aftersales.rules import REASON_CODES
from sharemall.merchants.selectors import merchant_for_viewer
from sharemall.recommendations import quality, rules
from sharemall.recommendations.quality_facts import ReportRow, merchant_report, worst_report

router = Router(tags=["recommendations"])


class TrendWeekOut(Schema):
    week: str  # the Monday the week starts on, YYYY-MM-DD
    orders: int
    returns: int


class QualityRowOut(Schema):
    sku_id: int
    product_id: int
    merchant_id: int
    title: str
    sku_name: str
    orders: int
    units: int
    returns: int
    return_rate: float
    complaints: int
    complaint_rate: float
    rating: float | None
    rating_count: int
    demoted: bool
    reasons: list[str]
    reason_codes: list[str]
    return_reasons: dict[str, int]
    return_reason_labels: dict[str, str]
    trend: list[TrendWeekOut]
    suggestion: str
    suggestion_label: str
    computed_at: datetime


class WorstQuery(Schema):
    limit: int = Field(default=rules.MAX_LIMIT, ge=1, le=rules.MAX_LIMIT)


def row_out(row: ReportRow) -> dict[str, Any]:
    return {
        "sku_id": row.sku_id,
        "product_id": row.product_id,
        "merchant_id": row.merchant_id,
        "title": row.title,
        "sku_name": row.sku_name,
        "orders": row.orders,
        "units": row.units,
        "returns": row.returns,
        "return_rate": round(row.return_rate, 4),
        "complaints": row.complaints,
        "complaint_rate": round(row.complaint_rate, 4),
        "rating": None if row.rating is None else round(row.rating, 2),
        "rating_count": row.rating_count,
        "demoted": row.demoted,
        "reasons": quality.reason_labels(row.reason_codes),
        "reason_codes": row.reason_codes,
        "return_reasons": row.return_reasons,
        "return_reason_labels": {
            code: str(REASON_CODES[code]) if code in REASON_CODES else code
            for code in row.return_reasons
        },
        "trend": row.trend,
        "suggestion": row.suggestion,
        "suggestion_label": quality.suggestion_label(row.suggestion) if row.suggestion else "",
        "computed_at": row.computed_at,
    }


@router.get(
    "/merchants/{merchant_id}/quality-report", response=list[QualityRowOut], auth=member_auth
)
def quality_report(request: HttpRequest, merchant_id: int) -> list[dict[str, Any]]:
    """The merchant's owner and clerks, or operators: each SKU sold in the last 180 days, worst
    first (demoted ones first), with its orders, returns and complaints (disputes), their rates,
    the average rating, whether search and lists show it last (`demoted`), the reasons as text
    (`reasons`) and as codes, the return reasons counted by code, the last eight weeks
    (`trend`), and a suggestion. As the last training run judged them; before the first run
    judged one of the shop's SKUs, judged on the spot."""
    merchant = merchant_for_viewer(require_member(request), merchant_id)
    return [row_out(row) for row in merchant_report(merchant.pk)]


@router.get("/platform/quality/worst-skus", response=list[QualityRowOut], auth=member_auth)
def worst_skus(request: HttpRequest, q: Query[WorstQuery]) -> list[dict[str, Any]]:
    """Operators: the platform's worst SKUs as the last training run judged them, demoted first,
    then by how sure it is that their return or complaint rates are high."""
    require_operator(request)
    return [row_out(row) for row in worst_report(limit=q.limit)]
