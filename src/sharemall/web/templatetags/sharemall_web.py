"""Template helpers for ShareMall pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from sharemall.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen: int | str | None) -> str:
    """An amount in fen as the shopper reads it: 1250 → "¥12.50"; nothing → ""."""
    if fen is None or fen == "":
        return ""
    return format_yuan(int(fen))


@register.filter
def distance(metres: int | None) -> str:
    """A distance as a shopper reads it: 850 → "850 m", 1234 → "1.2 km", 25000 → "25 km"."""
    if metres is None:
        return ""
    if metres < 1000:
        return _("%(n)d m") % {"n": metres}
    km = metres / 1000
    return _("%(n)s km") % {"n": f"{km:.1f}" if km < 10 else f"{km:.0f}"}
