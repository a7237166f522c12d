"""Serving recommendations from the newest trained model, held in memory.

Each process loads the newest `ModelRun`'s index once and keeps it until a newer run appears; a
request costs one look at the newest run's id and a few indexed reads of the caller's own
history, then numpy over the catalogue (bench/recommend_serving.py measures it).

Freshness: the periodic job (`sharemall run-due-jobs`, or `sharemall train-recommendations`)
retrains when sales, after-sales, posts, bindings or products changed. A small mall (fewer than
`INLINE_TRAINING_MAX` sales lines in the last model) is also retrained by the request that finds
it stale, which takes milliseconds there: a new shop's first sales count at once. A large one
is served from its last model until the job catches up. The staleness look is made at most once
a second per process.

This module sits with the services (it may train); its reads are the caller's own rows.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import get_language

from sharemall.accounts.models import Member
from sharemall.catalog.selectors import on_sale_in_order
from sharemall.orders.models import OrderLine
from sharemall.recommendations import rules, services, training_data
from sharemall.recommendations.model import Index, Scored, Tags
from sharemall.recommendations.models import ModelRun, SharerTags
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing.models import ShareLink

INLINE_TRAINING_MAX = 20_000
FRESHNESS_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class Recommendation:
    product_id: int
    score: float
    reasons: list[str] = field(default_factory=list)  # in the active language


class _Loaded:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.run_id: int | None = None
        self.index: Index | None = None
        self.checked_at = 0.0


_loaded = _Loaded()


def forget() -> None:
    """Drop this process's loaded model (tests, and after a database is swapped)."""
    with _loaded.lock:
        _loaded.run_id, _loaded.index, _loaded.checked_at = None, None, 0.0


def _refresh_if_stale() -> None:
    newest = ModelRun.objects.order_by("-pk").values("pk", "watermark", "interactions").first()
    small = newest is None or newest["interactions"] < INLINE_TRAINING_MAX
    if small and (newest is None or newest["watermark"] != training_data.watermark()):
        services.model_train(timezone.now())


def current_index() -> Index | None:
    """The newest model, loaded; trained first when the mall is small and the model stale.
    Between looks (one a second) the loaded model is served without touching the database."""
    now = time.monotonic()
    with _loaded.lock:
        if _loaded.index is not None and now - _loaded.checked_at < FRESHNESS_CHECK_SECONDS:
            return _loaded.index
        _refresh_if_stale()
        _loaded.checked_at = now
        newest = ModelRun.objects.order_by("-pk").values_list("pk", flat=True).first()
        if newest is None:
            return None
        if newest != _loaded.run_id:
            raw = ModelRun.objects.filter(pk=newest).values_list("index", flat=True).first()
            if raw is None:  # pruned between the two reads: keep what is loaded
                return _loaded.index
            _loaded.index = Index.from_bytes(bytes(raw))
            _loaded.run_id = newest
        return _loaded.index


def _labels() -> dict[str, tuple[str, bool]]:
    """Each reason's text in the active language (translated once per language and process),
    and whether it takes the reason's argument."""
    language = get_language() or ""
    found = _label_cache.get(language)
    if found is None:
        found = {
            code: (str(label), "%(arg)s" in label.message)
            for code, label in rules.REASON_TEXTS.items()
        }
        _label_cache[language] = found
    return found


_label_cache: dict[str, dict[str, tuple[str, bool]]] = {}


def _texts(scored: Scored) -> list[str]:
    labels = _labels()
    out = []
    for code, argument in scored.reasons:
        text, takes_argument = labels.get(code, ("", False))
        if text:
            out.append(text % {"arg": argument} if takes_argument else text)
    return out


def _on_sale(found: list[Scored], limit: int) -> list[Recommendation]:
    """The model's picks that are still on sale now (a product may have left since training)."""
    live = set(on_sale_in_order((s.product_id for s in found), ids_only=True))
    return [
        Recommendation(s.product_id, s.score, _texts(s)) for s in found if s.product_id in live
    ][:limit]


def _tags(member: Member) -> Tags:
    row = SharerTags.objects.filter(member=member).first()
    if row is None:
        return Tags()
    return Tags(
        category_ids=frozenset(int(c) for c in row.category_ids),
        price_min_fen=row.price_min_fen,
        price_max_fen=row.price_max_fen,
        styles=tuple(row.styles),
    )


def _bounded(limit: int) -> int:
    return max(1, min(limit, rules.MAX_LIMIT))


def recommended_for_sharer(member: Member, *, limit: int = 20) -> list[Recommendation]:
    """为你推荐: on-sale products the member is likely to sell well, best first, with why."""
    limit = _bounded(limit)
    index = current_index()
    if index is None:
        return []
    found = index.for_sharer(member.pk, _tags(member), limit=limit + rules.SPARE)
    return _on_sale(found, limit)


def _history(member: Member) -> list[int]:
    """The products the member bought, newest first."""
    rows = (
        OrderLine.objects.filter(order__buyer=member, order__paid_at__isnull=False)
        .order_by("-order__paid_at", "-pk")
        .values_list("product_id", flat=True)[: rules.HISTORY_SEEDS * 2]
    )
    return list(dict.fromkeys(rows))


def _shared_by(member_id: int) -> list[int]:
    """The products a member shared, newest first."""
    rows = (
        ShareLink.objects.filter(sharer_id=member_id, target_type=sharing_rules.PRODUCT)
        .order_by("-pk")
        .values_list("target_id", flat=True)[: rules.HISTORY_SEEDS]
    )
    return list(dict.fromkeys(rows))


def recommended_for_buyer(member: Member | None, *, limit: int = 12) -> list[Recommendation]:
    """猜你喜欢: from what the member bought; a new member starts from what the sharer they
    are bound to shared; a visitor (or a member with neither) sees a varied popular list."""
    limit = _bounded(limit)
    index = current_index()
    if index is None:
        return []
    if member is None:
        return _on_sale(index.popular(limit=limit + rules.SPARE), limit)
    history = _history(member)
    if history:
        return _on_sale(index.for_buyer(history, limit=limit + rules.SPARE), limit)
    if member.parent_id is not None:
        seeds = _shared_by(member.parent_id)
        if seeds:
            picks = [
                Scored(pid, 1.0, (("from_referrer", ""),))
                for pid in seeds[: max(1, limit // 3)]
                if pid in index.pos
            ]
            rest = index.for_buyer(
                seeds,
                limit=limit + rules.SPARE,
                exclude=[s.product_id for s in picks],
                seed_reason="from_referrer",
            )
            return _on_sale(picks + rest, limit)
    return _on_sale(index.popular(limit=limit + rules.SPARE), limit)


def bought_together(product_id: int, *, limit: int = 6) -> list[int]:
    """On-sale products often bought with this one, best first."""
    limit = _bounded(limit)
    index = current_index()
    if index is None:
        return []
    found = [Scored(pid, 0.0) for pid in index.bought_together(product_id, limit=limit + 4)]
    return [r.product_id for r in _on_sale(found, limit)]
