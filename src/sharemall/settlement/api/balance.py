"""A merchant's balance and statements (docs/settlement.md), for its owner and staff."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from sharemall.accounts.auth import member_auth, require_member
from sharemall.core import sheets
from sharemall.merchants.selectors import merchant_for_staff
from sharemall.settlement import selectors
from sharemall.settlement.rules import StatementRow, statement_csv_rows

router = Router(tags=["settlement"])


class BalanceOut(Schema):
    pending_fen: int
    available_fen: int  # may be negative: a debt
    withdrawing_fen: int
    withdrawn_fen: int


class StatementQuery(Schema):
    period: Literal["day", "month"] = "day"
    from_: date = Field(alias="from")
    to: date


class StatementRowOut(Schema):
    period_start: date
    period_end: date
    opening_fen: int
    orders_fen: int
    shipping_fen: int
    refunds_fen: int
    fees_fen: int
    commissions_fen: int
    withdrawals_fen: int
    other_fen: int
    closing_fen: int
    orders_count: int


def _statement(request: HttpRequest, merchant_id: int, q: StatementQuery) -> list[StatementRow]:
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return selectors.statements(merchant.pk, period=q.period, start=q.from_, end=q.to)


@router.get("/merchants/{merchant_id}/balance", response=BalanceOut, auth=member_auth)
def merchant_balance(request: HttpRequest, merchant_id: int) -> dict[str, int]:
    """What the merchant's unsettled orders hold (pending), what it may withdraw (available,
    negative when refunds after settlement took back more than it had), what withdrawals hold
    and what was paid out. The owner only: a clerk gets 403, anyone else 404."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return asdict(selectors.merchant_balance(merchant.pk))


@router.get("/merchants/{merchant_id}/statements", response=list[StatementRowOut], auth=member_auth)
def merchant_statements(
    request: HttpRequest, merchant_id: int, q: Query[StatementQuery]
) -> list[dict[str, Any]]:
    """The available balance day by day or month by month (China time), from the period holding
    `from` to the one holding `to` (at most 366 days or 36 months, else 400
    `invalid_statement_range`): opening + orders + shipping − refunds − fees − commissions −
    withdrawals + other = closing."""
    return [asdict(row) for row in _statement(request, merchant_id, q)]


@router.get(
    "/merchants/{merchant_id}/statements.csv",
    auth=member_auth,
    openapi_extra={
        "responses": {200: {"description": "The same rows as CSV.", "content": {"text/csv": {}}}}
    },
)
def merchant_statements_csv(
    request: HttpRequest, merchant_id: int, q: Query[StatementQuery]
) -> HttpResponse:
    """The statement as CSV (UTF-8 with a BOM, amounts in yuan, headers in the reader's
    language)."""
    rows = _statement(request, merchant_id, q)
    name = f"statement-{merchant_id}-{q.period}-{q.from_:%Y%m%d}-{q.to:%Y%m%d}"
    return sheets.sheet_response(list(statement_csv_rows(rows)), name=name)
