"""Freight charges computed by hand, and properties that hold for any template."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharemall.freight.rules import (
    InvalidFreightRule,
    Line,
    RegionNotServed,
    Rule,
    Template,
    check_template,
    order_shipping_fen,
    parcel_units,
    shipping_fen,
)

# Default: ¥10 for the first piece, ¥5 for each further 2 pieces (started).
DEFAULT = Rule((), 1, 1000, 2, 500)
# Guangdong: ¥6 for the first piece, ¥2 each further piece; Shenzhen (a city of it): ¥4 then ¥1.
GUANGDONG = Rule(("440000",), 1, 600, 1, 200)
SHENZHEN = Rule(("440300",), 1, 400, 1, 100)
BY_PIECE = Template("piece", (DEFAULT, GUANGDONG, SHENZHEN), no_delivery_region_codes=("650000",))


def test_by_piece_default_charges_started_extra_blocks() -> None:
    # Beijing, Dongcheng: no region rule, so the default.
    assert shipping_fen(BY_PIECE, "110101", 1, 0) == 1000
    assert shipping_fen(BY_PIECE, "110101", 2, 0) == 1000 + 500  # one started block of 2
    assert shipping_fen(BY_PIECE, "110101", 3, 0) == 1000 + 500
    assert shipping_fen(BY_PIECE, "110101", 4, 0) == 1000 + 2 * 500


def test_province_rule_covers_its_districts_and_the_city_rule_wins() -> None:
    # Guangzhou, Tianhe (440106) is in Guangdong: 600 + 2 × 200.
    assert shipping_fen(BY_PIECE, "440106", 3, 0) == 1000
    # Shenzhen, Nanshan (440305): the city rule is more specific: 400 + 2 × 100.
    assert shipping_fen(BY_PIECE, "440305", 3, 0) == 600
    # The province code itself is covered by the province rule.
    assert shipping_fen(BY_PIECE, "440000", 1, 0) == 600


def test_a_region_not_delivered_to_is_refused_even_when_shipping_would_be_free() -> None:
    free = Template("piece", (DEFAULT,), free_over_fen=0, no_delivery_region_codes=("650000",))
    with pytest.raises(RegionNotServed) as refused:
        shipping_fen(free, "650102", 1, 10_000)  # Urumqi, Tianshan
    assert refused.value.code == "region_not_served"


def test_a_city_rule_can_serve_part_of_a_province_not_delivered_to() -> None:
    template = Template(
        "piece", (Rule(("650100",), 1, 2000, 1, 1000),), no_delivery_region_codes=("650000",)
    )
    assert shipping_fen(template, "650102", 2, 0) == 3000  # Urumqi
    with pytest.raises(RegionNotServed):
        shipping_fen(template, "650200", 1, 0)  # Karamay


def test_without_a_default_only_named_regions_are_served() -> None:
    template = Template("piece", (GUANGDONG,))
    assert shipping_fen(template, "440106", 1, 0) == 600
    with pytest.raises(RegionNotServed):
        shipping_fen(template, "110101", 1, 0)


def test_by_weight_in_grams() -> None:
    # ¥12 for the first kilogram, ¥3 for each started 500 g beyond it.
    template = Template("weight", (Rule((), 1000, 1200, 500, 300),))
    assert shipping_fen(template, "310101", 0, 0) == 1200  # nothing to weigh still ships
    assert shipping_fen(template, "310101", 1000, 0) == 1200
    assert shipping_fen(template, "310101", 1001, 0) == 1500
    assert shipping_fen(template, "310101", 2600, 0) == 1200 + 4 * 300
    units = parcel_units("weight", [(2, 650), (1, 1300)])  # 2 × 650 g + 1 × 1300 g
    assert units == 2600
    assert parcel_units("piece", [(2, 650), (1, 1300)]) == 3


def test_free_over_an_amount() -> None:
    template = Template("piece", (DEFAULT,), free_over_fen=9900)
    assert shipping_fen(template, "110101", 5, 9899) == 1000 + 2 * 500
    assert shipping_fen(template, "110101", 5, 9900) == 0


@pytest.mark.parametrize(
    ("template", "why"),
    [
        (Template("piece", (Rule((), 0, 100, 1, 100),)), "zero first units"),
        (Template("piece", (Rule((), 1, 100, -1, 100),)), "negative extra units"),
        (Template("weight", (Rule((), 1000, -1, 1, 100),)), "negative money"),
        (Template("piece", (Rule((), 1, 100, 1, 100),), free_over_fen=-1), "negative free-over"),
        (Template("piece", ()), "no rules"),
        (Template("volume", (DEFAULT,)), "unknown way of charging"),
        (Template("piece", (DEFAULT, DEFAULT)), "two defaults"),
        (Template("piece", (GUANGDONG, Rule(("440000",), 1, 1, 1, 1))), "same code twice"),
        (Template("piece", (Rule(("440000", "440000"), 1, 1, 1, 1),)), "twice in one rule"),
        (
            Template("piece", (GUANGDONG,), no_delivery_region_codes=("440000",)),
            "in a rule and not delivered",
        ),
        (Template("piece", (Rule(("4403",), 1, 1, 1, 1),)), "not six digits"),
        (Template("piece", (DEFAULT,), no_delivery_region_codes=("44030x",)), "not digits"),
        (Template("piece", (DEFAULT,), no_delivery_region_codes=("٤٤٠٠٠٠",)), "not ASCII digits"),
    ],
)
def test_unsound_templates_are_refused(template: Template, why: str) -> None:
    with pytest.raises(InvalidFreightRule) as refused:
        check_template(template)
    assert refused.value.code == "invalid_freight_rule", why


def test_a_province_and_one_of_its_cities_in_two_rules_is_sound() -> None:
    assert check_template(BY_PIECE) == BY_PIECE


def test_negative_units_are_refused() -> None:
    with pytest.raises(InvalidFreightRule):
        shipping_fen(BY_PIECE, "110101", -1, 0)


# --- properties --------------------------------------------------------------------------------

PROVINCES = ["110000", "310000", "440000", "650000"]
CITIES = ["440100", "440300", "650100"]
DISTRICTS = ["110101", "310101", "440106", "440305", "650102", "650202"]

rules_strategy = st.builds(
    Rule,
    region_codes=st.just(()),
    first_units=st.integers(1, 5000),
    first_fen=st.integers(0, 100_000),
    extra_units=st.integers(1, 5000),
    extra_fen=st.integers(0, 100_000),
)


@st.composite
def templates(draw: st.DrawFn) -> Template:
    codes = draw(st.lists(st.sampled_from(PROVINCES + CITIES + DISTRICTS), unique=True))
    # Deal the codes out to region rules and the no-delivery list; each code appears once.
    groups: list[list[str]] = [[] for _ in range(draw(st.integers(1, 4)))]
    no_delivery: list[str] = []
    for code in codes:
        slot = draw(st.integers(-1, len(groups) - 1))
        (no_delivery if slot < 0 else groups[slot]).append(code)
    region_rules = [Rule(tuple(g), *_numbers(draw(rules_strategy))) for g in groups if g]
    default = [draw(rules_strategy)] if draw(st.booleans()) or not region_rules else []
    free_over = draw(st.none() | st.integers(0, 1_000_000))
    return check_template(
        Template(
            draw(st.sampled_from(["piece", "weight"])),
            tuple(default + region_rules),
            free_over,
            tuple(no_delivery),
        )
    )


def _numbers(rule: Rule) -> tuple[int, int, int, int]:
    return rule.first_units, rule.first_fen, rule.extra_units, rule.extra_fen


def _shipping(template: Template, region: str, units: int, goods_fen: int) -> int | None:
    try:
        return shipping_fen(template, region, units, goods_fen)
    except RegionNotServed:
        return None


@given(
    templates(),
    st.sampled_from(DISTRICTS + CITIES),
    st.integers(0, 100_000),
    st.integers(0, 100_000),
    st.integers(0, 2_000_000),
)
def test_shipping_is_never_negative_and_more_units_never_cost_less(
    template: Template, region: str, units: int, more: int, goods_fen: int
) -> None:
    fewer = _shipping(template, region, units, goods_fen)
    larger = _shipping(template, region, units + more, goods_fen)
    # Whether a region is served does not depend on the parcel.
    assert (fewer is None) == (larger is None)
    if fewer is not None and larger is not None:
        assert 0 <= fewer <= larger


@given(templates(), st.sampled_from(DISTRICTS), st.integers(0, 100_000), st.integers(0, 10**7))
def test_goods_over_the_free_amount_ship_free(
    template: Template, region: str, units: int, goods_fen: int
) -> None:
    cost = _shipping(template, region, units, goods_fen)
    if template.free_over_fen is not None and goods_fen >= template.free_over_fen:
        assert cost in (0, None)


@given(templates(), st.sampled_from(DISTRICTS), st.integers(0, 100_000))
def test_the_most_specific_code_decides(template: Template, region: str, units: int) -> None:
    """A district named by a rule is charged by that rule, whatever covers its city or
    province; a district named as not delivered to is refused."""
    named = {c: r for r in template.rules for c in r.region_codes}
    if region in template.no_delivery_region_codes:
        assert _shipping(template, region, units, 0) is None
    elif region in named:
        rule = named[region]
        expected = (
            rule.first_fen
            + max(0, -(-(units - rule.first_units) // rule.extra_units)) * rule.extra_fen
        )
        expected = 0 if template.free_over_fen == 0 else expected
        assert _shipping(template, region, units, 0) == expected


# --- one merchant's order, mixing templates ---------------------------------------------------

TEA = Template("weight", (Rule((), 1000, 1200, 500, 300),))  # ¥12 first kg, ¥3 per 500 g
CUPS = Template("piece", (Rule((), 1, 800, 1, 200),), free_over_fen=20000)  # ¥8, ¥2 each more


def test_a_mixed_order_pays_one_first_charge() -> None:
    templates = {1: TEA, 2: CUPS}
    lines = [Line(1, 2, 750), Line(2, 3), Line(None, 5)]  # 1500 g of tea, 3 cups, 5 free items
    # Tea leads (¥12 > ¥8): 1200 + ⌈500/500⌉ × 300 = 1500; cups add ⌈3/1⌉ × 200 = 600.
    assert order_shipping_fen(templates, lines, "110101", 10000) == 2100
    # Over ¥200 the cups ship free and the tea alone is charged.
    assert order_shipping_fen(templates, lines, "110101", 20000) == 1500
    # Only products without a template: free.
    assert order_shipping_fen(templates, [Line(None, 9)], "110101", 0) == 0


def test_one_template_not_serving_the_region_refuses_the_order() -> None:
    templates = {1: TEA, 2: Template("piece", (GUANGDONG,))}
    with pytest.raises(RegionNotServed):
        order_shipping_fen(templates, [Line(1, 1, 100), Line(2, 1)], "110101", 0)


lines_strategy = st.lists(
    st.builds(Line, st.sampled_from([1, 2, 3, None]), st.integers(0, 50), st.integers(0, 5000)),
    max_size=6,
)


@given(
    st.lists(templates(), min_size=3, max_size=3),
    lines_strategy,
    st.sampled_from(DISTRICTS),
    st.integers(0, 2_000_000),
)
def test_a_mixed_order_never_costs_more_than_its_parcels_sent_apart(
    chosen: list[Template], lines: list[Line], region: str, goods_fen: int
) -> None:
    by_id = dict(zip([1, 2, 3], chosen, strict=True))
    try:
        together = order_shipping_fen(by_id, lines, region, goods_fen)
    except RegionNotServed:
        return
    apart = 0
    for template_id, template in by_id.items():
        mine = [(li.quantity, li.weight_grams) for li in lines if li.template_id == template_id]
        if mine:
            apart += shipping_fen(template, region, parcel_units(template.by, mine), goods_fen)
    assert 0 <= together <= apart
    single = [li for li in lines if li.template_id == 1]
    if single and len({li.template_id for li in lines} - {None}) == 1:
        assert together == apart
