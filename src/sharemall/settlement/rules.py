"""Pure rules of merchant settlement: the ledger's transaction kinds it reads, the calendar
periods of a statement and how each posting counts in a statement row (docs/settlement.md)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date, timedelta

from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _

SETTLED_KIND = "order_settled"


def settled_key(order_id: int) -> str:
    return f"order:{order_id}:settled"


def settled_order_id(key: str) -> int | None:
    """The order an `order:<id>:settled` key settled, None for any other key."""
    parts = key.split(":")
    if len(parts) == 3 and parts[0] == "order" and parts[2] == "settled" and parts[1].isdigit():
        return int(parts[1])
    return None


DAY, MONTH = "day", "month"
PERIODS = (DAY, MONTH)
MAX_DAYS = 366
MAX_MONTHS = 36
# Dates a statement may ask for: wide enough for any real ledger, narrow enough that a period's
# bounds are always a real moment in every time zone.
EARLIEST = date(2000, 1, 1)
LATEST = date(9998, 12, 31)

# Transaction kinds, as the modules that post them name them (orders/ledger.py,
# distribution/services/postings.py, wallet withdrawals).
CAPTURED = "payment_captured"
REFUND = "refund_approved"
COMMISSION_KINDS = ("commission_created", "commission_reversed", "commission_rejected")
WITHDRAWAL_KINDS = ("withdrawal_hold", "withdrawal_returned")
WITHDRAWAL_PAID = "withdrawal_paid"


class InvalidStatementRange(DomainError):
    code = "invalid_statement_range"


# --- statements -------------------------------------------------------------------------------


@dataclass(slots=True)
class StatementRow:
    """One period of the merchant's available balance:
    opening + orders + shipping − refunds − fees − commissions − withdrawals + other = closing.

    An order's money reaches the available balance when the order settles, so everything the
    order's own account took before (its sale, shipping, fee, refunds, commissions) counts in
    the period of its settlement; what is posted on the available balance after settlement (a
    refund in the quality-guarantee window, a commission given back) counts when it is posted.
    Fees are net of the fee refunds gave back, commissions net of those reversed or rejected,
    withdrawals net of those returned."""

    period_start: date
    period_end: date  # the period's last day
    opening_fen: int = 0
    orders_fen: int = 0  # goods sold, net of discounts (orders settled in the period)
    shipping_fen: int = 0  # shipping paid by buyers on those orders
    refunds_fen: int = 0
    fees_fen: int = 0
    commissions_fen: int = 0
    withdrawals_fen: int = 0
    other_fen: int = 0
    closing_fen: int = 0
    orders_count: int = 0  # orders settled in the period


STATEMENT_FIELDS = tuple(f.name for f in fields(StatementRow))


def add_posting(row: StatementRow, kind: str, credit: int) -> None:
    """Book one posting on the merchant's side, `credit` read on the normal (credit) side."""
    if kind == CAPTURED:
        if credit > 0:
            row.orders_fen += credit
        else:
            row.fees_fen -= credit
    elif kind == REFUND:
        if credit < 0:
            row.refunds_fen -= credit
        else:
            row.fees_fen -= credit  # the fee a refund gives back
    elif kind in COMMISSION_KINDS:
        row.commissions_fen -= credit
    elif kind in WITHDRAWAL_KINDS:
        row.withdrawals_fen -= credit
    else:
        row.other_fen += credit


def periods(period: str, start: date, end: date) -> list[tuple[date, date]]:
    """The calendar periods from the one holding `start` to the one holding `end` (first and
    last day of each), or InvalidStatementRange."""
    if period not in PERIODS:
        raise InvalidStatementRange(_("The period is day or month."), code="invalid_input")
    if start > end:
        raise InvalidStatementRange(
            _("The start date is after the end date."), code="invalid_input"
        )
    if start < EARLIEST or end > LATEST:
        raise InvalidStatementRange(
            _("Statements cover dates from %(earliest)s to %(latest)s.")
            % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
            code="invalid_input",
        )
    if period == DAY:
        days = (end - start).days + 1
        if days > MAX_DAYS:
            raise InvalidStatementRange(
                _("A daily statement covers at most %(n)d days.") % {"n": MAX_DAYS},
                details={"max_days": MAX_DAYS},
            )
        return [(start + timedelta(days=i), start + timedelta(days=i)) for i in range(days)]
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months > MAX_MONTHS:
        raise InvalidStatementRange(
            _("A monthly statement covers at most %(n)d months.") % {"n": MAX_MONTHS},
            details={"max_months": MAX_MONTHS},
        )
    out = []
    year, month = start.year, start.month
    for _i in range(months):
        last = calendar.monthrange(year, month)[1]
        out.append((date(year, month, 1), date(year, month, last)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def statement_csv_header() -> list[str]:
    return [
        _("Period start"),
        _("Period end"),
        _("Opening balance (yuan)"),
        _("Orders (yuan)"),
        _("Shipping (yuan)"),
        _("Refunds (yuan)"),
        _("Platform fees (yuan)"),
        _("Commissions (yuan)"),
        _("Withdrawals (yuan)"),
        _("Other (yuan)"),
        _("Closing balance (yuan)"),
        _("Orders settled"),
    ]


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def statement_csv_rows(rows: Iterable[StatementRow]) -> Iterator[list[str]]:
    yield statement_csv_header()
    for r in rows:
        yield [
            r.period_start.isoformat(),
            r.period_end.isoformat(),
            *(
                _yuan(v)
                for v in (
                    r.opening_fen,
                    r.orders_fen,
                    r.shipping_fen,
                    r.refunds_fen,
                    r.fees_fen,
                    r.commissions_fen,
                    r.withdrawals_fen,
                    r.other_fen,
                    r.closing_fen,
                )
            ),
            str(r.orders_count),
        ]
