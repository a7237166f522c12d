"""Small helpers every area of the pages shares."""

from __future__ import annotations


def _int_param(raw: str | None) -> int | None:
    try:
        value = int(raw or "")
    except ValueError:
        return None
    # Past the largest id a database column holds, it names nothing (and must not reach SQL).
    return value if 0 < value < 2**63 else None
