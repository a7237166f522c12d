"""What a checkout reserves beside its orders, in its transaction and in this order, for both
ways of placing one (services.order_create, and the fast path after its statement):

1. each promotion line's offer reserved with its tool, the coupons marked used, and one campaign
   row per campaign and order with what it gave off the order;
2. the buyer's binding to the sharer, when the order came through a share;
3. last the stock, so a popular SKU's row stays locked for the shortest time (a flash sale's
   hot row): one conditional UPDATE per SKU in id order.

Any refusal (sold out, over the limit, a coupon used meanwhile, stock short) raises and rolls
the whole checkout back."""

from __future__ import annotations

from datetime import datetime

from sharemall.accounts.models import Member
from sharemall.catalog import services as catalog
from sharemall.checkout import pricing
from sharemall.distribution import services as distribution
from sharemall.orders import services as orders
from sharemall.payments.models import Payment
from sharemall.promotions.services import campaigns, coupons
from sharemall.promotions.services import offers as promotion_offers


def reserve(
    buyer: Member,
    priced: pricing.Priced,
    created: orders.CreatedOrders,
    payment: Payment,
    *,
    now: datetime,
) -> None:
    """Everything above, in its order."""
    _promotions_reserve(buyer, priced, created, payment)
    distribution.binding_at_checkout(buyer, priced.attribution, now=now)
    catalog.stock_reserve(priced.wanted)


def beyond_stock(priced: pricing.Priced) -> bool:
    """Whether `reserve` has more to write for `priced` than its stock: an offer line, a spend
    tier's discount, a coupon, or a share that may bind the buyer."""
    return (
        bool(priced.coupons)
        or priced.attribution.through_share
        or any(p.tier_fen for p in priced.prices)
        or any(o is not None for offers in priced.offers for o in offers)
    )


def _promotions_reserve(
    buyer: Member, priced: pricing.Priced, created: orders.CreatedOrders, payment: Payment
) -> None:
    """Step 1 above: the offers, the coupons and the campaign rows."""
    taken: list[campaigns.Taken] = []
    for order, draft, offers, price in zip(
        created.orders, priced.drafts, priced.offers, priced.prices, strict=True
    ):
        for line, offer, line_price in zip(draft.lines, offers, price.lines, strict=True):
            if offer is not None:
                promotion_offers.reserve(offer, buyer=buyer, quantity=line.quantity, order=order)
                taken.append(
                    campaigns.Taken(offer.kind, offer.campaign, order, line_price.promotion_fen)
                )
        if price.tier_fen:
            taken.append(campaigns.Taken(campaigns.TIERS, order.merchant_id, order, price.tier_fen))
    order_by_merchant = {o.merchant_id: o for o in created.orders}
    taken.extend(
        campaigns.Taken(
            campaigns.COUPON, c.coupon_id, order_by_merchant[c.merchant_id], c.taken_fen
        )
        for c in priced.coupons
    )
    campaigns.campaign_orders_record(taken)
    if priced.coupons:
        coupons.coupons_redeem(
            priced.claim_ids,
            [
                coupons.Redemption(
                    c.claim_id, order_by_merchant[c.merchant_id], c.taken_fen, c.funded_by
                )
                for c in priced.coupons
            ],
            payment_id=payment.pk,
        )
