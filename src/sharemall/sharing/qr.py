"""QR codes for share links (segno: pure Python, no system libraries)."""

from __future__ import annotations

import io

import segno

TARGET_PIXELS = 300
BORDER_MODULES = 4  # the quiet zone scanners need


def qr_png(url: str) -> bytes:
    """A PNG QR code of `url`, scaled to whole pixels per module and about 300 px square."""
    code = segno.make_qr(url, error="m")
    modules, _ = code.symbol_size(scale=1, border=BORDER_MODULES)
    scale = max(1, round(TARGET_PIXELS / modules))
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=BORDER_MODULES)
    return out.getvalue()


def qr_svg(text: str) -> str:
    """An inline SVG QR code of `text` (a pay code, say): markup segno draws from modules only,
    so `text` never appears in it."""
    code = segno.make_qr(text, error="m")
    return str(code.svg_inline(scale=6, border=BORDER_MODULES, omitsize=True))
