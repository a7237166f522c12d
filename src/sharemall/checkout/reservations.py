"""What a priced checkout holds beside its orders, written in the checkout's transaction by both
paths (services.order_create, and the fast path after its statement): each promotion line's
offer reserved with its tool, the coupons marked used (either refusing rolls the whole checkout
back), and one campaign row per campaign and order with what it gave off the order."""

from __future__ import annotations

from sharemall.accounts.models import Member
from sharemall.checkout import pricing
from sharemall.orders import services as orders
from sharemall.payments.models import Payment
from sharemall.promotions.services import campaigns, coupons
from sharemall.promotions.services import offers as promotion_offers


def any_held(priced: pricing.Priced) -> bool:
    """Whether `priced` holds anything `promotions_reserve` writes: an offer line, a spend
    tier's discount or a coupon."""
    return (
        bool(priced.coupons)
        or any(p.tier_fen for p in priced.prices)
        or any(o is not None for offers in priced.offers for o in offers)
    )


def promotions_reserve(
    buyer: Member, priced: pricing.Priced, created: orders.CreatedOrders, payment: Payment
) -> None:
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
