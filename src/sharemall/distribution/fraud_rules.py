"""Fraud signals as a small scored model (PRODUCT §5.10): pure, no database.

`distribution.services.fraud` reads the facts about one paid order and one beneficiary
(`Facts`); `hold_codes` weighs them. Each signal has a weight: strong signals and farm or ring
signals weigh a whole hold by themselves; weak ones (what a family at one home shares: the
public IP, the delivery address, buying through each other's links now and then) weigh less
than a hold even all together, so they only add up with another sign. An entry is held when
the weights reach `HOLD_AT`; the operator sees every signal that fired, strongest first.
docs/fraud.md says what each signal costs and why its threshold is where it is.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sharemall.distribution import rules

HOLD_AT = 1.0
STRONG = 1.0
WEAK = 0.3

# A device with this many accounts behind it is a farm, not a household: family members use
# their own phones, and two accounts on one phone already meet the shared-device signal.
DEVICE_FARM_ACCOUNTS = 3
# Distinct buyers (the earner aside) shipping to one address through one sharer in 30 days: a
# household is 2–4 people, one of them usually the sharer.
ADDRESS_FARM_BUYERS = 4
# Distinct buyers through one sharer from one public IP in a day.
IP_FARM_BUYERS = 5
# Counted clicks on the order's link from the order's IP in the day before: each counted click
# is another visitor (one count per visitor a day), so this many from one address is a farm.
CLICK_FARM_CLICKS = 10
# Fresh accounts using a coupon through one sharer from one IP or device in a day.
COUPON_FARM_BUYERS = 3
FRESH_HOURS = 24
# Buying through each other's links: with refunds between the pair it is brushing (a family
# refunds one now and then: two it takes), or when both sides refund most of what they buy
# through shares, and so it is with this many orders between the two in 30 days whatever was
# refunded.
RING_REFUNDS = 2
RING_ORDERS = 10
# A buyer whose attributed orders are mostly refunded: at least this many refunded, and at
# least half of them (a family member who sent two of three things back is unlucky, not a ring).
REFUNDED_ORDERS = 3
WINDOW_DAYS = 30


@dataclass(frozen=True)
class Facts:
    """What the database says about one paid order and one person it would pay."""

    # Strong: each alone holds.
    beneficiary_paid: bool = False
    order_on_beneficiary_device: bool = False
    shared_device: bool = False
    phone_is_beneficiarys: bool = False
    device_accounts: int = 0  # most accounts seen on any device behind the buyer
    # Farm and ring signals.
    address_buyers: int = 0  # distinct other buyers to this address through the sharer
    ip_buyers: int = 0  # distinct buyers through the sharer from this public IP today
    coupon_farm_buyers: int = 0  # fresh coupon users through the sharer, same IP/device today
    farm_clicks: int = 0  # counted clicks on the order's link from the order's IP, past day
    reciprocal_orders: int = 0  # the beneficiary's orders through the buyer's links, or
    # through the links of someone who bought through the buyer's (a ring of three)
    pair_orders: int = 0  # orders between the two in either direction
    pair_refunds: int = 0  # of those, refunded (or a refund asked for)
    buyer_attributed: int = 0  # the buyer's earlier shared orders
    buyer_refunded: int = 0  # of those, refunded
    beneficiary_attributed: int = 0  # the beneficiary's own shared orders
    beneficiary_refunded: int = 0  # of those, refunded
    burst: bool = False
    # Weak: never hold alone.
    same_ip: bool = False
    same_address: bool = False


def _weights(f: Facts) -> list[tuple[str, float]]:
    fired: list[tuple[str, float]] = []
    strong = [
        (f.beneficiary_paid, rules.HOLD_PAYER),
        (f.order_on_beneficiary_device, rules.HOLD_SAME_DEVICE),
        (f.shared_device and not f.order_on_beneficiary_device, rules.HOLD_SHARED_DEVICE),
        (f.phone_is_beneficiarys, rules.HOLD_PHONE),
        (f.device_accounts >= DEVICE_FARM_ACCOUNTS, rules.HOLD_DEVICE_FARM),
        (f.address_buyers >= ADDRESS_FARM_BUYERS, rules.HOLD_ADDRESS_FARM),
        (f.ip_buyers >= IP_FARM_BUYERS, rules.HOLD_IP_FARM),
        (f.coupon_farm_buyers >= COUPON_FARM_BUYERS, rules.HOLD_COUPON_FARM),
        (f.farm_clicks >= CLICK_FARM_CLICKS, rules.HOLD_CLICK_FARM),
        (is_ring(f), rules.HOLD_RING),
        (mostly_refunded(f.buyer_attributed, f.buyer_refunded), rules.HOLD_REFUNDS),
        (f.burst, rules.HOLD_BURST),
    ]
    fired += [(code, STRONG) for hit, code in strong if hit]
    weak = [
        (f.reciprocal_orders > 0 and not is_ring(f), rules.HOLD_RECIPROCAL),
        (f.same_ip, rules.HOLD_SAME_IP),
        (f.same_address, rules.HOLD_ADDRESS),
    ]
    fired += [(code, WEAK) for hit, code in weak if hit]
    return fired


def hold_codes(facts: Facts) -> list[str]:
    """The reasons to hold, strongest first, or [] when the signals do not add up to a hold."""
    fired = _weights(facts)
    if sum(weight for _code, weight in fired) < HOLD_AT:
        return []
    return [code for code, _weight in fired]


def is_ring(f: Facts) -> bool:
    """Buying through each other's links is what families do now and then; with refunds on both
    sides (or two between the pair), or at a brushing volume, it is a ring."""
    both_refund = _half(f.buyer_attributed, f.buyer_refunded) and _half(
        f.beneficiary_attributed, f.beneficiary_refunded
    )
    return f.reciprocal_orders > 0 and (
        f.pair_refunds >= RING_REFUNDS or both_refund or f.pair_orders >= RING_ORDERS
    )


def _half(attributed: int, refunded: int) -> bool:
    return refunded > 0 and refunded * 2 >= attributed


def mostly_refunded(attributed: int, refunded: int) -> bool:
    return refunded >= REFUNDED_ORDERS and refunded * 2 >= attributed


def address_key(region_code: str, address: str) -> str:
    """One delivery address however it is typed: full-width forms folded (NFKC), case folded,
    spaces and punctuation dropped, prefixed with the district code."""
    folded = unicodedata.normalize("NFKC", address or "").casefold()
    kept = "".join(
        ch for ch in folded if not unicodedata.category(ch).startswith(("P", "Z", "S", "C"))
    )
    return f"{region_code}:{kept}" if kept else ""


def phone_key(phone: str) -> str:
    """The last 11 digits: +86, spaces and dashes are how one number is written, not another."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return digits[-11:]
