"""The JSON edge of recommendations and quality reports."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["recommendations"])
