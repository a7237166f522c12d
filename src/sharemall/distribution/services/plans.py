"""Commission plans: the merchant default and product or SKU overrides."""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.catalog.models import Product, Sku
from sharemall.distribution import rules
from sharemall.distribution.models import (
    CommissionPlan,
    PlanChange,
)
from sharemall.merchants.models import Merchant
from sharemall.platform.services import current as platform_settings


def plan_set(
    merchant: Merchant,
    *,
    actor: Member,
    plan: rules.Plan,
    product: Product | None = None,
    sku: Sku | None = None,
) -> CommissionPlan:
    """Set the merchant default, or a product or SKU override; each change is recorded."""
    cap = platform_settings().share_budget_cap_bp
    prices: list[int] = []
    if plan.unit == rules.FEN:
        skus = Sku.objects.filter(product__merchant=merchant)
        if sku is not None:
            skus = skus.filter(pk=sku.pk)
        elif product is not None:
            skus = skus.filter(product=product)
        prices = list(skus.values_list("price_fen", flat=True))
    rules.check_plan(plan, budget_cap_bp=cap, unit_prices=prices)
    product = product if sku is None else None
    lookup = {"merchant": merchant, "product": product, "sku": sku}
    values = {
        "unit": plan.unit,
        "share_budget": plan.share_budget,
        "buyer_discount": plan.buyer_discount,
        "level1": plan.levels[0],
        "level2": plan.levels[1],
        "level3": plan.levels[2],
        "region_agent": plan.region_agent,
        "updated_at": timezone.now(),
    }
    with transaction.atomic():
        existing = CommissionPlan.objects.filter(**lookup).first()
        before = existing.as_rule().as_snapshot() if existing else None
        if existing is None:
            try:
                with transaction.atomic():
                    saved = CommissionPlan.objects.create(**lookup, **values)
            except IntegrityError:
                CommissionPlan.objects.filter(**lookup).update(**values)
                saved = CommissionPlan.objects.get(**lookup)
        else:
            CommissionPlan.objects.filter(pk=existing.pk).update(**values)
            saved = CommissionPlan.objects.get(pk=existing.pk)
        PlanChange.objects.create(
            merchant=merchant,
            product_id=product.pk if product else None,
            sku_id=sku.pk if sku else None,
            before=before,
            after=plan.as_snapshot(),
            changed_by=actor,
        )
    return saved


def plans_for(skus: Sequence[Sku]) -> dict[int, rules.Plan | None]:
    """The plan in force for each SKU: its own, else its product's, else its merchant's."""
    if not skus:
        return {}
    merchants = {s.product.merchant_id for s in skus}
    found = list(
        CommissionPlan.objects.filter(
            Q(sku__in=[s.pk for s in skus])
            | Q(product__in=[s.product_id for s in skus], sku=None)
            | Q(merchant__in=merchants, product=None, sku=None)
        )
    )
    by_sku = {p.sku_id: p for p in found if p.sku_id}
    by_product = {p.product_id: p for p in found if p.product_id and not p.sku_id}
    by_merchant = {p.merchant_id: p for p in found if not p.product_id and not p.sku_id}
    result: dict[int, rules.Plan | None] = {}
    for s in skus:
        chosen = (
            by_sku.get(s.pk)
            or by_product.get(s.product_id)
            or by_merchant.get(s.product.merchant_id)
        )
        result[s.pk] = chosen.as_rule() if chosen else None
    return result
