"""Commission plans: the merchant default and product or SKU overrides."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.catalog.models import Product, Sku
from sharemall.core import versions
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
        # Before the write, in its transaction: see core.versions.bump.
        versions.bump(versions.PLANS)
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
