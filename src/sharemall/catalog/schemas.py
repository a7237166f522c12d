from ninja import Schema
from pydantic import Field


class SkuIn(Schema):
    name: str = Field(max_length=120)
    price_fen: int = Field(strict=True)
    # 划线价: the struck-through "was" price, above price_fen; omitted or null for none.
    list_price_fen: int | None = Field(default=None, strict=True)
    stock: int = Field(default=0, strict=True)
    code: str = Field(default="", max_length=64)
    # One unit's weight, for by-weight freight templates.
    weight_grams: int = Field(default=0, strict=True)


class ProductIn(Schema):
    title: str = Field(max_length=400)
    description: str = Field(default="", max_length=40_000)
    category_id: int | None = None
    freight_template_id: int | None = None
    skus: list[SkuIn] = Field(max_length=200)


class ProductPatch(Schema):
    title: str | None = Field(default=None, max_length=400)
    description: str | None = Field(default=None, max_length=40_000)
    category_id: int | None = None
    # Absent: unchanged; null: no template (ships free).
    freight_template_id: int | None = None


class SkuOut(Schema):
    id: int
    name: str
    price_fen: int
    list_price_fen: int | None
    stock: int
    code: str
    weight_grams: int


class SkuPatch(Schema):
    name: str | None = Field(default=None, max_length=120)
    price_fen: int | None = Field(default=None, strict=True)
    # Absent: unchanged; null: no list price any more.
    list_price_fen: int | None = Field(default=None, strict=True)
    weight_grams: int | None = Field(default=None, strict=True)


class StockIn(Schema):
    """Either `stock` (the new level) or `delta` (to add or, if negative, remove)."""

    stock: int | None = Field(default=None, strict=True)
    delta: int | None = Field(default=None, strict=True)


class ImageOut(Schema):
    id: int
    url: str
    width: int
    height: int


class ProductOut(Schema):
    id: int
    title: str
    description: str
    merchant_id: int
    category_id: int | None
    freight_template_id: int | None
    status: str
    skus: list[SkuOut]
    images: list[ImageOut]


class ProductStatusOut(Schema):
    id: int
    status: str


class CategoryIn(Schema):
    name: str = Field(max_length=80)
    parent_id: int | None = None
    position: int = Field(default=0, ge=0, le=1_000_000)


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None


class CategoryNodeOut(Schema):
    """A category and the categories under it, ordered by position."""

    id: int
    name: str
    children: list["CategoryNodeOut"]
