"""The pictures WeChat serves: QR codes, mini-program codes and avatars."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import segno

WXACODE_WIDTH_DEFAULT = 430
WXACODE_WIDTH_MIN = 280
WXACODE_WIDTH_MAX = 1280


def qr_png(content: str, *, width: int = WXACODE_WIDTH_DEFAULT) -> bytes:
    """`content` as a QR code about `width` pixels wide."""
    code = segno.make(content, error="m")
    border = 2
    modules = code.symbol_size(scale=1, border=border)[0]
    scale = max(1, width // modules)
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def clamp_width(width: object) -> int:
    if isinstance(width, bool) or not isinstance(width, int):
        return WXACODE_WIDTH_DEFAULT
    return min(max(width, WXACODE_WIDTH_MIN), WXACODE_WIDTH_MAX)


def avatar_svg(nickname: str, colour: str) -> str:
    initial = escape(nickname[:1] or "?")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="132" height="132" viewBox="0 0 132 132">'
        f'<rect width="132" height="132" rx="12" fill="{escape(colour)}"/>'
        '<text x="66" y="86" font-size="60" text-anchor="middle" fill="#fff" '
        f'font-family="sans-serif">{initial}</text></svg>'
    )
