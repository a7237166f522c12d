"""Share posters (PRODUCT §4.1): a phone-sized PNG with the photo, title, price, QR and sharer.

Rendering is deterministic: the same subject, address, nickname, language and font give the
same bytes, so a CDN or a browser may keep a poster and tests can compare them. Text uses a CJK
font (Noto Sans CJK by default, `POSTER_FONT_PATH` to choose another); without one the poster
is still made, in Pillow's built-in font, and a warning says why the Chinese shows as boxes.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import segno
from django.conf import settings
from django.db.models import Max, Min
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from sharemall.catalog.models import ProductImage
from sharemall.catalog.selectors import visible_products
from sharemall.core.images import MAX_BYTES as MAX_IMAGE_BYTES
from sharemall.core.images import MAX_PIXELS as MAX_PHOTO_PIXELS
from sharemall.core.money import format_yuan
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants.models import Store
from sharemall.sharing import rules
from sharemall.sharing.models import ShareLink
from sharemall.sharing.targets import PosterSubject, registered

logger = logging.getLogger(__name__)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Measure = Callable[[str], float]
Box = tuple[int, int, int, int]

WIDTH, HEIGHT = 750, 1334
MARGIN = 40
PHOTO_BOX: Box = (MARGIN, MARGIN, WIDTH - MARGIN, MARGIN + WIDTH - 2 * MARGIN)
TEXT_WIDTH = WIDTH - 2 * MARGIN
TITLE_TOP = PHOTO_BOX[3] + 36
FOOTER_TOP = 1010
QR_SIDE = 240
QR_BOX: Box = (WIDTH - MARGIN - QR_SIDE, FOOTER_TOP + 32, WIDTH - MARGIN, FOOTER_TOP + 32 + QR_SIDE)
SHARER_WIDTH = QR_BOX[0] - MARGIN - 24
QR_BORDER_MODULES = 4  # the quiet zone scanners need; white on the white poster

TITLE_SIZE, PRICE_SIZE, SUBTITLE_SIZE = 40, 56, 30
SHARER_SIZE, HINT_SIZE, PLACEHOLDER_SIZE = 32, 24, 240
TITLE_LINES_WITH_PRICE, TITLE_LINES_ALONE, SHARER_LINES = 2, 3, 2
LINE_SPACING = 1.4
# zlib level 3 encodes a photo poster in well under half the time of the default 6, for about a
# tenth more bytes: the better trade on a public endpoint that renders on every cache miss.
PNG_COMPRESS_LEVEL = 3
ELLIPSIS = "…"

BACKGROUND = (255, 255, 255)
INK = (34, 34, 34)
MUTED = (136, 136, 136)
PRICE_RED = (228, 57, 60)
PLACEHOLDER_FILL = (242, 242, 242)
PLACEHOLDER_INK = (210, 210, 210)
DIVIDER = (230, 230, 230)


# --- layout: pure functions ------------------------------------------------------------------


# Latin words and numbers stay whole when they fit on a line; every other character (Chinese
# has no spaces to break at) is a break point of its own.
_UNIT = re.compile(r"[0-9A-Za-z\u00c0-\u024f'’.\-]+|.", re.DOTALL)
# Line-breaking rules (禁则): closing punctuation never starts a line, opening never ends one.
_NO_LINE_START = frozenset("，。、；：！？）】」』》〉”’,.;:!?)]}…%")
_NO_LINE_END = frozenset("（【「『《〈“‘([{¥￥")


def _break_units(text: str) -> list[str]:
    units: list[str] = []
    for match in _UNIT.finditer(text):
        piece = match.group()
        if units and (piece[0] in _NO_LINE_START or units[-1][-1] in _NO_LINE_END):
            units[-1] += piece
        else:
            units.append(piece)
    return units


def wrap_text(text: str, max_width: float, measure: Measure) -> list[str]:
    """Break `text` into lines no wider than `max_width` by measured width, not by spaces.

    Every character is kept, in order. Spaces may hang past the edge (they are invisible) so no
    line starts with one; a word or character wider than a whole line is broken where it must.
    """
    lines: list[str] = []
    line = ""
    for unit in _break_units(text):
        if unit.isspace() or measure(line + unit) <= max_width:
            line += unit
        elif measure(unit) <= max_width:
            lines.append(line)
            line = unit
        else:
            for char in unit:
                if line.strip() and measure(line + char) > max_width:
                    lines.append(line)
                    line = char
                else:
                    line += char
    if line:
        lines.append(line)
    return lines


def fit_lines(text: str, max_width: float, max_lines: int, measure: Measure) -> list[str]:
    """At most `max_lines` wrapped lines; when the text runs over, the last line ends in '…'."""
    lines = wrap_text(text, max_width, measure)
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1].rstrip()
    while last and measure(last + ELLIPSIS) > max_width:
        last = last[:-1].rstrip()
    return [*lines[: max_lines - 1], last + ELLIPSIS]


def price_text(price_fen: int, *, varies: bool) -> str:
    """¥12.50, or 'from ¥12.50' when the product's options cost different amounts."""
    yuan = format_yuan(price_fen)
    return _("from %(price)s") % {"price": yuan} if varies else yuan


def qr_placement(modules_with_border: int) -> tuple[int, int, int]:
    """Where the QR code goes: (left, top, pixels per module), centred in its box, each module
    a whole number of pixels so the code stays crisp."""
    scale = max(1, QR_SIDE // modules_with_border)
    side = modules_with_border * scale
    left = QR_BOX[0] + (QR_SIDE - side) // 2
    top = QR_BOX[1] + (QR_SIDE - side) // 2
    return left, top, scale


def bold_variant(path: str) -> str:
    """The bold file beside a regular one, by the usual naming (NotoSansCJK-Regular → -Bold)."""
    file = Path(path)
    if "Regular" not in file.name:
        return path
    return str(file.with_name(file.name.replace("Regular", "Bold")))


# --- fonts -----------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _simplified_chinese_face(path: str) -> int:
    """In a font collection, the Simplified Chinese face: the same code point is drawn
    differently in Japanese, Korean and Traditional faces, and ours is a mainland audience."""
    for index in range(32):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError:
            break
        if family.endswith(" SC"):
            return index
    return 0


@dataclass(frozen=True)
class PosterFonts:
    """The font files a poster is drawn with; None means Pillow's built-in font."""

    regular: str | None = None
    bold: str | None = None
    regular_index: int = 0
    bold_index: int = 0

    def get(self, size: int, *, bold: bool = False) -> Font:
        path, index = (self.bold, self.bold_index) if bold else (self.regular, self.regular_index)
        if path is None:
            return ImageFont.load_default(size=size)
        return ImageFont.truetype(path, size, index=index)


def poster_fonts() -> PosterFonts:
    """The configured CJK font, or the built-in one with a warning when it cannot be used."""
    regular = str(settings.POSTER_FONT_PATH)
    if not Path(regular).is_file():
        logger.warning(
            "Poster font %s not found; drawing posters with Pillow's built-in font, which has "
            "no Chinese glyphs (install fonts-noto-cjk or set POSTER_FONT_PATH).",
            regular,
        )
        return PosterFonts()
    bold = bold_variant(regular)
    if not Path(bold).is_file():
        bold = regular
    try:
        fonts = PosterFonts(
            regular, bold, _simplified_chinese_face(regular), _simplified_chinese_face(bold)
        )
        fonts.get(TITLE_SIZE)
        fonts.get(TITLE_SIZE, bold=True)
    except OSError:
        logger.warning("Poster font %s cannot be read; using Pillow's built-in font.", regular)
        return PosterFonts()
    return fonts


# --- what a link's poster shows --------------------------------------------------------------


def product_subject(product_id: int) -> PosterSubject | None:
    product = visible_products(None).filter(pk=product_id).first()
    if product is None:
        return None
    prices = product.skus.aggregate(low=Min("price_fen"), high=Max("price_fen"))
    image = ProductImage.objects.filter(product=product).order_by("position", "id").first()
    return PosterSubject(
        title=product.title,
        price_fen=prices["low"],
        price_varies=prices["low"] != prices["high"],
        photo=photo_bytes(image.image if image else None),
    )


def photo_bytes(stored_file: FieldFile | None) -> bytes | None:
    """A stored photo, read through the storage API (it may live in an object store)."""
    if stored_file is None or not stored_file.name:
        return None
    try:
        with stored_file.open("rb") as stored:
            # No upload is bigger than this, so reading on could only be wasted work.
            return bytes(stored.read(MAX_IMAGE_BYTES + 1))
    except OSError:
        logger.warning("Photo %s cannot be read; the poster shows a placeholder.", stored_file.name)
        return None


def _store_subject(store_id: int) -> PosterSubject | None:
    store = (
        Store.objects.select_related("merchant")
        .filter(pk=store_id, is_active=True, merchant__status=merchant_rules.APPROVED)
        .first()
    )
    if store is None:
        return None
    return PosterSubject(title=store.name, subtitle=store.merchant.legal_name)


def _poster_subject(link: ShareLink) -> PosterSubject:
    """What the poster of `link` shows; the hook to extend for new targets (group-buys, …)."""
    nickname = link.sharer.nickname
    subject: PosterSubject | None = None
    if link.target_type == rules.PRODUCT:
        subject = product_subject(link.target_id)
    elif link.target_type == rules.STORE:
        subject = _store_subject(link.target_id)
    elif link.target_type == rules.SUBSTORE:
        # The sub-store's own title lives in distribution, which sharing may not import.
        subject = PosterSubject(title=_("%(nickname)s's sub-store") % {"nickname": nickname})
    elif (plugged := registered(link.target_type)) is not None:
        subject = plugged.poster_subject(link.target_id, nickname)
    # A product taken off sale or a closed store still gets a poster, but not its old details.
    return subject or PosterSubject(title=_("%(nickname)s's share") % {"nickname": nickname})


def share_poster_png(link: ShareLink, *, base_url: str) -> bytes:
    return poster_png(
        _poster_subject(link),
        url=rules.share_url(base_url, link.code),
        nickname=link.sharer.nickname,
    )


# --- drawing ---------------------------------------------------------------------------------


def poster_png(
    subject: PosterSubject, *, url: str, nickname: str, fonts: PosterFonts | None = None
) -> bytes:
    """The poster as PNG bytes, WIDTH × HEIGHT."""
    fonts = fonts or poster_fonts()
    canvas = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    photo = _decoded_photo(subject.photo)
    if photo is None:
        _draw_placeholder(draw, subject.title, fonts)
    else:
        canvas.paste(photo, PHOTO_BOX[:2])
    _draw_details(draw, subject, fonts)
    _draw_footer(canvas, draw, url=url, nickname=nickname, fonts=fonts)
    out = io.BytesIO()
    canvas.save(out, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return out.getvalue()


def _decoded_photo(data: bytes | None) -> Image.Image | None:
    """The photo cropped to fill the photo box; None (and a warning) when it cannot be read."""
    if not data:
        return None
    size = (PHOTO_BOX[2] - PHOTO_BOX[0], PHOTO_BOX[3] - PHOTO_BOX[1])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PHOTO_PIXELS:
                    raise Image.DecompressionBombError("more pixels than an upload may have")
                # JPEG can decode at a fraction of its size: far less work for the same poster.
                image.draft("RGB", size)
                flat = _on_white(ImageOps.exif_transpose(image))
    except (
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ):
        logger.warning("A product photo could not be decoded; poster uses a placeholder.")
        return None
    return ImageOps.fit(flat, size, Image.Resampling.LANCZOS)


def _on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, BACKGROUND)
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def _draw_placeholder(draw: ImageDraw.ImageDraw, title: str, fonts: PosterFonts) -> None:
    draw.rectangle(PHOTO_BOX, fill=PLACEHOLDER_FILL)
    initial = title.strip()[:1]
    if initial:
        centre = ((PHOTO_BOX[0] + PHOTO_BOX[2]) // 2, (PHOTO_BOX[1] + PHOTO_BOX[3]) // 2)
        font = fonts.get(PLACEHOLDER_SIZE, bold=True)
        draw.text(centre, initial, font=font, fill=PLACEHOLDER_INK, anchor="mm")


def _draw_lines(
    draw: ImageDraw.ImageDraw,
    lines: list[str],
    *,
    left: int,
    top: int,
    size: int,
    font: Font,
    fill: tuple[int, int, int],
) -> int:
    """Draws the lines from `top` down; returns the y just below the last one."""
    step = round(size * LINE_SPACING)
    for number, line in enumerate(lines):
        draw.text((left, top + number * step), line, font=font, fill=fill)
    return top + len(lines) * step


def _draw_details(draw: ImageDraw.ImageDraw, subject: PosterSubject, fonts: PosterFonts) -> None:
    title_font = fonts.get(TITLE_SIZE, bold=True)
    max_lines = TITLE_LINES_WITH_PRICE if subject.price_fen is not None else TITLE_LINES_ALONE
    title = " ".join(subject.title.split())
    lines = fit_lines(title, TEXT_WIDTH, max_lines, title_font.getlength)
    y = _draw_lines(
        draw, lines, left=MARGIN, top=TITLE_TOP, size=TITLE_SIZE, font=title_font, fill=INK
    )
    if subject.subtitle:
        font = fonts.get(SUBTITLE_SIZE)
        sub = fit_lines(" ".join(subject.subtitle.split()), TEXT_WIDTH, 1, font.getlength)
        y = _draw_lines(
            draw, sub, left=MARGIN, top=y + 8, size=SUBTITLE_SIZE, font=font, fill=MUTED
        )
    if subject.price_fen is not None:
        price = price_text(subject.price_fen, varies=subject.price_varies)
        draw.text((MARGIN, y + 16), price, font=fonts.get(PRICE_SIZE, bold=True), fill=PRICE_RED)


def _draw_footer(
    canvas: Image.Image, draw: ImageDraw.ImageDraw, *, url: str, nickname: str, fonts: PosterFonts
) -> None:
    draw.line((MARGIN, FOOTER_TOP, WIDTH - MARGIN, FOOTER_TOP), fill=DIVIDER, width=2)
    sharer_font = fonts.get(SHARER_SIZE, bold=True)
    recommended = _("Recommended by %(nickname)s") % {"nickname": " ".join(nickname.split())}
    lines = fit_lines(recommended, SHARER_WIDTH, SHARER_LINES, sharer_font.getlength)
    y = _draw_lines(
        draw, lines, left=MARGIN, top=QR_BOX[1] + 24, size=SHARER_SIZE, font=sharer_font, fill=INK
    )
    hint_font = fonts.get(HINT_SIZE)
    hint = fit_lines(_("Scan or long-press the QR code"), SHARER_WIDTH, 2, hint_font.getlength)
    _draw_lines(draw, hint, left=MARGIN, top=y + 12, size=HINT_SIZE, font=hint_font, fill=MUTED)
    qr, position = qr_image(url)
    canvas.paste(qr, position)


def qr_image(url: str) -> tuple[Image.Image, tuple[int, int]]:
    """The QR code of `url` at the poster's scale, and where its top-left corner goes."""
    # Made once per poster: segno tries all eight masks in pure Python, a few dozen ms each time.
    code = segno.make_qr(url, error="m")
    modules, _rows = code.symbol_size(scale=1, border=QR_BORDER_MODULES)
    left, top, scale = qr_placement(int(modules))
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=QR_BORDER_MODULES)
    out.seek(0)
    with Image.open(out) as image:
        return image.convert("RGB"), (left, top)
