"""Campaign figures as both consoles show them: each row's kind in words and its orders by
degree as a bar (analytics.campaigns counts them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.analytics import rules as analytics_rules
from sharemall.analytics.campaigns import TASK, CampaignStats
from sharemall.promotions.models import CampaignOrder
from sharemall.web.charts import StackedBar, stacked_bar

KIND_LABELS = {**dict(CampaignOrder.Kind.choices), TASK: gettext_lazy("share task")}


def degree_labels() -> list[str]:
    """The degree buckets in words, in analytics_rules.DEGREE_BUCKETS' order."""
    return [
        _("Degree 1"),
        _("Degree 2"),
        _("Degree 3 and beyond"),
        _("Direct (no share)"),
    ]


@dataclass(frozen=True)
class Row:
    stats: CampaignStats
    kind_label: str
    bar: StackedBar
    bar_text: str


def campaign_rows(stats: list[CampaignStats]) -> list[Row]:
    labels = degree_labels()
    rows = []
    for s in stats:
        counts = s.by_degree
        parts = [
            (label, counts[bucket])
            for label, bucket in zip(labels, analytics_rules.DEGREE_BUCKETS, strict=True)
        ]
        rows.append(
            Row(
                stats=s,
                kind_label=str(KIND_LABELS.get(s.kind, s.kind)),
                bar=stacked_bar(parts),
                bar_text="; ".join(f"{label}: {value}" for label, value in parts),
            )
        )
    return rows
