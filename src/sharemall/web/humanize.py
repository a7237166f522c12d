"""Numbers as people read them on every page: rates in percent, spans of time in hours or days.

The template filters in templatetags/sharemall_web.py call these, and views that build text
(a settings history, a compliance report) use them too, so a rate or a span reads the same
everywhere.
"""

from __future__ import annotations

from django.utils.translation import ngettext

from sharemall.core.money import format_bp

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
# Below two days a span reads in hours ("36 小时" says more than "1 天"); from there on in days.
HOURS_UNTIL = 2 * DAY


def _nearest(amount: float) -> int:
    """Half up, as people round (Python's round() goes to even: 2.5 h would read "2 小时")."""
    return int(amount + 0.5)


def percent(bp: int | str | None) -> str:
    """Basis points as a percentage: 1250 → "12.5 %"; nothing → ""."""
    if bp is None or bp == "":
        return ""
    return format_bp(int(bp))


def duration(seconds: float | int | str | None) -> str:
    """A span of time in the unit people use for it: 45 s → "45 秒", 5400 → "2 小时",
    259200 → "3 天" (rounded to the nearest unit); nothing → ""."""
    if seconds is None or seconds == "":
        return ""
    span = max(float(seconds), 0.0)
    if span < MINUTE:
        n = _nearest(span)
        return ngettext("%(n)d second", "%(n)d seconds", n) % {"n": n}
    if span < HOUR:
        n = _nearest(span / MINUTE)
        return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}
    if span < HOURS_UNTIL:
        n = _nearest(span / HOUR)
        return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
    n = _nearest(span / DAY)
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def hours(value: float | int | str | None) -> str:
    """A span given in hours (a half-life, a window), read like `duration`."""
    if value is None or value == "":
        return ""
    return duration(float(value) * HOUR)


def days(value: int | str | None) -> str:
    """A number of days (a binding term, an attribution window): 1 → "1 天", 90 → "90 天"."""
    if value is None or value == "":
        return ""
    n = int(value)
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def ratio(value: float | int | str | None) -> str:
    """A share of a whole (0.125) as a percentage ("12.5 %"), to a tenth of a percent."""
    if value is None or value == "":
        return ""
    tenths = round(float(value) * 1000)  # tie-breaking matters little a tenth of a percent
    whole, part = divmod(abs(tenths), 10)
    sign = "-" if tenths < 0 else ""
    return f"{sign}{whole}{'.' + str(part) if part else ''} %"
