"""Commission maths (PRODUCT §5): pure functions, no database.

Rates are basis points of the line's paid amount (shipping excluded) or fixed fen per unit.
Every amount is rounded down to the fen, so the platform never pays a fraction it does not have.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _
from sharemall.core.i18n import gettext_lazy, system_note
from sharemall.core.money import BP_WHOLE, apply_bp
from sharemall.core.transitions import StateMachine

BP, FEN = "bp", "fen"  # units: basis points of the paid amount, or fen per unit

# The life of a commission entry.
PENDING, SETTLED, REVERSED, HELD, REJECTED = (
    "pending",
    "settled",
    "reversed",
    "held",
    "rejected",
)
# Entries are made pending, or held where fraud signals show (at payment, or later when a
# refund shows a ring: pending → held). A released hold is pending again; a refund reverses what
# is left of an entry in any of the live states.
COMMISSION = StateMachine(
    "commission",
    {
        PENDING: {SETTLED, REVERSED, HELD},
        HELD: {PENDING, REJECTED, REVERSED},
        SETTLED: {REVERSED},
    },
    event_model="distribution.CommissionEntryEvent",
    event_fk="entry",
)

# Why an entry is held (CommissionEntry.reason, "; "-joined). The phrases are what the database
# and the API keep; people read the labels.
HOLD_PAYER = "beneficiary paid for the order"
HOLD_SAME_DEVICE = "same device as the buyer"
HOLD_SIGNUP_DEVICE = "buyer and beneficiary signed up on one device"
HOLD_SAME_IP = "same IP address as the buyer"
HOLD_PHONE = "delivery phone is the beneficiary's"
HOLD_ADDRESS = "delivery address is one the beneficiary uses"
HOLD_BURST = "burst of orders through one share link"
HOLD_SHARED_DEVICE = "buyer and beneficiary use one device"
HOLD_DEVICE_FARM = "many accounts on the buyer's device"
HOLD_ADDRESS_FARM = "many buyers ship to one address through one sharer"
HOLD_IP_FARM = "many buyers from one IP address through one sharer"
HOLD_COUPON_FARM = "new accounts on one device or IP use coupons through one sharer"
HOLD_RING = "buyer and beneficiary buy through each other's links with refunds"
HOLD_REFUNDS = "most of the buyer's shared orders were refunded"
HOLD_RECIPROCAL = "buyer and beneficiary buy through each other's links"
HOLD_CLICK_FARM = "many clicks on the share link from the buyer's IP address"
HOLD_REASON_SEPARATOR = "; "
HOLD_REASONS = {
    HOLD_PAYER: gettext_lazy("The earner paid for the order"),
    HOLD_SAME_DEVICE: gettext_lazy("The order was placed on the earner's device"),
    HOLD_SIGNUP_DEVICE: gettext_lazy("The buyer and the earner signed up on one device"),
    HOLD_SAME_IP: gettext_lazy("The order came from the earner's IP address"),
    HOLD_PHONE: gettext_lazy("The delivery phone is the earner's"),
    HOLD_ADDRESS: gettext_lazy("The delivery address is one the earner uses"),
    HOLD_BURST: gettext_lazy("A burst of orders through one share link"),
    HOLD_SHARED_DEVICE: gettext_lazy("The buyer and the earner use one device"),
    HOLD_DEVICE_FARM: gettext_lazy("Many accounts use the buyer's device"),
    HOLD_ADDRESS_FARM: gettext_lazy("Many buyers ship to one address through one sharer"),
    HOLD_IP_FARM: gettext_lazy("Many buyers from one IP address through one sharer"),
    HOLD_COUPON_FARM: gettext_lazy(
        "New accounts on one device or IP used coupons through one sharer"
    ),
    HOLD_RING: gettext_lazy(
        "The buyer and the earner buy through each other's links, with refunds"
    ),
    HOLD_REFUNDS: gettext_lazy("Most of the buyer's shared orders were refunded"),
    HOLD_RECIPROCAL: gettext_lazy("The buyer and the earner buy through each other's links"),
    HOLD_CLICK_FARM: gettext_lazy("Many clicks on the share link from the buyer's IP address"),
}
# Notes the system writes on commission events and entries.
COMMISSION_NOTES = {
    "order completed": gettext_lazy("The order completed"),
    "released after the order completed": gettext_lazy("Released after the order completed"),
    "back office": gettext_lazy("Decided in the admin site"),
    "held after a refund": gettext_lazy("Held after a refund showed the signals"),
    "held with the farm it belongs to": gettext_lazy("Held with the farm it belongs to"),
}
COMMISSION_NOTE_PREFIXES = {"released: ": gettext_lazy("Released: %(text)s")}


def hold_reasons(reason: str) -> list[str]:
    """The reasons an entry was held (or released, or rejected), each in the reader's language."""
    if not reason:
        return []
    if reason.startswith(tuple(COMMISSION_NOTE_PREFIXES)):
        return [commission_note(reason)]
    return [
        system_note(part, HOLD_REASONS)
        for part in reason.split(HOLD_REASON_SEPARATOR)
        if part.strip()
    ]


def commission_note(note: str) -> str:
    return system_note(note, COMMISSION_NOTES, COMMISSION_NOTE_PREFIXES)


class InvalidPlan(DomainError):
    code = "invalid_plan"


@dataclass(frozen=True)
class Plan:
    unit: str
    share_budget: int
    buyer_discount: int
    levels: tuple[int, int, int]
    region_agent: int

    def as_snapshot(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "share_budget": self.share_budget,
            "buyer_discount": self.buyer_discount,
            "levels": list(self.levels),
            "region_agent": self.region_agent,
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Plan:
        levels = [int(v) for v in data["levels"]]
        return cls(
            str(data["unit"]),
            int(data["share_budget"]),
            int(data["buyer_discount"]),
            (levels[0], levels[1], levels[2]),
            int(data["region_agent"]),
        )


def check_plan(plan: Plan, *, budget_cap_bp: int, unit_prices: Sequence[int] = ()) -> None:
    """buyer discount + L1 + L2 + L3 + region agent ≤ share budget ≤ the platform's cap."""
    parts = [plan.buyer_discount, *plan.levels, plan.region_agent, plan.share_budget]
    if plan.unit not in (BP, FEN):
        raise InvalidPlan(_("A plan's unit is bp or fen."))
    if any(not isinstance(p, int) or isinstance(p, bool) or p < 0 for p in parts):
        raise InvalidPlan(_("Every rate is a whole number, zero or more."))
    spent = plan.buyer_discount + sum(plan.levels) + plan.region_agent
    if spent > plan.share_budget:
        raise InvalidPlan(
            _(
                "The buyer discount, level rates and region-agent rate add up to %(spent)d, more "
                "than the share budget of %(budget)d."
            )
            % {"spent": spent, "budget": plan.share_budget},
            details={"spent": spent, "share_budget": plan.share_budget},
        )
    if plan.unit == BP:
        if plan.share_budget > budget_cap_bp:
            raise InvalidPlan(
                _("The share budget %(budget)d bp is over the platform's cap of %(cap)d bp.")
                % {"budget": plan.share_budget, "cap": budget_cap_bp},
                details={"share_budget_bp": plan.share_budget, "cap_bp": budget_cap_bp},
            )
    else:
        for price in unit_prices:
            if plan.share_budget * BP_WHOLE > price * budget_cap_bp:
                raise InvalidPlan(
                    _(
                        "A share budget of %(budget)d fen per unit is over the platform's cap for "
                        "a price of %(price)d fen."
                    )
                    % {"budget": plan.share_budget, "price": price}
                )


def _portion(rate: int, unit: str, base_fen: int, quantity: int) -> int:
    return apply_bp(base_fen, rate) if unit == BP else rate * quantity


def buyer_discount(plan: Plan, *, list_fen: int, quantity: int) -> int:
    """What a buyer arriving through a share saves on a line (never more than the line)."""
    return min(list_fen, _portion(plan.buyer_discount, plan.unit, list_fen, quantity))


def level_amount(plan: Plan, level: int, *, base_fen: int, quantity: int) -> int:
    """Level 1–3's commission on a line whose paid amount (after every discount) is base_fen."""
    return min(base_fen, _portion(plan.levels[level - 1], plan.unit, base_fen, quantity))


def region_agent_amount(plan: Plan, *, base_fen: int, quantity: int) -> int:
    return min(base_fen, _portion(plan.region_agent, plan.unit, base_fen, quantity))


def reversed_so_far(amount_fen: int, *, refunded_fen: int, paid_fen: int) -> int:
    """How much of a commission is reversed once `refunded_fen` of the line's `paid_fen` went
    back: proportional, rounded down, so a reversal never takes more than was paid and a full
    refund reverses it all."""
    if paid_fen <= 0 or refunded_fen >= paid_fen:
        return amount_fen
    return amount_fen * refunded_fen // paid_fen


# The largest degree stored (a small integer column); no real chain comes near it.
MAX_DEGREE = 32767


def degree_after(sharer_degree: int | None) -> int:
    """PRODUCT §6.3: a share by someone who bought through a degree-n share is degree n + 1;
    a share by someone who found the product on their own is degree 1."""
    return 1 if sharer_degree is None else min(sharer_degree + 1, MAX_DEGREE)


def plan_parse(
    unit: str,
    *,
    share_budget: int | None,
    buyer_discount: int | None = 0,
    levels: Sequence[int | None] = (),
    region_agent: int | None = 0,
) -> Plan:
    """The plan a client's fields describe: missing rates are zero, missing levels too (up to
    three); a plan without a share budget is refused. Checking it is `check_plan`'s job."""
    if share_budget is None:
        if unit == FEN:
            raise InvalidPlan(_("share_budget_fen is required."))
        raise InvalidPlan(_("share_budget_bp is required."))
    rates = [*(level or 0 for level in levels[:3]), 0, 0, 0]
    return Plan(
        unit, share_budget, buyer_discount or 0, (rates[0], rates[1], rates[2]), region_agent or 0
    )


# The list price of the sale a plan editor shows split: ¥100.
SAMPLE_PRICE_FEN = 100_00


@dataclass(frozen=True)
class SaleSplit:
    """Where the money of one sale through a share goes, by the distribution rules."""

    price_fen: int
    buyer_discount_fen: int
    paid_fen: int
    levels_fen: tuple[int, ...]
    region_agent_fen: int
    platform_fee_bp: int
    platform_fee_fen: int
    merchant_fen: int


def sample_split(
    plan: Plan, *, max_levels: int, platform_fee_bp: int, price_fen: int = SAMPLE_PRICE_FEN
) -> SaleSplit:
    """A sale of one unit at `price_fen` through a share, with every level the platform pays
    filled in: what the buyer saves and pays, each level, the region agent, the platform's fee
    and what the merchant keeps (the parts of the paid amount always sum to it)."""
    discount = buyer_discount(plan, list_fen=price_fen, quantity=1)
    paid = price_fen - discount
    levels = tuple(
        level_amount(plan, level, base_fen=paid, quantity=1) for level in range(1, max_levels + 1)
    )
    agent = region_agent_amount(plan, base_fen=paid, quantity=1)
    fee = apply_bp(paid, platform_fee_bp)
    return SaleSplit(
        price_fen=price_fen,
        buyer_discount_fen=discount,
        paid_fen=paid,
        levels_fen=levels,
        region_agent_fen=agent,
        platform_fee_bp=platform_fee_bp,
        platform_fee_fen=fee,
        merchant_fen=paid - sum(levels) - agent - fee,
    )
