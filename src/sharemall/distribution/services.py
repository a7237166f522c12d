"""Distribution (分销): commission plans, attribution, and the life of commission entries.

Money moves only through the ledger, one balanced transaction per event with its own key:

- created (order paid):     merchant_receivable +c, member_pending −c      (pending and held)
- settled (order complete): member_pending +c, member_available −c
- reversed before settling: member_pending +d, merchant_receivable −d
- reversed after settling:  member_available +d, merchant_receivable −d    (may leave a debt)
- rejected after review:    member_pending +c, merchant_receivable −c
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.binding import bind
from sharemall.accounts.models import Member
from sharemall.accounts.services import member_register
from sharemall.catalog.models import Product, Sku
from sharemall.catalog.selectors import visible_products
from sharemall.core.errors import DomainError, InvalidTransition, NotFound
from sharemall.core.money import apply_bp, split_largest_remainder
from sharemall.distribution import rules
from sharemall.distribution.models import (
    CommissionEntry,
    CommissionPlan,
    DividendPeriod,
    Partner,
    PlanChange,
    RegionAgent,
    SubStore,
    SubStoreItem,
)
from sharemall.merchants.models import Merchant, Store
from sharemall.merchants.rules import region as gb2260_region
from sharemall.orders.models import Order, OrderLine
from sharemall.platform import rules as platform_rules
from sharemall.platform.services import as_dict
from sharemall.platform.services import current as platform_settings
from sharemall.sharing.models import ShareLink
from sharemall.sharing.selectors import attribution_link, link_by_code
from sharemall.wallet.models import Posting
from sharemall.wallet.services import Entry, ledger_post, member, merchant_receivable
from sharemall.wallet.services import platform as platform_account

PENDING, SETTLED, REVERSED, HELD, REJECTED = (
    "pending",
    "settled",
    "reversed",
    "held",
    "rejected",
)
# Orders through one share link in a short time look like brushing (刷单): held for review.
BURST_ORDERS = 5
BURST_MINUTES = 10


# --- plans -------------------------------------------------------------------------------------


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


# --- attribution ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribution:
    referrer: Member | None
    kind: str  # "share", "parent" or ""
    link_id: int | None = None
    rewarded: bool = False

    @property
    def through_share(self) -> bool:
        return self.kind == "share"


def attribute(buyer: Member, *, share_code: str | None, now: datetime) -> Attribution:
    """PRODUCT §4.3: the sharer of the buyer's latest share click within the window, else the
    buyer's parent (while the binding holds), else nobody."""
    link = attribution_link(buyer=buyer, share_code=share_code, now=now)
    if link is not None and link.sharer_id != buyer.pk:
        return Attribution(link.sharer, "share", link.pk, link.rewarded)
    if buyer.parent_id and (buyer.bound_until is None or buyer.bound_until > now):
        return Attribution(buyer.parent, "parent", None, True)
    return Attribution(None, "")


def binding_at_checkout(buyer: Member, attribution: Attribution, *, now: datetime) -> bool:
    """An order through a share (sent with the order, remembered by the landing's cookie, or the
    buyer's latest share click) may (re)bind the buyer to its sharer, as the binding mode
    allows (PRODUCT §4.2). Returns whether it did."""
    if not attribution.through_share or attribution.referrer is None or not attribution.link_id:
        return False
    code = (
        ShareLink.objects.filter(pk=attribution.link_id).values_list("code", flat=True).first()
        or ""
    )
    return bind(buyer, attribution.referrer, source=f"checkout:{code}", now=now)


# --- commission entries -----------------------------------------------------------------------


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


def _fraud_reasons(order: Order, beneficiary: Member) -> list[str]:
    """Self-referral and brushing signals between the buyer and a beneficiary.

    They look for a beneficiary hiding behind someone else's purchase. A distributor's own
    purchase under the self-purchase rebate (自购返佣) is the one case where the beneficiary is
    the buyer, openly and as the platform allows (`_chain` puts them at level 1 only then), so
    comparing the buyer with themself signals nothing.
    """
    reasons: list[str] = []
    buyer = order.buyer
    if beneficiary.pk == buyer.pk:
        return reasons
    if order.payment.payer_id == beneficiary.pk:
        reasons.append("beneficiary paid for the order")
    if order.device_id and order.device_id == beneficiary.signup_device:
        reasons.append("same device as the buyer")
    if buyer.signup_device and buyer.signup_device == beneficiary.signup_device:
        reasons.append("buyer and beneficiary signed up on one device")
    if (
        order.client_ip
        and order.client_ip == beneficiary.signup_ip
        and _identifies(order.client_ip)
    ):
        reasons.append("same IP address as the buyer")
    if order.phone and order.phone == beneficiary.phone:
        reasons.append("delivery phone is the beneficiary's")
    if (
        order.address
        and Order.objects.filter(
            buyer=beneficiary, region_code=order.region_code, address=order.address
        )
        .exclude(pk=order.pk)
        .exists()
    ):
        reasons.append("delivery address is one the beneficiary uses")
    return reasons


def _identifies(address: str) -> bool:
    """Only a public address says something about who is behind it: loopback, private and
    carrier-grade NAT ranges are shared by many people (and by every test on one machine)."""
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


def _burst(order: Order) -> bool:
    if not order.share_link_id:
        return False
    since = (order.paid_at or timezone.now()) - timedelta(minutes=BURST_MINUTES)
    recent = Order.objects.filter(share_link_id=order.share_link_id, paid_at__gte=since)
    return recent.count() > BURST_ORDERS


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


def region_agent_for(region_code: str) -> Member | None:
    """The most specific active agent whose region holds `region_code`."""
    if len(region_code) != 6:
        return None
    candidates = [region_code, region_code[:4] + "00", region_code[:2] + "0000"]
    agents = {
        a.region_code: a
        for a in RegionAgent.objects.select_related("member").filter(
            region_code__in=candidates, is_active=True, member__is_active=True
        )
    }
    for code in candidates:
        if code in agents:
            return agents[code].member
    return None


def _order_commissions(order: Order) -> list[CommissionEntry]:
    lines = [line for line in OrderLine.objects.filter(order=order).order_by("pk") if line.plan]
    if not lines:
        return []  # the merchant gives nothing up for sharing on these goods
    order = Order.objects.select_related("buyer", "payment").get(pk=order.pk)
    chain = _chain(order, order.buyer)
    agent = region_agent_for(_order_region(order))
    if not any(chain) and agent is None:
        return []
    burst = _burst(order)
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
                reasons_by_person[person.pk] = _fraud_reasons(order, person) + (
                    ["burst of orders through one share link"] if burst else []
                )
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
                    reason="; ".join(reasons)[:300],
                )
            )
    if not entries:
        return []
    with transaction.atomic():
        CommissionEntry.objects.bulk_create(entries)
        _post(
            f"commissions:{order.pk}:created",
            "commission_created",
            order,
            [(e.beneficiary_id, "member_pending", e.amount_fen) for e in entries],
        )
    return entries


def _post(
    key: str,
    kind: str,
    order: Order,
    moves: Sequence[tuple[int, str, int]],
    *,
    reverse: bool = False,
) -> None:
    """Between the merchant's receivable and members' accounts. `moves` are (member, account
    kind, fen): credited to the member normally, debited when `reverse`."""
    sign = 1 if reverse else -1
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for member_id, kind_name, amount in moves:
        totals[(member_id, kind_name)] += amount
    entries = [Entry(member(k, m), sign * amount) for (m, k), amount in totals.items() if amount]
    if not entries:
        return
    entries.append(
        Entry(merchant_receivable(order.merchant_id), -sign * sum(a for a in totals.values()))
    )
    ledger_post(key=key, kind=kind, entries=entries)


def _move_pending_to_available(key: str, order: Order, entries: Sequence[CommissionEntry]) -> None:
    totals: dict[int, int] = defaultdict(int)
    for e in entries:
        totals[e.beneficiary_id] += e.amount_fen
    ledger_entries = []
    for member_id, amount in totals.items():
        if amount:
            ledger_entries += [
                Entry(member("member_pending", member_id), amount),
                Entry(member("member_available", member_id), -amount),
            ]
    if ledger_entries:
        ledger_post(key=key, kind="commission_settled", entries=ledger_entries)


def commissions_settle(orders: Iterable[Order]) -> int:
    """Completed orders: their pending entries become available to withdraw."""
    settled = 0
    now = timezone.now()
    for order in orders:
        with transaction.atomic():
            due = list(
                CommissionEntry.objects.filter(order=order, status=PENDING, reversal_of=None)
            )
            if not due:
                continue
            moved = CommissionEntry.objects.filter(
                pk__in=[e.pk for e in due], status=PENDING
            ).update(status=SETTLED, settled_at=now)
            if moved != len(due):
                raise InvalidTransition(_("Commissions changed meanwhile; try again."))
            _move_pending_to_available(f"commissions:{order.pk}:settled", order, due)
            settled += moved
    return settled


def commissions_reverse(order: Order, *, refund_key: str) -> int:
    """After a refund: reverse each entry in proportion to what its line has refunded so far.

    Cumulative and idempotent: the reversal target is recomputed from the line's refunded
    total, so repeating it, or refunding a line in pieces, never reverses more than was paid.
    """
    reversed_count = 0
    with transaction.atomic():
        lines = {line.pk: line for line in OrderLine.objects.filter(order=order)}
        entries = list(
            CommissionEntry.objects.filter(
                order=order, reversal_of=None, status__in=[PENDING, SETTLED, HELD]
            )
        )
        already = dict(
            CommissionEntry.objects.filter(order=order, reversal_of__isnull=False)
            .values("reversal_of")
            .annotate(total=Sum("amount_fen"))
            .values_list("reversal_of", "total")
        )
        pending_moves: list[tuple[int, str, int]] = []
        available_moves: list[tuple[int, str, int]] = []
        for entry in entries:
            line = lines[entry.order_line_id]
            done = int(already.get(entry.pk, 0))
            original = entry.amount_fen + done
            target = rules.reversed_so_far(
                original, refunded_fen=line.refunded_fen, paid_fen=line.paid_fen
            )
            delta = target - done
            if delta <= 0:
                continue
            remaining = original - target
            CommissionEntry.objects.filter(pk=entry.pk).update(
                amount_fen=remaining, status=REVERSED if remaining == 0 else entry.status
            )
            CommissionEntry.objects.create(
                order=order,
                order_line=line,
                beneficiary_id=entry.beneficiary_id,
                kind=entry.kind,
                level=entry.level,
                base_fen=entry.base_fen,
                unit=entry.unit,
                rate=entry.rate,
                amount_fen=delta,
                status=REVERSED,
                reversal_of=entry,
                reason=refund_key[:300],
            )
            account = "member_available" if entry.status == SETTLED else "member_pending"
            target_list = available_moves if entry.status == SETTLED else pending_moves
            target_list.append((entry.beneficiary_id, account, delta))
            reversed_count += 1
        moves = pending_moves + available_moves
        if moves:
            _post(
                f"commissions:{order.pk}:reversed:{refund_key}",
                "commission_reversed",
                order,
                moves,
                reverse=True,
            )
    return reversed_count


def hold_release(entry: CommissionEntry, *, operator: Member, note: str = "") -> CommissionEntry:
    """An operator clears a held entry: pending again, settled at once if the order completed."""
    with transaction.atomic():
        if not CommissionEntry.objects.filter(pk=entry.pk, status=HELD).update(
            status=PENDING, reason=f"released: {note}"[:300]
        ):
            raise InvalidTransition(_("This commission is not held."))
        order = Order.objects.get(pk=entry.order_id)
        if order.status == "completed":
            entry.refresh_from_db()
            CommissionEntry.objects.filter(pk=entry.pk).update(
                status=SETTLED, settled_at=timezone.now()
            )
            _move_pending_to_available(f"commissions:{entry.pk}:released", order, [entry])
    entry.refresh_from_db()
    return entry


def hold_reject(entry: CommissionEntry, *, operator: Member, reason: str) -> CommissionEntry:
    """An operator rejects a held entry with a reason: the money goes back to the merchant."""
    why = " ".join((reason or "").split())
    if not why:
        raise DomainError(_("Give the reason for rejecting."), code="invalid_input")
    with transaction.atomic():
        if not CommissionEntry.objects.filter(pk=entry.pk, status=HELD).update(
            status=REJECTED, reason=why[:300]
        ):
            raise InvalidTransition(_("This commission is not held."))
        order = Order.objects.get(pk=entry.order_id)
        _post(
            f"commissions:{entry.pk}:rejected",
            "commission_rejected",
            order,
            [(entry.beneficiary_id, "member_pending", entry.amount_fen)],
            reverse=True,
        )
    entry.refresh_from_db()
    return entry


# The ledger transaction kinds that may credit a member: commissions on sales and withdrawals.
SALE_AND_WITHDRAWAL_KINDS = (
    "commission_created",
    "commission_settled",
    "commission_reversed",
    "commission_rejected",
    "withdrawal_hold",
    "withdrawal_returned",
    "withdrawal_paid",
    # Partners' dividends are a share of fees by attributed sales (GMV), never recruiting.
    "partner_dividend",
)


def _credits_not_from_sales() -> int:
    credited = Posting.objects.filter(
        account__kind__in=["member_pending", "member_available", "member_withdrawing"],
        amount_fen__lt=0,
    ).exclude(transaction__kind__in=SALE_AND_WITHDRAWAL_KINDS)
    return -int(credited.aggregate(s=Sum("amount_fen"))["s"] or 0)


def compliance_report() -> dict[str, Any]:
    """What an auditor asks: the rules in force, the deepest level actually paid, and proof that
    nothing was ever paid for signing people up."""
    rules_now = platform_settings()
    paid = CommissionEntry.objects.filter(reversal_of=None).exclude(status=REJECTED)
    deepest = (
        paid.filter(kind=CommissionEntry.Kind.LEVEL)
        .order_by("-level")
        .values_list("level", flat=True)
        .first()
    )
    by_level = dict(
        paid.values("level").annotate(total=Sum("amount_fen")).values_list("level", "total")
    )
    return {
        "settings": as_dict(rules_now),
        "warnings": platform_rules.warnings(as_dict(rules_now)),
        "deepest_level_paid": deepest or 0,
        "paid_by_level_fen": {str(k): int(v) for k, v in sorted(by_level.items())},
        # Counted, not assumed: money credited to members by anything but a sale's commission
        # (or a withdrawal coming back) would be a reward for something else, e.g. recruiting.
        "signup_rewards_paid_fen": _credits_not_from_sales(),
        "entry_fees_charged_fen": 0,
    }


# --- regional agents and partners ------------------------------------------------------------


def region_agent_appoint(*, member_id: int, region_code: str) -> RegionAgent:
    region = gb2260_region(region_code)
    person = Member.objects.filter(pk=member_id, is_active=True).first()
    if person is None:
        raise DomainError(_("No such member."), code="unknown_member")
    try:
        with transaction.atomic():
            return RegionAgent.objects.create(member=person, region_code=region.code)
    except IntegrityError:
        raise DomainError(
            _("This region already has an active agent."), code="region_taken"
        ) from None


def region_agent_end(agent: RegionAgent) -> RegionAgent:
    RegionAgent.objects.filter(pk=agent.pk, is_active=True).update(
        is_active=False, ended_at=timezone.now()
    )
    agent.refresh_from_db()
    return agent


def partner_add(*, member_id: int) -> Partner:
    """Make an active member a partner, or a partner again; twin requests make one row."""
    if not Member.objects.filter(pk=member_id, is_active=True).exists():
        raise NotFound(_("No such member."))
    try:
        with transaction.atomic():
            partner, _created = Partner.objects.update_or_create(
                member_id=member_id, defaults={"is_active": True}
            )
    except IntegrityError:  # a twin request made the partner first
        partner = Partner.objects.get(member_id=member_id)
    return partner


def partner_dividends(*, starts: datetime, ends: datetime, pool_bp: int) -> DividendPeriod | None:
    """Share `pool_bp` of the period's platform fees among active partners in proportion to the
    GMV attributed to them (orders they referred, net of refunds), by largest remainder. Nothing
    is paid for recruiting: only attributed sales count. Made once per period."""
    existing = DividendPeriod.objects.filter(starts=starts.date(), ends=ends.date()).first()
    if existing is not None:
        return existing
    partners = list(Partner.objects.filter(is_active=True).values_list("member_id", flat=True))
    paid_orders = Order.objects.filter(paid_at__gte=starts, paid_at__lt=ends).exclude(
        status__in=["cancelled", "pending_payment"]
    )
    fees = sum(apply_bp(o.total_fen - o.refunded_fen, o.platform_fee_bp) for o in paid_orders)
    gmv = {
        row["referrer_id"]: int(row["gmv"] or 0) - int(row["refunded"] or 0)
        for row in paid_orders.filter(referrer_id__in=partners)
        .values("referrer_id")
        .annotate(gmv=Sum("total_fen"), refunded=Sum("refunded_fen"))
    }
    weights = [max(0, gmv.get(p, 0)) for p in partners]
    pool = apply_bp(fees, pool_bp)
    shares = (
        split_largest_remainder(pool, weights)
        if pool > 0 and sum(weights) > 0
        else [0] * len(partners)
    )
    with transaction.atomic():
        period = DividendPeriod.objects.create(
            starts=starts.date(),
            ends=ends.date(),
            fees_fen=fees,
            pool_fen=sum(shares),
            shares=[
                {"member_id": p, "gmv_fen": w, "amount_fen": a}
                for p, w, a in zip(partners, weights, shares, strict=True)
            ],
        )
        entries = [
            Entry(member("member_available", p), -a)
            for p, a in zip(partners, shares, strict=True)
            if a
        ]
        if entries:
            entries.append(Entry(platform_account("platform_fees"), sum(shares)))
            ledger_post(
                key=f"dividend:{starts.date()}:{ends.date()}",
                kind="partner_dividend",
                entries=entries,
            )
    return period


def partner_dividends_due(now: datetime) -> int:
    """Job: last calendar month's dividend (local time), once."""
    local = timezone.localtime(now)
    this_month = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    if DividendPeriod.objects.filter(starts=last_month.date(), ends=this_month.date()).exists():
        return 0
    if not Partner.objects.filter(is_active=True).exists():
        return 0
    try:
        partner_dividends(starts=last_month, ends=this_month, pool_bp=settings.PARTNER_POOL_BP)
    except IntegrityError:
        return 0  # another worker made it at the same moment (one per period)
    return 1


# --- sub-stores ------------------------------------------------------------------------------

SUBSTORE_MAX_ITEMS = 200


def substore_set(owner: Member, *, product_ids: Sequence[int], title: str = "") -> SubStore:
    """Choose the products of a distributor's sub-store (in the order given). Only products on
    sale can be chosen; enabling distribution is what opens a sub-store, and it costs nothing."""
    if not owner.is_distributor:
        raise DomainError(_("Enable distribution first; it is free."), code="not_a_distributor")
    ids = list(dict.fromkeys(product_ids))
    if len(ids) > SUBSTORE_MAX_ITEMS:
        raise DomainError(
            _("A sub-store holds at most %(n)d products.") % {"n": SUBSTORE_MAX_ITEMS},
            code="invalid_input",
        )
    public = set(visible_products(None).filter(pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in ids if i not in public]
    if missing:
        raise DomainError(
            _("These products are not on sale: %(ids)s") % {"ids": ", ".join(map(str, missing))},
            code="invalid_product",
            details={"product_ids": missing},
        )
    with transaction.atomic():
        store, _created = SubStore.objects.get_or_create(member=owner)
        SubStore.objects.filter(pk=store.pk).update(
            title=" ".join(title.split())[:40], updated_at=timezone.now()
        )
        SubStoreItem.objects.filter(substore=store).delete()
        SubStoreItem.objects.bulk_create(
            SubStoreItem(substore=store, product_id=pid, position=i) for i, pid in enumerate(ids)
        )
    store.refresh_from_db()
    return store


def member_signup(
    *,
    phone: str,
    password: str,
    nickname: str,
    address: str | None = None,
    device: str = "",
    share_code: str | None = None,
) -> Member:
    """Register, and bind the newcomer to the sharer whose link brought them (as the binding
    mode allows). Nothing is ever paid for a sign-up."""
    newcomer = member_register(
        phone=phone, password=password, nickname=nickname, address=address, device=device
    )
    link = link_by_code(share_code.strip()) if share_code else None
    if link is not None:
        # Just made: nobody can be below it yet, so no cycle walk and no rebinding lock.
        bind(newcomer, link.sharer, source=f"signup:{link.code}", newcomer=True)
    return newcomer
