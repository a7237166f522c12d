"""The merchant's freight templates: a list, and one form to create or edit a template.

The form only shapes input (codes split into lists, yuan into fen); every rule is checked by
`freight.rules` through the same services the JSON API calls, and a refusal is shown on the form.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sharemall.core.money import format_yuan
from sharemall.freight import rules as freight_rules
from sharemall.freight import selectors as freight_selectors
from sharemall.freight import services as freight
from sharemall.freight.models import FreightTemplate
from sharemall.merchants import rules as merchant_rules
from sharemall.web.actions import run_action
from sharemall.web.forms import PageForm, YuanField
from sharemall.web.merchant.console import Console, _back, _render, console_page, owner_page
from sharemall.web.tables import DATETIME, MONEY, NUMBER, Column, TableSpec, labelled

# Blank rows the form offers beyond the template's own rules.
SPARE_RULES = 3


def _region_names(codes: list[str]) -> str:
    names = []
    for code in codes:
        try:
            names.append(merchant_rules.region(code).full_name)
        except merchant_rules.InvalidRegion:
            names.append(code)
    return "、".join(names)


def _rules_text(template: FreightTemplate) -> str:
    unit = _("pieces") if template.by == freight_rules.BY_PIECE else _("g")
    parts = []
    for rule in template.rules.all():
        where = _region_names(rule.region_codes) if rule.region_codes else _("Elsewhere")
        text = _(
            "%(where)s: first %(first)s%(unit)s %(first_fen)s, +%(extra)s%(unit)s %(extra_fen)s"
        )
        parts.append(
            text
            % {
                "where": where,
                "first": rule.first_units,
                "unit": unit,
                "first_fen": format_yuan(rule.first_fen),
                "extra": rule.extra_units,
                "extra_fen": format_yuan(rule.extra_fen),
            }
        )
    return "; ".join(parts)


TEMPLATES = TableSpec(
    columns=(
        Column(
            "name",
            gettext_lazy("Name"),
            sortable=True,
            link=lambda t: reverse("web:merchant_freight_edit", args=[t.pk]),
        ),
        Column("by", gettext_lazy("Charged"), formatter=labelled(FreightTemplate.By.choices)),
        Column("rules_text", gettext_lazy("Rules"), value=_rules_text),
        Column(
            "no_delivery",
            gettext_lazy("Not delivered to"),
            value=lambda t: _region_names(t.no_delivery_region_codes),
        ),
        Column("free_over_fen", gettext_lazy("Free shipping from"), kind=MONEY),
        Column("product_count", gettext_lazy("Products"), sortable=True, kind=NUMBER),
        Column("updated_at", gettext_lazy("Updated"), sortable=True, kind=DATETIME),
    ),
    default_sort="-updated_at",
    search=("name",),
    search_label=gettext_lazy("Template name"),
    export_name="freight-templates",
    empty=gettext_lazy("No freight templates yet: products without one ship free."),
)


def _listed(console: Console) -> QuerySet[FreightTemplate]:
    return freight_selectors.templates_of(console.merchant).annotate(
        product_count=Count("products")
    )


# --- the form ----------------------------------------------------------------------------------


class CodesField(forms.CharField):
    """Region codes separated by commas or spaces, as a list (each is checked by the rules)."""

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        return [code for code in re.split(r"[\s,，、;；]+", text) if code]


class TemplateForm(PageForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=freight_rules.NAME_MAX)
    by = forms.ChoiceField(
        label=gettext_lazy("Charge"),
        choices=FreightTemplate.By.choices,
        widget=forms.RadioSelect,
        initial=freight_rules.BY_PIECE,
    )
    free_over = YuanField(label=gettext_lazy("Free shipping from (¥, optional)"), required=False)
    no_delivery = CodesField(
        label=gettext_lazy("Regions not delivered to (codes, optional)"),
        required=False,
        max_length=4000,
    )


class RuleForm(PageForm):
    region_codes = CodesField(
        label=gettext_lazy("Regions (codes; empty: everywhere else)"),
        required=False,
        max_length=4000,
    )
    first_units = forms.IntegerField(label=gettext_lazy("First units"), required=False)
    first = YuanField(label=gettext_lazy("First charge (¥)"), required=False)
    extra_units = forms.IntegerField(label=gettext_lazy("Each further units"), required=False)
    extra = YuanField(label=gettext_lazy("Further charge (¥)"), required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("region_codes") and all(
            data.get(k) is None for k in ("first_units", "first", "extra_units", "extra")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.is_blank() and any(
            data.get(k) is None for k in ("first_units", "first", "extra_units", "extra")
        ):
            raise forms.ValidationError(_("Fill in all four numbers of the rule."))
        return data

    def rule(self) -> freight_rules.Rule:
        data = self.cleaned_data
        return freight_rules.Rule(
            tuple(data["region_codes"]),
            data["first_units"],
            data["first"],
            data["extra_units"],
            data["extra"],
        )


RuleFormSet = forms.formset_factory(RuleForm, extra=0, max_num=freight_rules.MAX_RULES)


def _initial(template: FreightTemplate | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if template is None:
        default = {"first_units": 1, "first": "10", "extra_units": 1, "extra": "5"}
        return {"by": freight_rules.BY_PIECE}, [default] + [{}] * SPARE_RULES
    head = {
        "name": template.name,
        "by": template.by,
        "free_over": format_yuan(template.free_over_fen, plain=True)
        if template.free_over_fen is not None
        else "",
        "no_delivery": " ".join(template.no_delivery_region_codes),
    }
    rows: list[dict[str, Any]] = [
        {
            "region_codes": " ".join(r.region_codes),
            "first_units": r.first_units,
            "first": format_yuan(r.first_fen, plain=True),
            "extra_units": r.extra_units,
            "extra": format_yuan(r.extra_fen, plain=True),
        }
        for r in template.rules.all()
    ]
    return head, rows + [{}] * SPARE_RULES


def _template(form: TemplateForm, rules_forms: Any) -> freight_rules.Template:
    data = form.cleaned_data
    return freight_rules.Template(
        by=data["by"],
        rules=tuple(f.rule() for f in rules_forms if not f.is_blank()),
        free_over_fen=data["free_over"],
        no_delivery_region_codes=tuple(data["no_delivery"]),
    )


def _form_page(
    request: HttpRequest, console: Console, template: FreightTemplate | None
) -> HttpResponse:
    head, rows = _initial(template)
    form = TemplateForm(request.POST or None, initial=head)
    # Every row is checked even when it still shows its initial values (the suggested default
    # rule): Django would otherwise skip an unchanged extra row as empty.
    rules_forms = RuleFormSet(
        request.POST or None,
        initial=rows,
        prefix="rule",
        form_kwargs={"empty_permitted": False},
    )
    if request.method == "POST" and form.is_valid() and rules_forms.is_valid():
        if template is None:
            done = run_action(
                request,
                lambda: freight.template_create(
                    console.merchant,
                    name=form.cleaned_data["name"],
                    template=_template(form, rules_forms),
                ),
                _("The freight template was created."),
                form=form,
            )
        else:
            done = run_action(
                request,
                lambda: freight.template_update(
                    template,
                    name=form.cleaned_data["name"],
                    template=_template(form, rules_forms),
                ),
                _("The freight template was saved."),
                form=form,
            )
        if done:
            return _back("merchant_freight")
    return _render(
        request,
        console,
        "web/merchant/freight_form.html",
        {"form": form, "rules_forms": rules_forms, "template": template},
    )


@console_page
@owner_page
def merchant_freight(request: HttpRequest, console: Console) -> HttpResponse:
    table = TEMPLATES.bind(request, _listed(console))
    if table.wants_csv:
        return table.csv_response()
    return _render(request, console, "web/merchant/freight.html", {"table": table})


@console_page
@owner_page
def merchant_freight_new(request: HttpRequest, console: Console) -> HttpResponse:
    return _form_page(request, console, None)


@console_page
@owner_page
def merchant_freight_edit(request: HttpRequest, console: Console, template_id: int) -> HttpResponse:
    return _form_page(
        request, console, freight_selectors.template_of(console.merchant, template_id)
    )


@require_POST
@console_page
@owner_page
def merchant_freight_delete(
    request: HttpRequest, console: Console, template_id: int
) -> HttpResponse:
    template = freight_selectors.template_of(console.merchant, template_id)
    if run_action(
        request, lambda: freight.template_delete(template), _("The freight template was deleted.")
    ):
        return _back("merchant_freight")
    return _back("merchant_freight_edit", template_id)
