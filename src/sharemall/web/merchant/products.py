"""The merchant's products: editing, publishing, images and options (SKUs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Min, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from sharemall.catalog import rules as catalog_rules
from sharemall.catalog import selectors as catalog_selectors
from sharemall.catalog import services as catalog
from sharemall.catalog.models import Product
from sharemall.core.errors import DomainError
from sharemall.core.images import read_image_upload
from sharemall.core.money import format_yuan
from sharemall.freight import selectors as freight_selectors
from sharemall.merchants.models import Merchant
from sharemall.web.actions import run_action
from sharemall.web.common import _int_param
from sharemall.web.merchant.console import (
    Console,
    _back,
    _render,
    console_page,
    owner_page,
)
from sharemall.web.merchant.forms import (
    ImageForm,
    ProductForm,
    SkuEditForm,
    SkuForm,
    SkuFormSet,
)
from sharemall.web.tables import (
    DATETIME,
    EXPORT_SELECTED,
    MONEY,
    NUMBER,
    STATUS,
    THUMB,
    BatchAction,
    ChoiceFilter,
    Column,
    TableSpec,
    labelled,
)


def _category_choices() -> list[tuple[int, str]]:
    choices: list[tuple[int, str]] = []
    for root in catalog_selectors.category_tree():
        choices.append((int(str(root["id"])), str(root["name"])))
        children = root["children"]
        assert isinstance(children, list)
        choices.extend((int(c["id"]), f"{root['name']} › {c['name']}") for c in children)
    return choices


def _freight_choices(merchant: Merchant) -> list[tuple[int, str]]:
    return [(t.pk, t.name) for t in freight_selectors.templates_of(merchant)]


def _thumb(product: Product) -> str:
    image = next(iter(product.images.all()), None)
    return image.image.url if image else ""


PRODUCTS = TableSpec(
    columns=(
        Column("thumb", gettext_lazy("Photo"), kind=THUMB, value=_thumb, in_csv=False),
        Column(
            "title",
            gettext_lazy("Title"),
            sortable=True,
            link=lambda p: reverse("web:merchant_product", args=[p.pk]),
        ),
        Column("pk", gettext_lazy("No."), sortable=True, sort_field="id", in_page=False),
        Column(
            "status",
            gettext_lazy("Status"),
            kind=STATUS,
            formatter=labelled(Product.Status.choices),
        ),
        Column("price_from", gettext_lazy("Price from"), sortable=True, kind=MONEY),
        Column("stock_total", gettext_lazy("Stock"), sortable=True, kind=NUMBER),
        Column("option_count", gettext_lazy("Options"), kind=NUMBER),
        Column("created_at", gettext_lazy("Created"), sortable=True, kind=DATETIME),
        Column(
            "propagation",
            gettext_lazy("Propagation"),
            value=lambda p: gettext_lazy("View"),
            link=lambda p: f"{reverse('web:merchant_propagation')}?product_id={p.pk}",
            in_csv=False,
        ),
    ),
    default_sort="-created_at",
    filters=(ChoiceFilter("status", gettext_lazy("Status"), Product.Status.choices),),
    search=("title",),
    search_label=gettext_lazy("Product title"),
    batch=(
        BatchAction("publish", gettext_lazy("Put on sale"), url="web:merchant_products_batch"),
        BatchAction(
            "unpublish",
            gettext_lazy("Take off sale"),
            url="web:merchant_products_batch",
            confirm=gettext_lazy(
                "Take the selected products off sale? Buyers will no longer see them."
            ),
        ),
        EXPORT_SELECTED,
    ),
    export_name="products",
    empty=gettext_lazy("No products here yet."),
)


def _listed(merchant_id: int) -> QuerySet[Product]:
    return catalog_selectors.merchant_products(merchant_id).annotate(
        price_from=Min("skus__price_fen"),
        stock_total=Sum("skus__stock"),
        option_count=Count("skus"),
    )


@console_page
@owner_page
def merchant_products(request: HttpRequest, console: Console) -> HttpResponse:
    table = PRODUCTS.bind(request, _listed(console.merchant.pk))
    if table.wants_csv:
        return table.csv_response()
    return _render(request, console, "web/merchant/products.html", {"table": table})


@require_POST
@console_page
@owner_page
def merchant_products_batch(request: HttpRequest, console: Console) -> HttpResponse:
    """Put the checked products on sale or take them off, each as its own page button would;
    the ones that cannot move (a draft without options, a shop not yet approved) are counted."""
    action = {"publish": catalog.product_publish, "unpublish": catalog.product_unpublish}.get(
        request.POST.get("action", "")
    )
    ids = [i for i in (_int_param(raw) for raw in request.POST.getlist("ids")) if i]
    if action is None or not ids:
        messages.error(request, _("Tick the products first, then choose what to do."))
        return _back("merchant_products")
    done, failed = 0, []
    for product in catalog_selectors.merchant_products(console.merchant.pk).filter(pk__in=ids):
        try:
            action(product)
        except DomainError as exc:
            failed.append(f"{product.title}: {exc.message}")
        else:
            done += 1
    if done:
        messages.success(
            request,
            ngettext("%(count)d product was updated.", "%(count)d products were updated.", done)
            % {"count": done},
        )
    for failure in failed:
        messages.error(request, failure)
    return _back("merchant_products")


def _sku_drafts(formset: Any) -> list[catalog.SkuDraft]:
    return [
        catalog.SkuDraft(
            f.cleaned_data["name"],
            f.cleaned_data["price"],
            f.cleaned_data["stock"],
            list_price_fen=f.cleaned_data.get("list_price"),
        )
        for f in formset.forms
        if f.has_changed() and f.cleaned_data
    ]


@console_page
@owner_page
def merchant_product_new(request: HttpRequest, console: Console) -> HttpResponse:
    form = ProductForm(
        request.POST or None,
        categories=_category_choices(),
        freight_templates=_freight_choices(console.merchant),
    )
    formset = SkuFormSet(request.POST or None, prefix="sku")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        outcome = run_action(
            request,
            lambda: catalog.product_create(
                console.merchant,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                category_id=form.cleaned_data["category"],
                freight_template_id=form.cleaned_data["freight_template"],
                skus=_sku_drafts(formset),
            ),
            _("The product was saved as a draft. Add photos, then publish it."),
            form=form,
        )
        if outcome:
            product = outcome.value
            return _back("merchant_product", product.pk)
    return _render(
        request, console, "web/merchant/product_new.html", {"form": form, "formset": formset}
    )


def _product_context(console: Console, product: Product, **forms: Any) -> dict[str, Any]:
    edit_form = ProductForm(
        initial={
            "title": product.title,
            "description": product.description,
            "category": product.category_id,
            "freight_template": product.freight_template_id,
        },
        categories=_category_choices(),
        freight_templates=_freight_choices(console.merchant),
    )
    skus = [
        (
            sku,
            SkuEditForm(
                initial={
                    "price": format_yuan(sku.price_fen, plain=True),
                    "list_price": format_yuan(sku.list_price_fen, plain=True)
                    if sku.list_price_fen
                    else "",
                    "stock": sku.stock,
                }
            ),
        )
        for sku in product.skus.all()
    ]
    return {
        "product": product,
        "edit_form": forms.get("edit_form", edit_form),
        "skus": skus,
        "sku_form": forms.get("sku_form", SkuForm(prefix="new")),
        "image_form": ImageForm(room=catalog_rules.MAX_IMAGES - len(product.images.all())),
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
        form = ProductForm(
            request.POST,
            categories=_category_choices(),
            freight_templates=_freight_choices(console.merchant),
        )
        if form.is_valid() and run_action(
            request,
            lambda: catalog.product_update(
                product,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                category_id=form.cleaned_data["category"],
                freight_template_id=form.cleaned_data["freight_template"],
            ),
            _("The product was saved."),
            form=form,
        ):
            return _back("merchant_product", product.pk)
        context = _product_context(console, product, edit_form=form)
        return _render(request, console, "web/merchant/product.html", context)
    context = _product_context(console, product)
    return _render(request, console, "web/merchant/product.html", context)


def _product_action(
    request: HttpRequest, console: Console, product_id: int, action: Callable[[Product], object]
) -> HttpResponse:
    _switched, product = _own_product(request, console, product_id)
    run_action(request, lambda: action(product))
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
    def add(product: Product) -> None:
        room = catalog_rules.MAX_IMAGES - product.images.count()
        form = ImageForm(request.POST, request.FILES, room=room)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for e in form.errors["images"]))
            return
        photos = form.cleaned_data["images"]
        # All or none: a bad fourth photo must not leave the first three half-added.
        with transaction.atomic():
            for upload in photos:
                catalog.image_add(product, read_image_upload(upload))
        added = len(photos)
        messages.success(
            request,
            _("The photo was added.")
            if added == 1
            else _("%(n)d photos were added.") % {"n": added},
        )

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
            form.cleaned_data["name"],
            form.cleaned_data["price"],
            form.cleaned_data["stock"],
            list_price_fen=form.cleaned_data.get("list_price"),
        )
        if run_action(
            request, lambda: catalog.sku_add(product, draft), _("The option was added."), form=form
        ):
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
    list_price = form.cleaned_data.get("list_price")
    run_action(
        request,
        lambda: catalog.sku_price_stock_set(
            sku, price_fen=price, stock=stock, list_price_fen=list_price
        ),
        _("%(option)s was saved.") % {"option": sku.name},
    )
    return _back("merchant_product", sku.product_id)
