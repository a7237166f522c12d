"""Codes people type or scan: the right length, only their alphabet, every character equally
likely."""

from __future__ import annotations

from collections import Counter
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from sharemall.core import ids


@given(st.integers(min_value=0, max_value=64))
def test_codes_have_their_length_and_alphabet(length: int) -> None:
    code = ids.short_code(length)
    assert len(code) == length and set(code) <= set(ids.ALPHABET)
    digits = ids.numeric_code(length)
    assert len(digits) == length and digits.isdigit() == (length > 0)


def test_bytes_past_the_last_whole_alphabet_are_never_used() -> None:
    # 256 = 25 x 10 + 6: bytes 250-255 would make 0-5 likelier than 6-9.
    stream = iter([bytes([255, 250, 3, 253, 9, 251, 6, 7, 8, 249, 0, 1])])
    with mock.patch("secrets.token_bytes", lambda n: next(stream)):
        assert ids.numeric_code(6) == "396789"


def test_characters_are_spread_evenly() -> None:
    counts = Counter("".join(ids.numeric_code(10) for _ in range(2000)))
    # 20,000 draws over 10 digits: each within 10 % of 2,000 (about 4.5 standard deviations).
    assert all(1800 < counts[d] < 2200 for d in "0123456789"), counts
