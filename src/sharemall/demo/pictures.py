"""Product pictures drawn on the spot, so the demo ships no binary assets and needs no network.

The title is drawn when a CJK font is installed; otherwise a Latin label and shapes. A missing
font never stops the seed: Pillow's built-in font is the last resort.
"""

from __future__ import annotations

import functools
import hashlib
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# File-name fragments of common fonts with Simplified Chinese glyphs (Noto/Source Han, WenQuanYi,
# Droid fallback, AR PL) as Debian, Ubuntu, Fedora and Alpine package them.
CJK_HINTS = (
    "notosanscjk",
    "notoserifcjk",
    "sourcehan",
    "notosanssc",
    "wqy",
    "droidsansfallback",
    "uming",
    "ukai",
)
LATIN_HINTS = ("dejavusans-bold", "liberationsans-bold", "notosans-bold", "dejavusans")
SIZE = 640

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.cache
def _font_files() -> tuple[Path, ...]:
    found: list[Path] = []
    for root in FONT_DIRS:
        if root.is_dir():
            found.extend(p for p in root.rglob("*") if p.suffix.lower() in {".ttf", ".ttc", ".otf"})
    return tuple(sorted(found))


def _pick(hints: tuple[str, ...]) -> Path | None:
    files = _font_files()
    for hint in hints:
        for path in files:
            if hint in path.name.lower().replace(" ", ""):
                return path
    return None


@functools.cache
def _cjk_face() -> tuple[str, int] | None:
    """The CJK font file and, for a collection, the face meant for Simplified Chinese."""
    path = _pick(CJK_HINTS)
    if path is None:
        return None
    index = 0
    if path.suffix.lower() == ".ttc":
        # Noto/Source Han collections put the Japanese face first; its glyphs look foreign here.
        for i in range(10):
            try:
                face = ImageFont.truetype(str(path), 12, index=i)
            except OSError:
                break
            if "SC" in " ".join(str(part) for part in face.getname()):
                index = i
                break
    return str(path), index


def cjk_font_available() -> bool:
    return _cjk_face() is not None


def _font(size: int, *, cjk: bool) -> Font:
    try:
        face = _cjk_face() if cjk else None
        if face is not None:
            return ImageFont.truetype(face[0], size, index=face[1])
        latin = _pick(LATIN_HINTS)
        if latin is not None:
            return ImageFont.truetype(str(latin), size)
        return ImageFont.load_default(size)
    except OSError:
        return ImageFont.load_default()


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _background(dark: str, light: str, variant: int) -> Image.Image:
    gray: Image.Image
    if variant % 2:
        gray = Image.radial_gradient("L")
    else:
        gray = Image.linear_gradient("L").rotate(45, expand=True).crop((91, 91, 272, 272))
    gray = gray.resize((SIZE, SIZE), Image.Resampling.BICUBIC)
    return ImageOps.colorize(gray, black=_rgb(light), white=_rgb(dark)).convert("RGBA")


def _shapes(image: Image.Image, digest: bytes) -> None:
    """A few soft translucent discs and a ring, placed from the hash: varied yet repeatable."""
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for i in range(5):
        x, y = digest[i * 3] * SIZE // 255, digest[i * 3 + 1] * SIZE // 255
        r = 40 + digest[i * 3 + 2] % 140
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, 34 + i * 6))
    r = 150 + digest[20] % 40
    c = SIZE // 2
    draw.ellipse((c - r, c - r - 40, c + r, c + r - 40), outline=(255, 255, 255, 150), width=6)
    image.alpha_composite(overlay)


def _fit(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> list[str]:
    """Break a title into lines that fit, character by character (CJK has no spaces to use)."""
    lines, current = [], ""
    for ch in text:
        if current and draw.textlength(current + ch, font=font) > width:
            lines.append(current.strip())
            current = ch
        else:
            current += ch
    if current.strip():
        lines.append(current.strip())
    return lines[:2]


def _glyph(title: str) -> str:
    """The first Chinese character after a short brand word: 青禾 玻尿酸… → 玻, not 青 each time."""
    words = title.split()
    rest = " ".join(words[1:]) if len(words) > 1 and len(words[0]) <= 2 else title
    return next((ch for ch in rest if "\u4e00" <= ch <= "\u9fff"), title[:1] or "?")


def product_picture(*, title: str, label: str, colours: tuple[str, str], variant: int) -> bytes:
    """A square JPEG for a product: gradient, shapes, a large glyph and the name underneath."""
    digest = hashlib.sha256(f"{title}/{variant}".encode()).digest()
    image = _background(*colours, variant)
    _shapes(image, digest)
    cjk = cjk_font_available()
    glyph = _glyph(title) if cjk else (label[:1] or "?").upper()
    name = title if cjk else label
    centre = (SIZE // 2, SIZE // 2 - 40)
    big = _font(260, cjk=cjk)
    band_top = SIZE - 150
    # Drawing on an RGBA image replaces pixels; translucent parts go on an overlay to blend.
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    layer = ImageDraw.Draw(overlay)
    layer.text((centre[0] + 6, centre[1] + 8), glyph, font=big, fill=(0, 0, 0, 60), anchor="mm")
    layer.rectangle((0, band_top, SIZE, SIZE), fill=(255, 255, 255, 210))
    image.alpha_composite(overlay)
    draw = ImageDraw.Draw(image)
    draw.text(centre, glyph, font=big, fill=(255, 255, 255, 255), anchor="mm")
    small = _font(44, cjk=cjk)
    lines = _fit(draw, name, small, SIZE - 60)
    step = 54
    y = band_top + 75 - (len(lines) - 1) * step // 2
    for line in lines:
        draw.text((SIZE // 2, y), line, font=small, fill=_rgb(colours[0]), anchor="mm")
        y += step

    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=85)
    return out.getvalue()
