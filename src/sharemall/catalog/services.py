"""Writes for the catalogue: products, SKUs, stock, images, publishing, categories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.catalog import rules, search
from sharemall.catalog.models import Category, Product, ProductImage, Sku
from sharemall.core.errors import Conflict, DomainError, NotFound
from sharemall.core.images import clean_image
from sharemall.freight import rules as freight_rules
from sharemall.freight import selectors as freight
from sharemall.freight.models import FreightTemplate
from sharemall.merchants.models import Merchant


class InvalidProduct(DomainError):
    code = "invalid_product"


@dataclass(frozen=True)
class SkuDraft:
    name: str
    price_fen: int
    stock: int
    code: str = ""
    list_price_fen: int | None = None  # 划线价, above the price when given
    weight_grams: int = 0  # what a by-weight freight template weighs one unit at


# sku_update's "leave the list price as it is" (None clears it).
KEEP = -1


def check_title(title: str) -> str:
    cleaned = " ".join((title or "").split())
    if not cleaned:
        raise InvalidProduct(_("A product needs a title."))
    if len(cleaned) > rules.TITLE_MAX:
        raise InvalidProduct(_("A title has at most %(n)d characters.") % {"n": rules.TITLE_MAX})
    return cleaned


def check_description(text: str) -> str:
    if len(text or "") > rules.DESCRIPTION_MAX:
        raise InvalidProduct(_("The description is too long."))
    return (text or "").strip()


def sku_problems(draft: SkuDraft) -> dict[str, str]:
    """Every rule the option breaks, keyed by field (name, price_fen, stock), so a bulk import can
    report all of them at once instead of the first only."""
    problems: dict[str, str] = {}
    name = " ".join((draft.name or "").split())
    if not name or len(name) > rules.SKU_NAME_MAX:
        problems["name"] = _("Each option needs a name of at most %(n)d characters.") % {
            "n": rules.SKU_NAME_MAX
        }
    if not 0 < draft.price_fen <= rules.MAX_PRICE_FEN:
        problems["price_fen"] = _("A price must be more than ¥0 and at most ¥100,000,000.")
    if not 0 <= draft.stock <= rules.MAX_STOCK:
        problems["stock"] = _("Stock must be between 0 and %(n)d.") % {"n": rules.MAX_STOCK}
    if draft.list_price_fen is not None and not (
        draft.price_fen < draft.list_price_fen <= rules.MAX_PRICE_FEN
    ):
        problems["list_price_fen"] = _("A list price (划线价) must be above the price.")
    if not 0 <= draft.weight_grams <= freight_rules.MAX_UNITS:
        problems["weight_grams"] = _("A weight is between 0 and %(n)d grams.") % {
            "n": freight_rules.MAX_UNITS
        }
    return problems


def check_sku(draft: SkuDraft) -> SkuDraft:
    problems = sku_problems(draft)
    if problems:
        raise InvalidProduct(next(iter(problems.values())))
    name = " ".join(draft.name.split())
    code = (draft.code or "").strip()[:64]
    return SkuDraft(
        name, draft.price_fen, draft.stock, code, draft.list_price_fen, draft.weight_grams
    )


def _category(category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise InvalidProduct(_("No such category."), code="invalid_category")
    return category


def _freight_template(merchant_id: int, template_id: int | None) -> FreightTemplate | None:
    if template_id is None:
        return None
    template = freight.merchant_template(merchant_id, template_id)
    if template is None:
        raise InvalidProduct(
            _("No such freight template at this merchant."), code="invalid_freight_template"
        )
    return template


def unsaved_skus(product: Product, drafts: Sequence[SkuDraft]) -> list[Sku]:
    """SKU rows for already-checked drafts, in the order the merchant gave them."""
    return [
        Sku(
            product=product,
            name=s.name,
            price_fen=s.price_fen,
            list_price_fen=s.list_price_fen,
            stock=s.stock,
            code=s.code,
            weight_grams=s.weight_grams,
            position=i,
        )
        for i, s in enumerate(drafts)
    ]


def product_create(
    merchant: Merchant,
    *,
    title: str,
    skus: Sequence[SkuDraft],
    description: str = "",
    category_id: int | None = None,
    freight_template_id: int | None = None,
) -> Product:
    """A draft product with its SKUs, all or nothing. Unapproved merchants may prepare drafts;
    only publishing needs approval."""
    if not skus:
        raise InvalidProduct(_("A product needs at least one option (SKU)."))
    if len(skus) > rules.MAX_SKUS:
        raise InvalidProduct(_("A product has at most %(n)d options.") % {"n": rules.MAX_SKUS})
    cleaned = [check_sku(s) for s in skus]
    if len({s.name for s in cleaned}) != len(cleaned):
        raise InvalidProduct(_("Two options of a product cannot share a name."))
    with transaction.atomic():
        product = Product.objects.create(
            merchant=merchant,
            title=check_title(title),
            description=check_description(description),
            category=_category(category_id),
            freight_template=_freight_template(merchant.pk, freight_template_id),
        )
        Sku.objects.bulk_create(unsaved_skus(product, cleaned))
        search.index_product(product)
    return product


def product_update(
    product: Product,
    *,
    title: str | None = None,
    description: str | None = None,
    category_id: int | None = None,
    freight_template_id: int | None = KEEP,
) -> Product:
    """Change what is given; `freight_template_id=None` leaves the product without a template."""
    if title is not None:
        product.title = check_title(title)
    if description is not None:
        product.description = check_description(description)
    if category_id is not None:
        product.category = _category(category_id)
    if freight_template_id != KEEP:
        product.freight_template = _freight_template(product.merchant_id, freight_template_id)
    with transaction.atomic():
        product.save(
            update_fields=["title", "description", "category", "freight_template", "updated_at"]
        )
        search.index_product(product)
    return product


def product_publish(product: Product) -> Product:
    merchant = Merchant.objects.get(pk=product.merchant_id)
    if not merchant.is_approved:
        raise DomainError(
            _("Only approved merchants can publish products."), code="merchant_not_approved"
        )
    if not Sku.objects.filter(product=product).exists():
        raise InvalidProduct(_("A product needs at least one option (SKU)."))
    if product.status == rules.ON_SALE:
        return product
    rules.PRODUCT.apply(
        Product.objects.filter(pk=product.pk),
        current=product.status,
        target=rules.ON_SALE,
        published_at=timezone.now(),
    )
    product.refresh_from_db()
    return product


def product_unpublish(product: Product) -> Product:
    """Take a product off sale; a draft or an already-off product is left as it is."""
    if product.status == rules.ON_SALE:
        rules.PRODUCT.apply(
            Product.objects.filter(pk=product.pk), current=product.status, target=rules.OFF_SALE
        )
        product.refresh_from_db()
    return product


def sku_add(product: Product, draft: SkuDraft) -> Sku:
    cleaned = check_sku(draft)
    position = (Sku.objects.filter(product=product).aggregate(m=Max("position"))["m"] or 0) + 1
    try:
        with transaction.atomic():
            sku = Sku.objects.create(
                product=product,
                name=cleaned.name,
                price_fen=cleaned.price_fen,
                list_price_fen=cleaned.list_price_fen,
                stock=cleaned.stock,
                code=cleaned.code,
                weight_grams=cleaned.weight_grams,
                position=position,
            )
            search.index_product(product)
            return sku
    except IntegrityError:
        raise InvalidProduct(_("Two options of a product cannot share a name.")) from None


def sku_update(
    sku: Sku,
    *,
    name: str | None = None,
    price_fen: int | None = None,
    list_price_fen: int | None = KEEP,
    weight_grams: int | None = None,
) -> Sku:
    """Rename, reprice or reweigh an option; `list_price_fen=None` removes its list price."""
    draft = check_sku(
        SkuDraft(
            name if name is not None else sku.name,
            price_fen if price_fen is not None else sku.price_fen,
            sku.stock,
            sku.code,
            sku.list_price_fen if list_price_fen == KEEP else list_price_fen,
            weight_grams if weight_grams is not None else sku.weight_grams,
        )
    )
    try:
        with transaction.atomic():
            Sku.objects.filter(pk=sku.pk).update(
                name=draft.name,
                price_fen=draft.price_fen,
                list_price_fen=draft.list_price_fen,
                weight_grams=draft.weight_grams,
            )
            search.index_products([sku.product_id])
    except IntegrityError:
        raise InvalidProduct(_("Two options of a product cannot share a name.")) from None
    sku.refresh_from_db()
    return sku


def stock_set(sku: Sku, stock: int) -> Sku:
    if not 0 <= stock <= rules.MAX_STOCK:
        raise InvalidProduct(_("Stock must be between 0 and %(n)d.") % {"n": rules.MAX_STOCK})
    Sku.objects.filter(pk=sku.pk).update(stock=stock)
    sku.refresh_from_db()
    return sku


def stock_adjust(sku: Sku, delta: int) -> Sku:
    """Add or remove stock in one conditional update: concurrent sales can never drive it
    below zero (the database's CHECK backs this up)."""
    if delta == 0:
        return sku
    updated = (
        Sku.objects.filter(pk=sku.pk, stock__gte=-delta if delta < 0 else 0)
        .filter(stock__lte=rules.MAX_STOCK - max(delta, 0))
        .update(stock=F("stock") + delta)
    )
    if not updated:
        raise Conflict(_("Not enough stock for this change."), code="insufficient_stock")
    sku.refresh_from_db()
    return sku


def stock_reserve(wanted: Mapping[int, int]) -> None:
    """Take `wanted[sku_id]` units of each SKU, all or nothing within the caller's transaction.

    One conditional update per SKU (`… SET stock = stock - n WHERE id = … AND stock >= n`), in
    id order so concurrent reservations cannot deadlock; the database's CHECK keeps stock from
    going negative even if a code path forgot. Raises `out_of_stock` naming the product."""
    for sku_id in sorted(wanted):
        reserved = Sku.objects.filter(pk=sku_id, stock__gte=wanted[sku_id]).update(
            stock=F("stock") - wanted[sku_id]
        )
        if not reserved:
            title = Sku.objects.filter(pk=sku_id).values_list("product__title", flat=True).first()
            raise Conflict(
                _("Not enough stock of %(title)s.") % {"title": title or sku_id},
                code="out_of_stock",
                details={"sku_id": sku_id},
            )


def stock_return(returned: Mapping[int, int]) -> None:
    """Put units back (a cancelled order's), one update per SKU in id order, as they were
    reserved, so two transactions returning stock at once cannot deadlock."""
    for sku_id in sorted(returned):
        Sku.objects.filter(pk=sku_id).update(stock=F("stock") + returned[sku_id])


def image_add(product: Product, data: bytes) -> ProductImage:
    if ProductImage.objects.filter(product=product).count() >= rules.MAX_IMAGES:
        raise InvalidProduct(_("A product has at most %(n)d images.") % {"n": rules.MAX_IMAGES})
    image = clean_image(data)
    position = (
        ProductImage.objects.filter(product=product).aggregate(m=Max("position"))["m"] or 0
    ) + 1
    record = ProductImage(
        product=product, width=image.width, height=image.height, position=position
    )
    record.image.save(f"p{product.pk}.{image.extension}", ContentFile(image.content), save=False)
    record.save()
    return record


def image_remove(product: Product, image_id: int) -> None:
    record = ProductImage.objects.filter(product=product, pk=image_id).first()
    if record is None:
        raise NotFound(_("No such image."))
    storage, name = record.image.storage, record.image.name or ""
    record.delete()
    transaction.on_commit(lambda: storage.delete(name))


def category_create(*, name: str, parent_id: int | None = None, position: int = 0) -> Category:
    cleaned = " ".join((name or "").split())
    if not cleaned or len(cleaned) > 40:
        raise DomainError(_("A category name has 1 to 40 characters."), code="invalid_input")
    parent = None
    if parent_id is not None:
        parent = Category.objects.filter(pk=parent_id).first()
        if parent is None:
            raise NotFound(_("No such category."))
    try:
        with transaction.atomic():
            return Category.objects.create(name=cleaned, parent=parent, position=position)
    except IntegrityError:
        raise Conflict(_("This category already exists."), code="category_exists") from None


def sku_price_stock_set(
    sku: Sku, *, price_fen: int, stock: int, list_price_fen: int | None = KEEP
) -> Sku:
    """Set an option's price (and list price) and stock together, all or none: a refused stock
    level must not leave a changed price behind."""
    with transaction.atomic():
        if price_fen != sku.price_fen or list_price_fen not in (KEEP, sku.list_price_fen):
            sku = sku_update(sku, price_fen=price_fen, list_price_fen=list_price_fen)
        if stock != sku.stock:
            sku = stock_set(sku, stock)
    return sku


def products_demote(product_ids: Sequence[int]) -> int:
    """Make exactly these products the demoted ones (the quality feedback's verdict); returns
    how many rows changed. Only rows whose flag changes are written."""
    wanted = set(product_ids)
    with transaction.atomic():
        lifted = Product.objects.filter(demoted=True).exclude(pk__in=wanted).update(demoted=False)
        lowered = Product.objects.filter(pk__in=wanted, demoted=False).update(demoted=True)
    return lifted + lowered
