"""Writes for freight templates: each is checked whole by the rules before anything is written."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from sharemall.core import versions
from sharemall.core.errors import Conflict
from sharemall.freight import rules
from sharemall.freight.models import FreightRule, FreightTemplate
from sharemall.merchants.models import Merchant


def _name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned or len(cleaned) > rules.NAME_MAX:
        raise rules.InvalidFreightRule(
            _("A template needs a name of at most %(n)d characters.") % {"n": rules.NAME_MAX}
        )
    return cleaned


def _write_rules(template: FreightTemplate, checked: rules.Template) -> None:
    FreightRule.objects.filter(template=template).delete()
    FreightRule.objects.bulk_create(
        FreightRule(
            template=template,
            region_codes=list(r.region_codes),
            first_units=r.first_units,
            first_fen=r.first_fen,
            extra_units=r.extra_units,
            extra_fen=r.extra_fen,
            position=i,
        )
        for i, r in enumerate(checked.rules)
    )


def _name_taken() -> Conflict:
    return Conflict(_("The merchant already has a template of that name."), code="name_taken")


def template_create(merchant: Merchant, *, name: str, template: rules.Template) -> FreightTemplate:
    cleaned_name = _name(name)
    checked = rules.check_template(template)
    try:
        with transaction.atomic():
            # Checkout caches templates per process under this version (core.versions).
            versions.bump(versions.FREIGHT)
            saved = FreightTemplate.objects.create(
                merchant=merchant,
                name=cleaned_name,
                by=checked.by,
                free_over_fen=checked.free_over_fen,
                no_delivery_region_codes=list(checked.no_delivery_region_codes),
            )
            _write_rules(saved, checked)
    except IntegrityError:
        raise _name_taken() from None
    return saved


def template_update(
    saved: FreightTemplate, *, name: str, template: rules.Template
) -> FreightTemplate:
    """Replace the template's name and rules as a whole; products naming it keep naming it."""
    cleaned_name = _name(name)
    checked = rules.check_template(template)
    saved.name = cleaned_name
    saved.by = checked.by
    saved.free_over_fen = checked.free_over_fen
    saved.no_delivery_region_codes = list(checked.no_delivery_region_codes)
    try:
        with transaction.atomic():
            versions.bump(versions.FREIGHT)
            saved.save()
            _write_rules(saved, checked)
    except IntegrityError:
        raise _name_taken() from None
    return saved


def template_delete(saved: FreightTemplate) -> None:
    """A template products still name stays: their shipping would otherwise be unknown."""
    try:
        with transaction.atomic():
            versions.bump(versions.FREIGHT)
            saved.delete()
    except ProtectedError:
        raise Conflict(
            _("Products still use this template; give them another one first."),
            code="template_in_use",
        ) from None
