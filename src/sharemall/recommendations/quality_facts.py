"""What every SKU's sales became, read for the quality verdict (recommendations.quality): one
pass of grouped queries over the window's paid orders, never a query per SKU.

- orders: paid orders (paid in the window) holding the SKU; units: what they bought of it.
- returns: of those orders, those with an after-sales request on the SKU's line that counts: not
  rejected or cancelled, and either a return (the goods came back) or a refund asked once the
  order had been shipped or received. A refund before dispatch is a changed mind about buying,
  not about the goods: no quality signal.
- return_reasons: the counting requests by their reason code ("" counts as "other").
- complaints: of those orders, those with a request on the line the buyer took to the platform
  (a dispute), whatever the ruling.
- ratings: the visible experience posts about the window's lines of the SKU.
- weekly: the last WEEKS weeks (Monday to Sunday, Beijing time) of orders paid and, of them,
  those returned, oldest first.

It also answers the reports' reads: the verdicts training left (with each SKU's titles), or,
for a merchant no training run has judged yet, verdicts worked out on the spot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from sharemall.aftersales import rules as aftersales_rules
from sharemall.aftersales.models import AfterSaleLine
from sharemall.catalog.models import Sku
from sharemall.orders.models import OrderLine
from sharemall.posts import rules as post_rules
from sharemall.posts.models import Post
from sharemall.recommendations import quality, selectors
from sharemall.recommendations.models import SkuQuality
from sharemall.recommendations.quality import SkuFacts, WeekFacts

# Weeks are counted where our members live, whatever the server's zone.
ZONE = ZoneInfo("Asia/Shanghai")
WEEKS = 8
WINDOW_DAYS = 180
NOT_COUNTED = (aftersales_rules.REJECTED, aftersales_rules.CANCELLED)


def week_starts(now: datetime, weeks: int = WEEKS) -> list[date]:
    """The Mondays of the last `weeks` weeks, the current one last."""
    today = now.astimezone(ZONE).date()
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def _counting_returns() -> Q:
    """The after-sales lines (AfterSaleLine) whose request counts as a return."""
    after_dispatch = Q(aftersale__order__shipped_at__lte=F("aftersale__created_at")) | Q(
        aftersale__order__received_at__lte=F("aftersale__created_at")
    )
    return ~Q(aftersale__status__in=NOT_COUNTED) & (
        Q(aftersale__kind=aftersales_rules.RETURN_REFUND) | after_dispatch
    )


def quality_facts(
    now: datetime, *, days: int = WINDOW_DAYS, merchant_id: int | None = None
) -> list[SkuFacts]:
    """Every SKU sold (paid) in the `days` up to `now`, by SKU id; only `merchant_id`'s if given."""
    since = now - timedelta(days=days)
    lines = OrderLine.objects.filter(order__paid_at__gte=since, order__paid_at__lte=now)
    parts = AfterSaleLine.objects.filter(
        order_line__order__paid_at__gte=since,
        order_line__order__paid_at__lte=now,
        aftersale__created_at__lte=now,
    )
    posts = Post.objects.filter(
        status=post_rules.VISIBLE,
        order_line__order__paid_at__gte=since,
        order_line__order__paid_at__lte=now,
        created_at__lte=now,
    )
    if merchant_id is not None:
        lines = lines.filter(order__merchant_id=merchant_id)
        parts = parts.filter(order_line__order__merchant_id=merchant_id)
        posts = posts.filter(order_line__order__merchant_id=merchant_id)
    returned = parts.filter(_counting_returns())

    sold = (
        lines.values("sku_id")
        .annotate(
            product=Max("product_id"),
            merchant=Max("order__merchant_id"),
            orders=Count("order_id", distinct=True),
            units=Sum("quantity"),
        )
        .order_by("sku_id")
    )
    returns = _by_sku(
        returned.values("order_line__sku_id").annotate(
            n=Count("order_line__order_id", distinct=True)
        )
    )
    complaints = _by_sku(
        parts.filter(aftersale__dispute__isnull=False)
        .values("order_line__sku_id")
        .annotate(n=Count("order_line__order_id", distinct=True))
    )
    reasons: dict[int, dict[str, int]] = defaultdict(dict)
    for coded in returned.values("order_line__sku_id", "aftersale__reason_code").annotate(
        n=Count("aftersale_id", distinct=True)
    ):
        code = coded["aftersale__reason_code"] or "other"
        counted = reasons[coded["order_line__sku_id"]]
        counted[code] = counted.get(code, 0) + coded["n"]
    ratings = {
        row["order_line__sku_id"]: (int(row["total"] or 0), row["n"])
        for row in posts.values("order_line__sku_id").annotate(total=Sum("rating"), n=Count("id"))
    }

    mondays = week_starts(now)
    first = datetime.combine(mondays[0], time.min, ZONE)
    weekly_orders = _by_sku_week(
        lines.filter(order__paid_at__gte=first)
        .annotate(week=TruncWeek("order__paid_at", tzinfo=ZONE))
        .values("sku_id", "week")
        .annotate(n=Count("order_id", distinct=True)),
        "sku_id",
    )
    weekly_returns = _by_sku_week(
        returned.filter(order_line__order__paid_at__gte=first)
        .annotate(week=TruncWeek("order_line__order__paid_at", tzinfo=ZONE))
        .values("order_line__sku_id", "week")
        .annotate(n=Count("order_line__order_id", distinct=True)),
        "order_line__sku_id",
    )

    found: list[SkuFacts] = []
    for row in sold:
        sku_id = row["sku_id"]
        orders_by_week = weekly_orders.get(sku_id, {})
        returns_by_week = weekly_returns.get(sku_id, {})
        rating_sum, rating_count = ratings.get(sku_id, (0, 0))
        found.append(
            SkuFacts(
                sku_id=sku_id,
                product_id=row["product"],
                merchant_id=row["merchant"],
                orders=row["orders"],
                units=int(row["units"] or 0),
                returns=returns.get(sku_id, 0),
                complaints=complaints.get(sku_id, 0),
                return_reasons=dict(sorted(reasons.get(sku_id, {}).items())),
                rating_sum=rating_sum,
                rating_count=rating_count,
                weekly=[
                    WeekFacts(monday, orders_by_week.get(monday, 0), returns_by_week.get(monday, 0))
                    for monday in mondays
                ],
            )
        )
    return found


def _by_sku(rows: Iterable[Mapping[str, Any]]) -> dict[int, int]:
    return {row["order_line__sku_id"]: row["n"] for row in rows}


def _by_sku_week(rows: Iterable[Mapping[str, Any]], key: str) -> dict[int, dict[date, int]]:
    found: dict[int, dict[date, int]] = defaultdict(dict)
    for row in rows:
        week = row["week"]
        monday = week.astimezone(ZONE).date() if isinstance(week, datetime) else week
        sku_id = row[key]
        found[sku_id][monday] = found[sku_id].get(monday, 0) + row["n"]
    return found


# --- the reports ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    """One SKU of a quality report: its record, the verdict, and what to call it."""

    sku_id: int
    product_id: int
    merchant_id: int
    title: str
    sku_name: str
    orders: int
    units: int
    returns: int
    complaints: int
    return_rate: float
    complaint_rate: float
    risk_bound: float
    rating: float | None
    rating_count: int
    demoted: bool
    reason_codes: list[str]
    return_reasons: dict[str, int]
    trend: list[dict[str, object]]
    suggestion: str
    computed_at: datetime


def _names(sku_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    return {
        pk: (title, name)
        for pk, title, name in Sku.objects.filter(pk__in=set(sku_ids)).values_list(
            "pk", "product__title", "name"
        )
    }


def _rows_of(found: Iterable[SkuQuality]) -> list[ReportRow]:
    records = list(found)
    names = _names(r.sku_id for r in records)
    return [
        ReportRow(
            sku_id=r.sku_id,
            product_id=r.product_id,
            merchant_id=r.merchant_id,
            title=names.get(r.sku_id, ("", ""))[0],
            sku_name=names.get(r.sku_id, ("", ""))[1],
            orders=r.orders,
            units=r.units,
            returns=r.returns,
            complaints=r.complaints,
            return_rate=r.return_rate,
            complaint_rate=r.complaint_rate,
            risk_bound=r.risk_bound,
            rating=r.rating,
            rating_count=r.rating_count,
            demoted=r.demoted,
            reason_codes=[str(code) for code in r.reasons],
            return_reasons={str(k): int(v) for k, v in dict(r.return_reasons).items()},
            trend=list(r.trend),
            suggestion=r.suggestion,
            computed_at=r.computed_at,
        )
        for r in records
    ]


def trend_of(weekly: Iterable[WeekFacts]) -> list[dict[str, object]]:
    """The weekly record as SkuQuality.trend keeps it: [{week, orders, returns}], oldest first."""
    return [{"week": w.week.isoformat(), "orders": w.orders, "returns": w.returns} for w in weekly]


def quality_record(facts: SkuFacts, verdict: quality.Verdict, now: datetime) -> SkuQuality:
    """A SKU's record and verdict as SkuQuality keeps them (unsaved): what training stores and
    what a report judged on the spot shows."""
    return SkuQuality(
        sku_id=facts.sku_id,
        product_id=facts.product_id,
        merchant_id=facts.merchant_id,
        orders=facts.orders,
        units=facts.units,
        returns=min(facts.returns, facts.orders),
        complaints=min(facts.complaints, facts.orders),
        return_rate=verdict.return_rate,
        complaint_rate=verdict.complaint_rate,
        risk_bound=verdict.risk_bound,
        rating=verdict.rating,
        rating_count=facts.rating_count,
        demoted=verdict.demoted,
        reasons=list(verdict.reasons),
        return_reasons=dict(facts.return_reasons),
        trend=trend_of(facts.weekly),
        suggestion=verdict.suggestion,
        computed_at=now,
    )


def judged_now(now: datetime, *, merchant_id: int) -> list[ReportRow]:
    """The merchant's SKUs judged on the spot from their record up to `now`, worst first."""
    records = [
        quality_record(facts, quality.judge(facts), now)
        for facts in quality_facts(now, merchant_id=merchant_id)
    ]
    return _worst_first(_rows_of(records))


def _worst_first(rows: list[ReportRow]) -> list[ReportRow]:
    """Demoted SKUs first, then by how sure it is that their rates are high."""
    return sorted(rows, key=lambda r: (not r.demoted, -r.risk_bound, r.sku_id))


def merchant_report(merchant_id: int, *, now: datetime | None = None) -> list[ReportRow]:
    """The merchant's SKUs worst first: as the last training run judged them, or, before any run
    has judged one of them, as judged now (so a new shop's report is never blank for no reason)."""
    judged = selectors.quality_report(merchant_id)
    if judged.exists():
        return _worst_first(_rows_of(judged))
    return judged_now(now or timezone.now(), merchant_id=merchant_id)


def worst_report(*, limit: int) -> list[ReportRow]:
    """The platform's worst SKUs as the last training run judged them."""
    return _rows_of(selectors.worst_skus(limit=limit))
