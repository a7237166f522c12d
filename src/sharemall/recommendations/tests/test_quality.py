"""The pure quality verdict: Wilson bounds, the minimum sample, reasons and suggestions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from sharemall.recommendations import quality
from sharemall.recommendations.quality import SkuFacts, WeekFacts, judge, wilson_lower


def facts(
    orders: int,
    returns: int = 0,
    complaints: int = 0,
    *,
    reasons: dict[str, int] | None = None,
    ratings: tuple[int, int] = (0, 0),
    weekly: tuple[tuple[int, int], ...] = (),
) -> SkuFacts:
    monday = date(2026, 10, 5)
    return SkuFacts(
        sku_id=1,
        product_id=2,
        merchant_id=3,
        orders=orders,
        units=orders,
        returns=returns,
        complaints=complaints,
        return_reasons=reasons or {},
        rating_sum=ratings[0],
        rating_count=ratings[1],
        weekly=[WeekFacts(monday + timedelta(weeks=i), o, r) for i, (o, r) in enumerate(weekly)],
    )


counts = st.integers(min_value=0, max_value=2000)


@st.composite
def any_facts(draw: st.DrawFn) -> SkuFacts:
    orders = draw(counts)
    returns = draw(st.integers(min_value=0, max_value=orders))
    complaints = draw(st.integers(min_value=0, max_value=orders))
    codes = draw(
        st.dictionaries(st.sampled_from(["", "quality", "size_fit", "other", "x"]), counts)
    )
    rating_count = draw(st.integers(min_value=0, max_value=200))
    rating_sum = draw(st.integers(min_value=rating_count, max_value=5 * rating_count))
    weekly = draw(st.lists(st.tuples(counts, counts), max_size=8))
    return facts(
        orders,
        returns,
        complaints,
        reasons=codes,
        ratings=(rating_sum, rating_count),
        weekly=tuple((o, min(r, o)) for o, r in weekly),
    )


# --- properties -----------------------------------------------------------------------------


@given(any_facts())
def test_rates_are_shares_and_the_bounds_never_exceed_them(sku: SkuFacts) -> None:
    verdict = judge(sku)

    assert 0.0 <= verdict.return_rate <= 1.0
    assert 0.0 <= verdict.complaint_rate <= 1.0
    assert 0.0 <= verdict.return_bound <= verdict.return_rate
    assert 0.0 <= verdict.complaint_bound <= verdict.complaint_rate
    assert verdict.reasons, "every verdict says why"
    assert set(verdict.reasons) <= set(quality.REASONS)
    assert verdict.suggestion in quality.SUGGESTIONS
    if verdict.rating_score is not None:
        assert 1.0 <= verdict.rating_score <= 5.0


@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=0, max_value=5000))
def test_the_wilson_lower_bound_lies_in_zero_to_the_rate(successes: int, extra: int) -> None:
    trials = successes + extra

    bound = wilson_lower(successes, trials)

    assert 0.0 <= bound <= (successes / trials if trials else 0.0)


@given(any_facts(), st.integers(min_value=1, max_value=500))
def test_more_returns_never_make_a_sku_less_demoted(sku: SkuFacts, more: int) -> None:
    worse = SkuFacts(**{**vars(sku), "returns": min(sku.returns + more, sku.orders)})

    assert judge(worse).demoted >= judge(sku).demoted
    assert judge(worse).risk_bound >= judge(sku).risk_bound


@given(any_facts(), st.integers(min_value=1, max_value=500))
def test_more_complaints_never_make_a_sku_less_demoted(sku: SkuFacts, more: int) -> None:
    worse = SkuFacts(**{**vars(sku), "complaints": min(sku.complaints + more, sku.orders)})

    assert judge(worse).demoted >= judge(sku).demoted


@given(any_facts(), st.integers(min_value=0, max_value=quality.MIN_ORDERS - 1))
def test_fewer_than_the_minimum_orders_are_never_demoted(sku: SkuFacts, orders: int) -> None:
    few = SkuFacts(
        **{
            **vars(sku),
            "orders": orders,
            "returns": min(sku.returns, orders),
            "complaints": min(sku.complaints, orders),
        }
    )

    verdict = judge(few)

    assert not verdict.demoted
    assert "few_orders" in verdict.reasons
    assert verdict.suggestion != "delist"


@given(st.integers(min_value=1, max_value=1000), st.integers(min_value=1, max_value=1000))
def test_the_same_rate_on_more_orders_is_more_certain(returns: int, scale: int) -> None:
    orders = returns * 3
    assert wilson_lower(returns * (scale + 1), orders * (scale + 1)) >= wilson_lower(
        returns, orders
    )


# --- examples -------------------------------------------------------------------------------


def test_one_return_in_three_orders_says_too_little() -> None:
    verdict = judge(facts(3, 1))

    assert not verdict.demoted
    assert verdict.reasons == ["few_orders"]
    assert verdict.return_rate == pytest.approx(1 / 3)


def test_a_third_returned_of_three_hundred_is_demoted() -> None:
    verdict = judge(facts(300, 100))

    assert verdict.demoted
    assert verdict.reasons[0] == "high_returns"
    assert verdict.return_bound == pytest.approx(0.2826, abs=1e-3)


def test_the_same_share_on_ten_orders_is_not_certain_enough() -> None:
    # 3 of 10 returned is 30 %, but the 95 % interval reaches down to 10.8 %.
    assert not judge(facts(10, 3)).demoted
    assert judge(facts(10, 3)).suggestion == "watch"


def test_few_returns_is_good_news() -> None:
    verdict = judge(facts(200, 4))

    assert verdict.reasons == ["good"]
    assert verdict.suggestion == "keep"


def test_complaints_demote_below_the_return_limit() -> None:
    verdict = judge(facts(200, 20, complaints=25))

    assert verdict.demoted
    assert verdict.reasons[0] == "high_complaints"
    assert "high_returns" not in verdict.reasons


def test_returns_mostly_not_as_described_ask_for_a_better_listing() -> None:
    verdict = judge(facts(100, 40, reasons={"not_as_described": 30, "changed_mind": 10}))

    assert verdict.demoted
    assert verdict.dominant_reason == "not_as_described"
    assert "most_not_as_described" in verdict.reasons
    assert verdict.suggestion == "fix_listing"


def test_returns_mostly_size_fit_ask_for_a_better_listing() -> None:
    assert judge(facts(100, 40, reasons={"size_fit": 25, "quality": 15})).suggestion == (
        "fix_listing"
    )


@pytest.mark.parametrize("code", ["quality", "damaged"])
def test_returns_for_broken_goods_ask_to_check_the_goods(code: str) -> None:
    verdict = judge(facts(100, 40, reasons={code: 30, "": 10}))

    assert verdict.suggestion == "check_quality"
    assert f"most_{code}" in verdict.reasons


def test_no_reason_dominates_a_mixed_bag() -> None:
    verdict = judge(
        facts(100, 40, reasons={"quality": 10, "size_fit": 10, "damaged": 10, "other": 10})
    )

    assert verdict.dominant_reason == ""
    assert verdict.suggestion == "check_quality"  # demoted with nothing more telling


def test_uncoded_returns_count_as_other() -> None:
    assert quality.dominant_reason({"": 5, "quality": 1}) == "other"
    assert "most_other" in judge(facts(100, 40, reasons={"": 5})).reasons


def test_very_many_certain_returns_suggest_taking_it_off_sale() -> None:
    assert judge(facts(100, 60)).suggestion == "delist"
    # As bad a share, but on fewer orders than delisting needs: fixed, not delisted.
    assert judge(facts(20, 12)).demoted
    assert judge(facts(20, 12)).suggestion == "check_quality"


def test_two_one_star_ratings_do_not_sink_a_sku() -> None:
    verdict = judge(facts(50, 1, ratings=(2, 2)))

    assert verdict.rating == 1.0
    assert verdict.rating_score is None
    assert "low_rating" not in verdict.reasons


def test_many_low_ratings_are_a_reason_but_no_demotion() -> None:
    verdict = judge(facts(50, 1, ratings=(20, 10)))

    assert verdict.rating_score == pytest.approx((20 + 5 * 4.0) / 15)
    assert "low_rating" in verdict.reasons
    assert "good" not in verdict.reasons
    assert not verdict.demoted
    assert verdict.suggestion == "check_quality"


def test_a_well_rated_sku_with_few_returns_says_both() -> None:
    verdict = judge(facts(80, 2, ratings=(98, 20)))

    assert verdict.reasons == ["good", "well_rated"]
    assert verdict.suggestion == "keep"


def test_returns_rising_over_recent_weeks_are_watched() -> None:
    weekly = ((20, 0), (20, 1), (20, 0), (20, 1), (10, 2), (10, 3), (10, 2), (10, 3))
    verdict = judge(facts(120, 12, weekly=weekly))

    assert verdict.returns_rising
    assert "returns_rising" in verdict.reasons
    assert verdict.suggestion == "watch"


def test_steady_returns_are_not_rising() -> None:
    weekly = ((20, 2),) * 8
    assert not quality.returns_rising(facts(160, 16, weekly=weekly).weekly)
    assert not quality.returns_rising(facts(0, weekly=((0, 0),) * 8).weekly)


def test_labels_are_text_in_the_active_language() -> None:
    with translation.override("en"):
        assert quality.reason_labels(["high_returns", "x"]) == ["High return rate", "x"]
        assert quality.suggestion_label("fix_listing") == "Correct the description and photos"
    with translation.override("zh-hans"):
        assert quality.reason_labels(["most_size_fit"]) == ["多数退货原因：尺码不合适"]
        assert quality.suggestion_label("delist") == "建议下架"
