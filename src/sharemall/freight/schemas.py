from typing import Literal

from ninja import Schema
from pydantic import Field


class RuleIn(Schema):
    # Empty: the default rule, for every region no other rule names.
    region_codes: list[str] = Field(default_factory=list, max_length=400)
    first_units: int = Field(strict=True)
    first_fen: int = Field(strict=True)
    extra_units: int = Field(strict=True)
    extra_fen: int = Field(strict=True)


class TemplateIn(Schema):
    name: str = Field(max_length=80)
    by: Literal["piece", "weight"]
    rules: list[RuleIn] = Field(max_length=50)
    free_over_fen: int | None = Field(default=None, strict=True)
    no_delivery_region_codes: list[str] = Field(default_factory=list, max_length=400)


class RuleOut(Schema):
    region_codes: list[str]
    first_units: int
    first_fen: int
    extra_units: int
    extra_fen: int


class TemplateOut(Schema):
    id: int
    merchant_id: int
    name: str
    by: str
    rules: list[RuleOut]
    free_over_fen: int | None
    no_delivery_region_codes: list[str]
