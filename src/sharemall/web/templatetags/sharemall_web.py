"""Template helpers for ShareMall pages."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.money import format_yuan
from sharemall.web import humanize
from sharemall.web.mute import mute_notice

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


@register.filter
def bp_percent(bp: int | str | None) -> str:
    """Basis points as a percentage: {{ merchant.platform_fee_bp|bp_percent }} → "12.5 %".
    (Named apart from the consoles' `percent`, which reads a ratio: 0.125 → "12.5%".)"""
    return humanize.percent(bp)


@register.filter
def duration(seconds: float | int | str | None) -> str:
    """Seconds as people say them: 10800 → "3 小时", 172800 → "2 天"."""
    return humanize.duration(seconds)


@register.filter
def hours(value: float | int | str | None) -> str:
    """Hours as people say them: {{ 36|hours }} → "36 小时", {{ 72|hours }} → "3 天"."""
    return humanize.hours(value)


@register.filter
def days(value: int | str | None) -> str:
    """Days: {{ 90|days }} → "90 天"."""
    return humanize.days(value)


@register.filter
def ratio(value: float | int | str | None) -> str:
    """A share of a whole as a percentage: {{ 0.125|ratio }} → "12.5 %"."""
    return humanize.ratio(value)


@register.filter
def yuan_plain(fen: int | str | None) -> str:
    """Fen as a bare yuan figure for a big coupon number: 1000 → "10", 1250 → "12.5"."""
    if fen is None or fen == "":
        return ""
    whole, cents = divmod(int(fen), 100)
    return f"{whole}" if not cents else f"{whole}.{cents:02d}".rstrip("0")


@register.filter
def discount_zhe(percent_bp: int | str | None) -> str:
    """A percent-off as Chinese shoppers read it: 1000 bp off → "9折" (10 % off), 1500 → "8.5折"."""
    if percent_bp is None or percent_bp == "":
        return ""
    off = int(percent_bp)
    if (get_language() or "").startswith("zh"):
        return f"{(10_000 - off) / 1000:g}折"  # 折 counts tenths of the price still paid
    return _("%(pct)s%% off") % {"pct": f"{off / 100:g}"}


@register.inclusion_tag("web/mute_notice.html", takes_context=True)
def show_mute_notice(context: template.Context) -> dict[str, object]:
    """ "你已被禁言至 …" above a form where members speak, for the signed-in member if muted."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"mute_notice": mute_notice(user if isinstance(user, Member) else None)}
