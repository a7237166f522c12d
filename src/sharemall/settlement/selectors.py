"""Reads of merchant money: the balance, the statements of the available balance, and the
ledger checks of merchant and order accounts (docs/settlement.md).

Everything is read from the ledger, never recomputed from orders: what the statements show is
exactly what was posted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from sharemall.core.i18n import gettext as _
from sharemall.orders import rules as order_rules
from sharemall.orders.models import Order
from sharemall.settlement.rules import (
    CAPTURED,
    SETTLED_KIND,
    WITHDRAWAL_PAID,
    StatementRow,
    add_posting,
    periods,
    settled_order_id,
)
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet.models import Account, Posting
from sharemall.wallet.services import balance, merchant, merchant_receivable

# Periods are calendar days and months in China, wherever the server runs.
STATEMENT_TIME_ZONE = wallet_rules.CAP_TIME_ZONE
# Ids per query when reading the accounts of many orders (well under any database's limit).
CHUNK = 500
PROBLEMS_SHOWN = 50


@dataclass(frozen=True, slots=True)
class MerchantBalance:
    pending_fen: int
    available_fen: int
    withdrawing_fen: int
    withdrawn_fen: int


def merchant_balance(merchant_id: int) -> MerchantBalance:
    """Pending: what the merchant's unsettled orders hold (and the legacy receivable of orders
    booked before per-order accounts). Available: settled, may be negative (a debt).
    Withdrawing: held by withdrawals in progress. Withdrawn: paid out, fees included."""
    unsettled = Order.objects.filter(merchant_id=merchant_id, settled_at__isnull=True).values("pk")
    posted = Posting.objects.filter(
        account__kind=wallet_rules.ORDER_RECEIVABLE, account__owner_id__in=unsettled
    ).aggregate(s=Coalesce(Sum("amount_fen"), 0))["s"]
    pending = wallet_rules.normal_sign(wallet_rules.ORDER_RECEIVABLE) * int(posted)
    pending += balance(merchant_receivable(merchant_id))
    withdrawn = Posting.objects.filter(
        account__kind=wallet_rules.MERCHANT_WITHDRAWING,
        account__owner_id=merchant_id,
        transaction__kind=WITHDRAWAL_PAID,
        amount_fen__gt=0,
    ).aggregate(s=Coalesce(Sum("amount_fen"), 0))["s"]
    return MerchantBalance(
        pending_fen=pending,
        available_fen=balance(merchant(wallet_rules.MERCHANT_AVAILABLE, merchant_id)),
        withdrawing_fen=balance(merchant(wallet_rules.MERCHANT_WITHDRAWING, merchant_id)),
        withdrawn_fen=int(withdrawn),
    )


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=STATEMENT_TIME_ZONE)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def statements(merchant_id: int, *, period: str, start: date, end: date) -> list[StatementRow]:
    """The merchant's statement, one row per calendar day or month (China time) from the
    period holding `start` to the one holding `end`."""
    spans = periods(period, start, end)
    rows = [StatementRow(period_start=a, period_end=b) for a, b in spans]
    account = Account.objects.filter(
        kind=wallet_rules.MERCHANT_AVAILABLE, owner_id=merchant_id
    ).first()
    if account is None:
        return rows
    starts = [_moment(a) for a, _b in spans]
    range_end = _moment(spans[-1][1] + timedelta(days=1))
    sign = wallet_rules.normal_sign(wallet_rules.MERCHANT_AVAILABLE)
    opening = sign * int(
        Posting.objects.filter(account=account, transaction__created_at__lt=starts[0]).aggregate(
            s=Coalesce(Sum("amount_fen"), 0)
        )["s"]
    )
    posted = list(
        Posting.objects.filter(
            account=account,
            transaction__created_at__gte=starts[0],
            transaction__created_at__lt=range_end,
        )
        .order_by("transaction__created_at", "pk")
        .values_list(
            "transaction__created_at", "transaction__kind", "transaction__key", "amount_fen"
        )
    )
    settled: dict[int, tuple[int, int]] = {}  # order id → (row index, fen settled)
    index = 0
    for created_at, kind, key, amount in posted:
        while index + 1 < len(starts) and created_at >= starts[index + 1]:
            index += 1
        order_id = settled_order_id(key) if kind == SETTLED_KIND else None
        if order_id is None:
            add_posting(rows[index], kind, sign * amount)
        else:
            settled[order_id] = (index, sign * amount)
    _break_down_settlements(rows, settled)
    for row in rows:
        row.opening_fen = opening
        row.closing_fen = (
            opening
            + row.orders_fen
            + row.shipping_fen
            - row.refunds_fen
            - row.fees_fen
            - row.commissions_fen
            - row.withdrawals_fen
            + row.other_fen
        )
        opening = row.closing_fen
    return rows


def _break_down_settlements(rows: list[StatementRow], settled: dict[int, tuple[int, int]]) -> None:
    """Book each settled order's pre-settlement postings (on its own account) in the row of its
    settlement; whatever they do not explain of the fen settled (nothing, in a healthy ledger)
    is `other`."""
    explained: dict[int, int] = defaultdict(int)
    ids = sorted(settled)
    sign = wallet_rules.normal_sign(wallet_rules.ORDER_RECEIVABLE)
    for chunk in _chunks(ids):
        shipping = dict(Order.objects.filter(pk__in=chunk).values_list("pk", "shipping_fen"))
        for owner_id, kind, amount in (
            Posting.objects.filter(
                account__kind=wallet_rules.ORDER_RECEIVABLE, account__owner_id__in=chunk
            )
            .exclude(transaction__kind=SETTLED_KIND)
            .values_list("account__owner_id", "transaction__kind", "amount_fen")
        ):
            order_id = owner_id or 0  # an order account always has its order as owner
            row = rows[settled[order_id][0]]
            credit = sign * amount
            if kind == CAPTURED and credit > 0:
                ship = min(shipping.get(order_id, 0), credit)
                row.shipping_fen += ship
                credit -= ship
                row.orders_fen += credit
                explained[order_id] += ship
                explained[order_id] += credit
                continue
            add_posting(row, kind, credit)
            explained[order_id] += credit
    for order_id, (index, fen) in settled.items():
        rows[index].orders_count += 1
        rows[index].other_fen += fen - explained[order_id]


# --- ledger checks ----------------------------------------------------------------------------


def _more(count: int) -> list[str]:
    if count <= PROBLEMS_SHOWN:
        return []
    return [_("… and more; only the first %(n)d are listed.") % {"n": PROBLEMS_SHOWN}]


def merchant_ledger_check() -> list[str]:
    """Every way merchant and order accounts disagree with the orders; empty when healthy.
    (wallet.services.ledger_check checks the ledger itself: balance, cached balances.)"""
    problems: list[str] = []
    order_accounts = Account.objects.filter(kind=wallet_rules.ORDER_RECEIVABLE)

    left = list(
        order_accounts.filter(
            owner_id__in=Order.objects.filter(settled_at__isnull=False).values("pk")
        )
        .annotate(total=Coalesce(Sum("postings__amount_fen"), 0))
        .filter(~Q(total=0))
        .order_by("owner_id")
        .values_list("owner_id", "total")[: PROBLEMS_SHOWN + 1]
    )
    for order_id, total in left[:PROBLEMS_SHOWN]:
        problems.append(
            _("Order %(order)d is settled but its account still holds %(fen)d fen.")
            % {"order": order_id, "fen": -total}
        )
    problems += _more(len(left))

    stray = list(
        order_accounts.exclude(
            owner_id__in=Order.objects.filter(status__in=order_rules.BOUGHT_STATUSES).values("pk")
        )
        .order_by("owner_id")
        .values_list("owner_id", flat=True)[: PROBLEMS_SHOWN + 1]
    )
    for order_id in stray[:PROBLEMS_SHOWN]:
        problems.append(
            _("Order %(order)d has a ledger account but was never paid.") % {"order": order_id}
        )
    problems += _more(len(stray))

    negative = list(
        Account.objects.filter(kind=wallet_rules.MERCHANT_WITHDRAWING, balance_fen__lt=0)
        .order_by("owner_id")
        .values_list("owner_id", "balance_fen")[: PROBLEMS_SHOWN + 1]
    )
    for merchant_id, fen in negative[:PROBLEMS_SHOWN]:
        problems.append(
            _("Merchant %(merchant)d has %(fen)d fen in withdrawal, below zero.")
            % {"merchant": merchant_id, "fen": fen}
        )
    problems += _more(len(negative))
    return problems
