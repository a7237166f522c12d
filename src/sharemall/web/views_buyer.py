"""Buyer pages: the product page's cart, buy and share actions, the cart, checkout, payment,
orders with receipt and after-sales, and the experience-post composer.

Each page calls the same services and selectors as the JSON API, with the same permission
checks: a buyer sees only their own orders, and anything else is the 404 page.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from sharemall.accounts.auth import caller
from sharemall.accounts.models import Member
from sharemall.aftersales import rules as aftersale_rules
from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.aftersales import services as aftersales
from sharemall.aftersales.models import AfterSale
from sharemall.catalog import selectors as catalog
from sharemall.catalog.models import Sku
from sharemall.checkout import services as checkout
from sharemall.core.errors import DomainError, NotFound
from sharemall.core.http import client_address
from sharemall.core.images import read_image_upload
from sharemall.core.money import format_yuan
from sharemall.distribution import rules as distribution_rules
from sharemall.distribution import services as distribution
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants import selectors as merchant_selectors
from sharemall.merchants.models import Merchant, Store
from sharemall.orders import rules as order_rules
from sharemall.orders import selectors as order_selectors
from sharemall.orders import services as orders
from sharemall.orders.models import Order, OrderLine
from sharemall.payments import services as payments
from sharemall.payments.models import Payment
from sharemall.payments.providers.base import Scene
from sharemall.payments.providers.registry import PROVIDER_NAMES, provider_for
from sharemall.posts import rules as post_rules
from sharemall.posts import selectors as post_selectors
from sharemall.posts import services as posts
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing import selectors as sharing_selectors
from sharemall.sharing import services as sharing
from sharemall.sharing.qr import qr_svg
from sharemall.web import cart_buyer as cart
from sharemall.web.access import member_page, not_found
from sharemall.web.forms_buyer import (
    AddToCartForm,
    AfterSaleForm,
    BuyNowForm,
    CheckoutForm,
    EscalateForm,
    PostForm,
    QuantityForm,
    ReturnForm,
)

PAGE_SIZE = 20
# Checkout forms the session will still accept: one is spent by each order placed, so a
# double-tapped "Place order" buys once.
CHECKOUT_TOKENS = "checkout_tokens"
CHECKOUT_TOKENS_KEPT = 5
SHARE_CHANNEL = "page"
PROVIDER_LABELS = {
    "sandbox": gettext_lazy("Sandbox"),
    "wechatpay": gettext_lazy("WeChat Pay"),
    "alipay": gettext_lazy("Alipay"),
}
AFTERSALE_STATUS_LABELS = {
    aftersale_rules.REQUESTED: gettext_lazy("Waiting for the merchant"),
    aftersale_rules.AWAITING_RETURN: gettext_lazy("Approved: send the goods back"),
    aftersale_rules.RETURN_SHIPPED: gettext_lazy("Goods sent back"),
    aftersale_rules.REFUNDING: gettext_lazy("Refund on its way"),
    aftersale_rules.REFUNDED: gettext_lazy("Refunded"),
    aftersale_rules.REJECTED: gettext_lazy("Rejected by the merchant"),
    aftersale_rules.DISPUTED: gettext_lazy("With the platform"),
    aftersale_rules.CANCELLED: gettext_lazy("Withdrawn"),
}
# Which checkout form field a checkout error belongs to, by its domain code.
CHECKOUT_ERROR_FIELDS = {
    "invalid_region": "district",
    "invalid_phone": "phone",
    "invalid_store": "store",
    "pickup_store_mismatch": "store",
}
POST_ERROR_FIELDS = {
    "invalid_image": "images",
    "banned_words": "text",
    "invalid_post": "text",
}


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _product_url(product_id: int) -> str:
    return reverse("web:product", args=[product_id])


# --- product page actions ---------------------------------------------------------------------


def _local_path(request: HttpRequest, target: str | None) -> str:
    """A path on this site to go back to; anything else (another site) goes home."""
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return reverse("web:home")


def _public_sku(sku_id: int) -> Sku | None:
    """A SKU a stranger could buy: its product is on sale at an approved merchant."""
    return (
        Sku.objects.select_related("product")
        .filter(pk=sku_id, product__in=catalog.visible_products(None))
        .first()
    )


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    """The product page's form: "Add to cart" keeps the item, "Buy now" checks out just it."""
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an option and a quantity from 1 to 999."))
        return HttpResponseRedirect(_local_path(request, request.POST.get("back")))
    sku = _public_sku(form.cleaned_data["sku"])
    if sku is None:
        messages.error(request, _("This item is not on sale."))
        return HttpResponseRedirect(reverse("web:home"))
    if sku.stock <= 0:
        messages.error(request, _("This option is sold out."))
        return HttpResponseRedirect(_product_url(sku.product_id))
    quantity = form.cleaned_data["quantity"]
    if form.cleaned_data["intent"] == "buy":
        query = urlencode({"sku": sku.pk, "quantity": quantity})
        return HttpResponseRedirect(f"{reverse('web:buyer_checkout')}?{query}")
    try:
        cart.add(request.session, sku.pk, quantity)
    except cart.CartFull:
        messages.error(
            request, _("Your cart is full: check out or remove something before adding more.")
        )
        return HttpResponseRedirect(reverse("web:buyer_cart"))
    messages.success(request, _("Added %(title)s to your cart.") % {"title": sku.product.title})
    return HttpResponseRedirect(reverse("web:buyer_cart"))


def _share_context(result: sharing.ShareResult) -> dict[str, Any]:
    code = result.link.code
    return {
        "code": code,
        "rewarded": result.rewarded,
        "message": result.message,
        "share_url": sharing_rules.share_url(settings.PUBLIC_BASE_URL, code),
        # Same-origin paths: the page's CSP allows images from 'self' only.
        "qr_src": f"/api/v1/shares/{code}/qr.png",
        "poster_src": f"/api/v1/shares/{code}/poster.png",
    }


@require_POST
@never_cache
def product_share(request: HttpRequest, product_id: int) -> HttpResponse:
    """The Share button: the member's own link for this product, its QR code and poster."""
    member = caller(request)
    if member is None:
        if _is_htmx(request):
            login = reverse("web:login")
            return HttpResponseClientRedirect(
                f"{login}?{urlencode({'next': _product_url(product_id)})}"
            )
        return redirect_to_login(_product_url(product_id))
    context: dict[str, Any] = {"product_id": product_id, "htmx": _is_htmx(request)}
    try:
        result = sharing.share_create(
            sharer=member,
            target_type=sharing_rules.PRODUCT,
            target_id=product_id,
            channel=SHARE_CHANNEL,
        )
    except DomainError as exc:
        context["error"] = exc.message
    else:
        context.update(_share_context(result))
    if context["htmx"]:
        return render(request, "web/buyer/share.html#share_panel", context)
    return render(request, "web/buyer/share.html", context)


# --- cart -------------------------------------------------------------------------------------


@never_cache
def cart_page(request: HttpRequest) -> HttpResponse:
    lines = cart.lines_for(cart.contents(request.session))
    return render(
        request,
        "web/buyer/cart.html",
        {
            "groups": cart.by_merchant(lines),
            "total_fen": cart.total_fen(lines),
            "can_check_out": any(line.available for line in lines),
        },
    )


@require_POST
def cart_update(request: HttpRequest, sku_id: int) -> HttpResponse:
    form = QuantityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A quantity is between 1 and 999."))
    elif not cart.set_quantity(request.session, sku_id, form.cleaned_data["quantity"]):
        messages.error(request, _("That item is not in your cart."))
    return HttpResponseRedirect(reverse("web:buyer_cart"))


@require_POST
def cart_remove(request: HttpRequest, sku_id: int) -> HttpResponse:
    cart.remove(request.session, [sku_id])
    return HttpResponseRedirect(reverse("web:buyer_cart"))


# --- checkout ---------------------------------------------------------------------------------


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
    lines: list[QuoteLine] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(line.paid_fen for line in self.lines)


@dataclass(frozen=True)
class Quote:
    groups: list[QuoteGroup]
    sharer: Member | None

    @property
    def goods_fen(self) -> int:
        return sum(q.line.amount_fen for g in self.groups for q in g.lines)

    @property
    def discount_fen(self) -> int:
        return sum(q.discount_fen for g in self.groups for q in g.lines)

    @property
    def total_fen(self) -> int:
        return self.goods_fen - self.discount_fen


def _quote(member: Member, lines: list[cart.CartLine], share_code: str | None) -> Quote:
    """What checkout will charge, by the rules order_create applies: a buyer who came through
    someone else's share saves the plan's buyer discount. The order itself recomputes it."""
    attribution = distribution.attribute(member, share_code=share_code, now=timezone.now())
    skus = [line.sku for line in lines if line.sku is not None]
    plans = distribution.plans_for(skus) if attribution.through_share else {}
    groups = []
    for group in cart.by_merchant(lines):
        quoted = QuoteGroup(group.merchant)
        for line in group.lines:
            plan = plans.get(line.sku_id)
            discount = (
                distribution_rules.buyer_discount(
                    plan, list_fen=line.amount_fen, quantity=line.quantity
                )
                if plan is not None
                else 0
            )
            quoted.lines.append(QuoteLine(line, discount))
        groups.append(quoted)
    return Quote(groups, attribution.referrer if attribution.through_share else None)


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


def _checkout_items(request: HttpRequest) -> tuple[dict[int, int], dict[str, int] | None]:
    """The cart, or the single item of "Buy now" when the address (or the form) names one."""
    source = request.POST if request.method == "POST" else request.GET
    if "sku" not in source:
        return cart.contents(request.session), None
    form = BuyNowForm(source)
    if not form.is_valid():
        return {}, None
    item = {"sku": form.cleaned_data["sku"], "quantity": form.cleaned_data["quantity"]}
    return {item["sku"]: item["quantity"]}, item


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
    try:
        result = checkout.order_create(
            buyer=member,
            items=[checkout.Item(line.sku_id, line.quantity) for line in lines],
            delivery=_delivery(form),
            share_code=sharing_selectors.code_from_cookie(request),
            client_ip=client_address(request),
        )
    except DomainError as exc:
        # The form stays usable: the buyer fixes the address and sends it again.
        request.session[CHECKOUT_TOKENS] = [
            *request.session.get(CHECKOUT_TOKENS, []),
            form.cleaned_data["token"],
        ]
        form.add_error(CHECKOUT_ERROR_FIELDS.get(exc.code), exc.message)
        return None
    if buy_now is None:
        cart.remove(request.session, [line.sku_id for line in lines])
    messages.success(
        request,
        _("Order placed: %(amount)s to pay.") % {"amount": format_yuan(result.payment.amount_fen)},
    )
    return HttpResponseRedirect(_pay_url(result.payment))


@member_page
def checkout_page(request: HttpRequest, member: Member) -> HttpResponse:
    items, buy_now = _checkout_items(request)
    lines = [line for line in cart.lines_for(items) if line.available]
    if not lines:
        if items:
            messages.error(request, _("None of these items can be bought right now."))
        return HttpResponseRedirect(reverse("web:buyer_cart"))
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        if form.is_valid():
            response = _place_order(request, member, form, lines, buy_now)
            if response is not None:
                return response
    else:
        form = CheckoutForm(initial={"token": _new_checkout_token(request)})
    stores = _pickup_stores(lines)
    return render(
        request,
        "web/buyer/checkout.html",
        {
            "form": form,
            "quote": _quote(member, lines, sharing_selectors.code_from_cookie(request)),
            "buy_now": buy_now,
            "stores": stores,
            "chosen_store": str(form["store"].value() or ""),
            "regions": _region_picker(
                str(form["province"].value() or ""),
                str(form["city"].value() or ""),
                str(form["district"].value() or ""),
            ),
            "skipped": len(items) - len(lines),
        },
    )


@require_GET
def regions(request: HttpRequest) -> HttpResponse:
    """The address form's region lists, redrawn when a province or city is chosen (htmx)."""
    picker = _region_picker(
        request.GET.get("province", "")[:6],
        request.GET.get("city", "")[:6],
        request.GET.get("district", "")[:6],
    )
    return render(request, "web/buyer/checkout.html#region_picker", {"regions": picker})


# --- payment ----------------------------------------------------------------------------------


def _pay_url(payment: Payment) -> str:
    if settings.SANDBOX_PAYMENTS:
        return reverse("web:sandbox_pay", args=[payment.payment_no])
    return reverse("web:buyer_pay", args=[payment.payment_no])


def _configured_providers() -> list[tuple[str, str]]:
    """(name, label) of the real providers set up on this ShareMall."""
    found = []
    for name in PROVIDER_NAMES:
        if name == "sandbox":
            continue  # the sandbox has a page of its own
        try:
            provider_for(name)
        except DomainError:
            continue  # switched off: its settings are missing
        found.append((name, str(PROVIDER_LABELS.get(name, name))))
    return found


def _in_wechat(request: HttpRequest) -> bool:
    return "MicroMessenger" in request.headers.get("User-Agent", "")


def _wechat_scene(request: HttpRequest) -> Scene:
    """A phone's browser pays through WeChat's H5 page; anywhere else (a computer, or WeChat's
    own browser, where JSAPI would need the member's openid) shows a code to scan."""
    agent = request.headers.get("User-Agent", "")
    return "h5" if "Mobile" in agent and not _in_wechat(request) else "native"


@member_page
def pay_page(request: HttpRequest, member: Member, payment_no: str) -> HttpResponse:
    """Where "Pay" leads: the sandbox's pay page when it is on, else the providers set up."""
    payment = checkout.payment_payable_by(member, payment_no)
    if payment is None:
        return not_found(request)
    if settings.SANDBOX_PAYMENTS:
        return HttpResponseRedirect(reverse("web:sandbox_pay", args=[payment.payment_no]))
    if _is_htmx(request):  # the QR page asks every few seconds whether the money arrived
        # Only the status: no provider is loaded per poll. 286 tells htmx to stop asking once
        # the payment is paid or closed.
        status = 200 if payment.status == Payment.Status.PENDING else 286
        return render(request, "web/buyer/pay.html#pay_status", {"payment": payment}, status=status)
    return render(
        request,
        "web/buyer/pay.html",
        {
            "payment": payment,
            "providers": _configured_providers(),
            "in_wechat": _in_wechat(request),
        },
    )


@member_page
def pay_start(request: HttpRequest, member: Member, payment_no: str, provider: str) -> HttpResponse:
    """Start paying with a real provider: off to Alipay's or WeChat's page, or a code to scan.

    A link, not a form: the page then leaves for the provider's site, which the pages' CSP
    (form-action 'self') would not let a form's redirect do."""
    payment = checkout.payment_payable_by(member, payment_no)
    if payment is None or provider not in dict(_configured_providers()):
        return not_found(request)
    back = reverse("web:buyer_pay", args=[payment.payment_no])
    try:
        started = payments.payment_start(
            payment,
            provider_name=provider,
            scene="wap" if provider == "alipay" else _wechat_scene(request),
            client_ip=client_address(request),
            return_url=f"{settings.PUBLIC_BASE_URL}{back}",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(back)
    if "code_url" in started:
        return render(
            request,
            "web/buyer/pay_qr.html",
            {"payment": payment, "qr_svg": qr_svg(str(started["code_url"]))},
        )
    return HttpResponseRedirect(str(started.get("pay_url") or started["h5_url"]))


@member_page
def pay_for_me_page(request: HttpRequest, member: Member, token: str) -> HttpResponse:
    """A pay-for-me link (找人代付): the friend sees what they would pay for, and pays."""
    payment = payments.pay_token_payment(token)
    if payment is None:
        return not_found(request)
    if request.method == "POST":
        try:
            checkout.pay_for_friend(payment, member)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return HttpResponseRedirect(_pay_url(payment))
    return render(
        request,
        "web/buyer/pay_for_me.html",
        {
            "payment": payment,
            "orders": order_selectors.orders_of_payment(payment.pk).select_related("merchant"),
            "is_buyer": payment.buyer_id == member.pk,
            "link": checkout.pay_for_me_url(payment),
        },
    )


# --- orders -----------------------------------------------------------------------------------


@member_page
def orders_page(request: HttpRequest, member: Member) -> HttpResponse:
    found = order_selectors.orders_of_buyer(member).select_related("merchant")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/buyer/orders.html", {"page": page})


@dataclass(frozen=True)
class LineView:
    line: OrderLine
    post_id: int | None
    can_post: bool

    @property
    def refundable(self) -> int:
        return self.line.quantity - self.line.claimed_quantity


@dataclass(frozen=True)
class AfterSaleView:
    aftersale: AfterSale
    lines: list[tuple[str, int, int]]  # title, quantity, refund fen

    @property
    def status_label(self) -> str:
        return str(AFTERSALE_STATUS_LABELS.get(self.aftersale.status, self.aftersale.status))

    @property
    def can_cancel(self) -> bool:
        return self.aftersale.status in (aftersale_rules.REQUESTED, aftersale_rules.AWAITING_RETURN)

    @property
    def can_return(self) -> bool:
        return self.aftersale.status == aftersale_rules.AWAITING_RETURN

    @property
    def can_escalate(self) -> bool:
        return self.aftersale.status in (aftersale_rules.REJECTED, aftersale_rules.RETURN_SHIPPED)


def _line_views(member: Member, order: Order) -> list[LineView]:
    posted = {
        p.order_line_id: p.pk
        for p in post_selectors.posts_of(member).filter(order_line__order_id=order.pk)
    }
    postable = set(
        post_selectors.postable_lines(member).filter(order_id=order.pk).values_list("pk", flat=True)
    )
    return [LineView(line, posted.get(line.pk), line.pk in postable) for line in order.lines.all()]


def _aftersale_views(order: Order) -> list[AfterSaleView]:
    titles = {line.pk: line.title for line in order.lines.all()}
    found = aftersale_selectors.aftersales_of_order(order.pk).select_related("dispute")
    return [
        AfterSaleView(
            a,
            [(titles.get(p.order_line_id, ""), p.quantity, p.refund_fen) for p in a.lines.all()],
        )
        for a in found
    ]


def _region_name(code: str) -> str:
    try:
        return merchant_rules.region(code).full_name if code else ""
    except DomainError:
        return code  # a division retired since the order was placed


def _order_page(
    request: HttpRequest, member: Member, order: Order, aftersale_form: AfterSaleForm | None = None
) -> HttpResponse:
    lines = _line_views(member, order)
    can_request = order.status in aftersale_rules.ELIGIBLE_ORDER_STATUSES and any(
        view.refundable > 0 for view in lines
    )
    can_pay = (
        order.status == order_rules.PENDING_PAYMENT
        and order.payment.status == Payment.Status.PENDING
    )
    return render(
        request,
        "web/buyer/order.html",
        {
            "order": order,
            "region_name": _region_name(order.region_code),
            "lines": lines,
            "aftersales": _aftersale_views(order),
            "can_pay": can_pay,
            "pay_for_me_url": checkout.pay_for_me_url(order.payment) if can_pay else "",
            "can_confirm": order.status == order_rules.SHIPPED,
            "can_request": can_request,
            "can_return": order.status in aftersale_rules.RETURN_ORDER_STATUSES,
            "aftersale_form": aftersale_form or AfterSaleForm(),
            "return_form": ReturnForm(),
            "escalate_form": EscalateForm(),
        },
    )


def _buyer_order(member: Member, order_id: int) -> Order | None:
    try:
        return order_selectors.order_for_buyer(member, order_id)
    except NotFound:
        return None


@member_page
def order_page(request: HttpRequest, member: Member, order_id: int) -> HttpResponse:
    order = _buyer_order(member, order_id)
    if order is None:
        return not_found(request)
    return _order_page(request, member, order)


def _back_to(order_id: int) -> HttpResponse:
    return HttpResponseRedirect(reverse("web:buyer_order", args=[order_id]))


@require_POST
@member_page
def order_confirm_receipt(request: HttpRequest, member: Member, order_id: int) -> HttpResponse:
    order = _buyer_order(member, order_id)
    if order is None:
        return not_found(request)
    try:
        orders.order_confirm_receipt(order, actor=member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you! The order is marked as received."))
    return _back_to(order.pk)


def _claimed_lines(request: HttpRequest, order: Order) -> list[tuple[int, int]] | None:
    """(line id, quantity) for every line given a quantity; None when one is not a number."""
    claimed = []
    for line in order.lines.all():
        raw = request.POST.get(f"quantity-{line.pk}", "").strip() or "0"
        try:
            quantity = int(raw)
        except ValueError:
            return None
        if quantity:
            claimed.append((line.pk, quantity))
    return claimed


@require_POST
@member_page
def aftersale_request(request: HttpRequest, member: Member, order_id: int) -> HttpResponse:
    order = _buyer_order(member, order_id)
    if order is None:
        return not_found(request)
    form = AfterSaleForm(request.POST)
    claimed = _claimed_lines(request, order)
    if claimed is None:
        form.add_error(None, _("A quantity is a whole number."))
    if form.is_valid() and claimed is not None:
        try:
            aftersales.aftersale_request(
                buyer=member,
                order=order,
                kind=form.cleaned_data["type"],
                lines=claimed,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your request was sent to the merchant."))
            return _back_to(order.pk)
    return _order_page(request, member, order, aftersale_form=form)


def _buyer_aftersale(member: Member, aftersale_id: int) -> AfterSale | None:
    try:
        return aftersale_selectors.aftersale_for_buyer(member, aftersale_id)
    except NotFound:
        return None


@require_POST
@member_page
def aftersale_cancel(request: HttpRequest, member: Member, aftersale_id: int) -> HttpResponse:
    aftersale = _buyer_aftersale(member, aftersale_id)
    if aftersale is None:
        return not_found(request)
    try:
        aftersales.aftersale_cancel(aftersale, actor=member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your request was withdrawn."))
    return _back_to(aftersale.order_id)


@require_POST
@member_page
def aftersale_return(request: HttpRequest, member: Member, aftersale_id: int) -> HttpResponse:
    aftersale = _buyer_aftersale(member, aftersale_id)
    if aftersale is None:
        return not_found(request)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the tracking number of the parcel you sent back."))
        return _back_to(aftersale.order_id)
    try:
        aftersales.aftersale_return_shipped(
            aftersale,
            actor=member,
            carrier=form.cleaned_data["carrier"],
            tracking_no=form.cleaned_data["tracking_no"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you. The merchant refunds once the goods arrive."))
    return _back_to(aftersale.order_id)


@require_POST
@member_page
def aftersale_escalate(request: HttpRequest, member: Member, aftersale_id: int) -> HttpResponse:
    aftersale = _buyer_aftersale(member, aftersale_id)
    if aftersale is None:
        return not_found(request)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tell the platform what went wrong."))
        return _back_to(aftersale.order_id)
    try:
        aftersales.aftersale_escalate(
            aftersale, actor=member, statement=form.cleaned_data["statement"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The platform will look into it and rule."))
    return _back_to(aftersale.order_id)


# --- experience posts -------------------------------------------------------------------------


def _create_post(
    request: HttpRequest, member: Member, form: PostForm, line: OrderLine
) -> HttpResponse | None:
    try:
        post = posts.post_create(
            author=member,
            order_line_id=line.pk,
            text=form.cleaned_data["text"],
            rating=form.cleaned_data["rating"],
            images=[read_image_upload(upload) for upload in form.cleaned_data["images"]],
        )
    except DomainError as exc:
        form.add_error(POST_ERROR_FIELDS.get(exc.code), exc.message)
        return None
    if post.share_link is not None:
        url = sharing_rules.share_url(settings.PUBLIC_BASE_URL, post.share_link.code)
        messages.success(
            request, _("Posted! Share your post with this link: %(url)s") % {"url": url}
        )
    return HttpResponseRedirect(reverse("web:post", args=[post.pk]))


@member_page
def post_compose(request: HttpRequest, member: Member, order_id: int, line_id: int) -> HttpResponse:
    """Write an experience post about one received order line."""
    order = _buyer_order(member, order_id)
    line = next((x for x in order.lines.all() if x.pk == line_id), None) if order else None
    if line is None:
        return not_found(request)
    blocked = ""
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES)
        if form.is_valid():
            response = _create_post(request, member, form, line)
            if response is not None:
                return response
    else:
        form = PostForm()
        try:
            post_selectors.line_for_post(member, line.pk)
        except post_rules.NotEligible as exc:
            blocked = exc.message
    return render(
        request,
        "web/buyer/post_compose.html",
        {"form": form, "order": order, "line": line, "blocked": blocked},
    )
