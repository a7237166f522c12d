"""Fraud signals that hold a commission entry for review: the reads behind
`distribution.fraud_rules` (which weighs them).

This runs at payment capture for every attributed order, so every read is one indexed query
bounded by a window and, where it returns rows, a row cap. What each costs is in docs/fraud.md.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from sharemall.accounts.models import Member, MemberDevice
from sharemall.distribution import fraud_rules, rules
from sharemall.distribution.models import CommissionEntry
from sharemall.distribution.rules import COMMISSION, HELD, HOLD_REASON_SEPARATOR, PENDING
from sharemall.orders.models import Order
from sharemall.sharing.models import ShareClick

# Orders through one share link in a short time look like brushing (刷单): held for review.
BURST_ORDERS = 5
BURST_MINUTES = 10
# Rows an address comparison reads at most: a sharer's orders to one district in 30 days.
ADDRESS_ROWS = 500

# Which of these (buyer, payment) pairs paid with a coupon. Coupons belong to promotions, a
# sibling feature distribution does not import: checkout plugs the lookup in from its ready().
CouponLookup = Callable[[set[int], set[int]], set[int]]
_coupon_lookups: list[CouponLookup] = []


def coupon_lookup_register(lookup: CouponLookup) -> None:
    """`lookup(buyer_ids, payment_ids)` answers the payment ids a coupon was used on."""
    if lookup not in _coupon_lookups:
        _coupon_lookups.append(lookup)


def _coupon_payments(buyers: set[int], payments: set[int]) -> set[int]:
    found: set[int] = set()
    for lookup in _coupon_lookups:
        found |= lookup(buyers, payments)
    return found


@dataclass(frozen=True)
class OrderFacts:
    """The signals that depend on the order alone (whoever it pays): read once per order."""

    facts: fraud_rules.Facts
    buyer_devices: frozenset[str]


def order_facts(order: Order) -> OrderFacts:
    """Signals about the order and its buyer: device farm, address, IP and coupon farms through
    the order's sharer, the buyer's refunds, a burst through the link."""
    buyer = order.buyer
    now = order.paid_at or timezone.now()
    devices = _devices_of(buyer) | ({order.device_id} if order.device_id else set())
    facts = fraud_rules.Facts(
        device_accounts=_most_accounts_on(devices),
        burst=is_burst(order),
        farm_clicks=_farm_clicks(order, now),
    )
    if order.referrer_id:
        since = now - timedelta(days=fraud_rules.WINDOW_DAYS)
        attributed = Order.objects.filter(
            buyer=buyer, referrer__isnull=False, paid_at__isnull=False, paid_at__gte=since
        ).exclude(pk=order.pk)
        facts = replace(
            facts,
            address_buyers=_address_buyers(order, since),
            ip_buyers=_ip_buyers(order, now),
            coupon_farm_buyers=_coupon_farm_buyers(order, now),
            buyer_attributed=attributed.count(),
            buyer_refunded=attributed.filter(_refunded()).count(),
        )
    return OrderFacts(facts, frozenset(devices))


def fraud_reasons(order: Order, beneficiary: Member, known: OrderFacts | None = None) -> list[str]:
    """Why the entry paying `beneficiary` on `order` is held ([] when it is not).

    The person-to-person signals look for a beneficiary hiding behind someone else's purchase.
    A distributor's own purchase under the self-purchase rebate (自购返佣) is the one case where
    the beneficiary is the buyer, openly and as the platform allows (`_chain` puts them at
    level 1 only then), so comparing the buyer with themself signals nothing."""
    known = known or order_facts(order)
    if beneficiary.pk == order.buyer_id:
        return fraud_rules.hold_codes(known.facts)  # a farm or a burst holds a rebate too
    buyer = order.buyer
    theirs = _devices_of(beneficiary)
    ips = _ips_of(beneficiary)
    since = (order.paid_at or timezone.now()) - timedelta(days=fraud_rules.WINDOW_DAYS)
    pair = Order.objects.filter(
        Q(buyer=beneficiary, referrer=buyer) | Q(buyer=buyer, referrer=beneficiary),
        paid_at__isnull=False,
        paid_at__gte=since,
    )
    # The beneficiary bought through the buyer's links, or through the links of one who did:
    # index (buyer, created_at) for the beneficiary's orders, order_referrer_paid inside.
    through_buyer = Order.objects.filter(referrer=buyer, paid_at__gte=since).values("buyer_id")
    reciprocal = Order.objects.filter(
        Q(referrer=buyer) | Q(referrer__in=through_buyer),
        buyer=beneficiary,
        paid_at__gte=since,
    ).count()
    theirs_shared = Order.objects.filter(
        buyer=beneficiary, referrer__isnull=False, paid_at__gte=since
    )
    beneficiary_attributed = theirs_shared.count() if reciprocal else 0
    beneficiary_refunded = theirs_shared.filter(_refunded()).count() if reciprocal else 0
    facts = replace(
        known.facts,
        beneficiary_paid=order.payment.payer_id == beneficiary.pk,
        order_on_beneficiary_device=bool(order.device_id) and order.device_id in theirs,
        shared_device=bool(known.buyer_devices & theirs),
        phone_is_beneficiarys=bool(order.phone)
        and fraud_rules.phone_key(order.phone) == fraud_rules.phone_key(beneficiary.phone),
        reciprocal_orders=reciprocal,
        pair_orders=pair.count() if reciprocal else 0,
        pair_refunds=pair.filter(_refunded()).count() if reciprocal else 0,
        beneficiary_attributed=beneficiary_attributed,
        beneficiary_refunded=beneficiary_refunded,
        same_ip=_identifies(order.client_ip) and order.client_ip in ips,
        same_address=_ships_where_beneficiary_does(order, beneficiary),
    )
    return fraud_rules.hold_codes(facts)


# --- the reads ---------------------------------------------------------------------------------


def _refunded() -> Q:
    """Money went back, or the buyer asked for it (a ring refunds fast; the request is the sign)."""
    return Q(refunded_fen__gt=0) | Q(open_aftersales__gt=0)


def _devices_of(member: Member) -> set[str]:
    """Devices the member was seen on and signed up on. Index: member_device_once (member, …)."""
    seen = set(MemberDevice.objects.filter(member=member).values_list("device_id", flat=True)[:50])
    return seen | ({member.signup_device} if member.signup_device else set())


def _ips_of(member: Member) -> set[str]:
    """Where the member signed up from and last came from on each device."""
    found = {
        str(ip)
        for ip in MemberDevice.objects.filter(member=member, last_ip__isnull=False).values_list(
            "last_ip", flat=True
        )[:50]
    }
    return found | ({member.signup_ip} if member.signup_ip else set())


def _most_accounts_on(devices: set[str]) -> int:
    """The most accounts seen on any one of these devices. Index: MemberDevice.device_id, a
    handful of rows per device. Sign-ups record their device there too (the edges call
    accounts.device_seen), so the unindexed Member.signup_device is not scanned."""
    if not devices:
        return 0
    behind: dict[str, set[int]] = {d: set() for d in devices}
    for device, member_id in MemberDevice.objects.filter(device_id__in=devices).values_list(
        "device_id", "member_id"
    )[:500]:
        behind[device].add(member_id)
    return max(len(ids) for ids in behind.values())


def _farm_clicks(order: Order, now: datetime) -> int:
    """Counted clicks on the order's link from the order's public IP in the day before its
    payment, counted up to the threshold only. Index: ShareClick (link, clicked_at)."""
    if not order.share_link_id or not _identifies(order.client_ip):
        return 0
    return ShareClick.objects.filter(
        link_id=order.share_link_id,
        clicked_at__gte=now - timedelta(days=1),
        clicked_at__lte=now,
        ip=order.client_ip,
    )[: fraud_rules.CLICK_FARM_CLICKS].count()


def _address_buyers(order: Order, since: datetime) -> int:
    """Distinct buyers, the sharer aside, shipping to this address through the order's sharer in
    the window (this order's buyer included). Index: order_referrer_region (referrer,
    region_code, paid_at); the address text is compared normalised, in Python, over at most
    ADDRESS_ROWS rows."""
    key = fraud_rules.address_key(order.region_code, order.address)
    if not key:
        return 0
    rows = (
        Order.objects.filter(
            referrer_id=order.referrer_id,
            region_code=order.region_code,
            paid_at__gte=since,
        )
        .exclude(buyer_id=order.referrer_id)
        .values_list("buyer_id", "address")[:ADDRESS_ROWS]
    )
    buyers = {
        buyer
        for buyer, address in rows
        if fraud_rules.address_key(order.region_code, address) == key
    }
    return len(buyers | {order.buyer_id})


def _ip_buyers(order: Order, now: datetime) -> int:
    """Distinct buyers through the order's sharer from this public IP today. Index:
    order_referrer_paid (referrer, paid_at)."""
    if not _identifies(order.client_ip):
        return 0
    return (
        Order.objects.filter(
            referrer_id=order.referrer_id,
            client_ip=order.client_ip,
            paid_at__gte=now - timedelta(days=1),
            paid_at__lte=now + timedelta(days=1),
        )
        .exclude(buyer_id=order.referrer_id)
        .values("buyer_id")
        .distinct()
        .count()
    )


def _coupon_farm_buyers(order: Order, now: datetime) -> int:
    """Fresh accounts (signed up within FRESH_HOURS) that used a coupon through the order's
    sharer from this order's public IP or device today, this buyer first among them."""
    fresh_since = now - timedelta(hours=fraud_rules.FRESH_HOURS)
    if order.buyer.date_joined < fresh_since:
        return 0
    if not _coupon_payments({order.buyer_id}, {order.payment_id}):
        return 0
    same_place = Q()
    if _identifies(order.client_ip):
        same_place |= Q(client_ip=order.client_ip)
    if order.device_id:
        same_place |= Q(device_id=order.device_id)
    if not same_place:
        return 0
    rows = list(
        Order.objects.filter(
            same_place,
            referrer_id=order.referrer_id,
            paid_at__gte=now - timedelta(days=1),
            paid_at__lte=now + timedelta(days=1),
            buyer__date_joined__gte=fresh_since,
        )
        .exclude(buyer_id=order.referrer_id)
        .values_list("buyer_id", "payment_id")[:200]
    )
    used = _coupon_payments({b for b, _p in rows}, {p for _b, p in rows})
    return len({buyer for buyer, payment in rows if payment in used})


def _ships_where_beneficiary_does(order: Order, beneficiary: Member) -> bool:
    """The beneficiary's own orders to this address (their latest 50; index buyer, created_at)."""
    key = fraud_rules.address_key(order.region_code, order.address)
    if not key:
        return False
    theirs = (
        Order.objects.filter(buyer=beneficiary, region_code=order.region_code)
        .exclude(pk=order.pk)
        .order_by("-created_at")
        .values_list("address", flat=True)[:50]
    )
    return any(fraud_rules.address_key(order.region_code, a) == key for a in theirs)


def _identifies(address: str | None) -> bool:
    """Only a public address says something about who is behind it: loopback, private and
    carrier-grade NAT ranges are shared by many people (and by every test on one machine)."""
    try:
        return ipaddress.ip_address(address or "").is_global
    except ValueError:
        return False


def is_burst(order: Order) -> bool:
    """More than BURST_ORDERS orders through the link within BURST_MINUTES of this one's
    payment (on both sides: an order weighed again later is compared with its own moment)."""
    if not order.share_link_id:
        return False
    paid = order.paid_at or timezone.now()
    near = timedelta(minutes=BURST_MINUTES)
    recent = Order.objects.filter(
        share_link_id=order.share_link_id, paid_at__gte=paid - near, paid_at__lte=paid + near
    )
    return recent.count() > BURST_ORDERS


# --- holds after the fact ------------------------------------------------------------------------

# Orders weighed again at most, when a refund or a farm shows itself.
RECHECK_ORDERS = 100
FARM_CODES = frozenset(
    {
        rules.HOLD_ADDRESS_FARM,
        rules.HOLD_IP_FARM,
        rules.HOLD_COUPON_FARM,
        rules.HOLD_DEVICE_FARM,
        rules.HOLD_CLICK_FARM,
    }
)


def holds_after_refund(order: Order) -> int:
    """A ring shows itself when it refunds: buying through each other's links is what families do
    too, until the money goes back. After a refund on a shared order, the still-pending entries
    of the buyer's other shared orders, and of the orders the buyer earns on from the sharers it
    bought through (the other direction of a ring), in the window are weighed again with what
    is known now."""
    if not order.referrer_id:
        return 0
    since = timezone.now() - timedelta(days=fraud_rules.WINDOW_DAYS)
    # The sharers this buyer bought through in the window (index: buyer, created_at).
    bought_through = Order.objects.filter(
        buyer_id=order.buyer_id, referrer__isnull=False, paid_at__gte=since
    ).values("referrer_id")
    related = Order.objects.filter(
        Q(buyer_id=order.buyer_id, referrer__isnull=False)
        | Q(referrer_id=order.buyer_id, buyer_id__in=bought_through),
        paid_at__gte=since,
    ).exclude(pk=order.pk)
    return _recheck(related, note="held after a refund")


def holds_after_farm(order: Order, reasons: list[str]) -> int:
    """A farm is seen only once it has grown: the order that reaches the threshold is held at
    payment, and the farm's earlier orders through the same sharer (to the same address, from
    the same IP that day, or on the same devices), still pending, are weighed again with the
    count as it is now."""
    if not order.referrer_id or not FARM_CODES.intersection(reasons):
        return 0
    now = order.paid_at or timezone.now()
    since = now - timedelta(days=fraud_rules.WINDOW_DAYS)
    through = Order.objects.filter(referrer_id=order.referrer_id, paid_at__gte=since).exclude(
        pk=order.pk
    )
    same = Q(region_code=order.region_code) if order.address else Q(pk__in=[])
    if _identifies(order.client_ip):
        same |= Q(client_ip=order.client_ip, paid_at__gte=now - timedelta(days=1))
    devices = _devices_of(order.buyer) | ({order.device_id} if order.device_id else set())
    if devices:
        same |= Q(device_id__in=devices)
    return _recheck(through.filter(same), note="held with the farm it belongs to")


def _recheck(candidates: QuerySet[Order], *, note: str) -> int:
    """Weigh the still-pending level entries of these orders again; hold those that now add up.
    Settled money is left alone. Returns the entries held."""
    related = list(
        candidates.select_related("buyer", "payment").order_by("-paid_at")[:RECHECK_ORDERS]
    )
    pending = CommissionEntry.objects.filter(
        order__in=related, status=PENDING, reversal_of=None, kind=CommissionEntry.Kind.LEVEL
    )
    waiting: dict[int, set[int]] = {}
    for order_id, beneficiary_id in pending.values_list("order_id", "beneficiary_id"):
        waiting.setdefault(order_id, set()).add(beneficiary_id)
    held = 0
    for other in related:
        if other.pk not in waiting:
            continue
        known = order_facts(other)
        for person in Member.objects.filter(pk__in=waiting[other.pk]):
            reasons = fraud_reasons(other, person, known)
            if reasons:
                held += len(
                    COMMISSION.move_many(
                        pending.filter(order=other, beneficiary=person),
                        PENDING,
                        HELD,
                        note=note,
                        reason=HOLD_REASON_SEPARATOR.join(reasons)[:300],
                    )
                )
    return held
