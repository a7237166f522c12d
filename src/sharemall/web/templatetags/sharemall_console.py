"""Template helpers of the consoles (merchant console and back office): menu items with icons,
percentages and changes for people."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from sharemall.core.money import format_yuan
from sharemall.web import humanize

register = template.Library()

# Outline icons on a 24-unit grid, drawn with the text colour (stroke="currentColor"): inline SVG
# markup is content, not style, so the CSP has nothing to allow.
ICONS = {
    "dashboard": "M3 13h8V3H3zM13 21h8V11h-8zM3 21h8v-6H3zM13 3v6h8V3z",
    "orders": "M6 2h12l2 4v14a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V6zM4 6h16M9 11h6M9 15h6",
    "products": "M21 8 12 3 3 8v8l9 5 9-5zM3 8l9 5 9-5M12 13v8",
    "pickups": "M3 7h18v4H3zM5 11v9h14v-9M9 15h6M12 3v4",
    "aftersales": "M3 12a9 9 0 1 0 3-6.7M3 4v5h5M12 8v4l3 2",
    "plan": "M19 5 5 19M7 9a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM17 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4z",
    "stores": "M3 9l2-5h14l2 5M3 9h18v2a3 3 0 0 1-6 0 3 3 0 0 1-6 0 3 3 0 0 1-6 0zM5 13v8h14v-8",
    "staff": "M16 21v-2a4 4 0 0 0-8 0v2M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM22 21v-2a4 4 0 0 0-3-3.9"
    "M2 21v-2a4 4 0 0 1 3-3.9",
    "import": "M12 3v12M7 10l5 5 5-5M4 17v3h16v-3",
    "freight": "M1 5h13v11H1zM14 9h4l4 4v3h-8M6 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4z"
    "M18 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4z",
    "propagation": "M18 8a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM6 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z"
    "M18 22a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM8.6 13.5l6.8 4M15.4 6.5l-6.8 4",
    "chart": "M3 3v18h18M7 15l4-4 3 3 5-6",
    "merchants": "M4 21V8l8-5 8 5v13M9 21v-6h6v6M4 21h16",
    "wallet": "M3 7h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H3zM3 7V5a2 2 0 0 1 2-2h11v4M16 14h2",
    "disputes": "M12 3v18M5 21h14M6 7h12M6 7l-3 7a3 3 0 0 0 6 0zM18 7l-3 7a3 3 0 0 0 6 0z",
    "shield": "M12 2 4 5v6c0 5 3.5 9.5 8 11 4.5-1.5 8-6 8-11V5zM9 12l2 2 4-4",
    "posts": "M4 4h16v12H8l-4 4zM8 9h8M8 12h5",
    "settings": "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM4 12h2M18 12h2M12 4v2M12 18v2"
    "M6.3 6.3l1.4 1.4M16.3 16.3l1.4 1.4M6.3 17.7l1.4-1.4M16.3 7.7l1.4-1.4",
    "agents": "M12 21s-7-6.2-7-12a7 7 0 0 1 14 0c0 5.8-7 12-7 12z"
    "M12 11a2 2 0 1 0 0-4 2 2 0 0 0 0 4z",
    "banners": "M3 5h18v14H3zM3 15l5-5 4 4 3-3 6 6",
    "words": "M4 6h16M4 12h10M4 18h7M17 15l4 4M21 15l-4 4",
    "wechat": "M9 4C5 4 2 6.7 2 10c0 1.9 1 3.6 2.6 4.7L4 17l2.8-1.4c.7.2 1.4.3 2.2.3"
    "M15 9c3.9 0 7 2.5 7 5.5 0 1.6-.9 3-2.3 4l.5 2-2.4-1.2c-.9.3-1.8.4-2.8.4"
    "-3.9 0-7-2.5-7-5.5S11.1 9 15 9z",
    "flag": "M5 21V4h11l-1 4 4 4H5",
    "home": "M3 11l9-8 9 8M5 9v12h14V9",
    "coupon": "M3 7h18v4a2 2 0 0 0 0 4v4H3v-4a2 2 0 0 0 0-4zM14 7v2M14 12v1M14 16v3",
    "tag": "M3 3h8l10 10-8 8L3 11zM7.5 7.5h.01",
    "bolt": "M13 2 4 14h7l-1 8 9-12h-7z",
    "shop": "M3 9l2-5h14l2 5M3 9h18v12H3zM9 21v-6h6v6",
    "logout": "M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9",
    "menu": "M3 6h18M3 12h18M3 18h18",
    "users": "M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z",
}


@register.simple_tag
def console_icon(name: str) -> SafeString:
    path = ICONS.get(name, ICONS["dashboard"])
    return format_html(
        '<svg class="cs-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" '
        'focusable="false"><path d="{}" fill="none" stroke="currentColor" stroke-width="1.8" '
        'stroke-linecap="round" stroke-linejoin="round"/></svg>',
        path,
    )


@register.simple_tag(takes_context=True)
def console_nav_item(
    context: template.Context,
    target: str,
    icon: str,
    label: str,
    key: str,
    *,
    count: int | None = None,
) -> SafeString:
    """A sidebar link. `target` is a URL name ("web:merchant_orders") or a path; the item is
    marked current when the page's `section` is `key`; `count` shows a to-do badge when > 0."""
    try:
        href = reverse(target) if ":" in target else target
    except NoReverseMatch:
        href = target
    current = context.get("section") == key
    badge = format_html('<span class="cs-nav-count">{}</span>', count) if count else mark_safe("")
    return format_html(
        '<a class="cs-nav-item{}" href="{}"{}>{}<span class="cs-nav-label">{}</span>{}</a>',
        " is-current" if current else "",
        href,
        mark_safe(' aria-current="page"') if current else "",
        console_icon(icon),
        label,
        badge,
    )


@register.filter
def percent(value: Any) -> str:
    """A ratio (0.125) as people read it, the way every page writes one ("12.5 %"); none → "—"."""
    return "—" if value is None or value == "" else humanize.ratio(value)


@register.filter
def delta_class(value: Any) -> str:
    """The CSS modifier of a period-on-period change: up, down or flat."""
    if value is None:
        return "is-flat"
    return "is-up" if value > 0 else "is-down" if value < 0 else "is-flat"


@register.filter
def signed_percent(value: Any) -> str:
    """A change (0.25, -0.1) with its sign: "+25%", "-10%"; no previous figure → "—"."""
    if value is None:
        return "—"
    text = percent(abs(value))
    return f"+{text}" if value > 0 else f"-{text}" if value < 0 else text


def _rate(unit: str, value: int) -> str:
    return format_yuan(int(value)) if unit == "fen" else humanize.percent(int(value))


@register.filter
def bp_percent(value: Any) -> str:
    """Basis points as a percentage: 1050 → "10.5 %"."""
    return "—" if value is None or value == "" else humanize.percent(value)


@register.filter
def plan_summary(snapshot: Any) -> str:
    """A commission plan's snapshot ({unit, share_budget, …}) in one line people read: rates in
    %, fixed amounts in ¥ per unit."""
    if not snapshot:
        return "—"
    unit = snapshot.get("unit", "bp")
    levels = " / ".join(_rate(unit, v) for v in snapshot.get("levels", ()) if v) or "—"
    text = _(
        "budget %(budget)s · buyer discount %(discount)s · commissions %(levels)s · "
        "region agent %(agent)s"
    ) % {
        "budget": _rate(unit, snapshot.get("share_budget", 0)),
        "discount": _rate(unit, snapshot.get("buyer_discount", 0)),
        "levels": levels,
        "agent": _rate(unit, snapshot.get("region_agent", 0)),
    }
    return f"{text} ({_('per unit')})" if unit == "fen" else text
