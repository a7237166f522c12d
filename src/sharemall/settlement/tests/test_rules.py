"""The pure rules of settlement statements: calendar periods and how a posting counts."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharemall.settlement import rules
from sharemall.settlement.rules import InvalidStatementRange, StatementRow, add_posting


def test_months_run_from_the_month_of_the_start_to_the_month_of_the_end() -> None:
    assert rules.periods("month", date(2025, 11, 20), date(2026, 2, 3)) == [
        (date(2025, 11, 1), date(2025, 11, 30)),
        (date(2025, 12, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
    ]


def test_days_are_each_day_inclusive() -> None:
    assert rules.periods("day", date(2024, 2, 28), date(2024, 3, 1)) == [
        (date(2024, 2, 28), date(2024, 2, 28)),
        (date(2024, 2, 29), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 1)),
    ]


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("day", date(2025, 1, 1), date(2026, 1, 2)),  # 367 days
        ("month", date(2023, 1, 31), date(2026, 1, 1)),  # 37 months
        ("week", date(2026, 1, 1), date(2026, 1, 1)),
        ("day", date(2026, 1, 2), date(2026, 1, 1)),
    ],
)
def test_ranges_out_of_bounds_are_refused(period: str, start: date, end: date) -> None:
    with pytest.raises(InvalidStatementRange):
        rules.periods(period, start, end)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "payment_captured",
                    "refund_approved",
                    "commission_created",
                    "commission_reversed",
                    "commission_rejected",
                    "withdrawal_hold",
                    "withdrawal_returned",
                    "partner_dividend",
                    "adjustment",
                ]
            ),
            st.integers(-(10**9), 10**9).filter(bool),
        ),
        max_size=20,
    )
)
def test_every_posting_counts_once_whatever_its_kind(postings: list[tuple[str, int]]) -> None:
    row = StatementRow(period_start=date(2026, 1, 1), period_end=date(2026, 1, 1))
    for kind, credit in postings:
        add_posting(row, kind, credit)
    moved = (
        row.orders_fen
        + row.shipping_fen
        - row.refunds_fen
        - row.fees_fen
        - row.commissions_fen
        - row.withdrawals_fen
        + row.other_fen
    )
    assert moved == sum(credit for _kind, credit in postings)
    assert row.orders_fen >= 0 and row.refunds_fen >= 0
