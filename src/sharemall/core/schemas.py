"""Query schemas shared by the JSON edges: every list pages the same way."""

from ninja import Schema
from pydantic import Field


class PageQuery(Schema):
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0)


class StatusPageQuery(PageQuery):
    status: str | None = Field(default=None, max_length=20)
