"""Commission entries for a paid order: who earns at each level, and the regional agent."""

from collections.abc import Iterable

from django.db import transaction

from sharemall.accounts.models import Member
from sharemall.distribution import rules
from sharemall.distribution.models import (
    CommissionEntry,
)
from sharemall.distribution.rules import HELD, PENDING
from sharemall.distribution.services.agents import region_agent_for
from sharemall.distribution.services.fraud import fraud_reasons, holds_after_farm, order_facts
from sharemall.distribution.services.postings import post_moves
from sharemall.merchants.models import Store
from sharemall.orders.models import Order, OrderLine
from sharemall.platform import rules as platform_rules
from sharemall.platform.services import current as platform_settings


def _chain(order: Order, buyer: Member) -> list[Member | None]:
    """Who earns at levels 1, 2, 3 (None where nobody, or nobody allowed, is there)."""
    if order.referrer_id is None and not buyer.is_distributor:
        return []  # nobody brought the buyer and no self-purchase rebate can apply
    rules_now = platform_settings()
    if rules_now.self_purchase_rebate and buyer.is_distributor:
        first_id: int = buyer.pk
    elif order.referrer_id and (order.attribution != "share" or order.share_rewarded):
        first_id = order.referrer_id
    else:
        return []
    first = Member.objects.select_related("parent", "grandparent").get(pk=first_id)
    chain: list[Member | None] = [first, first.parent, first.grandparent]
    chain = chain[: rules_now.max_levels]
    allowed: list[Member | None] = []
    for person in chain:
        if person is None or not person.is_active:
            allowed.append(None)
        elif person.pk == buyer.pk and person.pk != first_id:
            allowed.append(None)  # a buyer never earns on their own purchase through others
        elif rules_now.distribution_mode == platform_rules.APPROVED and not person.is_distributor:
            allowed.append(None)  # 指定分销: only enabled distributors earn
        else:
            allowed.append(person)
    return allowed


def commissions_create(orders: Iterable[Order]) -> list[CommissionEntry]:
    """Pending entries for a just-paid order's lines (held where fraud signals show)."""
    made: list[CommissionEntry] = []
    for order in orders:
        made += _order_commissions(order)
    return made


def _order_region(order: Order) -> str:
    if order.pickup_store_id:
        return str(
            Store.objects.filter(pk=order.pickup_store_id)
            .values_list("region_code", flat=True)
            .first()
            or ""
        )
    return order.region_code


def _order_commissions(order: Order) -> list[CommissionEntry]:
    lines = [line for line in OrderLine.objects.filter(order=order).order_by("pk") if line.plan]
    if not lines:
        return []  # the merchant gives nothing up for sharing on these goods
    order = Order.objects.select_related("buyer", "payment").get(pk=order.pk)
    chain = _chain(order, order.buyer)
    agent = region_agent_for(_order_region(order))
    if not any(chain) and agent is None:
        return []
    # The signals about the order itself are read once, whoever it pays.
    known = order_facts(order)
    entries: list[CommissionEntry] = []
    reasons_by_person: dict[int, list[str]] = {}
    for line in lines:
        assert line.plan is not None
        plan = rules.Plan.from_snapshot(line.plan)
        if agent is not None and agent.pk != order.buyer_id:
            amount = rules.region_agent_amount(plan, base_fen=line.paid_fen, quantity=line.quantity)
            if amount > 0:
                entries.append(
                    CommissionEntry(
                        order=order,
                        order_line=line,
                        beneficiary=agent,
                        kind=CommissionEntry.Kind.REGION_AGENT,
                        level=0,
                        base_fen=line.paid_fen,
                        unit=plan.unit,
                        rate=plan.region_agent,
                        amount_fen=amount,
                        status=PENDING,
                    )
                )
        for level, person in enumerate(chain, start=1):
            if person is None:
                continue
            amount = rules.level_amount(plan, level, base_fen=line.paid_fen, quantity=line.quantity)
            if amount <= 0:
                continue
            if person.pk not in reasons_by_person:
                reasons_by_person[person.pk] = fraud_reasons(order, person, known)
            reasons = reasons_by_person[person.pk]
            entries.append(
                CommissionEntry(
                    order=order,
                    order_line=line,
                    beneficiary=person,
                    level=level,
                    base_fen=line.paid_fen,
                    unit=plan.unit,
                    rate=plan.levels[level - 1],
                    amount_fen=amount,
                    status=HELD if reasons else PENDING,
                    reason=rules.HOLD_REASON_SEPARATOR.join(reasons)[:300],
                )
            )
    if not entries:
        return []
    with transaction.atomic():
        CommissionEntry.objects.bulk_create(entries)
        post_moves(
            f"commissions:{order.pk}:created",
            "commission_created",
            order,
            [(e.beneficiary_id, "member_pending", e.amount_fen) for e in entries],
        )
        # A farm seen now holds its earlier orders too.
        holds_after_farm(order, [r for found in reasons_by_person.values() for r in found])
    return entries
