"""Back office for the catalogue. Operators keep the category tree and moderate products:
they may correct a title, description or category and take a product off sale. Prices, stock
and pictures belong to the merchant (pictures must pass the image cleaning of the services),
so they are shown here read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sharemall.catalog import search, services
from sharemall.catalog.models import Category, Product, ProductImage, Sku
from sharemall.core.errors import DomainError
from sharemall.core.money import format_yuan


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ("name", "parent", "position", "icon")

    def clean_parent(self) -> Category | None:
        parent: Category | None = self.cleaned_data.get("parent")
        node = parent
        while node is not None and self.instance.pk is not None:
            if node.pk == self.instance.pk:
                raise forms.ValidationError(
                    _("A category cannot sit under itself or one of its own subcategories.")
                )
            node = node.parent
        return parent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = ("path", "parent", "position")
    list_editable = ("position",)
    list_select_related = ("parent",)
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "parent__name")
    ordering = ("parent__position", "parent__id", "position", "id")

    @admin.display(description=_("category"), ordering="name")
    def path(self, obj: Category) -> str:
        return f"{obj.parent.name} › {obj.name}" if obj.parent else obj.name

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Products are found by their category's name and its parent's.
        affected = Product.objects.filter(Q(category=obj) | Q(category__parent=obj))
        search.index_products(list(affected.values_list("pk", flat=True)))


class SkuInline(admin.TabularInline):
    model = Sku
    extra = 0
    can_delete = False
    fields = ("name", "code", "price", "stock", "position")
    readonly_fields = fields

    @admin.display(description=_("price"))
    def price(self, obj: Sku) -> str:
        return format_yuan(obj.price_fen)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    can_delete = False
    fields = ("preview", "width", "height", "position")
    readonly_fields = fields

    @admin.display(description=_("picture"))
    def preview(self, obj: ProductImage) -> str:
        if not obj.image:
            return "-"
        return format_html(
            '<a href="{0}"><img src="{0}" alt="" width="80" height="80" loading="lazy"></a>',
            obj.image.url,
        )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("title", "merchant", "status", "category", "published_at", "updated_at")
    list_filter = ("status", ("category", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "merchant__legal_name")
    list_select_related = ("merchant", "category")
    ordering = ("-updated_at",)
    raw_id_fields = ("merchant",)
    fields = (
        "merchant",
        "title",
        "category",
        "description",
        "status",
        "created_at",
        "published_at",
        "updated_at",
    )
    readonly_fields = ("merchant", "status", "created_at", "published_at", "updated_at")
    inlines = (SkuInline, ProductImageInline)
    actions = ("take_off_sale",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # merchants create products

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        search.index_product(obj)  # an operator's corrected title is what shoppers search

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # orders will point at products; take them off sale instead

    @admin.action(description=_("Take the selected products off sale"), permissions=["change"])
    def take_off_sale(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        count = 0
        for product in queryset.filter(status=Product.Status.ON_SALE):
            try:
                services.product_unpublish(product)
            except DomainError as exc:
                self.message_user(request, f"{product}: {exc.message}", messages.ERROR)
            else:
                count += 1
        self.message_user(
            request,
            ngettext("Took %(n)d product off sale.", "Took %(n)d products off sale.", count)
            % {"n": count},
            messages.SUCCESS,
        )
