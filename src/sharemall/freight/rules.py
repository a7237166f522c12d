"""Pure freight rules: what a merchant's template charges to send goods to a region.

A template charges by piece or by weight (grams). Each rule charges `first_fen` for the first
`first_units` and `extra_fen` for every started block of `extra_units` beyond them. A rule names
GB/T 2260 region codes with prefix semantics: a province code (440000) covers all of 44xxxx, a
city code (440300) all of 4403xx, a district code only itself. The most specific code that covers
the destination decides, whether it names a rule or a region the merchant does not deliver to; a
rule without codes is the default for every region no code covers. A template without a default
serves only the regions its rules name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _

BY_PIECE, BY_WEIGHT = "piece", "weight"
BY = (BY_PIECE, BY_WEIGHT)
NAME_MAX = 40
MAX_RULES = 50
MAX_CODES = 400  # per rule and in the no-delivery list
MAX_UNITS = 1_000_000  # pieces, or grams (a tonne): anything above is a typo
MAX_FEN = 1_000_000  # ¥10,000 for one parcel's first or extra block
MAX_FREE_OVER_FEN = 100_000_000_00


class InvalidFreightRule(DomainError):
    code = "invalid_freight_rule"


class RegionNotServed(DomainError):
    code = "region_not_served"


@dataclass(frozen=True)
class Rule:
    region_codes: tuple[str, ...]  # empty: the default rule
    first_units: int
    first_fen: int
    extra_units: int
    extra_fen: int


@dataclass(frozen=True)
class Template:
    by: str
    rules: tuple[Rule, ...]
    free_over_fen: int | None = None
    no_delivery_region_codes: tuple[str, ...] = ()


def scope(code: str) -> str:
    """The prefix of the region codes a code covers: 44 for a province, 4403 for a city."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _codes(codes: Iterable[object]) -> tuple[str, ...]:
    found = tuple(codes)
    if len(found) > MAX_CODES:
        raise InvalidFreightRule(
            _("A list of regions names at most %(n)d regions.") % {"n": MAX_CODES}
        )
    checked: list[str] = []
    for code in found:
        if not isinstance(code, str) or not re.fullmatch(r"[0-9]{6}", code) or code[:2] == "00":
            raise InvalidFreightRule(
                _("%(code)s is not a six-digit region code.") % {"code": code},
                details={"region_code": str(code)},
            )
        checked.append(code)
    return tuple(checked)


def check_rule(rule: Rule) -> Rule:
    for units in (rule.first_units, rule.extra_units):
        if not _int(units) or not 0 < units <= MAX_UNITS:
            raise InvalidFreightRule(
                _("First and extra units must be whole numbers from 1 to %(n)d.") % {"n": MAX_UNITS}
            )
    for fen in (rule.first_fen, rule.extra_fen):
        if not _int(fen) or not 0 <= fen <= MAX_FEN:
            raise InvalidFreightRule(_("A freight charge is between ¥0 and ¥10,000."))
    return Rule(
        _codes(rule.region_codes),
        rule.first_units,
        rule.first_fen,
        rule.extra_units,
        rule.extra_fen,
    )


def check_template(template: Template) -> Template:
    """The template if it is sound, else `invalid_freight_rule` saying what is wrong.

    A code may appear once in the whole template: two rules (or a rule and the no-delivery list)
    naming the same region would leave the charge to chance. A province in one rule and one of
    its cities in another is fine: the city is more specific and wins.
    """
    if template.by not in BY:
        raise InvalidFreightRule(_("A template charges by piece or by weight."))
    if not template.rules:
        raise InvalidFreightRule(_("A template needs at least one rule."))
    if len(template.rules) > MAX_RULES:
        raise InvalidFreightRule(_("A template has at most %(n)d rules.") % {"n": MAX_RULES})
    rules = tuple(check_rule(r) for r in template.rules)
    if sum(1 for r in rules if not r.region_codes) > 1:
        raise InvalidFreightRule(_("A template has at most one default rule."))
    no_delivery = _codes(template.no_delivery_region_codes)
    seen: set[str] = set()
    for code in [c for r in rules for c in r.region_codes] + list(no_delivery):
        if code in seen:
            raise InvalidFreightRule(
                _("Region %(code)s is named twice in the template.") % {"code": code},
                details={"region_code": code},
            )
        seen.add(code)
    free_over = template.free_over_fen
    if free_over is not None and (not _int(free_over) or not 0 <= free_over <= MAX_FREE_OVER_FEN):
        raise InvalidFreightRule(_("Free shipping starts at an amount of ¥0 or more."))
    return Template(template.by, rules, free_over, no_delivery)


def rule_for(template: Template, region_code: str) -> Rule:
    """The rule that charges for sending to `region_code`, or `region_not_served`."""
    best: tuple[int, Rule | None] | None = None  # (prefix length, rule; None = not delivered)
    candidates: list[tuple[str, Rule | None]] = [
        (code, rule) for rule in template.rules for code in rule.region_codes
    ]
    candidates += [(code, None) for code in template.no_delivery_region_codes]
    for code, rule in candidates:
        prefix = scope(code)
        if region_code.startswith(prefix) and (best is None or len(prefix) > best[0]):
            best = (len(prefix), rule)
    if best is None:
        default = next((r for r in template.rules if not r.region_codes), None)
        best = (0, default)
    if best[1] is None:
        raise RegionNotServed(_("The merchant does not deliver to this region."))
    return best[1]


def charge(rule: Rule, units: int) -> int:
    """The first block, plus each started extra block. Nothing to weigh still ships a parcel."""
    if units <= rule.first_units:
        return rule.first_fen
    blocks = -(-(units - rule.first_units) // rule.extra_units)
    return rule.first_fen + blocks * rule.extra_fen


def shipping_fen(template: Template, region_code: str, units: int, goods_fen: int) -> int:
    """What one parcel of `units` (pieces or grams) with goods worth `goods_fen` costs to send
    to `region_code`. An unserved region is refused even when shipping would be free."""
    if not _int(units) or units < 0:
        raise InvalidFreightRule(_("A parcel cannot weigh or count less than nothing."))
    if not _int(goods_fen) or goods_fen < 0:
        raise InvalidFreightRule(_("A goods amount cannot be negative."))
    rule = rule_for(template, region_code)
    if template.free_over_fen is not None and goods_fen >= template.free_over_fen:
        return 0
    return charge(rule, units)


def parcel_units(by: str, lines: Sequence[tuple[int, int]]) -> int:
    """The units a parcel counts: pieces, or grams, from (quantity, weight in grams) per line."""
    if by == BY_PIECE:
        return sum(quantity for quantity, _weight in lines)
    return sum(quantity * weight for quantity, weight in lines)


@dataclass(frozen=True)
class Line:
    """One line of a merchant's order as freight sees it: its product's template (None: the
    product ships free), how many, and one unit's weight."""

    template_id: int | None
    quantity: int
    weight_grams: int = 0


def order_shipping_fen(
    templates: Mapping[int, Template], lines: Sequence[Line], region_code: str, goods_fen: int
) -> int:
    """What one merchant's order costs to send: one parcel, however many templates it mixes.

    Lines are grouped by template. A template whose free-over amount the order's goods reach
    charges nothing. Of the others, the one with the highest first charge charges as usual; every
    other template charges only its further charge, per started block of all its units (at most
    what it would charge alone), so a mixed parcel never pays two first charges (the way Chinese
    shops combine templates). Any
    template that does not serve the region refuses the whole order (`region_not_served`).
    """
    if not _int(goods_fen) or goods_fen < 0:
        raise InvalidFreightRule(_("A goods amount cannot be negative."))
    grouped: dict[int, list[tuple[int, int]]] = {}
    for line in lines:
        if not _int(line.quantity) or line.quantity < 0 or line.weight_grams < 0:
            raise InvalidFreightRule(_("A parcel cannot weigh or count less than nothing."))
        if line.template_id is not None:
            grouped.setdefault(line.template_id, []).append((line.quantity, line.weight_grams))
    charged: list[tuple[Rule, int]] = []
    for template_id in sorted(grouped):
        template = templates[template_id]
        rule = rule_for(template, region_code)
        if template.free_over_fen is not None and goods_fen >= template.free_over_fen:
            continue
        charged.append((rule, parcel_units(template.by, grouped[template_id])))
    if not charged:
        return 0
    # The highest first charge leads; on a tie, the template created first.
    lead = max(range(len(charged)), key=lambda i: (charged[i][0].first_fen, -i))
    total = charge(*charged[lead])
    for i, (rule, units) in enumerate(charged):
        if i != lead:
            further = -(-units // rule.extra_units) * rule.extra_fen
            # Capped at what the template would charge alone: joining never costs more.
            total += min(further, charge(rule, units))
    return total
