from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.params import functions as params
from pydantic import Field

from sharemall.accounts.auth import (
    caller,
    member_auth,
    optional_auth,
    require_member,
    require_operator,
)
from sharemall.catalog import importing, selectors, services
from sharemall.catalog.models import Product, ProductImage
from sharemall.catalog.schemas import (
    CategoryIn,
    CategoryNodeOut,
    CategoryOut,
    ImageOut,
    ProductIn,
    ProductOut,
    ProductPatch,
    ProductStatusOut,
    SkuIn,
    SkuOut,
    SkuPatch,
    StockIn,
)
from sharemall.core.errors import DomainError
from sharemall.core.images import read_image_upload
from sharemall.core.schemas import Offset, PageQuery
from sharemall.merchants.selectors import merchant_for_staff

router = Router(tags=["catalogue"])


def image_out(image: ProductImage) -> dict[str, Any]:
    return {"id": image.pk, "url": image.image.url, "width": image.width, "height": image.height}


def product_out(product: Product) -> dict[str, Any]:
    return {
        "id": product.pk,
        "title": product.title,
        "description": product.description,
        "merchant_id": product.merchant_id,
        "category_id": product.category_id,
        "freight_template_id": product.freight_template_id,
        "status": product.status,
        "skus": list(product.skus.all()),
        "images": [image_out(i) for i in product.images.all()],
    }


def _drafts(skus: list[SkuIn]) -> list[services.SkuDraft]:
    return [
        services.SkuDraft(s.name, s.price_fen, s.stock, s.code, s.list_price_fen, s.weight_grams)
        for s in skus
    ]


@router.post("/merchants/{merchant_id}/products", response={201: ProductOut}, auth=member_auth)
def product_create(
    request: HttpRequest, merchant_id: int, payload: ProductIn
) -> Status[dict[str, Any]]:
    member = require_member(request)
    merchant = merchant_for_staff(member, merchant_id, owner_only=True)
    product = services.product_create(
        merchant,
        title=payload.title,
        description=payload.description,
        category_id=payload.category_id,
        freight_template_id=payload.freight_template_id,
        skus=_drafts(payload.skus),
    )
    return Status(201, product_out(selectors.product_for_staff(member, product.pk)))


class ImportOut(Schema):
    products_created: int
    skus_created: int
    dry_run: bool


@router.post(
    "/merchants/{merchant_id}/products/import",
    response={200: ImportOut, 201: ImportOut},
    auth=member_auth,
)
def products_import(
    request: HttpRequest,
    merchant_id: int,
    file: File[UploadedFile],
    dry_run: Query[bool] = False,
    dry_run_form: bool = params.Form(False, alias="dry_run"),
) -> Status[dict[str, Any]]:
    """Create draft products from a CSV or XLSX sheet (columns: title, sku_name, price or
    price_fen, stock, and optionally description, category, sku_code), all or nothing. Any bad
    row fails the whole file with code `import_failed` and `details.rows` = [{row, column,
    message}]. `dry_run` (query or form) only checks the sheet."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    # One byte past the limit is enough for the service to refuse an oversized file.
    data = file.read(importing.MAX_BYTES + 1)
    summary = importing.products_import(merchant, data, dry_run=dry_run or dry_run_form)
    body = {
        "products_created": summary.products_created,
        "skus_created": summary.skus_created,
        "dry_run": summary.dry_run,
    }
    return Status(200 if summary.dry_run else 201, body)


class MerchantProductsQuery(Schema):
    status: str | None = Field(default=None, pattern="^(draft|on_sale|off_sale)$")
    limit: int = Field(default=50, ge=1, le=200)
    offset: Offset = 0


@router.get("/merchants/{merchant_id}/products", response=list[ProductOut], auth=member_auth)
def merchant_products(
    request: HttpRequest, merchant_id: int, q: Query[MerchantProductsQuery]
) -> list[dict[str, Any]]:
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    products = selectors.merchant_products(merchant.pk, status=q.status)
    return [product_out(p) for p in products[q.offset : q.offset + q.limit]]


class StorefrontQuery(PageQuery):
    q: str = Field(default="", max_length=100)
    category_id: int | None = None
    merchant_id: int | None = None


@router.get("/products", response=list[ProductOut], auth=None)
def storefront(request: HttpRequest, q: Query[StorefrontQuery]) -> list[dict[str, Any]]:
    products = selectors.storefront_products(
        query=q.q.strip(), category_id=q.category_id, merchant_id=q.merchant_id
    )
    return [product_out(p) for p in products[q.offset : q.offset + q.limit]]


@router.get("/products/{product_id}", response=ProductOut, auth=optional_auth)
def product_detail(request: HttpRequest, product_id: int) -> dict[str, Any]:
    return product_out(selectors.product_for_viewer(caller(request), product_id))


@router.put("/products/{product_id}", response=ProductOut, auth=member_auth)
def product_edit(request: HttpRequest, product_id: int, payload: ProductPatch) -> dict[str, Any]:
    member = require_member(request)
    product = selectors.product_for_staff(member, product_id)
    template_id = (
        payload.freight_template_id
        if "freight_template_id" in payload.model_fields_set
        else services.KEEP
    )
    services.product_update(
        product,
        title=payload.title,
        description=payload.description,
        category_id=payload.category_id,
        freight_template_id=template_id,
    )
    return product_out(selectors.product_for_staff(member, product_id))


@router.post("/products/{product_id}/publish", response=ProductStatusOut, auth=member_auth)
def publish(request: HttpRequest, product_id: int) -> Product:
    product = selectors.product_for_staff(require_member(request), product_id)
    return services.product_publish(product)


@router.post("/products/{product_id}/unpublish", response=ProductStatusOut, auth=member_auth)
def unpublish(request: HttpRequest, product_id: int) -> Product:
    product = selectors.product_for_staff(require_member(request), product_id)
    return services.product_unpublish(product)


@router.post("/products/{product_id}/skus", response={201: SkuOut}, auth=member_auth)
def sku_add(request: HttpRequest, product_id: int, payload: SkuIn) -> Status[Any]:
    product = selectors.product_for_staff(require_member(request), product_id)
    return Status(201, services.sku_add(product, _drafts([payload])[0]))


@router.put("/skus/{sku_id}", response=SkuOut, auth=member_auth)
def sku_edit(request: HttpRequest, sku_id: int, payload: SkuPatch) -> Any:
    sku = selectors.sku_for_staff(require_member(request), sku_id)
    list_price = (
        payload.list_price_fen if "list_price_fen" in payload.model_fields_set else services.KEEP
    )
    return services.sku_update(
        sku,
        name=payload.name,
        price_fen=payload.price_fen,
        list_price_fen=list_price,
        weight_grams=payload.weight_grams,
    )


@router.post("/skus/{sku_id}/stock", response=SkuOut, auth=member_auth)
def stock_change(request: HttpRequest, sku_id: int, payload: StockIn) -> Any:
    sku = selectors.sku_for_staff(require_member(request), sku_id)
    if (payload.stock is None) == (payload.delta is None):
        raise DomainError(_("Send either stock or delta."), code="invalid_input")
    if payload.stock is not None:
        return services.stock_set(sku, payload.stock)
    assert payload.delta is not None
    return services.stock_adjust(sku, payload.delta)


@router.post("/products/{product_id}/images", response={201: ImageOut}, auth=member_auth)
def image_add(
    request: HttpRequest, product_id: int, image: File[UploadedFile]
) -> Status[dict[str, Any]]:
    product = selectors.product_for_staff(require_member(request), product_id)
    return Status(201, image_out(services.image_add(product, read_image_upload(image))))


@router.delete("/products/{product_id}/images/{image_id}", response={204: None}, auth=member_auth)
def image_remove(request: HttpRequest, product_id: int, image_id: int) -> Status[None]:
    product = selectors.product_for_staff(require_member(request), product_id)
    services.image_remove(product, image_id)
    return Status(204, None)


@router.get("/categories", response=list[CategoryNodeOut], auth=None)
def categories(request: HttpRequest) -> list[dict[str, object]]:
    """The category tree: [{id, name, children: [...]}]."""
    return selectors.category_tree()


@router.post("/platform/categories", response={201: CategoryOut}, auth=member_auth)
def category_create(request: HttpRequest, payload: CategoryIn) -> Status[Any]:
    require_operator(request)
    return Status(
        201,
        services.category_create(
            name=payload.name, parent_id=payload.parent_id, position=payload.position
        ),
    )
