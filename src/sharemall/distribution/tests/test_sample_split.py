"""The plan editor's rules: reading a plan from its fields and the ¥100 sample split."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharemall.distribution import rules


def test_a_plan_is_read_from_its_fields_with_missing_rates_as_zero() -> None:
    plan = rules.plan_parse(rules.BP, share_budget=1000, buyer_discount=None, levels=(500, None))

    assert plan == rules.Plan(rules.BP, 1000, 0, (500, 0, 0), 0)


@pytest.mark.parametrize(
    ("unit", "field"), [(rules.BP, "share_budget_bp"), (rules.FEN, "share_budget_fen")]
)
def test_a_plan_without_a_share_budget_is_refused(unit: str, field: str) -> None:
    with pytest.raises(rules.InvalidPlan) as refused:
        rules.plan_parse(unit, share_budget=None, levels=(100, 0, 0))

    assert refused.value.code == "invalid_plan"
    assert field in refused.value.message


def test_a_hundred_yuan_sale_splits_by_the_plan() -> None:
    plan = rules.Plan(rules.BP, 2000, 500, (800, 300, 100), 200)

    split = rules.sample_split(plan, max_levels=2, platform_fee_bp=600)

    assert split == rules.SaleSplit(
        price_fen=100_00,
        buyer_discount_fen=5_00,
        paid_fen=95_00,
        levels_fen=(7_60, 2_85),  # only the levels the platform pays
        region_agent_fen=1_90,
        platform_fee_bp=600,
        platform_fee_fen=5_70,
        merchant_fen=76_95,
    )


rates = st.integers(min_value=0, max_value=1500)


@given(
    parts=st.lists(rates, min_size=5, max_size=5),
    fee=st.integers(min_value=0, max_value=2000),
    levels=st.integers(min_value=1, max_value=3),
)
def test_the_parts_of_a_sample_sale_sum_to_what_the_buyer_pays(
    parts: list[int], fee: int, levels: int
) -> None:
    plan = rules.Plan(rules.BP, sum(parts), parts[0], (parts[1], parts[2], parts[3]), parts[4])

    split = rules.sample_split(plan, max_levels=levels, platform_fee_bp=fee)

    assert split.price_fen - split.buyer_discount_fen == split.paid_fen
    assert (
        sum(split.levels_fen) + split.region_agent_fen + split.platform_fee_fen + split.merchant_fen
        == split.paid_fen
    )
    assert split.merchant_fen >= 0
