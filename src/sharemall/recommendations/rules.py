"""Limits and weights of matching (pure: no database)."""

from __future__ import annotations

MAX_TAG_CATEGORIES = 10
MAX_TAG_STYLES = 10
STYLE_MAX_CHARS = 12

# What a page or the API may ask for at once.
MAX_LIMIT = 50
