"""The convention's pure rules: the ladder's suggestion, aggravations, checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharemall.community import rules


def test_a_first_breach_gets_a_warning() -> None:
    assert rules.suggested_level([]) == rules.WARNING


@pytest.mark.parametrize(
    ("standing", "expected"),
    [
        ([rules.WARNING], rules.MUTE_1D),
        ([rules.WARNING, rules.MUTE_1D], rules.MUTE_7D),
        ([rules.MUTE_7D], rules.MUTE_15D),
        ([rules.MUTE_15D, rules.WARNING], rules.MUTE_FOREVER),
        ([rules.MUTE_FOREVER], rules.CLOSE),
        ([rules.CLOSE], rules.CLOSE),
    ],
)
def test_the_suggestion_is_one_above_the_heaviest_standing_penalty(
    standing: list[str], expected: str
) -> None:
    assert rules.suggested_level(standing) == expected


def test_each_aggravation_moves_the_suggestion_two_steps_up() -> None:
    assert rules.suggested_level([], [rules.MULTI_ACCOUNT]) == rules.MUTE_7D
    assert rules.suggested_level([], [rules.MINORS]) == rules.MUTE_7D
    assert rules.suggested_level([], [rules.MINORS, rules.MULTI_ACCOUNT]) == rules.MUTE_FOREVER
    # Named twice, counted once.
    assert rules.suggested_level([], [rules.MINORS, rules.MINORS]) == rules.MUTE_7D
    assert rules.suggested_level([rules.MUTE_15D], [rules.MINORS]) == rules.CLOSE


@given(
    st.lists(st.sampled_from(rules.LADDER), max_size=8),
    st.lists(st.sampled_from(tuple(rules.AGGRAVATIONS)), max_size=3),
)
def test_the_suggestion_never_goes_below_the_history_nor_past_closing(
    standing: list[str], aggravations: list[str]
) -> None:
    suggested = rules.LADDER.index(rules.suggested_level(standing, aggravations))
    plain = rules.LADDER.index(rules.suggested_level(standing))
    heaviest = max((rules.LADDER.index(level) for level in standing), default=-1)
    assert suggested >= plain >= min(heaviest + 1, len(rules.LADDER) - 1)
    assert suggested <= len(rules.LADDER) - 1


def test_mutes_end_after_their_days_and_a_permanent_one_never() -> None:
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert rules.mute_ends(rules.MUTE_1D, start) == start + timedelta(days=1)
    assert rules.mute_ends(rules.MUTE_7D, start) == start + timedelta(days=7)
    assert rules.mute_ends(rules.MUTE_15D, start) == start + timedelta(days=15)
    assert rules.mute_ends(rules.MUTE_FOREVER, start) is None
    assert rules.mute_ends(rules.WARNING, start) is None


def test_unknown_levels_rules_and_aggravations_are_refused() -> None:
    with pytest.raises(rules.InvalidPenalty):
        rules.check_level("mute_2d")
    with pytest.raises(rules.InvalidPenalty):
        rules.check_category("rude")
    with pytest.raises(rules.InvalidPenalty):
        rules.check_aggravations(["repeat"])
    assert rules.check_aggravations([" minors", "multi_account", ""]) == (
        rules.MULTI_ACCOUNT,
        rules.MINORS,
    )


def test_an_appeal_must_say_something() -> None:
    with pytest.raises(rules.InvalidAppeal):
        rules.check_statement("   ")
    with pytest.raises(rules.InvalidAppeal):
        rules.check_statement("字" * (rules.STATEMENT_MAX_LENGTH + 1))
    with pytest.raises(rules.InvalidAppeal):
        rules.check_outcome("maybe")
    assert rules.check_statement(" 我没有发广告 ") == "我没有发广告"


def test_the_convention_splits_into_paragraphs_at_blank_lines() -> None:
    assert rules.paragraphs("一\n\n二\r\n\r\n\n三\n四") == ["一", "二", "三\n四"]
    with pytest.raises(rules.InvalidConvention):
        rules.check_convention_text(" \n ")
