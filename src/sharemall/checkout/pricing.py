"""Pricing a checkout: what each merchant's order of a cart costs, without writing anything.

Every price goes through the pricing engine (promotions/rules/pricing.py), in its written
order: a flash, group or bargain price; the merchant's spend tiers (满减); the buyer's coupons;
the share discount; shipping. `checkout.services.order_create` places orders at exactly this
price and `quote` (POST /orders/quote, the checkout page) shows it, so a quote can never differ
from the charge.

Shipping (docs/freight.md) is one parcel per merchant order, computed by
`freight.rules.order_shipping_fen` from each line's product template, quantity and SKU weight and
the delivery district; free-over compares the goods the buyer pays after every discount. Store
pickup pays none. Shipping is added to the order total only: a line's paid amount, its
commission base, is goods less discounts (and a promotion-priced line earns no commission unless
its merchant says so: its plan is not snapshotted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.accounts.rules import normalize_phone
from sharemall.catalog import rules as catalog_rules
from sharemall.catalog.models import Sku
from sharemall.core.errors import Conflict, DomainError
from sharemall.core.http import ip_or_none
from sharemall.distribution import rules as distribution_rules
from sharemall.distribution import selectors as distribution_selectors
from sharemall.distribution import services as distribution
from sharemall.freight import rules as freight_rules
from sharemall.freight import selectors as freight_selectors
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants.models import Merchant, Store
from sharemall.orders import rules as order_rules
from sharemall.orders import services as orders
from sharemall.promotions.rules import pricing as engine
from sharemall.promotions.rules.offers import FLASH, GROUP, Offer
from sharemall.promotions.selectors import coupons as promotion_selectors
from sharemall.promotions.services import offers as promotion_offers

MAX_LINES = 50
MAX_QUANTITY = 999


@dataclass(frozen=True)
class Item:
    """A cart item. `flash_sale_id` buys it at that flash sale's price; `offer` is a group's or a
    bargain's price, given only by checkout's own promotion flows (never from a request)."""

    sku_id: int
    quantity: int
    flash_sale_id: int | None = None
    offer: Offer | None = None


@dataclass(frozen=True)
class Delivery:
    type: str
    region_code: str = ""
    address: str = ""
    receiver: str = ""
    phone: str = ""
    store_id: int | None = None


class InvalidOrder(DomainError):
    code = "invalid_order"


@dataclass(frozen=True)
class _Want:
    """One cart line to price: a SKU at its list price, or at one promotion's price."""

    sku_id: int
    quantity: int
    flash_sale_id: int | None = None
    offer: Offer | None = None

    @property
    def key(self) -> str:
        if self.offer is not None:
            return self.offer.key
        if self.flash_sale_id is not None:
            return f"{self.sku_id}:{FLASH}:{self.flash_sale_id}"
        return str(self.sku_id)


def merged(items: Sequence[Item]) -> list[_Want]:
    """The cart's lines: items of one SKU at one price merged, each quantity bounded."""
    if not items:
        raise InvalidOrder(_("The order has no items."))
    wanted: dict[str, _Want] = {}
    for item in items:
        if not 1 <= item.quantity <= MAX_QUANTITY:
            raise InvalidOrder(
                _("A quantity is between 1 and %(n)d.") % {"n": MAX_QUANTITY},
                code="invalid_quantity",
            )
        want = _Want(item.sku_id, item.quantity, item.flash_sale_id, item.offer)
        if want.key in wanted:
            want = replace(want, quantity=wanted[want.key].quantity + item.quantity)
        wanted[want.key] = want
    if len(wanted) > MAX_LINES:
        raise InvalidOrder(_("An order has at most %(n)d lines.") % {"n": MAX_LINES})
    if any(w.quantity > MAX_QUANTITY for w in wanted.values()):
        raise InvalidOrder(
            _("A quantity is between 1 and %(n)d.") % {"n": MAX_QUANTITY}, code="invalid_quantity"
        )
    return sorted(wanted.values(), key=lambda w: (w.sku_id, w.key))


def _units_per_sku(wants: Sequence[_Want]) -> dict[int, int]:
    units: dict[int, int] = {}
    for want in wants:
        units[want.sku_id] = units.get(want.sku_id, 0) + want.quantity
    return units


class PromotionLimit(Conflict):
    code = "promotion_limit"


def _with_offers(wants: Sequence[_Want], *, buyer: Member, now: datetime) -> list[_Want]:
    """Each flash item with its sale's offer (refused as the sale says when it is not on)."""
    priced = []
    for want in wants:
        offer = want.offer
        if offer is None and want.flash_sale_id is not None:
            offer = promotion_offers.offer(
                FLASH, want.flash_sale_id, buyer=buyer, sku_id=want.sku_id, now=now
            )
        limit = offer.max_quantity if offer is not None else None
        if limit is not None and want.quantity > limit:
            raise PromotionLimit(_("At this price one member buys at most %(n)d.") % {"n": limit})
        priced.append(replace(want, offer=offer))
    return priced


def _express_fields(delivery: Delivery) -> dict[str, str]:
    region = merchant_rules.region(delivery.region_code)
    if region.level != "district":
        raise merchant_rules.InvalidRegion(_("Choose the district to deliver to."))
    address = " ".join(delivery.address.split())
    receiver = " ".join(delivery.receiver.split())
    if not address or len(address) > 200:
        raise InvalidOrder(_("Enter the delivery address."), code="invalid_address")
    if not receiver or len(receiver) > 40:
        raise InvalidOrder(_("Enter who receives the parcel."), code="invalid_address")
    return {
        "region_code": region.code,
        "address": address,
        "receiver": receiver,
        "phone": normalize_phone(delivery.phone),
    }


def _pickup_store(delivery: Delivery) -> Store:
    if delivery.store_id is None:
        raise InvalidOrder(_("Choose the store to pick up at."), code="invalid_store")
    store = (
        Store.objects.select_related("merchant")
        .filter(
            pk=delivery.store_id,
            kind=Store.Kind.OFFLINE,
            is_active=True,
            merchant__status=merchant_rules.APPROVED,
        )
        .first()
    )
    if store is None:
        raise InvalidOrder(_("That store does not take pickup orders."), code="invalid_store")
    return store


def _buyable_skus(
    wanted: Mapping[int, int], loaded: Mapping[int, Sku] | None = None
) -> Mapping[int, Sku]:
    """The wanted SKUs with their products and merchants (read here unless the caller `loaded`
    them); each must exist and be on sale."""
    skus = (
        loaded
        if loaded is not None
        else {
            s.pk: s
            for s in Sku.objects.select_related("product__merchant").filter(pk__in=list(wanted))
        }
    )
    missing = sorted(set(wanted) - set(skus))
    if missing:
        raise InvalidOrder(
            _("Unknown SKU: %(ids)s") % {"ids": ", ".join(map(str, missing))},
            code="unknown_sku",
            details={"sku_ids": missing},
        )
    for sku in skus.values():
        if not catalog_rules.is_buyable(sku.product.status, sku.product.merchant.status):
            raise InvalidOrder(
                _("%(title)s is not on sale.") % {"title": sku.product.title}, code="not_for_sale"
            )
    return skus


def _destination(
    delivery: Delivery, skus: Mapping[int, Sku]
) -> tuple[dict[str, str], Store | None]:
    """Where the goods go: an express address, or an offline store of the goods' merchant."""
    if delivery.type == order_rules.EXPRESS:
        return _express_fields(delivery), None
    store = _pickup_store(delivery)
    if any(s.product.merchant_id != store.merchant_id for s in skus.values()):
        raise InvalidOrder(
            _("A store can only hand over its own merchant's goods."),
            code="pickup_store_mismatch",
        )
    return {"region_code": "", "address": "", "receiver": "", "phone": ""}, store


@dataclass(frozen=True)
class _MerchantLines:
    merchant: Merchant
    lines: list[orders.LineDraft]
    offers: list[Offer | None]
    price: engine.OrderPrice
    platform_funded_fen: int


@dataclass(frozen=True)
class CouponTaken:
    """What one of the buyer's coupons took off one merchant's order."""

    claim_id: int
    coupon_id: int
    merchant_id: int
    taken_fen: int
    funded_by: str


def _cart_lines(
    wants: Sequence[_Want],
    skus: Mapping[int, Sku],
    plans: Mapping[int, distribution_rules.Plan | None],
    attribution: distribution.Attribution,
) -> list[engine.CartLine]:
    lines = []
    for want in wants:
        sku = skus[want.sku_id]
        plan = plans.get(want.sku_id)
        # A buyer arriving through a share saves the plan's buyer discount (PRODUCT §5.1).
        share = (
            engine.ShareDiscount(plan.unit, plan.buyer_discount)
            if plan is not None and attribution.through_share and plan.buyer_discount
            else None
        )
        lines.append(
            engine.CartLine(
                key=want.key,
                merchant_id=sku.product.merchant_id,
                product_id=sku.product_id,
                category_id=sku.product.category_id,
                unit_price_fen=sku.price_fen,
                quantity=want.quantity,
                promotion_unit_fen=want.offer.unit_fen if want.offer else None,
                promotion_kind=want.offer.kind if want.offer else None,
                share=share,
            )
        )
    return lines


def _priced_lines(
    wants: Sequence[_Want],
    skus: Mapping[int, Sku],
    attribution: distribution.Attribution,
    *,
    coupons: Sequence[promotion_selectors.HeldCoupon],
    shipping: engine.Shipping | None,
    now: datetime,
) -> tuple[list[_MerchantLines], list[CouponTaken]]:
    """Each merchant's lines priced by the engine, in merchant order, and what each coupon took
    off each merchant's order. A coupon that takes nothing is refused: the buyer chose it."""
    plans = distribution.plans_for(list(skus.values()))
    merchant_ids = sorted({s.product.merchant_id for s in skus.values()})
    cart = engine.price_cart(
        _cart_lines(wants, skus, plans, attribution),
        tiers=promotion_selectors.active_tiers(merchant_ids, now),
        coupons=[held.coupon for held in coupons],
        stacking=promotion_selectors.stacking_of(merchant_ids),
        shipping=shipping,
    )
    for held, use in zip(coupons, cart.coupons, strict=True):
        if not use.applied:
            raise CouponNotApplicable(
                _("Coupon “%(title)s” does not apply to this order.")
                % {"title": held.claim.coupon.title},
                details={"coupon_id": held.claim.pk},
            )
    by_key = {want.key: want for want in wants}
    claim_of = {held.coupon.key: held for held in coupons}
    merchants = {s.product.merchant_id: s.product.merchant for s in skus.values()}
    groups: list[_MerchantLines] = []
    taken: list[CouponTaken] = []
    for order in cart.orders:
        lines, offers = [], []
        for lp in order.lines:
            want = by_key[lp.key]
            sku, plan = skus[want.sku_id], plans.get(want.sku_id)
            lines.append(
                orders.LineDraft(
                    sku_id=sku.pk,
                    product_id=sku.product_id,
                    title=sku.product.title,
                    sku_name=sku.name,
                    unit_price_fen=sku.price_fen,
                    quantity=want.quantity,
                    discount_fen=lp.list_fen - lp.paid_fen,
                    # No plan, no commission: a promotion price its merchant keeps out of it.
                    plan=plan.as_snapshot()
                    if plan is not None and lp.commission_base_fen == lp.paid_fen
                    else None,
                )
            )
            offers.append(want.offer)
        mine = [
            CouponTaken(
                held.claim.pk, held.claim.coupon_id, order.merchant_id, fen, held.coupon.funded_by
            )
            for key, held in claim_of.items()
            if (fen := sum(lp.coupons.get(key, 0) for lp in order.lines))
        ]
        taken.extend(mine)
        platform = sum(c.taken_fen for c in mine if c.funded_by == engine.FUNDED_BY_PLATFORM)
        groups.append(_MerchantLines(merchants[order.merchant_id], lines, offers, order, platform))
    return groups, taken


class CouponNotApplicable(Conflict):
    code = "coupon_not_applicable"


def _order_drafts(
    priced: list[_MerchantLines],
    *,
    delivery_type: str,
    address: dict[str, str],
    store: Store | None,
    attribution: distribution.Attribution,
    client_ip: str | None,
    device_id: str,
) -> list[orders.OrderDraft]:
    """One order per merchant, each carrying the delivery, its shipping, the share that brought
    the buyer, the platform-funded part of its discount, and a hold while a group fills."""
    return [
        orders.OrderDraft(
            merchant=group.merchant,
            delivery=delivery_type,
            lines=group.lines,
            pickup_store=store,
            region_code=address["region_code"],
            address=address["address"],
            receiver=address["receiver"],
            phone=address["phone"],
            shipping_fen=group.price.shipping_fen,
            referrer_id=attribution.referrer.pk if attribution.referrer else None,
            share_link_id=attribution.link_id,
            attribution=attribution.kind,
            share_rewarded=attribution.rewarded,
            degree=_degree(attribution, group.lines),
            client_ip=ip_or_none(client_ip),
            device_id=device_id,
            platform_funded_fen=group.platform_funded_fen,
            on_hold=any(o is not None and o.kind == GROUP for o in group.offers),
        )
        for group in priced
    ]


def _degree(attribution: distribution.Attribution, lines: list[orders.LineDraft]) -> int | None:
    if not attribution.through_share or attribution.referrer is None:
        return None
    return distribution_selectors.share_degree(
        attribution.referrer.pk, sorted({line.product_id for line in lines})
    )


@dataclass(frozen=True)
class Loaded:
    """What checkout's fast path read itself, in one statement, instead of `price` reading it:
    the cart's SKUs with their products and merchants (only those that exist), and the
    attribution it decided from the same statement's rows (None: `price` attributes, as for
    the general path: a share code or a share click decides)."""

    skus: Mapping[int, Sku]
    attribution: distribution.Attribution | None


@dataclass(frozen=True)
class Priced:
    """A checkout priced: one draft per merchant (goods, discount, shipping, total), the share
    that brought the buyer, the units per SKU, the promotion offer of each draft line (None for a
    list-priced line), and what each coupon took off each order. `shipping_known` is False only
    in a page preview whose address has no district yet (its drafts then carry no shipping)."""

    drafts: list[orders.OrderDraft]
    attribution: distribution.Attribution
    wanted: dict[int, int]
    offers: list[list[Offer | None]] = field(default_factory=list)
    coupons: list[CouponTaken] = field(default_factory=list)
    prices: list[engine.OrderPrice] = field(default_factory=list)
    shipping_known: bool = True

    @property
    def total_fen(self) -> int:
        return sum(d.total_fen for d in self.drafts)

    @property
    def claim_ids(self) -> list[int]:
        return sorted({c.claim_id for c in self.coupons})


def price(
    *,
    buyer: Member,
    items: Sequence[Item],
    delivery: Delivery,
    share_code: str | None,
    now: datetime,
    coupon_ids: Sequence[int] = (),
    client_ip: str | None = None,
    device_id: str = "",
    loaded: Loaded | None = None,
) -> Priced:
    """Check a checkout request in full and price it: the function both placing an order and
    quoting one run. Reads only; with `loaded`, the SKUs and the attribution are not read."""
    wants = merged(items)
    if delivery.type not in (order_rules.EXPRESS, order_rules.PICKUP):
        raise InvalidOrder(_("Delivery is express or pickup."), code="invalid_delivery")
    skus = _buyable_skus(_units_per_sku(wants), loaded.skus if loaded else None)
    address, store = _destination(delivery, skus)
    return _priced(
        buyer,
        wants,
        skus,
        delivery_type=delivery.type,
        address=address,
        store=store,
        share_code=share_code,
        coupon_ids=coupon_ids,
        now=now,
        client_ip=client_ip,
        device_id=device_id,
        attribution=loaded.attribution if loaded else None,
    )


def preview(
    *,
    buyer: Member,
    items: Sequence[Item],
    delivery_type: str,
    region_code: str,
    share_code: str | None,
    now: datetime,
    coupon_ids: Sequence[int] = (),
) -> Priced:
    """The checkout page's price while the buyer is still filling in the address: the same
    pricing as `price`, with shipping to `region_code` when it names a district (none for
    pickup, unknown before a district is chosen). A region not served raises, as checkout will."""
    wants = merged(items)
    skus = _buyable_skus(_units_per_sku(wants))
    known = delivery_type == order_rules.PICKUP
    if not known:
        try:
            known = merchant_rules.region(region_code).level == "district"
        except DomainError:
            known = False
    address = {
        "region_code": region_code if known else "",
        "address": "",
        "receiver": "",
        "phone": "",
    }
    priced = _priced(
        buyer,
        wants,
        skus,
        delivery_type=delivery_type if known else order_rules.PICKUP,
        address=address,
        store=None,
        share_code=share_code,
        coupon_ids=coupon_ids,
        now=now,
        client_ip=None,
        device_id="",
    )
    return replace(priced, shipping_known=known)


def _priced(
    buyer: Member,
    wants: Sequence[_Want],
    skus: Mapping[int, Sku],
    *,
    delivery_type: str,
    address: dict[str, str],
    store: Store | None,
    share_code: str | None,
    coupon_ids: Sequence[int],
    now: datetime,
    client_ip: str | None,
    device_id: str,
    attribution: distribution.Attribution | None = None,
) -> Priced:
    if attribution is None:
        attribution = distribution.attribute(buyer, share_code=share_code, now=now)
    wants = _with_offers(wants, buyer=buyer, now=now)
    held = promotion_selectors.usable_claims(buyer, list(coupon_ids), now) if coupon_ids else []
    shipping = (
        _shipping(wants, skus, address["region_code"])
        if delivery_type == order_rules.EXPRESS
        else None
    )
    groups, taken = _priced_lines(
        wants, skus, attribution, coupons=held, shipping=shipping, now=now
    )
    drafts = _order_drafts(
        groups,
        delivery_type=delivery_type,
        address=address,
        store=store,
        attribution=attribution,
        client_ip=client_ip,
        device_id=device_id,
    )
    return Priced(
        drafts,
        attribution,
        _units_per_sku(wants),
        offers=[g.offers for g in groups],
        coupons=taken,
        prices=[g.price for g in groups],
    )


def _shipping(wants: Sequence[_Want], skus: Mapping[int, Sku], region_code: str) -> engine.Shipping:
    """Each merchant's parcel to `region_code` (docs/freight.md), as the engine's last step asks
    for it: free-over compares the goods the buyer pays after every discount."""
    templates = freight_selectors.rules_by_id(
        {
            s.product.freight_template_id
            for s in skus.values()
            if s.product.freight_template_id is not None
        }
    )

    def parcel(merchant_id: int, paid_goods_fen: int) -> int:
        return freight_rules.order_shipping_fen(
            templates,
            [
                freight_rules.Line(
                    template_id=skus[w.sku_id].product.freight_template_id,
                    quantity=w.quantity,
                    weight_grams=skus[w.sku_id].weight_grams,
                )
                for w in wants
                if skus[w.sku_id].product.merchant_id == merchant_id
            ],
            region_code,
            goods_fen=paid_goods_fen,
        )

    return parcel
