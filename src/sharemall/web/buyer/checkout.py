"""Checkout: the quote, delivery, and placing the orders under one payment."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sharemall.accounts.models import Member
from sharemall.addresses import rules as address_rules
from sharemall.addresses import selectors as address_book
from sharemall.addresses import services as addresses
from sharemall.addresses.models import Address
from sharemall.checkout import services as checkout
from sharemall.checkout.pricing import Priced
from sharemall.core.devices import device_of
from sharemall.core.errors import DomainError
from sharemall.core.http import client_address
from sharemall.core.money import format_yuan
from sharemall.freight.rules import RegionNotServed
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants import selectors as merchant_selectors
from sharemall.merchants.models import Merchant, Store
from sharemall.orders import rules as order_rules
from sharemall.promotions.selectors import coupons as coupon_selectors
from sharemall.sharing import selectors as sharing_selectors
from sharemall.web.access import member_page
from sharemall.web.actions import run_action
from sharemall.web.buyer import session_cart as cart
from sharemall.web.buyer.common import error_links
from sharemall.web.buyer.forms import (
    BuyNowForm,
    CheckoutForm,
)
from sharemall.web.buyer.pay import _pay_url
from sharemall.web.promotion_forms import coupon_summary

# Checkout forms the session will still accept: one is spent by each order placed, so a
# double-tapped "Place order" buys once.
CHECKOUT_TOKENS = "checkout_tokens"


CHECKOUT_TOKENS_KEPT = 5


# Which checkout form field a checkout error belongs to, by its domain code.
CHECKOUT_ERROR_FIELDS = {
    "coupon_not_applicable": "coupon",
    "coupon_used": "coupon",
    "coupon_expired": "coupon",
    "invalid_region": "district",
    "invalid_phone": "phone",
    "invalid_store": "store",
    "pickup_store_mismatch": "store",
}


@dataclass(frozen=True)
class QuoteLine:
    line: cart.CartLine
    discount_fen: int

    @property
    def paid_fen(self) -> int:
        return self.line.amount_fen - self.discount_fen


@dataclass
class QuoteGroup:
    merchant: Merchant | None
    shop_name: str
    lines: list[QuoteLine] = field(default_factory=list)
    shipping_fen: int = 0

    @property
    def total_fen(self) -> int:
        return sum(line.paid_fen for line in self.lines) + self.shipping_fen


@dataclass(frozen=True)
class CouponChoice:
    claim_id: int
    title: str
    summary: str


@dataclass(frozen=True)
class Quote:
    groups: list[QuoteGroup]
    sharer: Member | None
    # False until a district is chosen: the page then says shipping comes with the address.
    shipping_known: bool = True
    not_served: bool = False
    # The discounts by kind, in the order the engine applies them (docs/promotions.md).
    promotion_fen: int = 0
    tier_fen: int = 0
    coupon_fen: int = 0
    share_fen: int = 0
    # The buyer's coupons usable on these shops' goods, the one chosen, and why a chosen one
    # was left out.
    coupons: tuple[CouponChoice, ...] = ()
    coupon_id: int | None = None
    coupon_refusal: str = ""

    @property
    def goods_fen(self) -> int:
        return sum(q.line.amount_fen for g in self.groups for q in g.lines)

    @property
    def discount_fen(self) -> int:
        return sum(q.discount_fen for g in self.groups for q in g.lines)

    @property
    def shipping_fen(self) -> int:
        return sum(g.shipping_fen for g in self.groups)

    @property
    def total_fen(self) -> int:
        return self.goods_fen - self.discount_fen + self.shipping_fen


def _quote(
    member: Member,
    lines: list[cart.CartLine],
    share_code: str | None,
    *,
    delivery_type: str = order_rules.EXPRESS,
    region_code: str = "",
    flash_sale_id: int | None = None,
    coupon_id: int | None = None,
) -> Quote:
    """What checkout will charge, from the very pricing order_create runs (promotion price,
    满减, the chosen coupon, the share discount and each shop's shipping to the chosen district),
    laid out over the cart's lines. A chosen coupon the order cannot take is left out and the
    quote says why."""
    items = [checkout.Item(line.sku_id, line.quantity, flash_sale_id) for line in lines]

    def priced(region: str, coupon_ids: list[int]) -> Priced:
        return checkout.quote_preview(
            buyer=member,
            items=items,
            delivery_type=delivery_type,
            region_code=region,
            share_code=share_code,
            coupon_ids=coupon_ids,
        )

    def with_coupon(region: str) -> tuple[Priced, str]:
        if coupon_id is None:
            return priced(region, []), ""
        try:
            return priced(region, [coupon_id]), ""
        except DomainError as refused:
            if refused.code not in COUPON_REFUSALS:
                raise
            return priced(region, []), refused.message

    try:
        (found, refusal), not_served = with_coupon(region_code), False
    except RegionNotServed:
        # Checkout will refuse this address; the page still shows the goods and says why.
        (found, refusal), not_served = with_coupon(""), True
    drafts = {d.merchant.pk: d for d in found.drafts}
    groups = []
    for group in cart.by_merchant(lines):
        draft = drafts.get(group.merchant.pk) if group.merchant is not None else None
        discounts = {ld.sku_id: ld.discount_fen for ld in draft.lines} if draft else {}
        groups.append(
            QuoteGroup(
                group.merchant,
                group.shop_name,
                [QuoteLine(line, discounts.get(line.sku_id, 0)) for line in group.lines],
                draft.shipping_fen if draft else 0,
            )
        )
    attribution = found.attribution
    merchant_ids = [d.merchant.pk for d in found.drafts]
    return Quote(
        groups,
        attribution.referrer if attribution.through_share else None,
        shipping_known=found.shipping_known,
        not_served=not_served,
        promotion_fen=sum(p.promotion_fen for p in found.prices),
        tier_fen=sum(p.tier_fen for p in found.prices),
        coupon_fen=sum(p.coupon_fen for p in found.prices),
        share_fen=sum(p.share_fen for p in found.prices),
        coupons=tuple(
            CouponChoice(c.pk, c.coupon.title, coupon_summary(c.coupon))
            for c in coupon_selectors.usable_claims_of(member, merchant_ids, timezone.now())
        ),
        coupon_id=coupon_id if not refusal and found.coupons else None,
        coupon_refusal=refusal,
    )


# A chosen coupon refused for one of these reasons is left out of the quote, which says why.
COUPON_REFUSALS = {
    "coupon_not_applicable",
    "coupon_used",
    "coupon_expired",
    "coupon_not_started",
    "not_found",
}


def _new_checkout_token(request: HttpRequest) -> str:
    token = secrets.token_urlsafe(16)
    kept = list(request.session.get(CHECKOUT_TOKENS, []))[-(CHECKOUT_TOKENS_KEPT - 1) :]
    request.session[CHECKOUT_TOKENS] = [*kept, token]
    return token


def _spend_checkout_token(request: HttpRequest, token: str) -> bool:
    kept = list(request.session.get(CHECKOUT_TOKENS, []))
    if token not in kept:
        return False
    kept.remove(token)
    request.session[CHECKOUT_TOKENS] = kept
    return True


# The event the region picker sends after it is redrawn; the amounts listen for it.
REGION_CHANGED = "region-changed"


@dataclass(frozen=True)
class CheckoutItems:
    """What this checkout buys: the cart (or the lines ticked in it), or one "Buy now" item."""

    items: dict[int, int]
    buy_now: dict[str, int] | None = None
    picked: list[int] | None = None  # the SKU ids ticked in the cart; None: the whole cart

    @property
    def flash_sale_id(self) -> int | None:
        """The flash sale a "Buy now" item is bought at (立即抢购 on the flash page)."""
        return self.buy_now.get("flash") if self.buy_now else None


def _picked(values: list[str]) -> list[int]:
    return sorted({int(v) for v in values if v.isdigit() and len(v) < 19})


def _checkout_items(request: HttpRequest) -> CheckoutItems:
    """The cart, the cart's ticked lines (`pick`, repeated), or the single item of "Buy now"
    when the address (or the form) names one."""
    source = request.POST if request.method == "POST" else request.GET
    if "sku" not in source:
        items = cart.contents(request.session)
        if "pick" not in source:
            return CheckoutItems(items)
        picked = _picked(source.getlist("pick"))
        return CheckoutItems(cart.chosen(items, picked), picked=picked)
    form = BuyNowForm(source)
    if not form.is_valid():
        return CheckoutItems({})
    item = {"sku": form.cleaned_data["sku"], "quantity": form.cleaned_data["quantity"]}
    if form.cleaned_data.get("flash"):
        item["flash"] = form.cleaned_data["flash"]
    return CheckoutItems({item["sku"]: item["quantity"]}, buy_now=item)


@dataclass(frozen=True)
class RegionPicker:
    """The province, city and district lists of the address form and what is chosen in each."""

    provinces: list[merchant_rules.Region]
    cities: list[merchant_rules.Region]
    districts: list[merchant_rules.Region]
    province: str
    city: str
    district: str


def _children(parent: str) -> list[merchant_rules.Region]:
    try:
        return merchant_rules.region_children(parent)
    except DomainError:
        return []


def _region_picker(province: str, city: str, district: str) -> RegionPicker:
    """Each list follows the choice above it; a choice outside its parent is dropped."""
    provinces = merchant_rules.region_children(None)
    province = province if province in {r.code for r in provinces} else ""
    cities = _children(province) if province else []
    city = city if city in {r.code for r in cities} else ""
    # A municipality lists its districts as "cities": they have nothing under them.
    districts = _children(city) if city else []
    district = district if district in {r.code for r in districts} else ""
    return RegionPicker(provinces, cities, districts, province, city, district)


def form_region_picker(form: forms.Form) -> RegionPicker:
    """The picker as an address form (checkout's, the address book's) has it chosen."""
    return _region_picker(
        str(form["province"].value() or ""),
        str(form["city"].value() or ""),
        str(form["district"].value() or ""),
    )


def region_picker_for(code: str) -> RegionPicker:
    """The picker showing a saved district: under its city, or right under a municipality
    (whose districts the picker lists as cities)."""
    province = code[:2] + "0000"
    picker = _region_picker(province, code[:4] + "00", code)
    if picker.district != code:
        picker = _region_picker(province, code, "")
    return picker


def address_initial(address: Address) -> dict[str, str]:
    """A saved address as the address fields' values (checkout's and the address book's)."""
    picker = region_picker_for(address.region_code)
    return {
        "province": picker.province,
        "city": picker.city,
        "district": picker.district,
        "address": address.address,
        "receiver": address.receiver,
        "phone": address.phone,
    }


@dataclass(frozen=True)
class SavedChoice:
    """A saved address offered at checkout, and the link that fills the form with it."""

    address: Address
    region_name: str
    url: str
    chosen: bool


def _saved_choices(
    request: HttpRequest, saved: list[Address], chosen: Address | None
) -> list[SavedChoice]:
    # What is being bought stays in the link: the "Buy now" item or the ticked cart lines.
    source = request.POST if request.method == "POST" else request.GET
    kept = QueryDict(mutable=True)
    for name in ("sku", "quantity", "pick"):
        kept.setlist(name, source.getlist(name))
    choices = []
    for address in saved:
        query = kept.copy()
        query["address"] = str(address.pk)
        choices.append(
            SavedChoice(
                address,
                address_rules.region_name(address.region_code),
                f"{reverse('web:buyer_checkout')}?{query.urlencode()}",
                chosen is not None and address.pk == chosen.pk,
            )
        )
    return choices


def _chosen_saved(request: HttpRequest, saved: list[Address]) -> Address | None:
    """The saved address to fill the form with: the one the buyer picked (?address=), else
    the default."""
    wanted = request.GET.get("address", "")
    for address in saved:
        if str(address.pk) == wanted:
            return address
    return next((a for a in saved if a.is_default), saved[0] if saved else None)


def _save_typed_address(request: HttpRequest, member: Member, delivery: checkout.Delivery) -> None:
    """ "Save to my address book" at checkout: the address the order went to, unless the book
    has it already; a full book says so and the order stands."""
    if delivery.type != order_rules.EXPRESS:
        return
    try:
        fields = address_rules.address_fields(
            region_code=delivery.region_code,
            address=delivery.address,
            receiver=delivery.receiver,
            phone=delivery.phone,
        )
    except DomainError:
        return
    if (
        address_book.addresses_of(member)
        .filter(
            region_code=fields.region_code,
            address=fields.address,
            receiver=fields.receiver,
            phone=fields.phone,
        )
        .exists()
    ):
        return
    run_action(
        request,
        lambda: addresses.address_create(member, fields),
        _("The address was saved to your address book."),
    )


def _delivery(form: CheckoutForm) -> checkout.Delivery:
    data = form.cleaned_data
    if data["delivery"] == order_rules.PICKUP:
        return checkout.Delivery(order_rules.PICKUP, store_id=data.get("store"))
    return checkout.Delivery(
        order_rules.EXPRESS,
        region_code=form.region_code(),
        address=data.get("address") or "",
        receiver=data.get("receiver") or "",
        phone=data.get("phone") or "",
    )


def _pickup_stores(lines: list[cart.CartLine]) -> list[Store]:
    """A pickup order is one merchant's: stores are offered when everything comes from one."""
    merchants = {line.sku.product.merchant for line in lines if line.sku is not None}
    if len(merchants) != 1:
        return []
    (merchant,) = merchants
    return list(merchant_selectors.stores_of(merchant).filter(kind=Store.Kind.OFFLINE))


def _place_order(
    request: HttpRequest,
    member: Member,
    form: CheckoutForm,
    lines: list[cart.CartLine],
    buy_now: dict[str, int] | None,
) -> HttpResponse | None:
    """Create the orders; the response to send, or None when the form now carries the error."""
    if not _spend_checkout_token(request, form.cleaned_data["token"]):
        messages.info(request, _("This order was already placed. Here are your orders."))
        return HttpResponseRedirect(reverse("web:buyer_orders"))
    delivery = _delivery(form)
    outcome = run_action(
        request,
        lambda: checkout.order_create(
            buyer=member,
            items=[
                checkout.Item(line.sku_id, line.quantity, (buy_now or {}).get("flash"))
                for line in lines
            ],
            delivery=delivery,
            share_code=sharing_selectors.code_from_cookie(request),
            coupon_ids=[form.cleaned_data["coupon"]] if form.cleaned_data.get("coupon") else [],
            client_ip=client_address(request),
            device_id=device_of(request),
        ),
        form=form,
        error_fields=CHECKOUT_ERROR_FIELDS,
    )
    if not outcome:
        # The form stays usable: the buyer fixes the address and sends it again.
        request.session[CHECKOUT_TOKENS] = [
            *request.session.get(CHECKOUT_TOKENS, []),
            form.cleaned_data["token"],
        ]
        return None
    result = outcome.value
    if form.cleaned_data.get("save_address"):
        _save_typed_address(request, member, delivery)
    if buy_now is None:
        cart.remove(request.session, [line.sku_id for line in lines])
    messages.success(
        request,
        _("Order placed: %(amount)s to pay.") % {"amount": format_yuan(result.payment.amount_fen)},
    )
    return HttpResponseRedirect(_pay_url(result.payment))


def _chosen_region(form: CheckoutForm) -> str:
    """The most precise division the form names so far (a municipality's districts sit in the
    city list), for the shipping shown before the order is placed."""
    for name in ("district", "city"):
        value = str(form[name].value() or "")
        if value.isdigit() and len(value) == 6:
            return value
    return ""


@member_page
def checkout_page(request: HttpRequest, member: Member) -> HttpResponse:
    chosen = _checkout_items(request)
    items, buy_now = chosen.items, chosen.buy_now
    lines = [line for line in cart.lines_for(items) if line.available]
    if not lines:
        if items:
            messages.error(request, _("None of these items can be bought right now."))
        elif chosen.picked is not None:
            messages.error(request, _("Tick what you want to check out."))
        return HttpResponseRedirect(reverse("web:buyer_cart"))
    saved = list(address_book.addresses_of(member))
    chosen_saved = None
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        if form.is_valid():
            response = _place_order(request, member, form, lines, buy_now)
            if response is not None:
                return response
    else:
        # The default saved address (or the one picked) fills the express fields, editable.
        chosen_saved = _chosen_saved(request, saved)
        initial = {"token": _new_checkout_token(request)}
        if chosen_saved is not None:
            initial.update(address_initial(chosen_saved))
        form = CheckoutForm(initial=initial)
    flash_sale_id = chosen.flash_sale_id
    try:
        quote = _form_quote(request, member, form, lines, flash_sale_id)
    except DomainError as refused:
        if flash_sale_id is None:
            raise
        # The flash sale ended or sold out meanwhile: back to its page, which says so.
        messages.error(request, refused.message)
        return HttpResponseRedirect(reverse("web:buyer_flash", args=[flash_sale_id]))
    stores = _pickup_stores(lines)
    return render(
        request,
        "web/buyer/checkout.html",
        {
            "form": form,
            "quote": quote,
            "buy_now": buy_now,
            "picked": chosen.picked,
            "stores": stores,
            "chosen_store": str(form["store"].value() or ""),
            "regions": form_region_picker(form),
            "saved_addresses": _saved_choices(request, saved, chosen_saved),
            "skipped": len(items) - len(lines),
            "errors": error_links(form, {"store": "pickup-fields"}, top="checkout-form"),
        },
    )


def _form_quote(
    request: HttpRequest,
    member: Member,
    form: CheckoutForm,
    lines: list[cart.CartLine],
    flash_sale_id: int | None = None,
) -> Quote:
    """The quote for what the form says so far: the delivery chosen and the district."""
    return _quote(
        member,
        lines,
        sharing_selectors.code_from_cookie(request),
        delivery_type=str(form["delivery"].value() or order_rules.EXPRESS),
        region_code=_chosen_region(form),
        flash_sale_id=flash_sale_id,
        coupon_id=_chosen_coupon(form),
    )


def _chosen_coupon(form: CheckoutForm) -> int | None:
    value = str(form["coupon"].value() or "")
    return int(value) if value.isdigit() and len(value) < 19 else None


@require_GET
@member_page
def quote_summary(request: HttpRequest, member: Member) -> HttpResponse:
    """The amounts part of the checkout page, redrawn (htmx) when the buyer picks a district,
    switches between delivery and pickup: the same pricing the order will be charged by."""
    chosen = _checkout_items(request)
    lines = [line for line in cart.lines_for(chosen.items) if line.available]
    form = CheckoutForm(request.GET)
    quote = _form_quote(request, member, form, lines, chosen.flash_sale_id)
    return render(request, "web/buyer/checkout.html#quote_summary", {"form": form, "quote": quote})


@require_GET
def regions(request: HttpRequest) -> HttpResponse:
    """The address form's region lists, redrawn when a province or city is chosen (htmx)."""
    picker = _region_picker(
        request.GET.get("province", "")[:6],
        request.GET.get("city", "")[:6],
        request.GET.get("district", "")[:6],
    )
    response = render(request, "web/buyer/checkout.html#region_picker", {"regions": picker})
    # The amounts follow once the new lists are in place (the quote reads the district).
    response["HX-Trigger-After-Settle"] = REGION_CHANGED
    return response
