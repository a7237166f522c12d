"""Reads for freight templates, scoped to the merchant that owns them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sharemall.core import versions
from sharemall.core.errors import NotFound
from sharemall.freight import rules
from sharemall.freight.models import FreightTemplate
from sharemall.merchants.models import Merchant


def templates_of(merchant: Merchant) -> QuerySet[FreightTemplate]:
    return FreightTemplate.objects.filter(merchant=merchant).prefetch_related("rules")


def template_of(merchant: Merchant, template_id: int) -> FreightTemplate:
    """The merchant's template, else 404: another merchant's template is as good as missing."""
    template = templates_of(merchant).filter(pk=template_id).first()
    if template is None:
        raise NotFound(_("No such freight template."))
    return template


def template_rules(template: FreightTemplate) -> rules.Template:
    """The stored template as the pure rules compute with it."""
    return rules.Template(
        by=template.by,
        rules=tuple(
            rules.Rule(
                tuple(r.region_codes), r.first_units, r.first_fen, r.extra_units, r.extra_fen
            )
            for r in template.rules.all()
        ),
        free_over_fen=template.free_over_fen,
        no_delivery_region_codes=tuple(template.no_delivery_region_codes),
    )


def merchant_template(merchant_id: int, template_id: int) -> FreightTemplate | None:
    """The template if the merchant owns it; the catalogue refuses any other for a product."""
    return FreightTemplate.objects.filter(pk=template_id, merchant_id=merchant_id).first()


def _load_rules(template_ids: list[int]) -> dict[int, rules.Template | None]:
    found = FreightTemplate.objects.filter(pk__in=template_ids).prefetch_related("rules")
    loaded: dict[int, rules.Template | None] = dict.fromkeys(template_ids)
    loaded.update((t.pk, template_rules(t)) for t in found)
    return loaded


# Per template id (None: no such template), under the `freight` version that every write of
# a template or its rules bumps.
_rules: versions.VersionedCache[int, rules.Template | None] = versions.VersionedCache(
    versions.FREIGHT, _load_rules
)


def rules_by_id(template_ids: Iterable[int]) -> dict[int, rules.Template]:
    """The named templates as the rules compute with them (for an order's lines): from the
    process cache in a request while the `freight` version holds, else in two queries."""
    return {
        pk: template
        for pk, template in _rules.get_many(sorted(set(template_ids))).items()
        if template is not None
    }
