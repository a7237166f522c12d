"""The merchant console (/merchant/): application and certification, stores and staff,
products and import, the commission plan, orders and pickups, after-sales.

Every page mirrors the permission check of the API endpoint doing the same thing (staff of the
merchant, or its owner where the API asks for the owner) and calls the same service; objects of
another merchant answer with the 404 page, as the API answers 404.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import wraps
from typing import Any, Concatenate

from django.contrib import messages
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from sharemall.accounts.models import Member
from sharemall.aftersales import rules as aftersale_rules
from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.aftersales import services as aftersales
from sharemall.aftersales.models import AfterSale
from sharemall.catalog import importing
from sharemall.catalog import rules as catalog_rules
from sharemall.catalog import selectors as catalog_selectors
from sharemall.catalog import services as catalog
from sharemall.catalog.models import Product
from sharemall.core.errors import DomainError, Forbidden, NotFound
from sharemall.core.images import read_image_upload
from sharemall.core.money import apply_bp
from sharemall.distribution import rules as plan_rules
from sharemall.distribution import selectors as distribution_selectors
from sharemall.distribution import services as distribution
from sharemall.distribution.models import PlanChange
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants import selectors as merchant_selectors
from sharemall.merchants import services as merchants
from sharemall.merchants.models import Merchant, Store
from sharemall.orders import rules as order_rules
from sharemall.orders import selectors as order_selectors
from sharemall.orders import services as orders
from sharemall.orders.models import Order
from sharemall.platform import services as platform
from sharemall.web.access import member_page, not_found
from sharemall.web.forms_merchant import (
    ApplicationForm,
    ImageForm,
    ImportForm,
    LicenceForm,
    NoteForm,
    PickupForm,
    PlanForm,
    ProductForm,
    RejectForm,
    ShipForm,
    SkuEditForm,
    SkuForm,
    SkuFormSet,
    StaffForm,
    StoreForm,
)

PAGE_SIZE = 20
HISTORY_SHOWN = 50
SESSION_MERCHANT = "merchant_console_id"
# The plan editor shows what happens to a sale at this list price.
SAMPLE_PRICE_FEN = 100_00
IMPORT_SALT = "sharemall.web.merchant.import"
IMPORT_MAX_AGE = 60 * 60
APPLICATION_ERROR_FIELDS = {
    "invalid_uscc": "uscc",
    "uscc_taken": "uscc",
    "invalid_phone": "contact_phone",
    "invalid_image": "licence",
}
STORE_ERROR_FIELDS = {
    "invalid_region": "region_code",
    "invalid_coordinates": "latitude",
    "invalid_phone": "phone",
}
AFTERSALE_STATUS_LABELS = {
    aftersale_rules.REQUESTED: gettext_lazy("waiting for your answer"),
    aftersale_rules.AWAITING_RETURN: gettext_lazy("waiting for the buyer to send it back"),
    aftersale_rules.RETURN_SHIPPED: gettext_lazy("returned parcel on its way"),
    aftersale_rules.REFUNDING: gettext_lazy("refund in progress"),
    aftersale_rules.REFUNDED: gettext_lazy("refunded"),
    aftersale_rules.REJECTED: gettext_lazy("rejected"),
    aftersale_rules.DISPUTED: gettext_lazy("disputed with the platform"),
    aftersale_rules.CANCELLED: gettext_lazy("cancelled by the buyer"),
}
ORDER_STATUS_LABELS = dict(Order.Status.choices)
# Which tab of the console's menu a page belongs to, by words in its URL name (first match).
SECTIONS = (
    ("plan", "plan"),
    ("product", "products"),
    ("sku", "products"),
    ("import", "products"),
    ("order", "orders"),
    ("pickup", "pickups"),
    ("aftersale", "aftersales"),
    ("store", "stores"),
    ("region", "stores"),
    ("staff", "staff"),
)


# --- which merchant the console shows ----------------------------------------------------------


@dataclass(frozen=True)
class Console:
    """The signed-in member and the merchant they are working on (one of theirs)."""

    member: Member
    merchant: Merchant
    merchants: tuple[Merchant, ...]
    is_owner: bool

    def at(self, request: HttpRequest, merchant_id: int) -> Console:
        """The console switched to the merchant of an object the member may open."""
        if merchant_id == self.merchant.pk:
            return self
        merchant = next(m for m in self.merchants if m.pk == merchant_id)
        request.session[SESSION_MERCHANT] = merchant.pk
        return replace(self, merchant=merchant, is_owner=_owns(self.member, merchant.pk))


ConsoleView = Callable[Concatenate[HttpRequest, Console, ...], HttpResponse]


def _int_param(raw: str | None) -> int | None:
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if 0 < value < 2**63 else None


def _owns(member: Member, merchant_id: int) -> bool:
    return merchant_selectors.is_owner(member, merchant_id)


def _console(request: HttpRequest, member: Member) -> Console | None:
    """The merchant chosen with ?merchant=id (only one of the member's own, else NotFound),
    else the one chosen before in this session, else the member's first."""
    merchants = tuple(merchant_selectors.merchants_of(member))
    if not merchants:
        return None
    by_id = {m.pk: m for m in merchants}
    if "merchant" in request.GET:
        wanted = _int_param(request.GET.get("merchant"))
        if wanted not in by_id:
            raise NotFound(_("No such merchant."))
        request.session[SESSION_MERCHANT] = wanted
    remembered = request.session.get(SESSION_MERCHANT)
    merchant = by_id.get(remembered) if isinstance(remembered, int) else None
    merchant = merchant or merchants[0]
    return Console(member, merchant, merchants, _owns(member, merchant.pk))


def console_page(view: ConsoleView) -> Callable[..., HttpResponse]:
    """A console page: members without a merchant are sent to apply; objects the member may not
    see (lookups raising NotFound) answer with the 404 page."""

    @member_page
    @wraps(view)
    def wrapper(request: HttpRequest, member: Member, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            console = _console(request, member)
            if console is None:
                return HttpResponseRedirect(reverse("web:merchant_home"))
            return view(request, console, *args, **kwargs)
        except (NotFound, Forbidden):  # Forbidden: a clerk at an owner-only object
            return not_found(request)

    return wrapper


def owner_page(view: ConsoleView) -> Callable[..., HttpResponse]:
    """Where the API asks for the merchant's owner, anyone else gets the 404 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, console: Console, *args: Any, **kwargs: Any) -> HttpResponse:
        if not console.is_owner:
            return not_found(request)
        return view(request, console, *args, **kwargs)

    return wrapper


def _render(
    request: HttpRequest, console: Console | None, template: str, context: dict[str, Any]
) -> HttpResponse:
    match = request.resolver_match
    name = match.url_name if match and match.url_name else ""
    section = next((s for word, s in SECTIONS if word in name), "home")
    return render(request, template, {"console": console, "section": section, **context})


def _back(name: str, *args: object, query: str = "") -> HttpResponseRedirect:
    url = reverse(f"web:{name}", args=args)
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


def _trail(events: Iterable[dict[str, Any]], labels: Mapping[str, Any]) -> list[dict[str, Any]]:
    """State changes as the trail partial shows them: statuses in words, newest last."""
    return [
        {
            **event,
            "from": labels.get(event["from"], event["from"]) if event["from"] else "",
            "to": labels.get(event["to"], event["to"]),
        }
        for event in events
    ]


# --- home: application, certification, dashboard ----------------------------------------------


def _application_initial(merchant: Merchant) -> dict[str, str]:
    return {
        "legal_name": merchant.legal_name,
        "uscc": merchant.uscc,
        "legal_rep": merchant.legal_rep,
        "contact_phone": merchant.contact_phone,
    }


def _attach_licence(merchant: Merchant, form: ApplicationForm) -> None:
    upload = form.cleaned_data.get("licence")
    if upload:
        merchants.licence_upload(merchant, read_image_upload(upload))


def _apply(request: HttpRequest, member: Member, form: ApplicationForm) -> Merchant | None:
    try:
        # One transaction: a refused licence photo leaves no half-made application behind.
        with transaction.atomic():
            merchant = merchants.merchant_apply(
                owner=member,
                legal_name=form.cleaned_data["legal_name"],
                uscc=form.cleaned_data["uscc"],
                legal_rep=form.cleaned_data["legal_rep"],
                contact_phone=form.cleaned_data["contact_phone"],
            )
            _attach_licence(merchant, form)
    except DomainError as exc:
        form.add_error(APPLICATION_ERROR_FIELDS.get(exc.code), exc.message)
        return None
    request.session[SESSION_MERCHANT] = merchant.pk
    return merchant


@member_page
def merchant_home(request: HttpRequest, member: Member) -> HttpResponse:
    try:
        console = _console(request, member)
    except NotFound:
        return not_found(request)
    if console is None:
        form = ApplicationForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid() and _apply(request, member, form):
            messages.success(
                request, _("Your application was sent. The platform will review it shortly.")
            )
            return _back("merchant_home")
        return _render(request, None, "web/merchant/apply.html", {"form": form})
    return _render(request, console, "web/merchant/home.html", _home_context(console))


def _home_context(console: Console) -> dict[str, Any]:
    merchant = console.merchant
    editable = console.is_owner and merchant.status in merchant_rules.EDITABLE_STATUSES
    can_replace_licence = console.is_owner and merchant.status in (
        *merchant_rules.EDITABLE_STATUSES,
        merchant_rules.SUBMITTED,
    )
    return {
        "merchant": merchant,
        "events": _trail(
            [
                {"from": e.from_status, "to": e.to_status, "note": e.reason, "at": e.created_at}
                for e in merchant_selectors.merchant_events(merchant)
            ],
            dict(Merchant.Status.choices),
        ),
        "application_form": ApplicationForm(initial=_application_initial(merchant))
        if editable
        else None,
        "licence_form": LicenceForm() if can_replace_licence and not editable else None,
        "counts": _dashboard_counts(merchant) if merchant.is_approved else None,
    }


def _dashboard_counts(merchant: Merchant) -> dict[str, int]:
    return {
        "to_ship": order_selectors.orders_of_merchant(merchant.pk, status=order_rules.PAID).count(),
        "awaiting_pickup": order_selectors.orders_of_merchant(
            merchant.pk, status=order_rules.READY_FOR_PICKUP
        ).count(),
        "open_aftersales": aftersale_selectors.aftersales_of_merchant(
            merchant.pk, status=aftersale_rules.OPEN_FILTER
        ).count(),
        "on_sale": catalog_selectors.merchant_products(merchant.pk, status="on_sale").count(),
    }


@require_POST
@console_page
@owner_page
def merchant_application(request: HttpRequest, console: Console) -> HttpResponse:
    """Correct a draft or rejected application and send it (again) for review."""
    merchant = console.merchant
    form = ApplicationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                merchant = merchants.merchant_update(
                    merchant,
                    legal_name=form.cleaned_data["legal_name"],
                    uscc=form.cleaned_data["uscc"],
                    legal_rep=form.cleaned_data["legal_rep"],
                    contact_phone=form.cleaned_data["contact_phone"],
                )
                _attach_licence(merchant, form)
                merchants.merchant_submit(merchant, actor=console.member)
        except DomainError as exc:
            form.add_error(APPLICATION_ERROR_FIELDS.get(exc.code), exc.message)
            merchant.refresh_from_db()  # the rolled-back edit must not show as saved
        else:
            messages.success(request, _("Your application was sent again for review."))
            return _back("merchant_home")
    context = _home_context(console)
    context["application_form"] = form
    return _render(request, console, "web/merchant/home.html", context)


@require_POST
@console_page
@owner_page
def merchant_licence(request: HttpRequest, console: Console) -> HttpResponse:
    form = LicenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            merchants.licence_upload(
                console.merchant, read_image_upload(form.cleaned_data["licence"])
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The licence photo was saved."))
    else:
        messages.error(request, _("Choose a photo of the business licence."))
    return _back("merchant_home")


# --- stores and staff -----------------------------------------------------------------------


@console_page
def merchant_stores(request: HttpRequest, console: Console) -> HttpResponse:
    stores = merchant_selectors.stores_of(console.merchant, include_inactive=True)
    return _render(
        request,
        console,
        "web/merchant/stores.html",
        {"stores": [(store, _region_name(store.region_code)) for store in stores]},
    )


def _region_name(code: str) -> str:
    try:
        return merchant_rules.region(code).full_name if code else ""
    except merchant_rules.InvalidRegion:
        return code


def _region_steps(code: str) -> dict[str, Any]:
    """The three region lists for the store form, with the chosen province, city, district."""
    try:
        chosen = merchant_rules.region(code) if code else None
    except merchant_rules.InvalidRegion:
        chosen = None
    provinces = merchant_rules.region_children(None)
    if chosen is None:
        return {"provinces": provinces, "province": "", "second": [], "third": []}
    second = merchant_rules.region_children(chosen.province_code)
    city = chosen.city_code if any(r.code == chosen.city_code for r in second) else ""
    return {
        "provinces": provinces,
        "province": chosen.province_code,
        "second": second,
        "city": city or chosen.code,
        "third": merchant_rules.region_children(city) if city else [],
        "district": chosen.code,
    }


@console_page
def merchant_regions(request: HttpRequest, console: Console) -> HttpResponse:
    """htmx: the next region list of the store form, after a province or a city was chosen."""
    city, province = request.GET.get("city", ""), request.GET.get("province", "")
    try:
        if city:
            children = merchant_rules.region_children(city)
            return render(request, "web/merchant/store_form.html#district", {"third": children})
        children = merchant_rules.region_children(province) if province else []
    except merchant_rules.InvalidRegion:
        children = []
    return render(
        request, "web/merchant/store_form.html#second", {"second": children, "refreshed": True}
    )


def _store_data(form: StoreForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "region_code": data["region_code"],
        "address": data["address"],
        "latitude": data["latitude"],
        "longitude": data["longitude"],
        "opening_hours": data["opening_hours"],
        "phone": data["phone"] or None,
    }


def _store_page(
    request: HttpRequest, console: Console, form: StoreForm, store: Store | None
) -> HttpResponse:
    code = form["region_code"].value() or ""
    context = {"form": form, "store": store, **_region_steps(str(code))}
    return _render(request, console, "web/merchant/store_form.html", context)


@console_page
@owner_page
def merchant_store_new(request: HttpRequest, console: Console) -> HttpResponse:
    form = StoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            merchants.store_create(console.merchant, kind=Store.Kind.OFFLINE, **_store_data(form))
        except DomainError as exc:
            form.add_error(STORE_ERROR_FIELDS.get(exc.code), exc.message)
        else:
            messages.success(request, _("The store was added."))
            return _back("merchant_stores")
    return _store_page(request, console, form, None)


@console_page
def merchant_store_edit(request: HttpRequest, console: Console, store_id: int) -> HttpResponse:
    store = merchant_selectors.store_for_staff(console.member, store_id)
    console = console.at(request, store.merchant_id)
    if store.kind != Store.Kind.OFFLINE:
        return not_found(request)
    form = StoreForm(request.POST or None, initial=StoreForm.initial_for(store))
    if request.method == "POST" and form.is_valid():
        try:
            merchants.store_update(
                store, **_store_data(form), is_active=form.cleaned_data["is_active"]
            )
        except DomainError as exc:
            form.add_error(STORE_ERROR_FIELDS.get(exc.code), exc.message)
        else:
            messages.success(request, _("The store was saved."))
            return _back("merchant_stores")
    return _store_page(request, console, form, store)


@console_page
@owner_page
def merchant_staff(request: HttpRequest, console: Console) -> HttpResponse:
    form = StaffForm(request.POST or None)
    if request.method == "POST":
        if not console.is_owner:
            return not_found(request)
        if form.is_valid():
            try:
                merchants.staff_add(console.merchant, phone=form.cleaned_data["phone"])
            except DomainError as exc:
                form.add_error("phone", exc.message)
            else:
                messages.success(request, _("The member now works for your shop."))
                return _back("merchant_staff")
    return _render(
        request,
        console,
        "web/merchant/staff.html",
        {"staff": merchant_selectors.staff_of(console.merchant), "form": form},
    )


@require_POST
@console_page
@owner_page
def merchant_staff_remove(request: HttpRequest, console: Console, member_id: int) -> HttpResponse:
    try:
        merchants.staff_remove(console.merchant, member_id=member_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The member no longer works for your shop."))
    return _back("merchant_staff")


# --- products ---------------------------------------------------------------------------------


def _category_choices() -> list[tuple[int, str]]:
    choices: list[tuple[int, str]] = []
    for root in catalog_selectors.category_tree():
        choices.append((int(str(root["id"])), str(root["name"])))
        children = root["children"]
        assert isinstance(children, list)
        choices.extend((int(c["id"]), f"{root['name']} › {c['name']}") for c in children)
    return choices


@console_page
@owner_page
def merchant_products(request: HttpRequest, console: Console) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Product.Status.values:
        status = ""
    products = catalog_selectors.merchant_products(console.merchant.pk, status=status or None)
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "product": p,
            "stock": sum(s.stock for s in p.skus.all()),
            "price_from": min((s.price_fen for s in p.skus.all()), default=None),
            "image": next(iter(p.images.all()), None),
        }
        for p in page
    ]
    return _render(
        request,
        console,
        "web/merchant/products.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": Product.Status.choices,
        },
    )


def _sku_drafts(formset: Any) -> list[catalog.SkuDraft]:
    return [
        catalog.SkuDraft(f.cleaned_data["name"], f.cleaned_data["price"], f.cleaned_data["stock"])
        for f in formset.forms
        if f.has_changed() and f.cleaned_data
    ]


@console_page
@owner_page
def merchant_product_new(request: HttpRequest, console: Console) -> HttpResponse:
    form = ProductForm(request.POST or None, categories=_category_choices())
    formset = SkuFormSet(request.POST or None, prefix="sku")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            product = catalog.product_create(
                console.merchant,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                category_id=form.cleaned_data["category"],
                skus=_sku_drafts(formset),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("The product was saved as a draft. Add photos, then publish it.")
            )
            return _back("merchant_product", product.pk)
    return _render(
        request, console, "web/merchant/product_new.html", {"form": form, "formset": formset}
    )


def _yuan_text(fen: int) -> str:
    """Fen as the yuan a merchant types back in: 12850 → "128.50" (no floats on the way)."""
    whole, part = divmod(fen, 100)
    return f"{whole}.{part:02d}"


def _product_context(console: Console, product: Product, **forms: Any) -> dict[str, Any]:
    edit_form = ProductForm(
        initial={
            "title": product.title,
            "description": product.description,
            "category": product.category_id,
        },
        categories=_category_choices(),
    )
    skus = [
        (sku, SkuEditForm(initial={"price": _yuan_text(sku.price_fen), "stock": sku.stock}))
        for sku in product.skus.all()
    ]
    return {
        "product": product,
        "edit_form": forms.get("edit_form", edit_form),
        "skus": skus,
        "sku_form": forms.get("sku_form", SkuForm(prefix="new")),
        "image_form": ImageForm(),
        "max_images": catalog_rules.MAX_IMAGES,
        "is_approved": console.merchant.is_approved,
    }


def _own_product(
    request: HttpRequest, console: Console, product_id: int
) -> tuple[Console, Product]:
    product = catalog_selectors.product_for_staff(console.member, product_id)
    return console.at(request, product.merchant_id), product


@console_page
def merchant_product(request: HttpRequest, console: Console, product_id: int) -> HttpResponse:
    console, product = _own_product(request, console, product_id)
    if request.method == "POST":
        form = ProductForm(request.POST, categories=_category_choices())
        if form.is_valid():
            try:
                catalog.product_update(
                    product,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    category_id=form.cleaned_data["category"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The product was saved."))
                return _back("merchant_product", product.pk)
        context = _product_context(console, product, edit_form=form)
        return _render(request, console, "web/merchant/product.html", context)
    context = _product_context(console, product)
    return _render(request, console, "web/merchant/product.html", context)


def _product_action(
    request: HttpRequest, console: Console, product_id: int, action: Callable[[Product], object]
) -> HttpResponse:
    _switched, product = _own_product(request, console, product_id)
    try:
        action(product)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back("merchant_product", product.pk)


@require_POST
@console_page
def merchant_product_publish(
    request: HttpRequest, console: Console, product_id: int
) -> HttpResponse:
    def publish(product: Product) -> None:
        catalog.product_publish(product)
        messages.success(request, _("The product is on sale."))

    return _product_action(request, console, product_id, publish)


@require_POST
@console_page
def merchant_product_unpublish(
    request: HttpRequest, console: Console, product_id: int
) -> HttpResponse:
    def unpublish(product: Product) -> None:
        catalog.product_unpublish(product)
        messages.success(request, _("The product was taken off sale."))

    return _product_action(request, console, product_id, unpublish)


@require_POST
@console_page
def merchant_product_image(request: HttpRequest, console: Console, product_id: int) -> HttpResponse:
    form = ImageForm(request.POST, request.FILES)

    def add(product: Product) -> None:
        if not form.is_valid():
            messages.error(request, _("Choose a photo to add."))
            return
        catalog.image_add(product, read_image_upload(form.cleaned_data["image"]))
        messages.success(request, _("The photo was added."))

    return _product_action(request, console, product_id, add)


@require_POST
@console_page
def merchant_product_image_remove(
    request: HttpRequest, console: Console, product_id: int, image_id: int
) -> HttpResponse:
    def remove(product: Product) -> None:
        catalog.image_remove(product, image_id)
        messages.success(request, _("The photo was removed."))

    return _product_action(request, console, product_id, remove)


@require_POST
@console_page
def merchant_sku_add(request: HttpRequest, console: Console, product_id: int) -> HttpResponse:
    console, product = _own_product(request, console, product_id)
    form = SkuForm(request.POST, prefix="new")
    if form.is_valid():
        draft = catalog.SkuDraft(
            form.cleaned_data["name"], form.cleaned_data["price"], form.cleaned_data["stock"]
        )
        try:
            catalog.sku_add(product, draft)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The option was added."))
            return _back("merchant_product", product.pk)
    context = _product_context(console, product, sku_form=form)
    return _render(request, console, "web/merchant/product.html", context)


@require_POST
@console_page
def merchant_sku_edit(request: HttpRequest, console: Console, sku_id: int) -> HttpResponse:
    sku = catalog_selectors.sku_for_staff(console.member, sku_id)
    form = SkuEditForm(request.POST)
    if not form.is_valid():
        errors = [str(e) for field in form.errors.values() for e in field]
        messages.error(request, " ".join(errors))
        return _back("merchant_product", sku.product_id)
    price, stock = form.cleaned_data["price"], form.cleaned_data["stock"]
    try:
        # Both or neither: a refused stock level must not leave a changed price behind.
        with transaction.atomic():
            if price != sku.price_fen:
                catalog.sku_update(sku, price_fen=price)
            if stock != sku.stock:
                catalog.stock_set(sku, stock)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(option)s was saved.") % {"option": sku.name})
    return _back("merchant_product", sku.product_id)


# --- import -----------------------------------------------------------------------------------


def _stash(merchant: Merchant, data: bytes) -> str:
    """Keep a checked file until the merchant confirms the import; the page holds a signed
    reference to it, so nobody can import someone else's file or a file never checked."""
    name = default_storage.save(
        f"imports/m{merchant.pk}/{secrets.token_hex(16)}.dat", ContentFile(data)
    )
    return signing.dumps({"merchant": merchant.pk, "name": name}, salt=IMPORT_SALT)


def _unstash(merchant: Merchant, token: str) -> tuple[str, bytes]:
    expired = DomainError(
        _("The checked file has expired; choose it and check it again."), code="import_expired"
    )
    try:
        ref = signing.loads(token, salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
    except signing.BadSignature:
        raise expired from None
    if not isinstance(ref, dict) or ref.get("merchant") != merchant.pk:
        raise expired
    name = str(ref.get("name", ""))
    if not default_storage.exists(name):
        raise expired
    with default_storage.open(name, "rb") as stored:
        return name, stored.read()


def _import_errors(exc: DomainError) -> list[dict[str, Any]]:
    details = exc.details if isinstance(exc.details, dict) else {}
    rows = details.get("rows", [])
    return rows if isinstance(rows, list) else []


@console_page
@owner_page
def merchant_import(request: HttpRequest, console: Console) -> HttpResponse:
    """Check a sheet first (a dry run listing every bad row), then import it as drafts."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "columns": importing.COLUMNS}
    if request.method != "POST":
        return _render(request, console, "web/merchant/import.html", context)
    if "confirm" in request.POST:
        context["form"] = ImportForm()
        return _import_confirmed(request, console, context)
    if form.is_valid():
        data = form.cleaned_data["file"].read(importing.MAX_BYTES + 1)
        try:
            summary = importing.products_import(console.merchant, data, dry_run=True)
        except DomainError as exc:
            context.update(error=exc.message, rows=_import_errors(exc))
        else:
            context.update(summary=summary, token=_stash(console.merchant, data))
    return _render(request, console, "web/merchant/import.html", context)


def _import_confirmed(
    request: HttpRequest, console: Console, context: dict[str, Any]
) -> HttpResponse:
    try:
        name, data = _unstash(console.merchant, request.POST.get("confirm", ""))
        summary = importing.products_import(console.merchant, data, dry_run=False)
    except DomainError as exc:
        context.update(error=exc.message, rows=_import_errors(exc))
        return _render(request, console, "web/merchant/import.html", context)
    default_storage.delete(name)
    messages.success(
        request,
        ngettext(
            "%(products)d product (%(skus)d options in all) was imported as a draft.",
            "%(products)d products (%(skus)d options in all) were imported as drafts.",
            summary.products_created,
        )
        % {"products": summary.products_created, "skus": summary.skus_created},
    )
    return _back("merchant_products", query="status=draft")


@console_page
@owner_page
def merchant_import_template(request: HttpRequest, console: Console) -> HttpResponse:
    """A sample sheet with the accepted columns, for merchants starting from nothing."""
    sample = "title,sku_name,price,stock,description,category,sku_code\r\n"
    sample += "西湖龙井 250g,明前,128.00,50,2024 新茶,,LJ-250-MQ\r\n"
    sample += "西湖龙井 250g,雨前,88.00,80,2024 新茶,,LJ-250-YQ\r\n"
    response = HttpResponse(
        ("\ufeff" + sample).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="sharemall-products.csv"'
    return response


# --- commission plan --------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleSplit:
    """Where the money of one sale through a share goes, by the distribution rules."""

    price_fen: int
    buyer_discount_fen: int
    paid_fen: int
    levels_fen: tuple[int, ...]
    region_agent_fen: int
    platform_fee_bp: int
    platform_fee_fen: int
    merchant_fen: int


def sample_split(plan: plan_rules.Plan, *, max_levels: int, platform_fee_bp: int) -> SaleSplit:
    """A ¥100 sale through a share, with every level the platform pays filled in."""
    discount = plan_rules.buyer_discount(plan, list_fen=SAMPLE_PRICE_FEN, quantity=1)
    paid = SAMPLE_PRICE_FEN - discount
    levels = tuple(
        plan_rules.level_amount(plan, level, base_fen=paid, quantity=1)
        for level in range(1, max_levels + 1)
    )
    agent = plan_rules.region_agent_amount(plan, base_fen=paid, quantity=1)
    fee = apply_bp(paid, platform_fee_bp)
    return SaleSplit(
        price_fen=SAMPLE_PRICE_FEN,
        buyer_discount_fen=discount,
        paid_fen=paid,
        levels_fen=levels,
        region_agent_fen=agent,
        platform_fee_bp=platform_fee_bp,
        platform_fee_fen=fee,
        merchant_fen=paid - sum(levels) - agent - fee,
    )


def _plan_from(form: PlanForm) -> plan_rules.Plan:
    """The plan a valid form describes, checked as PUT commission-plan checks it."""
    data = form.cleaned_data
    if data.get("share_budget_bp") is None:
        raise plan_rules.InvalidPlan(_("share_budget_bp is required."))
    plan = plan_rules.Plan(
        plan_rules.BP,
        data["share_budget_bp"],
        data.get("buyer_discount_bp") or 0,
        form.levels(),
        data.get("region_agent_bp") or 0,
    )
    plan_rules.check_plan(plan, budget_cap_bp=platform.current().share_budget_cap_bp)
    return plan


def _plan_check(form: PlanForm, merchant: Merchant) -> dict[str, Any]:
    """The editor's verdict: the form's own errors, the plan's error, or the ¥100 split."""
    if not form.is_valid():
        return {"form": form}
    try:
        plan = _plan_from(form)
    except DomainError as exc:
        return {"form": form, "plan_error": exc.message}
    split = sample_split(plan, max_levels=form.max_levels, platform_fee_bp=merchant.platform_fee_bp)
    return {"form": form, "split": split}


def _plan_initial(plan: plan_rules.Plan | None) -> dict[str, int]:
    if plan is None or plan.unit != plan_rules.BP:
        return {}
    return {
        "share_budget_bp": plan.share_budget,
        "buyer_discount_bp": plan.buyer_discount,
        "level1_bp": plan.levels[0],
        "level2_bp": plan.levels[1],
        "level3_bp": plan.levels[2],
        "region_agent_bp": plan.region_agent,
    }


def _plan_history(merchant: Merchant, product: Product | None) -> list[PlanChange]:
    changes = PlanChange.objects.filter(merchant=merchant).select_related("changed_by")
    if product is not None:
        changes = changes.filter(product_id=product.pk, sku_id=None)
    return list(changes.order_by("-created_at", "-id")[:HISTORY_SHOWN])


def _plan_page(request: HttpRequest, console: Console, product: Product | None) -> HttpResponse:
    merchant = console.merchant
    settings_now = platform.current()
    saved = distribution_selectors.merchant_plan(
        merchant.pk, product_id=product.pk if product else None
    )
    current = saved.as_rule() if saved else None
    form = PlanForm(
        request.POST or None, initial=_plan_initial(current), max_levels=settings_now.max_levels
    )
    if request.method == "POST":
        if not console.is_owner:
            return not_found(request)
        saved_ok = _plan_save(request, console, form, product)
        if saved_ok:
            return saved_ok
    if form.is_bound:
        check = _plan_check(form, merchant)
    elif current is not None and current.unit == plan_rules.BP:
        check = _plan_check(_bound_copy(form), merchant)
    else:
        check = {}  # nothing typed yet: no verdict to give
    context = {
        **check,
        "form": form,
        "product": product,
        "current": current,
        "default_plan": distribution_selectors.merchant_plan(merchant.pk) if product else None,
        "cap_bp": settings_now.share_budget_cap_bp,
        "max_levels": settings_now.max_levels,
        "history": _plan_history(merchant, product),
    }
    return _render(request, console, "web/merchant/plan.html", context)


def _bound_copy(form: PlanForm) -> PlanForm:
    """The unbound editor's initial values as a bound form, so the page opens with its verdict."""
    data = {name: form.initial.get(name, "") for name in form.fields}
    return PlanForm(data, max_levels=form.max_levels)


def _plan_save(
    request: HttpRequest, console: Console, form: PlanForm, product: Product | None
) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        plan = _plan_from(form)
        distribution.plan_set(console.merchant, actor=console.member, plan=plan, product=product)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None
    messages.success(request, _("The commission plan was saved."))
    if product is not None:
        return _back("merchant_product_plan", product.pk)
    return _back("merchant_plan")


@console_page
@owner_page
def merchant_plan(request: HttpRequest, console: Console) -> HttpResponse:
    return _plan_page(request, console, None)


@console_page
def merchant_product_plan(request: HttpRequest, console: Console, product_id: int) -> HttpResponse:
    console, product = _own_product(request, console, product_id)
    return _plan_page(request, console, product)


@require_POST
@console_page
@owner_page
def merchant_plan_check(request: HttpRequest, console: Console) -> HttpResponse:
    """htmx: as the merchant types, whether the plan is valid and how ¥100 would split."""
    form = PlanForm(request.POST, max_levels=platform.current().max_levels)
    context = _plan_check(form, console.merchant)
    return render(request, "web/merchant/plan.html#verdict", context)


# --- orders and pickups -----------------------------------------------------------------------


@console_page
def merchant_orders(request: HttpRequest, console: Console) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Order.Status.values:
        status = ""
    found = order_selectors.orders_of_merchant(console.merchant.pk, status=status or None)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        console,
        "web/merchant/orders.html",
        {"page": page, "status": status, "statuses": Order.Status.choices},
    )


def _order_page(
    request: HttpRequest, console: Console, order: Order, ship_form: ShipForm | None = None
) -> HttpResponse:
    context = {
        "order": order,
        "region_name": _region_name(order.region_code),
        "events": _trail(
            [
                {"from": e.from_status, "to": e.to_status, "note": e.note, "at": e.created_at}
                for e in order.events.order_by("created_at", "id")
            ],
            ORDER_STATUS_LABELS,
        ),
        "aftersales": [
            (a, AFTERSALE_STATUS_LABELS.get(a.status, a.status))
            for a in aftersale_selectors.aftersales_of_order(order.pk)
        ],
        "ship_form": ship_form or ShipForm(),
        "can_ship": order.status == order_rules.PAID and order.delivery == order_rules.EXPRESS,
        "can_ready": order.status == order_rules.PAID and order.delivery == order_rules.PICKUP,
    }
    return _render(request, console, "web/merchant/order.html", context)


def _own_order(request: HttpRequest, console: Console, order_id: int) -> tuple[Console, Order]:
    order = order_selectors.order_for_merchant_staff(console.member, order_id)
    return console.at(request, order.merchant_id), order


@console_page
def merchant_order(request: HttpRequest, console: Console, order_id: int) -> HttpResponse:
    console, order = _own_order(request, console, order_id)
    return _order_page(request, console, order)


@require_POST
@console_page
def merchant_order_ship(request: HttpRequest, console: Console, order_id: int) -> HttpResponse:
    console, order = _own_order(request, console, order_id)
    form = ShipForm(request.POST)
    if form.is_valid():
        try:
            orders.order_ship(
                order,
                actor=console.member,
                carrier=form.cleaned_data["carrier"],
                tracking_no=form.cleaned_data["tracking_no"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The order was marked as shipped."))
        return _back("merchant_order", order.pk)
    return _order_page(request, console, order, ship_form=form)


@require_POST
@console_page
def merchant_order_ready(request: HttpRequest, console: Console, order_id: int) -> HttpResponse:
    console, order = _own_order(request, console, order_id)
    try:
        orders.order_ready_for_pickup(order, actor=console.member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The buyer was given a pickup code. Verify it when they come to the store.")
        )
    return _back("merchant_order", order.pk)


@console_page
def merchant_pickups(request: HttpRequest, console: Console) -> HttpResponse:
    """Verify (核销) the code a buyer shows at the store: each code works exactly once."""
    stores = [
        (s.pk, s.name)
        for s in merchant_selectors.stores_of(console.merchant)
        if s.kind == Store.Kind.OFFLINE
    ]
    form = PickupForm(request.POST or None, stores=stores)
    if request.method == "POST" and form.is_valid():
        try:
            store = merchant_selectors.store_for_staff(
                console.member, form.cleaned_data["store"], owner_only=False
            )
            order = orders.pickup_verify(
                store, code=form.cleaned_data["code"], actor=console.member
            )
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(
                request,
                _("Pickup verified: order %(id)s is now with the buyer.") % {"id": order.pk},
            )
            return _back("merchant_pickups")
    return _render(
        request, console, "web/merchant/pickups.html", {"form": form, "has_stores": bool(stores)}
    )


# --- after-sales ------------------------------------------------------------------------------


@console_page
def merchant_aftersales(request: HttpRequest, console: Console) -> HttpResponse:
    status = request.GET.get("status", aftersale_rules.OPEN_FILTER)
    if status not in (aftersale_rules.OPEN_FILTER, *aftersale_rules.ALL):
        status = ""  # "all", or anything unknown
    found = aftersale_selectors.aftersales_of_merchant(console.merchant.pk, status=status)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        console,
        "web/merchant/aftersales.html",
        {
            "page": page,
            "rows": [(a, AFTERSALE_STATUS_LABELS.get(a.status, a.status)) for a in page],
            "status": status,
        },
    )


def _own_aftersale(
    request: HttpRequest, console: Console, aftersale_id: int
) -> tuple[Console, AfterSale]:
    aftersale = aftersale_selectors.aftersale_for_merchant(console.member, aftersale_id)
    return console.at(request, aftersale.order.merchant_id), aftersale


def _aftersale_page(
    request: HttpRequest,
    console: Console,
    aftersale: AfterSale,
    reject_form: RejectForm | None = None,
) -> HttpResponse:
    trail = aftersale_selectors.responsibility_trail(aftersale)
    context = {
        "aftersale": aftersale,
        "label": AFTERSALE_STATUS_LABELS.get(aftersale.status, aftersale.status),
        "lines": aftersale.lines.select_related("order_line").order_by("pk"),
        "request_events": _trail(trail["aftersale"]["events"], AFTERSALE_STATUS_LABELS),
        "order_events": _trail(trail["order"]["events"], ORDER_STATUS_LABELS),
        "note_form": NoteForm(),
        "reject_form": reject_form or RejectForm(),
        "can_answer": aftersale.status == aftersale_rules.REQUESTED,
        "can_confirm_return": aftersale.status == aftersale_rules.RETURN_SHIPPED,
    }
    return _render(request, console, "web/merchant/aftersale.html", context)


@console_page
def merchant_aftersale(request: HttpRequest, console: Console, aftersale_id: int) -> HttpResponse:
    console, aftersale = _own_aftersale(request, console, aftersale_id)
    return _aftersale_page(request, console, aftersale)


@require_POST
@console_page
def merchant_aftersale_approve(
    request: HttpRequest, console: Console, aftersale_id: int
) -> HttpResponse:
    console, aftersale = _own_aftersale(request, console, aftersale_id)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        done = aftersales.aftersale_approve(aftersale, actor=console.member, note=note)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if done.status == aftersale_rules.AWAITING_RETURN:
            messages.success(request, _("Approved. The buyer will send the goods back."))
        else:
            messages.success(request, _("Approved. The refund is on its way to the buyer."))
    return _back("merchant_aftersale", aftersale.pk)


@require_POST
@console_page
def merchant_aftersale_reject(
    request: HttpRequest, console: Console, aftersale_id: int
) -> HttpResponse:
    console, aftersale = _own_aftersale(request, console, aftersale_id)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            aftersales.aftersale_reject(
                aftersale, actor=console.member, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error("reason", exc.message)
        else:
            messages.success(
                request, _("The request was rejected. The buyer may ask the platform.")
            )
            return _back("merchant_aftersale", aftersale.pk)
    return _aftersale_page(request, console, aftersale, reject_form=form)


@require_POST
@console_page
def merchant_aftersale_confirm_return(
    request: HttpRequest, console: Console, aftersale_id: int
) -> HttpResponse:
    console, aftersale = _own_aftersale(request, console, aftersale_id)
    try:
        aftersales.aftersale_confirm_return(aftersale, actor=console.member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Return received. The refund is on its way to the buyer."))
    return _back("merchant_aftersale", aftersale.pk)
