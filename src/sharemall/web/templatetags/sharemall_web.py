"""Template helpers for ShareMall pages."""

from __future__ import annotations

from django import template

from sharemall.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen: int | str | None) -> str:
    """An amount in fen as the shopper reads it: 1250 → "¥12.50"; nothing → ""."""
    if fen is None or fen == "":
        return ""
    return format_yuan(int(fen))
