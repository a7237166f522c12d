"""Types and query schemas shared by the JSON edges: every list pages the same way, and every id
is bounded the same way."""

from typing import Annotated

from ninja import Schema
from pydantic import Field

from sharemall.core.http import INT64_MAX

# The deepest page anyone can ask for. Far past any real list, and far from the 64-bit limits
# of the databases' LIMIT/OFFSET.
MAX_OFFSET = 1_000_000_000

# An id of a stored row: a positive bigint. Larger numbers can name nothing.
Id = Annotated[int, Field(ge=1, le=INT64_MAX)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int, Field(ge=1, le=100)]


class PageQuery(Schema):
    limit: Limit = 20
    offset: Offset = 0


class StatusPageQuery(PageQuery):
    status: str | None = Field(default=None, max_length=20)
