"""Commission money in the ledger.

Money moves only through the ledger, one balanced transaction per event with its own key:

- created (order paid):     side +c, member_pending −c      (pending and held)
- settled (order complete): member_pending +c, member_available −c
- reversed before settling: member_pending +d, side −d
- reversed after settling:  member_available +d, side −d    (may leave a debt)
- rejected after review:    member_pending +c, side −c

`side` is the merchant's side of the order, `orders.ledger.merchant_side(order)`: the order's own
`order_receivable` account until the order settles into the merchant's available balance, that
balance after. (Commission "settled" above is the member's: the commission becomes withdrawable
when the order completes. The merchant's order settles separately, T+N days after completion.)
Region-agent entries are commission entries like the others and move the same way.
"""

from collections import defaultdict
from collections.abc import Sequence

from sharemall.distribution.models import (
    CommissionEntry,
)
from sharemall.orders.ledger import merchant_side
from sharemall.orders.models import Order
from sharemall.wallet.services import Entry, ledger_post, member


def post_moves(
    key: str,
    kind: str,
    order: Order,
    moves: Sequence[tuple[int, str, int]],
    *,
    reverse: bool = False,
) -> None:
    """Between the merchant's side of the order (see `merchant_side`, which locks the order row:
    call it inside the transaction that changes the entries) and members' accounts. `moves` are
    (member, account kind, fen): credited to the member normally, debited when `reverse`."""
    sign = 1 if reverse else -1
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for member_id, kind_name, amount in moves:
        totals[(member_id, kind_name)] += amount
    entries = [Entry(member(k, m), sign * amount) for (m, k), amount in totals.items() if amount]
    if not entries:
        return
    entries.append(Entry(merchant_side(order), -sign * sum(a for a in totals.values())))
    ledger_post(key=key, kind=kind, entries=entries)


def move_pending_to_available(key: str, order: Order, entries: Sequence[CommissionEntry]) -> None:
    totals: dict[int, int] = defaultdict(int)
    for e in entries:
        totals[e.beneficiary_id] += e.amount_fen
    ledger_entries = []
    for member_id, amount in totals.items():
        if amount:
            ledger_entries += [
                Entry(member("member_pending", member_id), amount),
                Entry(member("member_available", member_id), -amount),
            ]
    if ledger_entries:
        ledger_post(key=key, kind="commission_settled", entries=ledger_entries)
