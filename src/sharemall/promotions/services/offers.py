"""How checkout talks to the promotion tools without knowing them: each tool registers an
`OfferHandler` for its kind (from its module, imported by PromotionsConfig.ready()).

Checkout calls, for a line bought at a promotion price:
- `offer(kind, ref_id, buyer=, sku_id=, now=)` while pricing (reads only; a refused offer raises
  a DomainError with a code of the tool's);
- `reserve(offer, buyer=, quantity=, order=)` inside the checkout's transaction, after the
  order rows exist and before catalogue stock is taken: a conditional update that raises a
  Conflict when the promotion has nothing left for this buyer (the whole checkout rolls back);
- `release(order_ids)` in the transaction that cancels unpaid orders (timeout), giving back
  what `reserve` took;
- `paid(orders)` in the transaction that captures their payment: answers the orders that must
  be refunded at once (a group already full), with the reason to tell the buyer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import DomainError
from sharemall.orders.models import Order
from sharemall.promotions.rules.offers import Offer


class UnknownOffer(DomainError):
    code = "invalid_promotion"


@dataclass(frozen=True)
class RefundDue:
    """A paid order the promotion cannot keep, and why (told to the buyer)."""

    order: Order
    reason: str


class OfferHandler(Protocol):
    def offer(self, ref_id: int, *, buyer: Member, sku_id: int, now: datetime) -> Offer: ...

    def reserve(self, offer: Offer, *, buyer: Member, quantity: int, order: Order) -> None: ...

    def release(self, order_ids: Sequence[int]) -> None: ...

    def paid(self, orders: Sequence[Order]) -> list[RefundDue]: ...


HANDLERS: dict[str, OfferHandler] = {}


def register(kind: str, handler: OfferHandler) -> None:
    HANDLERS[kind] = handler


def _handler(kind: str) -> OfferHandler:
    handler = HANDLERS.get(kind)
    if handler is None:
        raise UnknownOffer(_("This promotion is not available."))
    return handler


def offer(kind: str, ref_id: int, *, buyer: Member, sku_id: int, now: datetime) -> Offer:
    return _handler(kind).offer(ref_id, buyer=buyer, sku_id=sku_id, now=now)


def reserve(offer: Offer, *, buyer: Member, quantity: int, order: Order) -> None:
    _handler(offer.kind).reserve(offer, buyer=buyer, quantity=quantity, order=order)


def release(order_ids: Sequence[int]) -> None:
    for handler in HANDLERS.values():
        handler.release(order_ids)


def paid(orders: Sequence[Order]) -> list[RefundDue]:
    due: list[RefundDue] = []
    for handler in HANDLERS.values():
        due.extend(handler.paid(orders))
    return due


def reserving_kinds() -> list[str]:
    """The kinds of the tools that reserve something per order. Checkout records a campaign row
    of the offer's kind for every line it reserved (`campaigns.campaign_orders_record`), so an
    order without such a row has nothing for `paid` or `release` to move."""
    return sorted(HANDLERS)
