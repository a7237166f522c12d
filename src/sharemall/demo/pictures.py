"""The demo's pictures, drawn on the spot so the demo ships no binary assets and needs no network:
product photos in four compositions, buyers' snapshots, a business licence, home banners and
category icons.

Chinese text is drawn when a CJK font is installed; otherwise the Latin label. A missing font
never stops the seed: Pillow's built-in font is the last resort.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from PIL import Image

from sharemall.demo.art import (
    RGB,
    WHITE,
    Box,
    Canvas,
    cjk_font_available,
    dark,
    hue_shift,
    light,
    mix,
    readable_on,
    rgb,
)
from sharemall.demo.drawings import KINDS, WOOD, Look

SIZE = 800
BANNER = (1200, 480)
ICON = 160
# What each picture is about: one composition per variant, in this order.
COMPOSITIONS = ("hero", "pair", "scene", "detail")


@dataclass(frozen=True)
class Subject:
    """What a product photo shows: the drawing, its colours and the words on it."""

    kind: str
    colour: str
    accent: str
    name: str  # short Chinese name for the label (龙井, 精华液)
    latin: str  # the same in Latin letters, used without a CJK font
    brand: str
    brand_latin: str
    tagline: str = ""  # a selling point for the scene and detail pictures

    def look(self, *, turn: float = 0.0) -> Look:
        cjk = cjk_font_available()
        colour, accent = rgb(self.colour), rgb(self.accent)
        if turn:
            colour = hue_shift(colour, turn)
        return Look(
            colour=colour,
            accent=accent,
            name=self.name if cjk else self.latin,
            brand=self.brand if cjk else self.brand_latin,
            cjk=cjk,
        )


def _box(kind: str, cx: float, bottom: float, max_w: float, max_h: float) -> Box:
    """The largest box of the kind's shape within max_w × max_h, standing on `bottom`."""
    aspect = KINDS[kind].aspect
    w = min(max_w, max_h * aspect)
    h = w / aspect
    return cx - w / 2, bottom - h, cx + w / 2, bottom


def _place(canvas: Canvas, kind: str, box: Box, look: Look, shadow: float = 0.32) -> None:
    x0, _y0, x1, y1 = box
    w = x1 - x0
    canvas.shadow(
        (x0 + w * 0.02, y1 - w * 0.07, x1 + w * 0.08, y1 + w * 0.06),
        softness=w * 0.06,
        opacity=shadow,
    )
    KINDS[kind].draw(canvas, box, look)


def _studio(colour: RGB, width: int = SIZE, height: int = SIZE, floor: float = 0.68) -> Canvas:
    """A soft seamless backdrop: a light wall, a lit spot, a slightly darker floor."""
    canvas = Canvas.backdrop(width, height, light(colour, 0.9), light(colour, 0.72))
    canvas.glow((width * 0.1, -height * 0.1, width * 0.9, height * 0.8), WHITE, 0.55)
    canvas.rect((0, height * floor, width, height), 0, light(colour, 0.62), 0.35)
    return canvas


def _pill(
    canvas: Canvas, xy: tuple[float, float], words: str, colour: RGB, *, cjk: bool, size: int = 30
) -> None:
    x, y = xy
    width = len(words) * size * (1.0 if cjk else 0.62) + size * 1.4
    canvas.rect((x, y, x + width, y + size * 1.7), size * 0.85, colour)
    canvas.text(
        (x + width / 2, y + size * 0.85), words, size, readable_on(colour), cjk=cjk, bold=True
    )


def product_photo(subject: Subject, variant: int) -> bytes:
    """A square 800 px JPEG; the variant picks the composition (and the colourway)."""
    composition = COMPOSITIONS[variant % len(COMPOSITIONS)]
    look = subject.look()
    kind = subject.kind
    if composition == "hero":
        canvas = _studio(look.colour)
        _place(canvas, kind, _box(kind, SIZE / 2, SIZE * 0.84, SIZE * 0.62, SIZE * 0.66), look)
        _pill(canvas, (40, 40), look.brand, look.accent, cjk=look.cjk)
    elif composition == "pair":
        other = subject.look(turn=0.12 if variant < 4 else -0.18)
        canvas = _studio(mix(look.colour, other.colour, 0.5))
        _place(canvas, kind, _box(kind, SIZE * 0.64, SIZE * 0.8, SIZE * 0.4, SIZE * 0.5), other)
        _place(canvas, kind, _box(kind, SIZE * 0.38, SIZE * 0.88, SIZE * 0.46, SIZE * 0.56), look)
    elif composition == "scene":
        canvas = _scene(subject, look)
    else:
        canvas = _detail(subject, look)
    return canvas.jpeg()


def _scene(subject: Subject, look: Look) -> Canvas:
    """The product on a table by a wall, a plant beside it and a caption card."""
    wall = light(look.accent, 0.86)
    canvas = Canvas.backdrop(SIZE, SIZE, wall, dark(wall, 0.06))
    canvas.glow((SIZE * 0.3, 0, SIZE * 1.1, SIZE * 0.7), WHITE, 0.6)
    table = mix(WOOD, WHITE, 0.35)
    canvas.rect((0, SIZE * 0.66, SIZE, SIZE), 0, table)
    canvas.rect((0, SIZE * 0.66, SIZE, SIZE * 0.675), 0, light(table, 0.4))
    leaf = (88, 140, 80)
    canvas.rect(
        (SIZE * 0.1, SIZE * 0.48, SIZE * 0.22, SIZE * 0.7), 18, mix(look.accent, WHITE, 0.5)
    )
    for i, (dx, dy) in enumerate(((-50, -130), (30, -170), (60, -100), (-20, -210), (-70, -60))):
        cx, cy = SIZE * 0.16 + dx, SIZE * 0.5 + dy
        canvas.ellipse((cx - 40, cy - 70, cx + 40, cy + 70), dark(leaf, 0.12 * (i % 3)))
    box = _box(subject.kind, SIZE * 0.6, SIZE * 0.86, SIZE * 0.5, SIZE * 0.56)
    _place(canvas, subject.kind, box, look, shadow=0.4)
    if subject.tagline and look.cjk:
        canvas.rect((SIZE * 0.36, 46, SIZE - 46, 170), 24, WHITE, 0.82)
        canvas.text(
            (SIZE * 0.36 + 34, 92),
            look.name,
            44,
            dark(look.colour, 0.3),
            cjk=True,
            bold=True,
            anchor="lm",
            max_width=SIZE * 0.56,
        )
        canvas.text(
            (SIZE * 0.36 + 34, 140),
            subject.tagline,
            28,
            (90, 90, 90),
            cjk=True,
            anchor="lm",
            max_width=SIZE * 0.56,
        )
    return canvas


def _detail(subject: Subject, look: Look) -> Canvas:
    """A close look at the product with its name and selling point beside it."""
    canvas = _studio(look.accent, floor=0.8)
    canvas.ellipse(
        (-SIZE * 0.25, SIZE * 0.15, SIZE * 0.75, SIZE * 1.15), light(look.colour, 0.55), 0.5
    )
    box = _box(subject.kind, SIZE * 0.3, SIZE * 0.92, SIZE * 0.52, SIZE * 0.78)
    _place(canvas, subject.kind, box, look, shadow=0.38)
    ink = dark(look.colour, 0.35)
    x = SIZE * 0.76
    canvas.text((x, SIZE * 0.28), look.brand, 32, ink, cjk=look.cjk, max_width=SIZE * 0.4)
    canvas.text(
        (x, SIZE * 0.38), look.name, 64, ink, cjk=look.cjk, bold=True, max_width=SIZE * 0.42
    )
    canvas.rect((x - 40, SIZE * 0.45, x + 40, SIZE * 0.455), 2, look.accent)
    if subject.tagline and look.cjk:
        for row, part in enumerate(subject.tagline.split(" · ")[:3]):
            canvas.text(
                (x, SIZE * (0.52 + row * 0.07)),
                part,
                30,
                (80, 80, 80),
                cjk=True,
                max_width=SIZE * 0.42,
            )
    return canvas


def post_photo(subject: Subject, seed: int) -> bytes:
    """A buyer's snapshot: the product at home, warmer light, held a little askew."""
    rnd = random.Random(seed)  # noqa: S311 - a picture, not a secret
    look = subject.look(turn=rnd.choice((0.0, 0.0, 0.08)))
    surface = rnd.choice(((236, 224, 204), (222, 226, 230), (240, 232, 226)))
    canvas = Canvas.backdrop(SIZE, SIZE, light(surface, 0.3), dark(surface, 0.12))
    canvas.glow(
        (SIZE * rnd.uniform(0, 0.4), -SIZE * 0.2, SIZE * 1.2, SIZE * 0.7), (255, 244, 220), 0.6
    )
    for _ in range(3):
        cx, cy, r = rnd.uniform(0, SIZE), rnd.uniform(SIZE * 0.6, SIZE), rnd.uniform(40, 90)
        canvas.ellipse((cx - r, cy - r * 0.4, cx + r, cy + r * 0.4), dark(surface, 0.08), 0.5)
    box = _box(subject.kind, SIZE * rnd.uniform(0.42, 0.58), SIZE * 0.86, SIZE * 0.56, SIZE * 0.6)
    _place(canvas, subject.kind, box, look, shadow=0.45)
    angle = rnd.uniform(-6, 6)
    turned = canvas.image.rotate(angle, Image.Resampling.BILINEAR, expand=False, fillcolor=surface)
    # Cropped in a little so the corners the turn uncovered do not show.
    margin = SIZE * 0.06
    snap = turned.crop((margin, margin, SIZE - margin, SIZE - margin)).resize(
        (SIZE, SIZE), Image.Resampling.BILINEAR
    )
    return Canvas(snap).jpeg(quality=82)


def licence_picture(*, legal_name: str, uscc: str, legal_rep: str) -> bytes:
    """A stand-in business licence (营业执照): a cream sheet, red frame, fields and a seal."""
    width, height = 1000, 700
    red = (180, 40, 40)
    canvas = Canvas.backdrop(width, height, (250, 244, 228), (240, 232, 210))
    canvas.rect((24, 24, width - 24, height - 24), 8, red)
    canvas.rect((34, 34, width - 34, height - 34), 6, (250, 244, 228))
    canvas.rect((44, 44, width - 44, height - 44), 4, red, 0.5)
    canvas.rect((48, 48, width - 48, height - 48), 4, (250, 244, 228))
    cjk = cjk_font_available()
    canvas.text(
        (width / 2, 120), "营 业 执 照" if cjk else "BUSINESS LICENCE", 64, red, cjk=cjk, bold=True
    )
    rows = (
        ("统一社会信用代码" if cjk else "USCC", uscc),
        ("名称" if cjk else "Name", legal_name if cjk else "Demo Co., Ltd."),
        ("法定代表人" if cjk else "Legal rep.", legal_rep if cjk else "Demo"),
        ("类型" if cjk else "Type", "有限责任公司" if cjk else "Limited company"),
    )
    for i, (key, value) in enumerate(rows):
        y = 230 + i * 78
        canvas.text((110, y), key, 30, (90, 60, 40), cjk=cjk, anchor="lm")
        canvas.text((400, y), value, 30, (40, 40, 40), cjk=cjk, anchor="lm", max_width=520)
    canvas.ring((width - 290, height - 290, width - 90, height - 90), 8, red, 0.85)
    canvas.text((width - 190, height - 190), "★", 70, red, cjk=cjk)
    return canvas.jpeg()


def banner_picture(
    *, headline: str, subline: str, colour: str, subjects: list[Subject], headline_latin: str
) -> bytes:
    """A 1200 × 480 home banner: a headline on a rich gradient and a few products on the right."""
    width, height = BANNER
    base = rgb(colour)
    canvas = Canvas.backdrop(width, height, light(base, 0.1), dark(base, 0.25))
    canvas.glow((width * 0.45, -height * 0.5, width * 1.2, height * 1.2), light(base, 0.6), 0.55)
    canvas.ellipse((-120, height * 0.55, 420, height * 1.6), light(base, 0.25), 0.35)
    cjk = cjk_font_available()
    ink = WHITE
    canvas.text(
        (80, height * 0.36),
        headline if cjk else headline_latin,
        76,
        ink,
        cjk=cjk,
        bold=True,
        anchor="lm",
        max_width=width * 0.5,
    )
    if cjk:
        canvas.text(
            (82, height * 0.56),
            subline,
            34,
            light(base, 0.8),
            cjk=True,
            anchor="lm",
            max_width=width * 0.5,
        )
    _pill(canvas, (80, height * 0.68), "立即查看" if cjk else "Shop now", WHITE, cjk=cjk, size=30)
    spots = ((0.64, 0.82, 0.22, 0.62), (0.8, 0.9, 0.24, 0.74), (0.93, 0.78, 0.16, 0.5))
    for subject, (cx, bottom, max_w, max_h) in zip(subjects, spots, strict=False):
        box = _box(subject.kind, width * cx, height * bottom, width * max_w, height * max_h)
        _place(canvas, subject.kind, box, subject.look(), shadow=0.45)
    return canvas.jpeg(quality=84)


def category_icon(subject: Subject) -> bytes:
    """A round 160 px icon: the category's typical product on a tinted disc."""
    look = subject.look()
    canvas = Canvas(Image.new("RGB", (ICON * 2, ICON * 2), WHITE))
    canvas.ellipse((8, 8, ICON * 2 - 8, ICON * 2 - 8), light(look.colour, 0.8))
    box = _box(subject.kind, ICON, ICON * 1.7, ICON * 1.25, ICON * 1.25)
    KINDS[subject.kind].draw(canvas, box, Look(look.colour, look.accent, "", "", look.cjk))
    small = Canvas(canvas.image.resize((ICON, ICON), Image.Resampling.LANCZOS))
    return small.png()
