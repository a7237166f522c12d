import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharemall.core.money import (
    AmountTooLarge,
    InexactAmount,
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


fens = st.integers(min_value=-(10**14), max_value=10**14)


@given(fen=st.integers(min_value=0, max_value=10**14), plain=st.booleans())
def test_yuan_text_round_trips(fen: int, plain: bool) -> None:
    assert parse_yuan(format_yuan(fen, plain=plain)) == fen


@given(fen=st.integers(min_value=1, max_value=10**14))
def test_plain_yuan_text_round_trips_as_a_provider_reads_it(fen: int) -> None:
    assert parse_yuan(format_yuan(fen, plain=True), plain=True) == fen


@given(fen=fens, plain=st.booleans())
def test_formatting_never_loses_a_fen(fen: int, plain: bool) -> None:
    text = format_yuan(fen, plain=plain)
    assert text.startswith("-") == (fen < 0)
    assert parse_yuan(text.removeprefix("-")) == abs(fen)
    whole, cents = text.rsplit(".", 1)
    assert len(cents) == 2
    assert int(whole.removeprefix("-").lstrip("¥").replace(",", "")) * 100 + int(cents) == abs(fen)


@pytest.mark.parametrize(
    ("fen", "people", "plain"),
    [
        (0, "¥0.00", "0.00"),
        (5, "¥0.05", "0.05"),
        (1250, "¥12.50", "12.50"),
        (123456789, "¥1,234,567.89", "1234567.89"),
        (-5, "-¥0.05", "-0.05"),
        (-12345, "-¥123.45", "-123.45"),
    ],
)
def test_yuan_text_examples(fen: int, people: str, plain: str) -> None:
    assert format_yuan(fen) == people
    assert format_yuan(fen, plain=True) == plain


@pytest.mark.parametrize("fen", [1.5, True, "12", None])
def test_only_whole_fen_are_formatted(fen: object) -> None:
    with pytest.raises(MoneyError):
        format_yuan(fen)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12.5", 1250),
        ("¥1,234.56", 123456),
        (" 0.01 ", 1),
        ("3", 300),
        ("￥7", 700),
        ("1.000", 100),
    ],
)
def test_people_write_yuan_many_ways(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    "text", ["1.001", "0.005", "-1.00", "+1.00", "1e3", "1,000.00", "¥1.00", " 1.00", "", ".", "01"]
)
def test_plain_yuan_text_is_bare_digits(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_yuan(text, plain=True)


def test_too_fine_and_too_large_say_so() -> None:
    with pytest.raises(InexactAmount):
        parse_yuan("0.001")
    with pytest.raises(AmountTooLarge):
        parse_yuan("9" * 40)


@pytest.mark.parametrize(
    "text", ["1.001", "-1", "abc", "NaN", "Infinity", "", "1e30", "1e-30", "9" * 40, "+5", "3."]
)
def test_parse_yuan_refuses_inexact_or_negative(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_yuan(text)
