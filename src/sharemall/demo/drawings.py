"""Simple product illustrations: a tea tin, a teacup, a serum bottle, a wok, earbuds…

Each drawing fills the box it is given (left, top, right, bottom) with one object seen a little
from above, lit from the upper left, and leaves the shadow under it to the caller. KINDS maps a
kind's name to its drawing and its width-to-height ratio, so a layout can size the box first.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from sharemall.demo.art import (
    RGB,
    WHITE,
    Box,
    Canvas,
    cylinder,
    dark,
    light,
    mix,
    readable_on,
    vertical,
)

GOLD: RGB = (212, 175, 95)
STEEL: RGB = (150, 158, 168)
WOOD: RGB = (196, 150, 100)
GLASS: RGB = (226, 238, 242)
TEA: RGB = (176, 112, 40)


@dataclass(frozen=True)
class Look:
    colour: RGB  # the body
    accent: RGB  # lid, cap, label, trim
    name: str  # short, printed on the label
    brand: str
    cjk: bool  # whether `name` and `brand` can be drawn (else they are Latin)


Drawing = Callable[[Canvas, Box, Look], None]


def _wh(b: Box) -> tuple[float, float, float, float, float, float]:
    x0, y0, x1, y1 = b
    return x0, y0, x1, y1, x1 - x0, y1 - y0


def _label(c: Canvas, b: Box, k: Look, ground: RGB, *, size: float, brand: bool = True) -> None:
    """The product's name (and brand above it) centred in box b."""
    x0, y0, x1, y1, w, h = _wh(b)
    ink = readable_on(ground)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    if brand and k.brand and h > size * 2.2:
        c.text((cx, cy - size * 0.75), k.brand, int(size * 0.45), ink, cjk=k.cjk, max_width=w * 0.8)
        cy += size * 0.3
    c.text((cx, cy), k.name, int(size), ink, cjk=k.cjk, bold=True, max_width=w * 0.86)


def _body(c: Canvas, b: Box, colour: RGB, rim: float, *, top: RGB | None = None) -> None:
    """A standing cylinder: shaded side, rounded bottom and (optionally) a visible top."""
    x0, y0, x1, y1, w, _h = _wh(b)
    c.ellipse((x0, y1 - rim, x1, y1), cylinder(colour, int(w), 2))
    c.rect((x0, y0 + rim / 2, x1, y1 - rim / 2), 0, cylinder(colour, int(w), 2))
    if top is not None:
        c.ellipse((x0, y0, x1, y0 + rim), top)


def _shine(c: Canvas, b: Box, opacity: float = 0.35) -> None:
    """A tall soft highlight a quarter of the way across a round body."""
    x0, y0, _x1, y1, w, h = _wh(b)
    c.rect((x0 + w * 0.18, y0 + h * 0.08, x0 + w * 0.26, y1 - h * 0.12), w * 0.04, WHITE, opacity)


# --- tea and tea things -----------------------------------------------------------------------


def tin(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    rim, lid = w * 0.2, h * 0.2
    _body(c, (x0, y0 + lid * 0.6, x1, y1), k.colour, rim)
    c.rect((x0, y0 + h * 0.42, x1, y0 + h * 0.78), 0, cylinder(light(k.accent, 0.75), int(w), 2))
    _label(c, (x0, y0 + h * 0.42, x1, y0 + h * 0.78), k, light(k.accent, 0.75), size=w * 0.2)
    _body(
        c,
        (x0 - w * 0.02, y0, x1 + w * 0.02, y0 + lid + rim),
        k.accent,
        rim,
        top=light(k.accent, 0.3),
    )
    _shine(c, (x0, y0 + lid + rim, x1, y1))


def gift_box(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    d = w * 0.16
    c.polygon([(x0, y0 + d), (x0 + d, y0), (x1, y0), (x1 - d, y0 + d)], light(k.colour, 0.25))
    c.polygon([(x1 - d, y0 + d), (x1, y0), (x1, y1 - d), (x1 - d, y1)], dark(k.colour, 0.3))
    c.rect((x0, y0 + d, x1 - d, y1), 0, vertical(k.colour, dark(k.colour, 0.12), int(w), int(h)))
    fw = w - d
    c.rect((x0 + fw * 0.44, y0 + d, x0 + fw * 0.56, y1), 0, k.accent)
    c.polygon(
        [
            (x0 + fw * 0.44 + d * 0.5, y0 + d * 0.5),
            (x0 + fw * 0.56 + d * 0.5, y0 + d * 0.5),
            (x0 + fw * 0.56, y0 + d),
            (x0 + fw * 0.44, y0 + d),
        ],
        light(k.accent, 0.2),
    )
    r = fw * 0.3
    cx, cy = x0 + fw / 2, y0 + d + (h - d) * 0.5
    c.ellipse((cx - r, cy - r, cx + r, cy + r), light(k.accent, 0.85))
    c.ring((cx - r * 0.88, cy - r * 0.88, cx + r * 0.88, cy + r * 0.88), 3, k.accent)
    _label(c, (cx - r, cy - r, cx + r, cy + r), k, light(k.accent, 0.85), size=r * 0.5)


def tea_cake(c: Canvas, b: Box, k: Look) -> None:
    """A pressed tea cake in its paper wrapper (普洱饼, 白茶饼)."""
    x0, y0, x1, y1, w, h = _wh(b)
    paper = (244, 236, 216)
    c.ellipse((x0, y0 + h * 0.2, x1, y1), dark(paper, 0.25))
    c.rect((x0, y0 + h * 0.4, x1, y1 - h * 0.3), 0, dark(paper, 0.2))
    c.ellipse((x0, y0, x1, y1 - h * 0.2), vertical(paper, dark(paper, 0.06), int(w), int(h)))
    cx, cy, rx, ry = (x0 + x1) / 2, y0 + (h * 0.8) / 2, w * 0.26, h * 0.26
    c.ring((cx - rx * 1.3, cy - ry * 1.3, cx + rx * 1.3, cy + ry * 1.3), 3, k.colour, 0.7)
    c.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), k.colour)
    _label(c, (cx - rx, cy - ry, cx + rx, cy + ry), k, k.colour, size=ry * 0.7, brand=False)
    c.text((cx, cy + ry * 1.55), k.brand, int(ry * 0.4), dark(k.colour, 0.2), cjk=k.cjk)


def teacup(c: Canvas, b: Box, k: Look) -> None:
    """A porcelain teacup of tea on its saucer, steam rising."""
    x0, y0, x1, y1, w, h = _wh(b)
    porcelain = light(k.colour, 0.88)
    c.ellipse((x0, y1 - h * 0.24, x1, y1), dark(porcelain, 0.14))
    c.ellipse((x0 + w * 0.04, y1 - h * 0.23, x1 - w * 0.04, y1 - h * 0.04), porcelain)
    cx0, cx1, top = x0 + w * 0.16, x1 - w * 0.16, y0 + h * 0.3
    cw, rim, depth = cx1 - cx0, (x1 - x0) * 0.14, h * 0.52
    c.paint(
        (cx0, top + rim / 2 - depth, cx1, top + rim / 2 + depth),
        lambda d, ww, hh: d.pieslice((0, 0, ww - 1, hh - 1), 0, 180, fill=255),
        cylinder(porcelain, int(cw), 2),
    )
    c.rect(
        (
            cx0 + cw * 0.04,
            top + rim / 2 + depth * 0.18,
            cx1 - cw * 0.04,
            top + rim / 2 + depth * 0.26,
        ),
        3,
        k.colour,
        0.85,
    )
    c.ellipse((cx0, top, cx1, top + rim), dark(porcelain, 0.08))
    c.ellipse((cx0 + cw * 0.04, top + rim * 0.12, cx1 - cw * 0.04, top + rim * 0.9), TEA)
    c.ellipse(
        (cx0 + cw * 0.2, top + rim * 0.25, cx0 + cw * 0.45, top + rim * 0.5), light(TEA, 0.5), 0.6
    )
    for i in range(3):
        sx = cx0 + cw * (0.3 + i * 0.2)
        c.line(
            [(sx, top - h * 0.02), (sx - 10, top - h * 0.14), (sx + 6, top - h * 0.28)],
            5,
            WHITE,
            0.55,
        )


def pitcher(c: Canvas, b: Box, k: Look) -> None:
    """A glass fair cup (公道杯) half full of tea."""
    x0, y0, x1, y1, w, h = _wh(b)
    c.polygon(
        [
            (x0 + w * 0.08, y0 + h * 0.08),
            (x1 - w * 0.08, y0 + h * 0.08),
            (x1 - w * 0.16, y1),
            (x0 + w * 0.16, y1),
        ],
        GLASS,
        0.55,
    )
    c.polygon(
        [
            (x0 + w * 0.12, y0 + h * 0.4),
            (x1 - w * 0.12, y0 + h * 0.4),
            (x1 - w * 0.18, y1 - h * 0.03),
            (x0 + w * 0.18, y1 - h * 0.03),
        ],
        mix(TEA, k.colour, 0.25),
        0.85,
    )
    c.ellipse((x0 + w * 0.12, y0 + h * 0.36, x1 - w * 0.12, y0 + h * 0.45), light(TEA, 0.35), 0.9)
    c.polygon([(x0, y0), (x0 + w * 0.16, y0 + h * 0.04), (x0 + w * 0.08, y0 + h * 0.1)], GLASS, 0.8)
    c.ellipse((x0 + w * 0.06, y0 + h * 0.03, x1 - w * 0.06, y0 + h * 0.13), WHITE, 0.5)
    c.ring((x1 - w * 0.16, y0 + h * 0.2, x1 + w * 0.06, y0 + h * 0.6), 10, GLASS, 0.8)
    c.rect((x0 + w * 0.2, y0 + h * 0.12, x0 + w * 0.26, y1 - h * 0.1), 6, WHITE, 0.55)


def pouch(c: Canvas, b: Box, k: Look) -> None:
    """A stand-up snack or tea pouch with a window showing what is inside."""
    x0, y0, x1, y1, w, h = _wh(b)
    c.polygon(
        [(x0 + w * 0.04, y0), (x1 - w * 0.04, y0), (x1, y1), (x0, y1)],
        vertical(light(k.colour, 0.1), dark(k.colour, 0.15), int(w), int(h)),
    )
    c.rect((x0 + w * 0.04, y0, x1 - w * 0.04, y0 + h * 0.07), 0, dark(k.colour, 0.18))
    teeth = [(x0 + w * 0.04 + i * w * 0.92 / 24, y0 - (6 if i % 2 else 0)) for i in range(25)]
    c.line(teeth, 3, dark(k.colour, 0.3))
    c.line(
        [(x0 + w * 0.06, y0 + h * 0.11), (x1 - w * 0.06, y0 + h * 0.11)], 3, dark(k.colour, 0.25)
    )
    win = (x0 + w * 0.2, y0 + h * 0.52, x1 - w * 0.2, y1 - h * 0.1)
    c.rect(win, w * 0.12, (250, 244, 230))
    ww, wh = win[2] - win[0], win[3] - win[1]
    for i in range(9):
        px = win[0] + ww * (0.15 + (i * 0.37) % 0.7)
        py = win[1] + wh * (0.2 + (i * 0.23) % 0.6)
        c.ellipse(
            (px - ww * 0.1, py - wh * 0.09, px + ww * 0.1, py + wh * 0.09),
            mix(k.accent, WOOD, (i % 3) / 3),
        )
    _label(c, (x0, y0 + h * 0.14, x1, y0 + h * 0.5), k, k.colour, size=w * 0.16)
    c.rect((x0 + w * 0.1, y0 + h * 0.14, x0 + w * 0.16, y1 - h * 0.04), 4, WHITE, 0.25)


# --- beauty -----------------------------------------------------------------------------------


def dropper(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    body = (x0, y0 + h * 0.38, x1, y1)
    c.rect(
        (x0 + w * 0.3, y0 + h * 0.3, x1 - w * 0.3, y0 + h * 0.42),
        6,
        cylinder(GOLD, int(w * 0.4), 2),
    )
    c.rect(
        (x0 + w * 0.34, y0, x1 - w * 0.34, y0 + h * 0.32),
        w * 0.15,
        cylinder(dark(k.accent, 0.2), int(w * 0.32), 2),
    )
    c.rect(body, w * 0.16, cylinder(k.colour, int(w), 2))
    c.rect((x0 + w * 0.1, y0 + h * 0.56, x1 - w * 0.1, y1 - h * 0.1), 6, light(k.accent, 0.9))
    _label(
        c,
        (x0 + w * 0.1, y0 + h * 0.56, x1 - w * 0.1, y1 - h * 0.1),
        k,
        light(k.accent, 0.9),
        size=w * 0.17,
    )
    _shine(c, body, 0.4)


def pump_bottle(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    c.rect(
        (x0 + w * 0.42, y0 + h * 0.04, x1 - w * 0.42, y0 + h * 0.22),
        4,
        cylinder(light(k.accent, 0.6), int(w * 0.16), 2),
    )
    c.rect((x0 + w * 0.3, y0, x1 - w * 0.3, y0 + h * 0.07), 6, cylinder(k.accent, int(w * 0.4), 2))
    c.rect((x1 - w * 0.34, y0 + h * 0.01, x1 - w * 0.06, y0 + h * 0.045), 4, k.accent)
    c.rect(
        (x0 + w * 0.28, y0 + h * 0.2, x1 - w * 0.28, y0 + h * 0.28),
        5,
        cylinder(k.accent, int(w * 0.44), 2),
    )
    body = (x0, y0 + h * 0.26, x1, y1)
    c.rect(body, w * 0.14, cylinder(k.colour, int(w), 2))
    lab = (x0 + w * 0.08, y0 + h * 0.45, x1 - w * 0.08, y1 - h * 0.12)
    c.rect(lab, 6, light(k.colour, 0.85))
    _label(c, lab, k, light(k.colour, 0.85), size=w * 0.17)
    _shine(c, body)


def tube(c: Canvas, b: Box, k: Look) -> None:
    """A squeeze tube standing on its cap (cleanser, hand cream, sunscreen)."""
    x0, y0, x1, y1, w, h = _wh(b)
    c.rect(
        (x0 + w * 0.18, y1 - h * 0.16, x1 - w * 0.18, y1), 8, cylinder(k.accent, int(w * 0.64), 2)
    )
    c.polygon(
        [
            (x0, y0 + h * 0.05),
            (x1, y0 + h * 0.05),
            (x1 - w * 0.16, y1 - h * 0.15),
            (x0 + w * 0.16, y1 - h * 0.15),
        ],
        cylinder(k.colour, int(w), 2),
    )
    c.rect((x0 - w * 0.01, y0, x1 + w * 0.01, y0 + h * 0.07), 3, dark(k.colour, 0.08))
    for i in range(1, 12):
        xi = x0 + w * i / 12
        c.line([(xi, y0 + h * 0.008), (xi, y0 + h * 0.06)], 2, dark(k.colour, 0.2), 0.6)
    _label(
        c, (x0 + w * 0.14, y0 + h * 0.22, x1 - w * 0.14, y0 + h * 0.6), k, k.colour, size=w * 0.17
    )
    c.rect((x0 + w * 0.14, y0 + h * 0.1, x0 + w * 0.22, y1 - h * 0.2), 6, WHITE, 0.3)


def jar(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    rim = h * 0.16
    _body(c, (x0, y0 + h * 0.3, x1, y1), k.colour, rim)
    lab = (x0, y0 + h * 0.52, x1, y1 - h * 0.14)
    c.rect(lab, 0, cylinder(light(k.colour, 0.8), int(w), 2))
    _label(c, lab, k, light(k.colour, 0.8), size=h * 0.14, brand=False)
    _body(
        c,
        (x0 - w * 0.02, y0, x1 + w * 0.02, y0 + h * 0.36),
        k.accent,
        rim,
        top=light(k.accent, 0.35),
    )
    _shine(c, (x0, y0 + h * 0.4, x1, y1), 0.3)


def lipstick(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    stick = (x0, y0, x0 + w * 0.48, y1)
    sw = stick[2] - stick[0]
    c.polygon(
        [
            (x0 + sw * 0.2, y0 + h * 0.1),
            (x0 + sw * 0.8, y0),
            (x0 + sw * 0.8, y0 + h * 0.4),
            (x0 + sw * 0.2, y0 + h * 0.4),
        ],
        cylinder(k.colour, int(sw), 2),
    )
    c.rect(
        (x0 + sw * 0.12, y0 + h * 0.36, x0 + sw * 0.88, y0 + h * 0.5), 3, cylinder(GOLD, int(sw), 2)
    )
    c.rect((x0, y0 + h * 0.48, x0 + sw, y1), 8, cylinder(k.accent, int(sw), 2))
    c.rect((x0, y0 + h * 0.48, x0 + sw, y0 + h * 0.53), 0, cylinder(GOLD, int(sw), 2))
    cap = (x0 + w * 0.56, y0 + h * 0.38, x1, y1)
    c.rect(cap, 8, cylinder(k.accent, int(cap[2] - cap[0]), 2))
    c.rect((cap[0], cap[3] - h * 0.06, cap[2], cap[3]), 0, cylinder(GOLD, int(cap[2] - cap[0]), 2))
    c.text(
        ((cap[0] + cap[2]) / 2, (cap[1] + cap[3]) / 2), k.brand[:2], int(w * 0.11), GOLD, cjk=k.cjk
    )


def sheet_masks(c: Canvas, b: Box, k: Look) -> None:
    """Three sachets fanned out (sheet masks)."""
    x0, y0, x1, y1, w, h = _wh(b)
    for i, shade in enumerate((0.3, 0.15, 0.0)):
        dx, dy = (2 - i) * w * 0.08, i * h * 0.06
        bx = (x0 + dx, y0 + dy, x1 - w * 0.16 + dx, y1 - h * 0.12 + dy)
        c.rect(bx, 18, vertical(light(k.colour, shade + 0.1), dark(k.colour, 0.05), int(w), int(h)))
    bx = (x0, y0 + h * 0.12, x1 - w * 0.16, y1)
    bw, bh = bx[2] - bx[0], bx[3] - bx[1]
    c.ellipse(
        (bx[0] + bw * 0.25, bx[1] + bh * 0.12, bx[2] - bw * 0.25, bx[1] + bh * 0.5),
        light(k.colour, 0.8),
    )
    for ex in (0.38, 0.62):
        c.ellipse(
            (bx[0] + bw * ex - 10, bx[1] + bh * 0.27, bx[0] + bw * ex + 10, bx[1] + bh * 0.3),
            k.colour,
        )
    _label(c, (bx[0], bx[1] + bh * 0.55, bx[2], bx[3] - bh * 0.08), k, k.colour, size=bw * 0.14)
    c.rect((bx[0], bx[1], bx[2], bx[1] + bh * 0.06), 10, k.accent)


# --- kitchen and home -------------------------------------------------------------------------


def pan(c: Canvas, b: Box, k: Look) -> None:
    """A pan seen from above at an angle, handle to the right (frying pan, wok)."""
    x0, y0, x1, y1, w, h = _wh(b)
    pw = w * 0.7
    c.polygon(
        [
            (x0 + pw * 0.9, y0 + h * 0.42),
            (x1, y0 + h * 0.3),
            (x1, y0 + h * 0.4),
            (x0 + pw * 0.92, y0 + h * 0.56),
        ],
        cylinder(dark(WOOD, 0.4), 40, 2),
    )
    c.polygon(
        [
            (x1 - w * 0.18, y0 + h * 0.32),
            (x1, y0 + h * 0.27),
            (x1, y0 + h * 0.41),
            (x1 - w * 0.18, y0 + h * 0.45),
        ],
        dark(WOOD, 0.25),
    )
    c.ellipse((x0, y0 + h * 0.1, x0 + pw, y1), dark(k.colour, 0.35))
    c.ellipse(
        (x0 + pw * 0.02, y0 + h * 0.08, x0 + pw * 0.98, y1 - h * 0.06), cylinder(STEEL, int(pw), 2)
    )
    inner = (x0 + pw * 0.08, y0 + h * 0.14, x0 + pw * 0.92, y1 - h * 0.13)
    c.ellipse(inner, vertical(dark(k.colour, 0.45), dark(k.colour, 0.15), int(pw), int(h)))
    iw, ih = inner[2] - inner[0], inner[3] - inner[1]
    c.ellipse(
        (inner[0] + iw * 0.15, inner[1] + ih * 0.12, inner[0] + iw * 0.5, inner[1] + ih * 0.4),
        WHITE,
        0.18,
    )


def knife_block(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    for i in range(5):
        hx = x0 + w * (0.2 + i * 0.12)
        top = y0 + h * (0.02 + (i % 2) * 0.05)
        c.polygon(
            [
                (hx, top),
                (hx + w * 0.08, top - h * 0.01),
                (hx + w * 0.14, top + h * 0.36),
                (hx + w * 0.06, top + h * 0.37),
            ],
            cylinder(dark(k.accent, 0.5), 30, 2),
        )
        c.ellipse((hx + w * 0.03, top + h * 0.05, hx + w * 0.06, top + h * 0.08), STEEL)
    c.polygon(
        [(x0 + w * 0.1, y0 + h * 0.3), (x1 - w * 0.1, y0 + h * 0.34), (x1, y1), (x0, y1)],
        vertical(k.colour, dark(k.colour, 0.25), int(w), int(h)),
    )
    c.polygon(
        [
            (x0 + w * 0.1, y0 + h * 0.3),
            (x1 - w * 0.1, y0 + h * 0.34),
            (x1 - w * 0.09, y0 + h * 0.38),
            (x0 + w * 0.09, y0 + h * 0.34),
        ],
        light(k.colour, 0.3),
    )
    c.text(((x0 + x1) / 2, y0 + h * 0.7), k.brand, int(w * 0.1), light(k.colour, 0.7), cjk=k.cjk)


def board(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    c.rect((x0 + 8, y0 + 10, x1 + 8, y1 + 10), w * 0.08, dark(k.colour, 0.35))
    c.rect(b, w * 0.08, cylinder(k.colour, int(w), 2))
    for i in range(1, 9):
        gx = x0 + w * i / 9
        c.line(
            [(gx, y0 + h * 0.05), (gx + 6, y0 + h * 0.5), (gx - 4, y1 - h * 0.05)],
            2,
            dark(k.colour, 0.18),
            0.5,
        )
    c.ellipse((x0 + w * 0.42, y0 + h * 0.06, x0 + w * 0.58, y0 + h * 0.16), dark(k.colour, 0.5))
    c.ellipse((x0 + w * 0.5, y0 + h * 0.55, x0 + w * 0.82, y0 + h * 0.82), (230, 70, 60))
    c.ellipse((x0 + w * 0.53, y0 + h * 0.58, x0 + w * 0.79, y0 + h * 0.79), (250, 120, 100))
    c.ellipse((x0 + w * 0.2, y0 + h * 0.62, x0 + w * 0.42, y0 + h * 0.8), (120, 180, 70))


def food_box(c: Canvas, b: Box, k: Look) -> None:
    """Two glass food boxes with coloured lids, stacked."""
    x0, y0, x1, _y1, w, h = _wh(b)
    for top, inset in ((y0, w * 0.08), (y0 + h * 0.48, 0.0)):
        bx = (x0 + inset, top + h * 0.08, x1 - inset, top + h * 0.52)
        c.rect(bx, 14, GLASS, 0.75)
        bw = bx[2] - bx[0]
        for i in range(6):
            fx = bx[0] + bw * (0.12 + i * 0.14)
            c.ellipse(
                (fx, bx[1] + h * 0.14, fx + bw * 0.12, bx[1] + h * 0.28),
                [(120, 180, 70), (240, 150, 50), (220, 70, 60)][i % 3],
            )
        c.rect((bx[0] + 10, bx[1] + 8, bx[0] + 22, bx[3] - 8), 5, WHITE, 0.6)
        c.rect((bx[0] - 6, top, bx[2] + 6, top + h * 0.1), 12, cylinder(k.accent, int(bw), 2))
        c.rect((bx[0] + bw * 0.4, top - 6, bx[0] + bw * 0.6, top + 6), 4, dark(k.accent, 0.2))


def spice_rack(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    for shelf in (0.45, 0.95):
        sy = y0 + h * shelf
        c.rect((x0, sy, x1, sy + h * 0.05), 4, dark(k.colour, 0.2))
        for i in range(4):
            jx = x0 + w * (0.05 + i * 0.235)
            jar_box = (jx, sy - h * 0.36, jx + w * 0.19, sy)
            _body(c, (jar_box[0], jar_box[1] + h * 0.08, jar_box[2], jar_box[3]), GLASS, h * 0.05)
            c.rect(
                (jx + 4, sy - h * 0.2, jx + w * 0.19 - 4, sy - h * 0.03),
                4,
                [(200, 80, 40), (230, 180, 60), (120, 150, 60), (150, 90, 60)][
                    (i + int(shelf * 2)) % 4
                ],
            )
            c.rect(
                (jx - 2, jar_box[1], jx + w * 0.19 + 2, jar_box[1] + h * 0.09),
                5,
                cylinder(k.accent, int(w * 0.19), 2),
            )
    c.rect((x0, y0, x0 + w * 0.03, y1), 3, dark(k.colour, 0.3))
    c.rect((x1 - w * 0.03, y0, x1, y1), 3, dark(k.colour, 0.3))


def flask(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    rim = w * 0.25
    _body(c, (x0, y0 + h * 0.2, x1, y1), k.colour, rim)
    c.rect((x0, y0 + h * 0.22, x1, y0 + h * 0.26), 0, cylinder(STEEL, int(w), 2))
    _body(
        c,
        (x0 + w * 0.04, y0, x1 - w * 0.04, y0 + h * 0.24),
        k.accent,
        rim,
        top=light(k.accent, 0.3),
    )
    _label(c, (x0, y0 + h * 0.5, x1, y0 + h * 0.8), k, k.colour, size=w * 0.2, brand=False)
    _shine(c, (x0, y0 + h * 0.3, x1, y1))


def _bowl(c: Canvas, rim_line: tuple[float, float, float], depth: float, k: Look) -> None:
    """One bowl: its rim from x0 to x1 at `top`, its body curving down `depth` below."""
    x0, top, x1 = rim_line
    w = x1 - x0
    rim = w * 0.22
    porcelain = light(k.colour, 0.9)
    c.paint(
        (x0, top + rim / 2 - depth, x1, top + rim / 2 + depth),
        lambda d, ww, hh: d.pieslice((0, 0, ww - 1, hh - 1), 0, 180, fill=255),
        cylinder(porcelain, int(w), 2),
    )
    c.rect(
        (x0 + w * 0.1, top + rim / 2 + depth * 0.28, x1 - w * 0.1, top + rim / 2 + depth * 0.36),
        3,
        k.colour,
        0.8,
    )
    c.ellipse((x0, top, x1, top + rim), dark(porcelain, 0.06))
    c.ellipse(
        (x0 + w * 0.03, top + rim * 0.12, x1 - w * 0.03, top + rim * 0.9), light(k.colour, 0.75)
    )
    c.ellipse((x0 + w * 0.2, top + rim * 0.3, x1 - w * 0.2, top + rim * 0.8), light(k.colour, 0.88))


def bowls(c: Canvas, b: Box, k: Look) -> None:
    """A big bowl in front of a smaller one, chopsticks across."""
    x0, y0, x1, _y1, w, h = _wh(b)
    _bowl(c, (x0 + w * 0.45, y0 + h * 0.1, x1), h * 0.42, k)
    _bowl(c, (x0, y0 + h * 0.38, x0 + w * 0.7), h * 0.56, k)
    c.line([(x0 + w * 0.55, y0 + h * 0.05), (x1 - w * 0.02, y0 + h * 0.5)], 9, dark(WOOD, 0.3))
    c.line([(x0 + w * 0.6, y0 + h * 0.02), (x1 + w * 0.02, y0 + h * 0.44)], 9, dark(WOOD, 0.2))


# --- babies -----------------------------------------------------------------------------------


def baby_bottle(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    c.ellipse((x0 + w * 0.3, y0, x1 - w * 0.3, y0 + h * 0.3), (240, 200, 150), 0.9)
    c.rect(
        (x0 + w * 0.04, y0 + h * 0.18, x1 - w * 0.04, y0 + h * 0.3),
        10,
        cylinder(k.accent, int(w), 2),
    )
    body = (x0, y0 + h * 0.28, x1, y1)
    c.rect(body, w * 0.2, GLASS, 0.85)
    c.rect((x0 + 6, y0 + h * 0.55, x1 - 6, y1 - 6), w * 0.18, (252, 250, 240), 0.95)
    for i in range(5):
        my = y0 + h * (0.4 + i * 0.1)
        c.line([(x1 - w * 0.3, my), (x1 - w * 0.12, my)], 3, dark(k.accent, 0.1), 0.8)
    c.text(
        ((x0 + x1) / 2 - w * 0.08, y0 + h * 0.74),
        k.name[:4],
        int(w * 0.16),
        dark(k.accent, 0.2),
        cjk=k.cjk,
    )
    _shine(c, body, 0.5)


def soft_pack(c: Canvas, b: Box, k: Look) -> None:
    """A soft pack of wet wipes or tissues with its flap."""
    x0, y0, x1, y1, w, h = _wh(b)
    c.rect(b, h * 0.3, vertical(light(k.colour, 0.15), dark(k.colour, 0.1), int(w), int(h)))
    c.rect((x0 + w * 0.04, y0 + h * 0.03, x1 - w * 0.04, y0 + h * 0.2), h * 0.15, WHITE, 0.3)
    flap = (x0 + w * 0.26, y0 + h * 0.1, x1 - w * 0.26, y0 + h * 0.36)
    c.rect(flap, h * 0.1, light(k.accent, 0.4))
    c.rect(
        (flap[0] + w * 0.2, flap[1] + 6, flap[2] - w * 0.2, flap[1] + 16), 5, dark(k.accent, 0.2)
    )
    for i in range(5):
        cx = x0 + w * (0.15 + i * 0.18)
        c.ellipse((cx - 12, y1 - h * 0.2, cx + 12, y1 - h * 0.2 + 24), WHITE, 0.6)
    _label(c, (x0, y0 + h * 0.38, x1, y1 - h * 0.22), k, k.colour, size=h * 0.18)


# --- gadgets ----------------------------------------------------------------------------------


def earbuds(c: Canvas, b: Box, k: Look) -> None:
    """An open charging case with its two buds lying in front."""
    x0, y0, x1, y1, w, h = _wh(b)
    shell = light(k.colour, 0.82)
    case = (x0 + w * 0.14, y0 + h * 0.08, x1 - w * 0.14, y0 + h * 0.7)
    cw = case[2] - case[0]
    c.rect(
        (case[0], y0, case[2], y0 + h * 0.3),
        cw * 0.3,
        vertical(light(shell, 0.3), shell, int(cw), int(h * 0.3)),
    )
    c.rect(case, cw * 0.3, vertical(light(shell, 0.2), dark(shell, 0.12), int(cw), int(h)))
    c.line(
        [(case[0] + 6, case[1] + h * 0.2), (case[2] - 6, case[1] + h * 0.2)], 3, dark(shell, 0.25)
    )
    c.ellipse(
        (case[0] + cw * 0.46, case[1] + h * 0.42, case[0] + cw * 0.54, case[1] + h * 0.47), k.accent
    )
    c.text(
        ((case[0] + case[2]) / 2, case[1] + h * 0.32),
        k.brand,
        int(w * 0.07),
        dark(shell, 0.3),
        cjk=k.cjk,
    )
    for bx, lean in ((x0 + w * 0.02, -1), (x1 - w * 0.24, 1)):
        stem = [(bx + w * 0.11, y1 - h * 0.22), (bx + w * 0.11 + lean * w * 0.13, y1 - h * 0.06)]
        c.line(stem, w * 0.055, dark(shell, 0.05))
        c.ellipse(
            (bx, y1 - h * 0.34, bx + w * 0.22, y1 - h * 0.16), cylinder(shell, int(w * 0.22), 2)
        )
        c.ellipse((bx + w * 0.03, y1 - h * 0.31, bx + w * 0.11, y1 - h * 0.23), dark(k.colour, 0.3))


def charger(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    for px in (0.32, 0.6):
        c.rect(
            (x0 + w * px, y0, x0 + w * (px + 0.08), y0 + h * 0.22),
            3,
            cylinder(STEEL, int(w * 0.08), 2),
        )
    c.rect((x0, y0 + h * 0.18, x1, y1 - h * 0.2), w * 0.1, cylinder(k.colour, int(w), 2))
    c.rect((x0 + w * 0.34, y0 + h * 0.66, x1 - w * 0.34, y0 + h * 0.72), 4, dark(k.colour, 0.6))
    c.text(
        ((x0 + x1) / 2, y0 + h * 0.42),
        k.name,
        int(w * 0.16),
        readable_on(k.colour),
        cjk=k.cjk,
        max_width=w * 0.8,
    )
    c.line(
        [
            (x0 + w * 0.5, y1 - h * 0.2),
            (x0 + w * 0.52, y1 - h * 0.08),
            (x0 + w * 0.8, y1 - h * 0.04),
            (x1 + w * 0.1, y1),
        ],
        12,
        dark(k.accent, 0.1),
    )


def power_bank(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    c.rect((x0 + 10, y0 + 14, x1 + 10, y1 + 14), w * 0.12, dark(k.colour, 0.45))
    c.rect(b, w * 0.12, vertical(light(k.colour, 0.15), dark(k.colour, 0.1), int(w), int(h)))
    for i in range(4):
        lx = x0 + w * (0.36 + i * 0.08)
        c.ellipse(
            (lx, y0 + h * 0.1, lx + w * 0.04, y0 + h * 0.1 + w * 0.04),
            k.accent if i < 3 else dark(k.colour, 0.3),
        )
    c.rect((x0 + w * 0.38, y1 - h * 0.06, x1 - w * 0.38, y1 - h * 0.03), 3, dark(k.colour, 0.6))
    _label(c, (x0, y0 + h * 0.3, x1, y0 + h * 0.72), k, k.colour, size=w * 0.16)
    c.rect((x0 + w * 0.08, y0 + h * 0.06, x0 + w * 0.14, y1 - h * 0.08), 6, WHITE, 0.25)


def phone_case(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    c.rect(b, w * 0.16, vertical(light(k.colour, 0.1), dark(k.colour, 0.15), int(w), int(h)))
    c.rect((x0 + w * 0.05, y0 + h * 0.025, x1 - w * 0.05, y1 - h * 0.025), w * 0.13, WHITE, 0.08)
    cam = (x0 + w * 0.08, y0 + h * 0.05, x0 + w * 0.52, y0 + h * 0.27)
    c.rect(cam, w * 0.1, dark(k.colour, 0.25))
    cw = cam[2] - cam[0]
    for cx, cy in ((0.28, 0.3), (0.28, 0.72), (0.72, 0.5)):
        px, py = cam[0] + cw * cx, cam[1] + (cam[3] - cam[1]) * cy
        r = cw * 0.17
        c.ellipse((px - r, py - r, px + r, py + r), (30, 30, 36))
        c.ellipse((px - r * 0.5, py - r * 0.5, px + r * 0.5, py + r * 0.5), (60, 70, 100))
    c.text(((x0 + x1) / 2, y0 + h * 0.62), k.brand, int(w * 0.12), light(k.colour, 0.6), cjk=k.cjk)
    c.rect((x1 - 4, y0 + h * 0.2, x1 + 6, y0 + h * 0.3), 3, dark(k.colour, 0.3))


def cable(c: Canvas, b: Box, k: Look) -> None:
    x0, y0, x1, y1, w, h = _wh(b)
    for i in range(5):
        inset = i * w * 0.035
        c.ring(
            (
                x0 + inset,
                y0 + h * 0.1 + inset * 0.7,
                x1 - inset - w * 0.1,
                y1 - h * 0.15 - inset * 0.4,
            ),
            14,
            cylinder(k.colour, int(w), 2),
        )
    for px, py, ang in ((0.75, 0.45, 0.5), (0.55, 0.82, -0.3)):
        cx, cy = x0 + w * px, y0 + h * py
        dx, dy = math.cos(ang) * w * 0.16, math.sin(ang) * w * 0.16
        c.line([(cx, cy), (cx + dx, cy + dy)], 34, k.accent)
        c.line([(cx + dx, cy + dy), (cx + dx * 1.45, cy + dy * 1.45)], 20, STEEL)


@dataclass(frozen=True)
class Kind:
    draw: Drawing
    aspect: float  # width / height


KINDS: dict[str, Kind] = {
    "tin": Kind(tin, 0.62),
    "gift_box": Kind(gift_box, 1.05),
    "tea_cake": Kind(tea_cake, 1.6),
    "teacup": Kind(teacup, 1.2),
    "pitcher": Kind(pitcher, 0.8),
    "pouch": Kind(pouch, 0.72),
    "dropper": Kind(dropper, 0.46),
    "pump_bottle": Kind(pump_bottle, 0.42),
    "tube": Kind(tube, 0.4),
    "jar": Kind(jar, 1.25),
    "lipstick": Kind(lipstick, 0.55),
    "sheet_masks": Kind(sheet_masks, 0.78),
    "pan": Kind(pan, 1.55),
    "knife_block": Kind(knife_block, 0.85),
    "board": Kind(board, 0.75),
    "food_box": Kind(food_box, 1.1),
    "spice_rack": Kind(spice_rack, 1.0),
    "flask": Kind(flask, 0.36),
    "bowls": Kind(bowls, 1.2),
    "baby_bottle": Kind(baby_bottle, 0.5),
    "soft_pack": Kind(soft_pack, 1.45),
    "earbuds": Kind(earbuds, 0.9),
    "charger": Kind(charger, 0.85),
    "power_bank": Kind(power_bank, 0.62),
    "phone_case": Kind(phone_case, 0.5),
    "cable": Kind(cable, 1.15),
}
