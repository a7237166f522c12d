"""Pricing a checkout: what each merchant's order of a cart costs — goods at database prices,
the share discount, and shipping — without writing anything.

`checkout.services.order_create` places orders at exactly this price and `quote` (POST
/orders/quote, the checkout page) shows it, so a quote can never differ from the charge.

Shipping (docs/freight.md) is one parcel per merchant order, computed by
`freight.rules.order_shipping_fen` from each line's product template, quantity and SKU weight and
the delivery district; free-over compares the goods the buyer pays (after the share discount).
Store pickup pays none. Shipping is added to the order total only: the lines' paid amounts, the
commission base, stay goods less discount.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.accounts.rules import normalize_phone
from sharemall.catalog import rules as catalog_rules
from sharemall.catalog.models import Sku
from sharemall.core.errors import DomainError
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

MAX_LINES = 50
MAX_QUANTITY = 999


@dataclass(frozen=True)
class Item:
    sku_id: int
    quantity: int


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


def _merged(items: Sequence[Item]) -> dict[int, int]:
    if not items:
        raise InvalidOrder(_("The order has no items."))
    wanted: dict[int, int] = {}
    for item in items:
        if not 1 <= item.quantity <= MAX_QUANTITY:
            raise InvalidOrder(
                _("A quantity is between 1 and %(n)d.") % {"n": MAX_QUANTITY},
                code="invalid_quantity",
            )
        wanted[item.sku_id] = wanted.get(item.sku_id, 0) + item.quantity
    if len(wanted) > MAX_LINES:
        raise InvalidOrder(_("An order has at most %(n)d lines.") % {"n": MAX_LINES})
    if any(q > MAX_QUANTITY for q in wanted.values()):
        raise InvalidOrder(
            _("A quantity is between 1 and %(n)d.") % {"n": MAX_QUANTITY}, code="invalid_quantity"
        )
    return wanted


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


def _buyable_skus(wanted: Mapping[int, int]) -> dict[int, Sku]:
    """The wanted SKUs with their products and merchants; each must exist and be on sale."""
    skus = {
        s.pk: s for s in Sku.objects.select_related("product__merchant").filter(pk__in=list(wanted))
    }
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


def _priced_lines(
    wanted: Mapping[int, int], skus: Mapping[int, Sku], attribution: distribution.Attribution
) -> list[_MerchantLines]:
    """Each merchant's lines at database prices, less the share discount, in merchant order."""
    plans = distribution.plans_for(list(skus.values()))
    by_merchant: dict[int, list[orders.LineDraft]] = {}
    merchants = {}
    for sku_id in sorted(wanted):
        sku = skus[sku_id]
        plan = plans.get(sku_id)
        list_fen = sku.price_fen * wanted[sku_id]
        # A buyer arriving through a share saves the plan's buyer discount (PRODUCT §5.1).
        discount = (
            distribution_rules.buyer_discount(plan, list_fen=list_fen, quantity=wanted[sku_id])
            if plan is not None and attribution.through_share
            else 0
        )
        merchants[sku.product.merchant_id] = sku.product.merchant
        by_merchant.setdefault(sku.product.merchant_id, []).append(
            orders.LineDraft(
                sku_id=sku.pk,
                product_id=sku.product_id,
                title=sku.product.title,
                sku_name=sku.name,
                unit_price_fen=sku.price_fen,
                quantity=wanted[sku_id],
                discount_fen=discount,
                plan=plan.as_snapshot() if plan is not None else None,
            )
        )
    return [_MerchantLines(merchants[mid], lines) for mid, lines in sorted(by_merchant.items())]


def _order_drafts(
    priced: list[_MerchantLines],
    skus: Mapping[int, Sku],
    *,
    delivery_type: str,
    address: dict[str, str],
    store: Store | None,
    attribution: distribution.Attribution,
    client_ip: str | None,
    device_id: str,
) -> list[orders.OrderDraft]:
    """One order per merchant, each carrying the delivery, its shipping and the share that
    brought the buyer. Shipping goes by express only: store pickup pays none."""
    express = delivery_type == order_rules.EXPRESS
    templates = (
        freight_selectors.rules_by_id(
            {
                s.product.freight_template_id
                for s in skus.values()
                if s.product.freight_template_id is not None
            }
        )
        if express
        else {}
    )
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
            shipping_fen=(
                _shipping_fen(group.lines, skus, templates, address["region_code"])
                if express
                else 0
            ),
            referrer_id=attribution.referrer.pk if attribution.referrer else None,
            share_link_id=attribution.link_id,
            attribution=attribution.kind,
            share_rewarded=attribution.rewarded,
            degree=_degree(attribution, group.lines),
            client_ip=ip_or_none(client_ip),
            device_id=device_id,
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
class Priced:
    """A checkout priced: one draft per merchant (goods, discount, shipping, total), the share
    that brought the buyer, and the merged quantities per SKU. `shipping_known` is False only
    in a page preview whose address has no district yet (its drafts then carry no shipping)."""

    drafts: list[orders.OrderDraft]
    attribution: distribution.Attribution
    wanted: dict[int, int]
    shipping_known: bool = True

    @property
    def total_fen(self) -> int:
        return sum(d.total_fen for d in self.drafts)


def price(
    *,
    buyer: Member,
    items: Sequence[Item],
    delivery: Delivery,
    share_code: str | None,
    now: datetime,
    client_ip: str | None = None,
    device_id: str = "",
) -> Priced:
    """Check a checkout request in full and price it: the function both placing an order and
    quoting one run. Reads only."""
    wanted = _merged(items)
    if delivery.type not in (order_rules.EXPRESS, order_rules.PICKUP):
        raise InvalidOrder(_("Delivery is express or pickup."), code="invalid_delivery")
    skus = _buyable_skus(wanted)
    address, store = _destination(delivery, skus)
    attribution = distribution.attribute(buyer, share_code=share_code, now=now)
    drafts = _order_drafts(
        _priced_lines(wanted, skus, attribution),
        skus,
        delivery_type=delivery.type,
        address=address,
        store=store,
        attribution=attribution,
        client_ip=client_ip,
        device_id=device_id,
    )
    return Priced(drafts, attribution, wanted)


def preview(
    *,
    buyer: Member,
    items: Sequence[Item],
    delivery_type: str,
    region_code: str,
    share_code: str | None,
    now: datetime,
) -> Priced:
    """The checkout page's price while the buyer is still filling in the address: the same
    pricing as `price`, with shipping to `region_code` when it names a district (none for
    pickup, unknown before a district is chosen). A region not served raises, as checkout will."""
    wanted = _merged(items)
    skus = _buyable_skus(wanted)
    attribution = distribution.attribute(buyer, share_code=share_code, now=now)
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
    drafts = _order_drafts(
        _priced_lines(wanted, skus, attribution),
        skus,
        delivery_type=delivery_type if known else order_rules.PICKUP,
        address=address,
        store=None,
        attribution=attribution,
        client_ip=None,
        device_id="",
    )
    return Priced(drafts, attribution, wanted, shipping_known=known)


def _shipping_fen(
    lines: Sequence[orders.LineDraft],
    skus: Mapping[int, Sku],
    templates: Mapping[int, freight_rules.Template],
    region_code: str,
) -> int:
    """One merchant's parcel to `region_code` (docs/freight.md); free-over compares the goods
    the buyer pays for, after the share discount."""
    return freight_rules.order_shipping_fen(
        templates,
        [
            freight_rules.Line(
                template_id=skus[line.sku_id].product.freight_template_id,
                quantity=line.quantity,
                weight_grams=skus[line.sku_id].weight_grams,
            )
            for line in lines
        ],
        region_code,
        goods_fen=sum(line.list_fen - line.discount_fen for line in lines),
    )
