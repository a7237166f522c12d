"""Campaign analytics (PRODUCT §7, issue 14): for each coupon, 满减, flash sale, group-buy,
bargain and share task, the orders it took part in, their buyers, GMV, what the campaign cost
and the cost ratio, and how those orders spread by degree (PRODUCT §6.3).

Read from promotions' CampaignOrder rows, written in the checkout's transaction for every
campaign an order took. Only orders that were paid and not refunded in full count; GMV is
what their buyers paid less what was refunded. A share task's orders are the completed sales
its members' posts brought (promotions.rules.tasks), and its cost is what its reward coupons
took off orders.

Degrees are the ones orders were attributed with at checkout (Order.degree), the same the
propagation reports count (analytics.selectors, analytics.spread), bucketed by
rules.degree_bucket.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from sharemall.analytics import rules
from sharemall.orders.models import Order
from sharemall.promotions.models import CampaignOrder, Coupon, ShareTask
from sharemall.promotions.rules import campaigns as campaign_rules
from sharemall.promotions.rules import tasks as task_rules
from sharemall.promotions.selectors import tasks as task_selectors

TASK = "task"
MAX_CAMPAIGNS = 500


@dataclass
class CampaignStats:
    kind: str
    campaign_id: int
    title: str
    merchant_id: int | None = None
    campaigns: int = 1  # a per-kind summary sums this many campaigns
    order_ids: set[int] = field(default_factory=set)
    buyer_ids: set[int] = field(default_factory=set)
    gmv_fen: int = 0
    cost_fen: int = 0
    degrees: list[int | None] = field(default_factory=list)

    @property
    def orders(self) -> int:
        return len(self.order_ids)

    @property
    def buyers(self) -> int:
        return len(self.buyer_ids)

    @property
    def cost_ratio_bp(self) -> int | None:
        return rules.cost_ratio_bp(self.cost_fen, self.gmv_fen)

    @property
    def by_degree(self) -> dict[str, int]:
        return rules.by_degree(self.degrees)

    def add(self, order: tuple[int, int, int, int | None], cost_fen: int) -> None:
        """One kept order (id, buyer, what its buyer kept paid, degree) and what the campaign
        gave off it; an order met twice (several lines) counts once."""
        order_id, buyer_id, kept_fen, degree = order
        self.cost_fen += cost_fen
        if order_id in self.order_ids:
            return
        self.order_ids.add(order_id)
        self.buyer_ids.add(buyer_id)
        self.gmv_fen += kept_fen
        self.degrees.append(degree)


def _kept_orders() -> QuerySet[Order]:
    """Paid, and not refunded in full."""
    return Order.objects.filter(paid_at__isnull=False, refunded_fen__lt=F("total_fen"))


_ORDER_FIELDS = ("order_id", "order__buyer_id", "kept_fen", "order__degree")


def _campaign_rows(where: Q) -> list[tuple[str, int, int, tuple[int, int, int, int | None]]]:
    rows = (
        CampaignOrder.objects.filter(where, order__in=_kept_orders())
        .annotate(kept_fen=F("order__total_fen") - F("order__refunded_fen"))
        .values_list("kind", "campaign_id", "cost_fen", *_ORDER_FIELDS)
    )
    return [
        (kind, campaign_id, cost, (order_id, buyer_id, kept, degree))
        for kind, campaign_id, cost, order_id, buyer_id, kept, degree in rows
    ]


def _title(kind: str, campaign_id: int, coupons: dict[int, Coupon]) -> str:
    if kind == campaign_rules.COUPON and campaign_id in coupons:
        return coupons[campaign_id].title
    if kind == campaign_rules.TIERS:
        return _("Spend tiers")
    return f"{_kind_label(kind)} #{campaign_id}"


def _kind_label(kind: str) -> str:
    return str(dict(CampaignOrder.Kind.choices).get(kind, kind))


def _collect(
    rows: Iterable[tuple[str, int, int, tuple[int, int, int, int | None]]],
    coupons: dict[int, Coupon],
    found: dict[tuple[str, int], CampaignStats],
) -> None:
    for kind, campaign_id, cost, order in rows:
        key = (kind, campaign_id)
        if key not in found:
            found[key] = CampaignStats(kind, campaign_id, _title(kind, campaign_id, coupons))
        found[key].add(order, cost)


def _task_stats(tasks: Iterable[ShareTask]) -> list[CampaignStats]:
    """Each task's counted sales, and what its reward coupons took off kept orders."""
    found = []
    for task in tasks:
        stats = CampaignStats(TASK, task.pk, task.title, merchant_id=task.merchant_id)
        counted = {
            sale.order_id
            for sale in task_selectors.post_sales(task)
            if task_rules.sale_counts(
                sale, window_days=task.window_days, merchant_id=task.merchant_id
            )
        }
        for order_id, buyer_id, kept, degree in (
            _kept_orders()
            .filter(pk__in=counted)
            .annotate(kept_fen=F("total_fen") - F("refunded_fen"))
            .values_list("pk", "buyer_id", "kept_fen", "degree")
        ):
            stats.add((order_id, buyer_id, kept, degree), 0)
        stats.cost_fen = sum(
            cost
            for _k, _c, cost, _o in _campaign_rows(
                Q(kind=campaign_rules.COUPON, campaign_id=task.reward_coupon_id)
            )
        )
        found.append(stats)
    return found


def _ranked(stats: Iterable[CampaignStats]) -> list[CampaignStats]:
    return sorted(stats, key=lambda s: (-s.orders, -s.gmv_fen, s.kind, -s.campaign_id))[
        :MAX_CAMPAIGNS
    ]


def merchant_campaigns(merchant_id: int) -> list[CampaignStats]:
    """Every campaign of the merchant: its coupons (used or not yet), its 满减, flash sales,
    group-buys and bargains that sold, and its share tasks. Platform coupons used on its
    orders are the platform's campaigns, not the merchant's."""
    coupons = {c.pk: c for c in Coupon.objects.filter(merchant_id=merchant_id)}
    platform_coupons = Coupon.objects.filter(merchant=None).values("pk")
    found: dict[tuple[str, int], CampaignStats] = {
        (campaign_rules.COUPON, c.pk): CampaignStats(campaign_rules.COUPON, c.pk, c.title)
        for c in coupons.values()
    }
    _collect(
        _campaign_rows(
            Q(order__merchant_id=merchant_id)
            & ~Q(kind=campaign_rules.COUPON, campaign_id__in=platform_coupons)
        ),
        coupons,
        found,
    )
    for stats in found.values():
        stats.merchant_id = merchant_id
    tasks = _task_stats(ShareTask.objects.filter(merchant_id=merchant_id).order_by("-pk"))
    return _ranked([*found.values(), *tasks])


@dataclass(frozen=True)
class PlatformCampaigns:
    coupons: list[CampaignStats]  # the platform's own coupons
    tasks: list[CampaignStats]  # the platform's own share tasks
    by_kind: list[CampaignStats]  # every campaign of the mall, summed per kind


def platform_campaigns() -> PlatformCampaigns:
    coupons = {c.pk: c for c in Coupon.objects.filter(merchant=None)}
    found: dict[tuple[str, int], CampaignStats] = {
        (campaign_rules.COUPON, pk): CampaignStats(campaign_rules.COUPON, pk, c.title)
        for pk, c in coupons.items()
    }
    _collect(
        _campaign_rows(Q(kind=campaign_rules.COUPON, campaign_id__in=list(coupons))),
        coupons,
        found,
    )
    kinds: dict[str, CampaignStats] = {}
    campaigns: dict[str, set[int]] = defaultdict(set)
    for kind, campaign_id, cost, order in _campaign_rows(Q()):
        if kind not in kinds:
            kinds[kind] = CampaignStats(kind, 0, _kind_label(kind))
        kinds[kind].add(order, cost)
        campaigns[kind].add(campaign_id)
    for kind, stats in kinds.items():
        stats.campaigns = len(campaigns[kind])
    return PlatformCampaigns(
        coupons=_ranked(found.values()),
        tasks=_ranked(_task_stats(ShareTask.objects.filter(merchant=None).order_by("-pk"))),
        by_kind=[kinds[k] for k in campaign_rules.KINDS if k in kinds],
    )


def stats_out(stats: CampaignStats) -> dict[str, Any]:
    return {
        "kind": stats.kind,
        "campaign_id": stats.campaign_id,
        "title": stats.title,
        "orders": stats.orders,
        "buyers": stats.buyers,
        "gmv_fen": stats.gmv_fen,
        "cost_fen": stats.cost_fen,
        "cost_ratio_bp": stats.cost_ratio_bp,
        "by_degree": stats.by_degree,
    }


def summary_out(stats: CampaignStats) -> dict[str, Any]:
    out = stats_out(stats)
    del out["campaign_id"]
    return {**out, "campaigns": stats.campaigns}
