"""A small painting kit for the demo's pictures: soft backgrounds, shaded shapes, shadows, text.

Pillow draws hard, aliased edges; every shape here is drawn as a mask at twice the size and
halved, which smooths its edges for a fraction of the cost of drawing the whole picture large.
Only the shape's own box is ever drawn at that size, so a picture stays a few milliseconds.
"""

from __future__ import annotations

import colorsys
import functools
import io
import itertools
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

RGB = tuple[int, int, int]
Box = tuple[float, float, float, float]
Paint = RGB | Image.Image
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
# Draws a white shape into a mask of the given size (already at SUPERSAMPLE scale).
Shape = Callable[[ImageDraw.ImageDraw, int, int], None]

SUPERSAMPLE = 2
WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# File-name fragments of common fonts with Simplified Chinese glyphs (Noto/Source Han, WenQuanYi,
# Droid fallback, AR PL) as Debian, Ubuntu, Fedora and Alpine package them; bold faces first.
CJK_BOLD_HINTS = (
    "notosanscjk-bold",
    "notosanscjksc-bold",
    "sourcehansans-bold",
    "notoserifcjk-bold",
)
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


# --- colours ----------------------------------------------------------------------------------


def rgb(hex_colour: str) -> RGB:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """`a` moved a fraction `t` of the way to `b`."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def light(colour: RGB, t: float) -> RGB:
    return mix(colour, WHITE, t)


def dark(colour: RGB, t: float) -> RGB:
    return mix(colour, BLACK, t)


def hue_shift(colour: RGB, turn: float) -> RGB:
    """The same colour a fraction of the colour wheel further on: a product's other colourway."""
    h, lum, s = colorsys.rgb_to_hls(*(c / 255 for c in colour))
    r, g, b = colorsys.hls_to_rgb((h + turn) % 1.0, lum, s)
    return round(r * 255), round(g * 255), round(b * 255)


def readable_on(colour: RGB) -> RGB:
    """Dark text on a light ground, white on a dark one."""
    luma = 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]
    return (40, 40, 40) if luma > 165 else WHITE


# --- paints -----------------------------------------------------------------------------------


def ramp(
    stops: Sequence[tuple[float, RGB]], width: int, height: int, *, across: bool
) -> Image.Image:
    """A gradient through colour stops, left to right (`across`) or top to bottom."""
    line = []
    for i in range(256):
        t = i / 255
        for (t0, c0), (t1, c1) in itertools.pairwise(stops):
            if t <= t1:
                line.append(mix(c0, c1, (t - t0) / (t1 - t0) if t1 > t0 else 0))
                break
        else:
            line.append(stops[-1][1])
    strip = Image.new("RGB", (256, 1) if across else (1, 256))
    strip.putdata(line)
    size = (max(1, width), max(1, height))
    return strip.resize(size, Image.Resampling.BILINEAR)


def cylinder(base: RGB, width: int, height: int) -> Image.Image:
    """Shading of a round body lit from the upper left: darker edges, a bright band."""
    stops = [
        (0.0, dark(base, 0.28)),
        (0.18, base),
        (0.32, light(base, 0.38)),
        (0.45, light(base, 0.12)),
        (0.8, dark(base, 0.1)),
        (1.0, dark(base, 0.35)),
    ]
    return ramp(stops, width, height, across=True)


def vertical(top: RGB, bottom: RGB, width: int, height: int) -> Image.Image:
    return ramp([(0.0, top), (1.0, bottom)], width, height, across=False)


# --- fonts ------------------------------------------------------------------------------------


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
def _cjk_face(bold: bool) -> tuple[str, int] | None:
    """The CJK font file and, for a collection, the face meant for Simplified Chinese."""
    path = (_pick(CJK_BOLD_HINTS) if bold else None) or _pick(CJK_HINTS)
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
    return _cjk_face(False) is not None


@functools.cache
def font(size: int, *, cjk: bool, bold: bool = False) -> Font:
    """A font of `size` px; a missing font never stops the seed (Pillow's own is the last
    resort)."""
    try:
        face = _cjk_face(bold) if cjk else None
        if face is not None:
            return ImageFont.truetype(face[0], size, index=face[1])
        latin = _pick(LATIN_HINTS)
        if latin is not None:
            return ImageFont.truetype(str(latin), size)
        return ImageFont.load_default(size)
    except OSError:
        return ImageFont.load_default()


# --- the canvas -------------------------------------------------------------------------------


class Canvas:
    """An RGB picture painted shape by shape, with anti-aliased edges."""

    def __init__(self, image: Image.Image) -> None:
        self.image = image.convert("RGB")
        self.width, self.height = self.image.size

    @classmethod
    def backdrop(cls, width: int, height: int, top: RGB, bottom: RGB) -> Canvas:
        return cls(vertical(top, bottom, width, height))

    def _mask(self, box: Box, shape: Shape) -> tuple[tuple[int, int], Image.Image]:
        x0, y0 = int(box[0]), int(box[1])
        w, h = max(1, int(box[2] + 0.999) - x0), max(1, int(box[3] + 0.999) - y0)
        big = Image.new("L", (w * SUPERSAMPLE, h * SUPERSAMPLE), 0)
        shape(ImageDraw.Draw(big), w * SUPERSAMPLE, h * SUPERSAMPLE)
        return (x0, y0), big.reduce(SUPERSAMPLE)

    def paint(self, box: Box, shape: Shape, paint: Paint, opacity: float = 1.0) -> None:
        """Fills `shape` (drawn in the box's own coordinates) with a colour or an image."""
        at, mask = self._mask(box, shape)
        if opacity < 1.0:
            mask = mask.point(lambda v: round(v * opacity))
        fill = paint if isinstance(paint, Image.Image) else Image.new("RGB", mask.size, paint)
        if fill.size != mask.size:
            fill = fill.resize(mask.size, Image.Resampling.BILINEAR)
        self.image.paste(fill, at, mask)

    def ellipse(self, box: Box, paint: Paint, opacity: float = 1.0) -> None:
        self.paint(box, lambda d, w, h: d.ellipse((0, 0, w - 1, h - 1), fill=255), paint, opacity)

    def rect(self, box: Box, radius: float, paint: Paint, opacity: float = 1.0) -> None:
        r = round(radius * SUPERSAMPLE)
        self.paint(
            box,
            lambda d, w, h: d.rounded_rectangle((0, 0, w - 1, h - 1), radius=r, fill=255),
            paint,
            opacity,
        )

    def polygon(
        self, points: Sequence[tuple[float, float]], paint: Paint, opacity: float = 1.0
    ) -> None:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        box = (min(xs), min(ys), max(xs), max(ys))
        x0, y0 = int(box[0]), int(box[1])
        local = [((x - x0) * SUPERSAMPLE, (y - y0) * SUPERSAMPLE) for x, y in points]
        self.paint(box, lambda d, w, h: d.polygon(local, fill=255), paint, opacity)

    def ring(self, box: Box, width: float, paint: Paint, opacity: float = 1.0) -> None:
        line = round(width * SUPERSAMPLE)
        self.paint(
            box,
            lambda d, w, h: d.ellipse((0, 0, w - 1, h - 1), outline=255, width=line),
            paint,
            opacity,
        )

    def line(
        self,
        points: Sequence[tuple[float, float]],
        width: float,
        paint: Paint,
        opacity: float = 1.0,
    ) -> None:
        pad = width
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        box = (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)
        x0, y0 = int(box[0]), int(box[1])
        local = [((x - x0) * SUPERSAMPLE, (y - y0) * SUPERSAMPLE) for x, y in points]
        w = round(width * SUPERSAMPLE)
        self.paint(
            box, lambda d, _w, _h: d.line(local, fill=255, width=w, joint="curve"), paint, opacity
        )

    def shadow(self, box: Box, softness: float = 24, opacity: float = 0.35) -> None:
        """A soft shadow the shape of an ellipse (what an object casts on the surface under it),
        blurred small and enlarged: blurring at full size costs ten times as much."""
        pad = softness * 2
        x0, y0, x1, y1 = box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad
        w, h = max(4, int(x1 - x0)), max(4, int(y1 - y0))
        small = Image.new("L", (max(2, w // 4), max(2, h // 4)), 0)
        ImageDraw.Draw(small).ellipse(
            (pad / 4, pad / 4, (w - pad) / 4, (h - pad) / 4), fill=round(255 * opacity)
        )
        small = small.filter(ImageFilter.GaussianBlur(max(1.0, softness / 4)))
        mask = small.resize((w, h), Image.Resampling.BILINEAR)
        self.image.paste(Image.new("RGB", (w, h), (30, 30, 40)), (int(x0), int(y0)), mask)

    def glow(self, box: Box, colour: RGB, opacity: float = 0.5) -> None:
        """A soft round light (a spot on the backdrop), made like a shadow."""
        w, h = max(4, int(box[2] - box[0])), max(4, int(box[3] - box[1]))
        small = Image.new("L", (max(2, w // 8), max(2, h // 8)), 0)
        sw, sh = small.size
        ImageDraw.Draw(small).ellipse(
            (sw * 0.15, sh * 0.15, sw * 0.85, sh * 0.85), fill=round(255 * opacity)
        )
        small = small.filter(ImageFilter.GaussianBlur(max(1.0, sw / 10)))
        self.image.paste(
            Image.new("RGB", (w, h), colour),
            (int(box[0]), int(box[1])),
            small.resize((w, h), Image.Resampling.BILINEAR),
        )

    def text(
        self,
        xy: tuple[float, float],
        words: str,
        size: int,
        colour: RGB,
        *,
        cjk: bool,
        bold: bool = False,
        anchor: str = "mm",
        max_width: float | None = None,
    ) -> None:
        """Text that shrinks to fit `max_width` rather than run off its label."""
        face = font(size, cjk=cjk, bold=bold)
        draw = ImageDraw.Draw(self.image)
        while max_width and size > 10 and draw.textlength(words, font=face) > max_width:
            size = int(size * 0.88)
            face = font(size, cjk=cjk, bold=bold)
        draw.text(xy, words, font=face, fill=colour, anchor=anchor)

    def jpeg(self, quality: int = 86) -> bytes:
        out = io.BytesIO()
        # No optimize/progressive passes: uploads are re-encoded anyway (core.images).
        self.image.save(out, format="JPEG", quality=quality)
        return out.getvalue()

    def png(self) -> bytes:
        out = io.BytesIO()
        self.image.save(out, format="PNG", optimize=True)
        return out.getvalue()
