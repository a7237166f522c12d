"""The merchant's products: editing, publishing, images and options (SKUs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharemall.catalog import rules as catalog_rules
from sharemall.catalog import selectors as catalog_selectors
from sharemall.catalog import services as catalog
from sharemall.catalog.models import Product
from sharemall.core.images import read_image_upload
from sharemall.core.money import format_yuan
from sharemall.web.actions import run_action
from sharemall.web.merchant.console import (
    PAGE_SIZE,
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
    form = ProductForm(request.POST or None, categories=_category_choices())
    formset = SkuFormSet(request.POST or None, prefix="sku")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        outcome = run_action(
            request,
            lambda: catalog.product_create(
                console.merchant,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                category_id=form.cleaned_data["category"],
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
        },
        categories=_category_choices(),
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
        if form.is_valid() and run_action(
            request,
            lambda: catalog.product_update(
                product,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                category_id=form.cleaned_data["category"],
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
