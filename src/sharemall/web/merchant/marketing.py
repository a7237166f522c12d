"""The merchant's marketing tools: coupons, spend tiers (满减) and the stacking rules.

Forms only shape input; every rule is checked by promotions through the services the JSON API
calls, and a refusal is shown on the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sharemall.core.money import format_yuan
from sharemall.promotions.models import SpendTierSet
from sharemall.promotions.rules.pricing import SpendTier, Stacking
from sharemall.promotions.selectors import coupons as selectors
from sharemall.promotions.services import coupons as services
from sharemall.web.actions import run_action
from sharemall.web.forms import PageForm, YuanField
from sharemall.web.merchant.console import Console, _back, _render, console_page, owner_page
from sharemall.web.promotion_forms import (
    COUPON_ERROR_FIELDS,
    CouponForm,
    WindowForm,
    coupon_table,
    window_initial,
)
from sharemall.web.tables import DATETIME, Column, TableSpec

COUPONS = coupon_table(
    export_name="coupons",
    empty=gettext_lazy("No coupons yet."),
    row_actions="web/merchant/coupons.html#stop",
)


@console_page
@owner_page
def merchant_coupons(request: HttpRequest, console: Console) -> HttpResponse:
    table = COUPONS.bind(request, selectors.coupons_of_issuer(console.merchant.pk))
    if table.wants_csv:
        return table.csv_response()
    return _render(request, console, "web/merchant/coupons.html", {"table": table})


@console_page
@owner_page
def merchant_coupon_new(request: HttpRequest, console: Console) -> HttpResponse:
    form = CouponForm(request.POST or None, initial=window_initial())
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            lambda: services.coupon_create(
                merchant=console.merchant,
                actor=console.member,
                title=form.cleaned_data["title"],
                definition=form.definition(merchant_id=console.merchant.pk),
                channel=form.cleaned_data["channel"],
            ),
            _("The coupon was created."),
            form=form,
            error_fields=COUPON_ERROR_FIELDS,
        )
        if done:
            return _back("merchant_coupons")
    return _render(request, console, "web/merchant/coupon_form.html", {"form": form})


@require_POST
@console_page
@owner_page
def merchant_coupon_stop(request: HttpRequest, console: Console, coupon_id: int) -> HttpResponse:
    coupon = selectors.coupon_of_issuer(console.merchant.pk, coupon_id)
    run_action(
        request,
        lambda: services.coupon_stop(coupon),
        _("The coupon was stopped: no more claims; coupons held stay usable until they end."),
    )
    return _back("merchant_coupons")


# --- spend tiers and stacking ------------------------------------------------------------------

TIER_ROWS = 3


class TiersForm(WindowForm):
    pass


class TierRowForm(PageForm):
    threshold = YuanField(label=gettext_lazy("Spend at least (¥)"), required=False)
    off = YuanField(label=gettext_lazy("Take off (¥)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("threshold") is None) != (data.get("off") is None):
            raise forms.ValidationError(_("Fill in both amounts of the tier."))
        return data


TierRows = forms.formset_factory(TierRowForm, extra=TIER_ROWS, max_num=TIER_ROWS)


class StackingForm(PageForm):
    coupon_with_tier = forms.BooleanField(
        label=gettext_lazy("A coupon still counts after 满减"), required=False
    )
    promotion_gets_share_discount = forms.BooleanField(
        label=gettext_lazy("Flash, group and bargain prices still get the share discount"),
        required=False,
    )
    promotion_earns_commission = forms.BooleanField(
        label=gettext_lazy("Flash, group and bargain prices still earn commission"),
        required=False,
    )


def _tiers_text(tier_set: SpendTierSet) -> str:
    return "、".join(
        _("%(off)s off over %(over)s")
        % {"off": format_yuan(int(t["off_fen"])), "over": format_yuan(int(t["threshold_fen"]))}
        for t in tier_set.tiers
    )


TIER_SETS = TableSpec(
    columns=(
        Column("tiers", gettext_lazy("满减"), value=_tiers_text),
        Column("valid_from", gettext_lazy("Starts"), kind=DATETIME, sortable=True),
        Column("valid_to", gettext_lazy("Ends"), kind=DATETIME, sortable=True),
        Column(
            "stopped_at",
            gettext_lazy("Status"),
            value=lambda t: _("Stopped") if t.stopped_at else "",
        ),
    ),
    default_sort="-valid_to",
    export_name="spend-tiers",
    empty=gettext_lazy("No 满减 yet."),
    row_actions="web/merchant/promotions.html#stop",
)


@console_page
@owner_page
def merchant_promotions(request: HttpRequest, console: Console) -> HttpResponse:
    """满减 and the stacking rules, on one page: they are read together."""
    merchant = console.merchant
    posted = request.POST.get("form") if request.method == "POST" else None
    tiers_form = TiersForm(request.POST if posted == "tiers" else None, initial=window_initial(30))
    rows = TierRows(request.POST if posted == "tiers" else None, prefix="tier")
    stacking = selectors.settings_of(merchant.pk)
    stacking_form = StackingForm(
        request.POST if posted == "stacking" else None, initial=stacking.__dict__
    )
    if posted == "tiers" and tiers_form.is_valid() and rows.is_valid():
        tiers = [
            SpendTier(r.cleaned_data["threshold"], r.cleaned_data["off"])
            for r in rows
            if r.cleaned_data.get("threshold") is not None
        ]
        if run_action(
            request,
            lambda: services.tiers_create(
                merchant,
                actor=console.member,
                tiers=tiers,
                valid_from=tiers_form.cleaned_data["valid_from"],
                valid_to=tiers_form.cleaned_data["valid_to"],
            ),
            _("The 满减 was saved."),
            form=tiers_form,
        ):
            return _back("merchant_promotions")
    if posted == "stacking" and stacking_form.is_valid():
        services.settings_save(merchant, Stacking(**stacking_form.cleaned_data))
        run_action(request, lambda: None, _("The stacking rules were saved."))
        return _back("merchant_promotions")
    table = TIER_SETS.bind(request, selectors.tier_sets_of(merchant.pk))
    return _render(
        request,
        console,
        "web/merchant/promotions.html",
        {
            "table": table,
            "tiers_form": tiers_form,
            "rows": rows,
            "stacking_form": stacking_form,
        },
    )


@require_POST
@console_page
@owner_page
def merchant_tiers_stop(request: HttpRequest, console: Console, tier_set_id: int) -> HttpResponse:
    tier_set = selectors.tier_set_of(console.merchant.pk, tier_set_id)
    run_action(request, lambda: services.tiers_stop(tier_set), _("The 满减 was stopped."))
    return _back("merchant_promotions")
