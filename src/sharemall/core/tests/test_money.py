import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharemall.core.money import (
    Money,
    MoneyError,
    apply_bp,
    format_yuan,
    parse_yuan,
    split_largest_remainder,
)

amounts = st.integers(min_value=-(10**12), max_value=10**12)
weights = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=40).filter(
    lambda ws: sum(ws) > 0
)


@given(total=amounts, ws=weights)
def test_split_parts_always_sum_to_the_whole(total: int, ws: list[int]) -> None:
    parts = split_largest_remainder(total, ws)
    assert sum(parts) == total
    assert len(parts) == len(ws)


@given(total=st.integers(min_value=0, max_value=10**12), ws=weights)
def test_each_part_is_within_one_fen_of_its_exact_share(total: int, ws: list[int]) -> None:
    parts = split_largest_remainder(total, ws)
    weight_sum = sum(ws)
    for part, w in zip(parts, ws, strict=True):
        exact_floor = total * w // weight_sum
        assert exact_floor <= part <= exact_floor + 1
        if w == 0:
            assert part == 0


@given(total=st.integers(min_value=0, max_value=10**12), ws=weights)
def test_split_is_deterministic_and_sign_symmetric(total: int, ws: list[int]) -> None:
    assert split_largest_remainder(total, ws) == split_largest_remainder(total, ws)
    assert split_largest_remainder(-total, ws) == [-p for p in split_largest_remainder(total, ws)]


def test_split_gives_leftover_fen_to_largest_remainders_then_earliest() -> None:
    assert split_largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    assert split_largest_remainder(10, [3, 3, 4]) == [3, 3, 4]
    assert split_largest_remainder(1, [1, 2]) == [0, 1]


def test_split_refuses_nonsense() -> None:
    with pytest.raises(MoneyError):
        split_largest_remainder(10, [])
    with pytest.raises(MoneyError):
        split_largest_remainder(10, [0, 0])
    with pytest.raises(MoneyError):
        split_largest_remainder(10, [1, -1])


@given(amount=st.integers(min_value=0, max_value=10**12), bp=st.integers(0, 10_000))
def test_apply_bp_floors_and_never_exceeds_the_amount(amount: int, bp: int) -> None:
    share = apply_bp(amount, bp)
    assert 0 <= share <= amount
    assert share * 10_000 <= amount * bp < (share + 1) * 10_000


def test_apply_bp_examples() -> None:
    assert apply_bp(999, 1000) == 99
    assert apply_bp(10_000, 1) == 1
    assert apply_bp(9_999, 1) == 0


def test_money_arithmetic_stays_in_one_currency() -> None:
    assert Money(150) + Money(50) == Money(200)
    assert Money(150).times(3) == Money(450)
    assert Money(1000).apply_bp(250) == Money(25)
    with pytest.raises(MoneyError):
        Money(1) + Money(1, "USD")
    with pytest.raises(MoneyError):
        Money(1.5)  # type: ignore[arg-type]


@given(fen=st.integers(min_value=0, max_value=10**12))
def test_yuan_text_round_trips(fen: int) -> None:
    assert parse_yuan(format_yuan(fen)) == fen


@pytest.mark.parametrize(
    "text", ["1.001", "-1", "abc", "NaN", "Infinity", "", "1e30", "1e-30", "9" * 40]
)
def test_parse_yuan_refuses_inexact_or_negative(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_yuan(text)
