from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.catalog import rules
from sharemall.freight.models import FreightTemplate
from sharemall.merchants.models import Merchant


class Category(models.Model):
    """The platform's category tree, kept by operators."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("name"), max_length=40)
    position = models.PositiveIntegerField(default=0)
    # Shown in the storefront's category grid; without one, a coloured circle with the name's
    # first character stands in.
    icon = models.ImageField(_("icon"), upload_to="categories/", max_length=200, blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="category_name_unique_in_parent"
            ),
            # NULL parents are distinct to SQL, so top-level names need their own constraint.
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="root_category_name_unique"
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="category_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A product (SPU); what is bought is one of its SKUs."""

    class Status(models.TextChoices):
        DRAFT = rules.DRAFT, _("draft")
        ON_SALE = rules.ON_SALE, _("on sale")
        OFF_SALE = rules.OFF_SALE, _("off sale")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    title = models.CharField(_("title"), max_length=rules.TITLE_MAX)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # What a parcel of it costs; none ships free. A template products name cannot be deleted.
    freight_template = models.ForeignKey(
        FreightTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("freight template"),
    )
    # Set by the quality feedback (recommendations.quality) when one of its SKUs is returned or
    # complained about far more than goods should be: search and lists show it after the rest.
    demoted = models.BooleanField(_("demoted"), default=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[rules.DRAFT, rules.ON_SALE, rules.OFF_SALE]),
                name="product_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["merchant", "status"]),
            # The recommendation model's freshness check reads the newest change.
            models.Index(fields=["updated_at"], name="product_updated"),
        ]

    def __str__(self) -> str:
        return self.title


class Sku(models.Model):
    """A sellable option of a product. The database itself keeps stock from going negative."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    name = models.CharField(_("option"), max_length=rules.SKU_NAME_MAX)
    code = models.CharField(_("merchant SKU code"), max_length=64, blank=True)
    price_fen = models.BigIntegerField(_("price (fen)"))
    # 划线价: the struck-through "was" price a tile shows beside the price; always above it.
    list_price_fen = models.BigIntegerField(_("list price (fen)"), null=True, blank=True)
    stock = models.BigIntegerField(_("stock"), default=0)
    # What a by-weight freight template weighs one unit at.
    weight_grams = models.PositiveIntegerField(_("weight (grams)"), default=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="sku_stock_not_negative"),
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="sku_price_positive"),
            models.CheckConstraint(
                condition=Q(list_price_fen__isnull=True) | Q(list_price_fen__gt=F("price_fen")),
                name="sku_list_price_above_price",
            ),
            models.UniqueConstraint(fields=["product", "name"], name="sku_name_unique_in_product"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.name}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/", max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.image.name or ""


class ProductSearch(models.Model):
    """A product's searchable text, segmented into words by `catalog.search` and space-joined.

    Each database builds its own full-text index from these rows, outside the model (ADR 0008):
    SQLite an FTS5 table kept by triggers, PostgreSQL a generated tsvector column with a GIN
    index. A migration that makes SQLite rebuild this table drops those triggers: recreate them.
    """

    product = models.OneToOneField(
        Product, on_delete=models.CASCADE, primary_key=True, related_name="search_text"
    )
    title = models.TextField()
    body = models.TextField()

    class Meta:
        verbose_name = _("product search text")
        verbose_name_plural = _("product search texts")

    def __str__(self) -> str:
        return self.title


class ProductFts(models.Model):
    """SQLite only: a view over the FTS5 table that indexes ProductSearch (both made by
    migration 0002). Unmanaged, and declared so that queries can join it: `fts` must equal an
    FTS5 query, and `rank` is bm25 with title words weighed 4:1, the lowest the most relevant."""

    product = models.OneToOneField(
        Product,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_constraint=False,
        related_name="search_fts",
    )
    fts = models.TextField()
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "catalog_product_fts_hit"

    def __str__(self) -> str:
        return str(self.product_id)


# Field is generic only in the type stubs; subscripting it at run time fails.
if TYPE_CHECKING:
    _FieldBase = models.Field[Any, Any]
else:
    _FieldBase = models.Field


class TsvectorField(_FieldBase):
    """PostgreSQL's tsvector, only ever read by the database itself in a search."""

    def db_type(self, connection: Any) -> str:
        return "tsvector"


@TsvectorField.register_lookup
class PlainTsqueryMatch(models.Lookup):
    """`vector__matches="普洱 熟茶"`: the vector holds every word (plainto_tsquery, so nothing
    in the text is read as tsquery syntax)."""

    lookup_name = "matches"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        sql = f"{lhs} @@ plainto_tsquery('simple'::regconfig, {rhs})"
        return sql, (*lhs_params, *rhs_params)


class ProductTsvector(models.Model):
    """PostgreSQL only: the generated tsvector column of ProductSearch's table (created by
    migration 0002, title words at weight A, the rest at B). Unmanaged, and declared so that
    queries can join it."""

    product = models.OneToOneField(
        Product,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_constraint=False,
        related_name="search_tsvector",
    )
    vector = TsvectorField(db_column="search_vector")

    class Meta:
        managed = False
        db_table = "catalog_productsearch"

    def __str__(self) -> str:
        return str(self.product_id)
