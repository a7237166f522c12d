"""The coupon form the merchant console and the platform back office share: it only shapes the
input (yuan into fen, percent into bp, ids into a set); every rule is checked by
promotions.rules through the same services the JSON API calls."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.core.money import format_yuan
from sharemall.promotions.models import Coupon
from sharemall.promotions.rules import coupons as rules
from sharemall.web.forms import PageForm, PercentField, YuanField
from sharemall.web.tables import DATETIME, STATUS, Column, Label, TableSpec

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def window_initial(days: int = 7) -> dict[str, Any]:
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {"valid_from": now, "valid_to": now + timedelta(days=days)}


class WindowForm(PageForm):
    valid_from = forms.DateTimeField(label=gettext_lazy("Starts"), widget=DATETIME_INPUT)
    valid_to = forms.DateTimeField(label=gettext_lazy("Ends"), widget=DATETIME_INPUT)


class CouponForm(WindowForm):
    title = forms.CharField(label=gettext_lazy("Name (optional)"), max_length=60, required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=Coupon.Kind.choices,
        widget=forms.RadioSelect,
        initial=rules.AMOUNT,
    )
    amount = YuanField(label=gettext_lazy("Amount off (¥)"), required=False)
    percent = PercentField(label=gettext_lazy("Percent off (%)"), required=False)
    threshold = YuanField(label=gettext_lazy("Spend at least (¥, 0: no threshold)"), required=False)
    cap = YuanField(label=gettext_lazy("At most (¥, percent coupons, optional)"), required=False)
    scope = forms.ChoiceField(label=gettext_lazy("Applies to"), choices=())
    scope_ids = forms.CharField(
        label=gettext_lazy("Category or product ids (for those scopes)"),
        required=False,
        max_length=2000,
    )
    total = forms.IntegerField(label=gettext_lazy("How many in all"), min_value=1, initial=100)
    per_member = forms.IntegerField(
        label=gettext_lazy("How many each member may hold"), min_value=1, initial=1
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Members get it"),
        choices=Coupon.Channel.choices,
        initial=rules.CLAIM,
    )

    def __init__(self, *args: Any, platform: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scopes = Coupon.Scope.choices
        scope = self.fields["scope"]
        assert isinstance(scope, forms.ChoiceField)
        scope.choices = scopes if platform else [c for c in scopes if c[0] != rules.SCOPE_PLATFORM]
        self.fields["scope"].initial = rules.SCOPE_PLATFORM if platform else rules.SCOPE_MERCHANT

    def definition(self, *, merchant_id: int | None) -> rules.Definition:
        data = self.cleaned_data
        ids = frozenset(int(i) for i in re.findall(r"\d{1,18}", data.get("scope_ids") or ""))
        if data["scope"] == rules.SCOPE_MERCHANT and merchant_id is not None:
            ids = frozenset({merchant_id})
        percent = data["kind"] == rules.PERCENT
        return rules.Definition(
            coupon=rules.Coupon(
                key="new",
                kind=data["kind"],
                threshold_fen=data.get("threshold") or 0,
                amount_fen=0 if percent else data.get("amount") or 0,
                percent_bp=data.get("percent") or 0 if percent else 0,
                cap_fen=data.get("cap") if percent else None,
                scope=data["scope"],
                scope_ids=ids,
                funded_by=rules.FUNDED_BY_PLATFORM
                if merchant_id is None
                else rules.FUNDED_BY_MERCHANT,
                merchant_id=merchant_id,
            ),
            total=data["total"],
            per_member=data["per_member"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
        )


# Which field a coupon refusal belongs to, by its code.
COUPON_ERROR_FIELDS = {
    "missing_scope": "scope_ids",
    "invalid_scope": "scope",
    "invalid_per_member": "per_member",
    "invalid_window": "valid_to",
}


def coupon_summary(c: Coupon) -> str:
    """满50减10 / 9折 最多减20 / 无门槛减5, in the reader's language."""
    if c.kind == rules.AMOUNT:
        if c.threshold_fen:
            return _("%(off)s off over %(over)s") % {
                "off": format_yuan(c.amount_fen),
                "over": format_yuan(c.threshold_fen),
            }
        return _("%(off)s off, no threshold") % {"off": format_yuan(c.amount_fen)}
    text = _("%(pct)s%% off") % {"pct": f"{c.percent_bp / 100:g}"}
    if c.threshold_fen:
        text += " · " + _("over %(over)s") % {"over": format_yuan(c.threshold_fen)}
    if c.cap_fen:
        text += " · " + _("at most %(cap)s") % {"cap": format_yuan(c.cap_fen)}
    return text


def coupon_state(c: Coupon) -> str:
    now = timezone.now()
    if c.stopped_at is not None:
        return "stopped"
    if c.valid_to <= now:
        return "ended"
    if c.claimed >= c.total:
        return "claimed_out"
    return "upcoming" if c.valid_from > now else "running"


COUPON_STATES = {
    "running": gettext_lazy("Running"),
    "upcoming": gettext_lazy("Not started"),
    "claimed_out": gettext_lazy("All claimed"),
    "ended": gettext_lazy("Ended"),
    "stopped": gettext_lazy("Stopped"),
}


def coupon_table(*, export_name: str, empty: Label, row_actions: str) -> TableSpec:
    """A coupon list as the console and the back office show it (their own rows, stop button)."""
    return TableSpec(
        columns=(
            Column("title", gettext_lazy("Coupon")),
            Column("summary", gettext_lazy("Offer"), value=coupon_summary),
            Column(
                "scope",
                gettext_lazy("Applies to"),
                formatter=lambda v: str(dict(Coupon.Scope.choices).get(v, v)),
            ),
            Column("claimed", gettext_lazy("Claimed"), value=lambda c: f"{c.claimed} / {c.total}"),
            Column("valid_from", gettext_lazy("Starts"), kind=DATETIME, sortable=True),
            Column("valid_to", gettext_lazy("Ends"), kind=DATETIME, sortable=True),
            Column(
                "coupon_state",
                gettext_lazy("Status"),
                kind=STATUS,
                value=coupon_state,
                formatter=lambda v: str(COUPON_STATES.get(v, v)),
            ),
        ),
        default_sort="-valid_to",
        search=("title",),
        search_label=gettext_lazy("Coupon name"),
        export_name=export_name,
        empty=empty,
        row_actions=row_actions,
    )
