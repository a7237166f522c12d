"""The commission plan editor, for the merchant and for one product."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharemall.catalog.models import Product
from sharemall.core.errors import DomainError
from sharemall.distribution import rules as plan_rules
from sharemall.distribution import selectors as distribution_selectors
from sharemall.distribution import services as distribution
from sharemall.distribution.models import PlanChange
from sharemall.merchants.models import Merchant
from sharemall.platform import services as platform
from sharemall.web.access import not_found
from sharemall.web.actions import run_action
from sharemall.web.merchant.console import Console, _back, _render, console_page, owner_page
from sharemall.web.merchant.forms import PlanForm
from sharemall.web.merchant.products import _own_product

HISTORY_SHOWN = 50


def _plan_from(form: PlanForm) -> plan_rules.Plan:
    """The plan a valid form describes, checked as PUT commission-plan checks it."""
    data = form.cleaned_data
    plan = plan_rules.plan_parse(
        plan_rules.BP,
        share_budget=data.get("share_budget_bp"),
        buyer_discount=data.get("buyer_discount_bp"),
        levels=form.levels(),
        region_agent=data.get("region_agent_bp"),
    )
    plan_rules.check_plan(plan, budget_cap_bp=platform.current().share_budget_cap_bp)
    return plan


def _plan_check(form: PlanForm, merchant: Merchant) -> dict[str, Any]:
    """The editor's verdict: the form's own errors, the plan's error, or the ¥100 split."""
    if not form.is_valid():
        return {"form": form}
    try:
        plan = _plan_from(form)
    except DomainError as exc:
        return {"form": form, "plan_error": exc.message}
    split = plan_rules.sample_split(
        plan, max_levels=form.max_levels, platform_fee_bp=merchant.platform_fee_bp
    )
    return {"form": form, "split": split}


def _plan_initial(plan: plan_rules.Plan | None) -> dict[str, int]:
    if plan is None or plan.unit != plan_rules.BP:
        return {}
    return {
        "share_budget_bp": plan.share_budget,
        "buyer_discount_bp": plan.buyer_discount,
        "level1_bp": plan.levels[0],
        "level2_bp": plan.levels[1],
        "level3_bp": plan.levels[2],
        "region_agent_bp": plan.region_agent,
    }


def _plan_history(merchant: Merchant, product: Product | None) -> list[PlanChange]:
    changes = PlanChange.objects.filter(merchant=merchant).select_related("changed_by")
    if product is not None:
        changes = changes.filter(product_id=product.pk, sku_id=None)
    return list(changes.order_by("-created_at", "-id")[:HISTORY_SHOWN])


def _plan_page(request: HttpRequest, console: Console, product: Product | None) -> HttpResponse:
    merchant = console.merchant
    settings_now = platform.current()
    saved = distribution_selectors.merchant_plan(
        merchant.pk, product_id=product.pk if product else None
    )
    current = saved.as_rule() if saved else None
    form = PlanForm(
        request.POST or None, initial=_plan_initial(current), max_levels=settings_now.max_levels
    )
    if request.method == "POST":
        if not console.is_owner:
            return not_found(request)
        saved_ok = _plan_save(request, console, form, product)
        if saved_ok:
            return saved_ok
    if form.is_bound:
        check = _plan_check(form, merchant)
    elif current is not None and current.unit == plan_rules.BP:
        check = _plan_check(_bound_copy(form), merchant)
    else:
        check = {}  # nothing typed yet: no verdict to give
    context = {
        **check,
        "form": form,
        "product": product,
        "current": current,
        "default_plan": distribution_selectors.merchant_plan(merchant.pk) if product else None,
        "cap_bp": settings_now.share_budget_cap_bp,
        "max_levels": settings_now.max_levels,
        "history": _plan_history(merchant, product),
    }
    return _render(request, console, "web/merchant/plan.html", context)


def _bound_copy(form: PlanForm) -> PlanForm:
    """The unbound editor's initial values as a bound form, so the page opens with its verdict."""
    data = {name: form.initial.get(name, "") for name in form.fields}
    return PlanForm(data, max_levels=form.max_levels)


def _plan_save(
    request: HttpRequest, console: Console, form: PlanForm, product: Product | None
) -> HttpResponse | None:
    if not form.is_valid():
        return None

    def save() -> None:
        plan = _plan_from(form)
        distribution.plan_set(console.merchant, actor=console.member, plan=plan, product=product)

    if not run_action(request, save, _("The commission plan was saved."), form=form):
        return None
    if product is not None:
        return _back("merchant_product_plan", product.pk)
    return _back("merchant_plan")


@console_page
@owner_page
def merchant_plan(request: HttpRequest, console: Console) -> HttpResponse:
    return _plan_page(request, console, None)


@console_page
def merchant_product_plan(request: HttpRequest, console: Console, product_id: int) -> HttpResponse:
    console, product = _own_product(request, console, product_id)
    return _plan_page(request, console, product)


@require_POST
@console_page
@owner_page
def merchant_plan_check(request: HttpRequest, console: Console) -> HttpResponse:
    """htmx: as the merchant types, whether the plan is valid and how ¥100 would split."""
    form = PlanForm(request.POST, max_levels=platform.current().max_levels)
    context = _plan_check(form, console.merchant)
    return render(request, "web/merchant/plan.html#verdict", context)
