"""Writes: the sharer's own tags, and training (which replaces the served model, the SKU
quality verdicts and the catalogue's demoted flags in one transaction)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.catalog import services as catalog
from sharemall.catalog.models import Category
from sharemall.core.errors import DomainError
from sharemall.core.locks import serialize
from sharemall.recommendations import model, quality, rules, training_data
from sharemall.recommendations.models import ModelRun, SharerTags, SkuQuality
from sharemall.recommendations.quality import SkuFacts, Verdict
from sharemall.recommendations.quality_facts import quality_record

KEEP_RUNS = 2
_TRAINING_LOCK = 0x5348_5243  # the advisory lock key that serializes training ("SHRC")


class InvalidTags(DomainError):
    code = "invalid_tags"


def sharer_tags_set(
    member: Member,
    *,
    category_ids: Sequence[int],
    price_min_fen: int | None,
    price_max_fen: int | None,
    styles: Sequence[str],
) -> SharerTags:
    categories = list(dict.fromkeys(category_ids))
    if len(categories) > rules.MAX_TAG_CATEGORIES:
        raise InvalidTags(_("Choose at most %(n)d categories.") % {"n": rules.MAX_TAG_CATEGORIES})
    if Category.objects.filter(pk__in=categories).count() != len(categories):
        raise InvalidTags(_("A category does not exist."))
    for bound in (price_min_fen, price_max_fen):
        if bound is not None and bound < 0:
            raise InvalidTags(_("Prices cannot be negative."))
    if price_min_fen is not None and price_max_fen is not None and price_min_fen > price_max_fen:
        raise InvalidTags(_("The lowest price is above the highest."))
    words = [w.strip() for w in styles if w.strip()]
    words = list(dict.fromkeys(words))
    if len(words) > rules.MAX_TAG_STYLES or any(len(w) > rules.STYLE_MAX_CHARS for w in words):
        raise InvalidTags(
            _("At most %(n)d style words of up to %(chars)d characters each.")
            % {"n": rules.MAX_TAG_STYLES, "chars": rules.STYLE_MAX_CHARS}
        )
    with transaction.atomic():
        tags, _created = SharerTags.objects.update_or_create(
            member=member,
            defaults={
                "category_ids": categories,
                "price_min_fen": price_min_fen,
                "price_max_fen": price_max_fen,
                "styles": words,
                "updated_at": timezone.now(),
            },
        )
    return tags


def model_train(now: datetime, *, force: bool = False) -> ModelRun | None:
    """Train on everything up to `now` when anything changed since the last run (or `force`),
    and put the result in service: the new index, every SKU's quality verdict and the
    catalogue's demoted flags, in one transaction. None when nothing had changed."""
    mark = training_data.watermark()
    if not force and _newest_watermark() == mark:
        return None
    started = time.perf_counter()
    data = training_data.training_data(now)
    index = model.build(data)
    verdicts = [(facts, quality.judge(facts)) for facts in data.skus]
    with transaction.atomic():
        # Two processes that noticed the same change train once: the second waits here, then
        # finds the first one's run (the quality rows could not be replaced twice at once).
        serialize(_TRAINING_LOCK)
        if not force and _newest_watermark() == mark:
            return None
        run = ModelRun.objects.create(
            trained_at=now,
            watermark=mark,
            members=len({p.member_id for p in data.purchases}),
            products=len(data.products),
            interactions=len(data.purchases),
            seconds=time.perf_counter() - started,
            index=index.to_bytes(),
        )
        _store_quality(verdicts, now)
        catalog.products_demote(sorted(index.demoted))
        # Two runs back is enough to serve while a newer one loads.
        stale = ModelRun.objects.filter(pk__lt=run.pk).order_by("-pk").values_list("pk", flat=True)
        ModelRun.objects.filter(pk__in=list(stale[KEEP_RUNS - 1 :])).delete()
    return run


def _newest_watermark() -> str | None:
    return ModelRun.objects.order_by("-pk").values_list("watermark", flat=True).first()


def _store_quality(verdicts: Sequence[tuple[SkuFacts, Verdict]], now: datetime) -> None:
    """Replace every SKU's verdict: a SKU no longer sold loses its row."""
    rows = [quality_record(facts, verdict, now) for facts, verdict in verdicts]
    SkuQuality.objects.all().delete()
    SkuQuality.objects.bulk_create(rows, batch_size=1000)


def models_train_due(now: datetime) -> int:
    """The periodic job: train when the mall changed since the last run."""
    return 1 if model_train(now) is not None else 0
