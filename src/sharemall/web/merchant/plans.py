"""The commission plan editor, for the merchant and for one product."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharemall.catalog import selectors as catalog_selectors
from sharemall.catalog.models import Product, Sku
from sharemall.core.errors import DomainError, NotFound
from sharemall.core.money import format_yuan
from sharemall.distribution import rules as plan_rules
from sharemall.distribution import selectors as distribution_selectors
from sharemall.distribution import services as distribution
from sharemall.distribution.models import CommissionPlan, PlanChange
from sharemall.merchants.models import Merchant
from sharemall.platform import services as platform
from sharemall.web.access import not_found
from sharemall.web.actions import run_action
from sharemall.web.common import _int_param
from sharemall.web.merchant.console import Console, _back, _render, console_page, owner_page
from sharemall.web.merchant.forms import PlanForm, bp_to_percent
from sharemall.web.merchant.products import _own_product

HISTORY_SHOWN = 50


def _plan_from(form: PlanForm, unit_prices: Sequence[int]) -> plan_rules.Plan:
    """The plan a valid form describes, checked as PUT commission-plan checks it."""
    data = form.cleaned_data
    plan = plan_rules.plan_parse(
        data["unit"],
        share_budget=data.get("share_budget"),
        buyer_discount=data.get("buyer_discount"),
        levels=form.levels(),
        region_agent=data.get("region_agent"),
    )
    plan_rules.check_plan(
        plan, budget_cap_bp=platform.current().share_budget_cap_bp, unit_prices=unit_prices
    )
    return plan


def _amount(unit: str, value: int) -> str:
    return f"{bp_to_percent(value)}%" if unit == plan_rules.BP else format_yuan(value)


def _plan_message(exc: DomainError, unit: str) -> str:
    """The rules speak basis points and fen; people typed % or yuan, so say it their way."""
    details = exc.details if isinstance(exc.details, dict) else {}
    if "spent" in details:
        return _(
            "The buyer discount, commissions and region agent add up to %(spent)s, more than "
            "the share budget of %(budget)s."
        ) % {
            "spent": _amount(unit, details["spent"]),
            "budget": _amount(unit, details["share_budget"]),
        }
    if "cap_bp" in details:
        return _("The share budget of %(budget)s is over the platform's cap of %(cap)s.") % {
            "budget": _amount(plan_rules.BP, details["share_budget_bp"]),
            "cap": _amount(plan_rules.BP, details["cap_bp"]),
        }
    return exc.message


@dataclass(frozen=True)
class Scope:
    """Which plan the editor edits: the shop's default, a product's, or one SKU's."""

    product: Product | None = None
    sku: Sku | None = None

    def prices(self, merchant: Merchant) -> list[int]:
        skus = Sku.objects.filter(product__merchant=merchant)
        if self.sku is not None:
            skus = skus.filter(pk=self.sku.pk)
        elif self.product is not None:
            skus = skus.filter(product=self.product)
        return list(skus.values_list("price_fen", flat=True))

    def sample_price(self, merchant: Merchant) -> int:
        """The sale the verdict splits: the SKU's (or the product's cheapest) price, else ¥100."""
        if self.product is None:
            return plan_rules.SAMPLE_PRICE_FEN
        return min(self.prices(merchant), default=plan_rules.SAMPLE_PRICE_FEN)


def _plan_check(form: PlanForm, merchant: Merchant, scope: Scope) -> dict[str, Any]:
    """The editor's verdict: the form's own errors, the plan's error, or how a sale splits."""
    if not form.is_valid():
        return {"form": form}
    try:
        plan = _plan_from(form, scope.prices(merchant))
    except DomainError as exc:
        return {"form": form, "plan_error": _plan_message(exc, form.cleaned_data["unit"])}
    split = plan_rules.sample_split(
        plan,
        max_levels=form.max_levels,
        platform_fee_bp=merchant.platform_fee_bp,
        price_fen=scope.sample_price(merchant),
    )
    return {"form": form, "split": split}


def _plan_history(merchant: Merchant, scope: Scope) -> list[PlanChange]:
    changes = PlanChange.objects.filter(merchant=merchant).select_related("changed_by")
    if scope.sku is not None:
        changes = changes.filter(sku_id=scope.sku.pk)
    elif scope.product is not None:
        options = Sku.objects.filter(product=scope.product).values("pk")
        changes = changes.filter(Q(product_id=scope.product.pk) | Q(sku_id__in=options))
    return list(changes.order_by("-created_at", "-id")[:HISTORY_SHOWN])


def _saved(merchant: Merchant, scope: Scope) -> plan_rules.Plan | None:
    if scope.sku is not None:  # an option's plan is stored on the option alone
        saved = distribution_selectors.merchant_plan(merchant.pk, sku_id=scope.sku.pk)
    else:
        saved = distribution_selectors.merchant_plan(
            merchant.pk, product_id=scope.product.pk if scope.product else None
        )
    return saved.as_rule() if saved else None


def _inherited(merchant: Merchant, scope: Scope) -> tuple[str, plan_rules.Plan | None]:
    """The plan that applies while this scope has none of its own, and whose it is."""
    if scope.sku is not None:
        product_plan = _saved(merchant, Scope(product=scope.product))
        if product_plan is not None:
            return "product", product_plan
    if scope.product is not None:
        return "shop", _saved(merchant, Scope())
    return "", None


def _sku_rows(merchant: Merchant, scope: Scope) -> list[dict[str, Any]]:
    """On a product's plan: each option, and whether it has a plan of its own."""
    if scope.product is None:
        return []
    own = {
        plan.sku_id: plan.as_rule()
        for plan in CommissionPlan.objects.filter(merchant=merchant, sku__product=scope.product)
    }
    return [
        {
            "sku": sku,
            "plan": own.get(sku.pk),
            "current": scope.sku is not None and sku.pk == scope.sku.pk,
        }
        for sku in scope.product.skus.all()
    ]


def _plan_page(request: HttpRequest, console: Console, scope: Scope) -> HttpResponse:
    merchant = console.merchant
    settings_now = platform.current()
    current = _saved(merchant, scope)
    form = PlanForm(
        request.POST or None,
        initial=PlanForm.initial_for(current),
        max_levels=settings_now.max_levels,
    )
    if request.method == "POST":
        if not console.is_owner:
            return not_found(request)
        saved_ok = _plan_save(request, console, form, scope)
        if saved_ok:
            return saved_ok
    if form.is_bound:
        check = _plan_check(form, merchant, scope)
    elif current is not None:
        check = _plan_check(_bound_copy(form), merchant, scope)
    else:
        check = {}  # nothing typed yet: no verdict to give
    inherited_from, inherited = _inherited(merchant, scope)
    context = {
        **check,
        "form": form,
        "product": scope.product,
        "sku": scope.sku,
        "skus": _sku_rows(merchant, scope),
        "current": current,
        "inherited": inherited,
        "inherited_from": inherited_from,
        "check_url": reverse("web:merchant_plan_check") + _scope_query(scope),
        "cap_percent": f"{bp_to_percent(settings_now.share_budget_cap_bp)}%",
        "max_levels": settings_now.max_levels,
        "history": _plan_history(merchant, scope),
    }
    return _render(request, console, "web/merchant/plan.html", context)


def _scope_query(scope: Scope) -> str:
    if scope.sku is not None:
        return f"?sku={scope.sku.pk}"
    if scope.product is not None:
        return f"?product={scope.product.pk}"
    return ""


def _bound_copy(form: PlanForm) -> PlanForm:
    """The unbound editor's initial values as a bound form, so the page opens with its verdict."""
    data = {name: form.initial.get(name, "") for name in form.fields}
    return PlanForm(data, max_levels=form.max_levels)


def _plan_save(
    request: HttpRequest, console: Console, form: PlanForm, scope: Scope
) -> HttpResponse | None:
    if not form.is_valid():
        return None
    unit = form.cleaned_data["unit"]

    def save() -> None:
        try:
            plan = _plan_from(form, scope.prices(console.merchant))
        except DomainError as exc:
            raise DomainError(_plan_message(exc, unit), code=exc.code) from exc
        distribution.plan_set(
            console.merchant, actor=console.member, plan=plan, product=scope.product, sku=scope.sku
        )

    if not run_action(request, save, _("The commission plan was saved."), form=form):
        return None
    if scope.product is None:
        return _back("merchant_plan")
    query = f"sku={scope.sku.pk}" if scope.sku is not None else ""
    return _back("merchant_product_plan", scope.product.pk, query=query)


@console_page
@owner_page
def merchant_plan(request: HttpRequest, console: Console) -> HttpResponse:
    return _plan_page(request, console, Scope())


@console_page
def merchant_product_plan(request: HttpRequest, console: Console, product_id: int) -> HttpResponse:
    """A product's own plan, or (?sku=id) one of its options' own plan."""
    console, product = _own_product(request, console, product_id)
    return _plan_page(request, console, _scope(console, product, request.GET.get("sku")))


def _scope(console: Console, product: Product | None, sku_param: str | None) -> Scope:
    if product is None:
        return Scope()
    sku_id = _int_param(sku_param)
    if sku_id is None:
        return Scope(product=product)
    sku = catalog_selectors.sku_for_staff(console.member, sku_id)
    if sku.product_id != product.pk:
        raise NotFound(_("No such option."))
    return Scope(product=product, sku=sku)


@require_POST
@console_page
@owner_page
def merchant_plan_check(request: HttpRequest, console: Console) -> HttpResponse:
    """htmx: as the merchant types, whether the plan is valid and how a sale would split (the
    option's or product's price, given as ?sku= or ?product=, else ¥100)."""
    product = None
    product_id = _int_param(request.GET.get("product"))
    sku_id = _int_param(request.GET.get("sku"))
    if sku_id is not None:
        product = catalog_selectors.sku_for_staff(console.member, sku_id).product
    elif product_id is not None:
        console, product = _own_product(request, console, product_id)
    scope = _scope(console, product, request.GET.get("sku"))
    form = PlanForm(request.POST, max_levels=platform.current().max_levels)
    context = _plan_check(form, console.merchant, scope)
    return render(request, "web/merchant/plan.html#verdict", context)
