"""Share posters: layout maths, fonts, the picture itself, what each link shows, the endpoint."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest
import segno
from conftest import Api
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageFont
from tests.factories import MemberFactory, merchant, product

from sharemall.accounts.models import Member
from sharemall.catalog import services as catalog_services
from sharemall.catalog.models import Sku
from sharemall.sharing import poster
from sharemall.sharing.models import ShareLink
from sharemall.sharing.poster import (
    PHOTO_BOX,
    PLACEHOLDER_FILL,
    QR_BORDER_MODULES,
    QR_SIDE,
    TEXT_WIDTH,
    PosterFonts,
    bold_variant,
    fit_lines,
    poster_fonts,
    poster_png,
    price_text,
    qr_placement,
    wrap_text,
)
from sharemall.sharing.services import share_create
from sharemall.sharing.targets import PosterSubject
from sharemall.sharing.tests.support import distributor, offline_store

BASE = "https://mall.example.com"
URL = f"{BASE}/s/AbCdEf1234"
NOTO = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
needs_noto = pytest.mark.skipif(not Path(NOTO).is_file(), reason="fonts-noto-cjk not installed")
LOGGER = "sharemall.sharing.poster"
RED = (220, 20, 20)


@pytest.fixture(autouse=True)
def _public_base(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = BASE


def cells(text: str) -> float:
    """A stand-in font: a Chinese character is two cells wide, anything else one."""
    return float(sum(2 if ord(char) >= 0x2E80 else 1 for char in text))


def png_of(color: tuple[int, int, int], size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def opened(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def near(pixel: Any, color: tuple[int, ...], tolerance: int = 8) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=True))


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


# --- layout ----------------------------------------------------------------------------------


@given(
    text=st.text(alphabet="一二三四五六七八九十推荐好物abcXYZ019 ，。、（）【】!?.-'", max_size=80),
    width=st.integers(min_value=1, max_value=30),
)
def test_wrapping_keeps_every_character_and_every_line_fits(text: str, width: int) -> None:
    lines = wrap_text(text, width, cells)

    assert "".join(lines) == text
    assert all(lines), lines
    for line in lines:
        visible = line.rstrip()
        # Only a lone character wider than the whole line may stick out.
        assert cells(visible) <= width or len(visible.strip()) == 1, (line, width)


def test_chinese_breaks_between_any_two_characters() -> None:
    assert wrap_text("一二三四五", 4, cells) == ["一二", "三四", "五"]


def test_a_latin_word_that_fits_on_a_line_is_not_split() -> None:
    assert wrap_text("tea cake", 6, cells) == ["tea ", "cake"]
    assert wrap_text("好茶 Yunnan", 8, cells) == ["好茶 ", "Yunnan"]


def test_a_word_longer_than_a_line_is_broken_where_it_must() -> None:
    assert wrap_text("abcdefgh", 3, cells) == ["abc", "def", "gh"]


def test_closing_punctuation_never_starts_a_line_nor_opening_ends_one() -> None:
    assert wrap_text("一二，三", 4, cells) == ["一", "二，", "三"]
    assert wrap_text("一（二）", 6, cells) == ["一", "（二）"]


def test_an_over_long_title_ends_in_an_ellipsis_within_the_width() -> None:
    assert fit_lines("一二三四五六七八", 6, 2, cells) == ["一二三", "四五…"]
    assert fit_lines("一二三", 6, 2, cells) == ["一二三"]


def test_long_titles_wrap_within_the_poster_in_its_real_font() -> None:
    font = poster_fonts().get(poster.TITLE_SIZE, bold=True)
    title = "【新品】云南普洱熟茶 357 克饼茶 Yunnan Pu'er ripe tea cake，十年陈香，口感醇厚回甘" * 2

    lines = wrap_text(title, TEXT_WIDTH, font.getlength)

    assert len(lines) > 2
    assert "".join(lines) == title
    assert all(font.getlength(line.rstrip()) <= TEXT_WIDTH for line in lines)


def test_prices_are_yuan_from_fen() -> None:
    with translation.override("en"):
        assert price_text(1250, varies=False) == "¥12.50"
        assert price_text(123456, varies=True) == "from ¥1,234.56"
    with translation.override("zh-hans"):
        assert price_text(1250, varies=True) == "¥12.50 起"


def test_the_qr_code_fits_its_box_in_whole_pixels() -> None:
    left, top, scale = qr_placement(37)

    assert scale == QR_SIDE // 37
    assert poster.QR_BOX[0] <= left
    assert left + 37 * scale <= poster.QR_BOX[2]
    assert top + 37 * scale <= poster.QR_BOX[3] <= poster.HEIGHT


def test_the_bold_font_is_found_beside_the_regular_one() -> None:
    assert bold_variant(NOTO) == "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
    assert bold_variant("/fonts/wqy-microhei.ttc") == "/fonts/wqy-microhei.ttc"


# --- fonts -----------------------------------------------------------------------------------


@needs_noto
def test_the_simplified_chinese_noto_face_is_used_when_installed(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.POSTER_FONT_PATH = NOTO

    fonts = poster_fonts()

    assert fonts.regular == NOTO
    assert fonts.bold == "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
    regular, bold = fonts.get(32), fonts.get(32, bold=True)
    assert isinstance(regular, ImageFont.FreeTypeFont)
    assert isinstance(bold, ImageFont.FreeTypeFont)
    assert (regular.getname(), bold.getname()) == (
        ("Noto Sans CJK SC", "Regular"),
        ("Noto Sans CJK SC", "Bold"),
    )
    assert warnings_of(caplog) == []


def test_without_the_font_the_poster_is_still_made_and_one_warning_says_why(
    settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings.POSTER_FONT_PATH = str(tmp_path / "missing.ttc")

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        png = poster_png(PosterSubject("云南普洱", price_fen=1250), url=URL, nickname="小明")

    image = opened(png)
    assert (image.format, image.size) == ("PNG", (750, 1334))
    assert len(warnings_of(caplog)) == 1
    assert "missing.ttc" in warnings_of(caplog)[0].getMessage()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_an_unreadable_font_file_falls_back_too(
    settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font at all")
    settings.POSTER_FONT_PATH = str(broken)

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        fonts = poster_fonts()
        png = poster_png(PosterSubject("好物"), url=URL, nickname="小明", fonts=fonts)

    assert fonts == PosterFonts()
    assert opened(png).size == (750, 1334)
    assert len(warnings_of(caplog)) == 1


# --- the picture -----------------------------------------------------------------------------


def test_a_poster_is_a_phone_sized_png_and_the_same_inputs_give_the_same_bytes() -> None:
    subject = PosterSubject("云南普洱熟茶", price_fen=12850, photo=png_of(RED, (64, 48)))

    first = poster_png(subject, url=URL, nickname="小明")
    again = poster_png(subject, url=URL, nickname="小明")

    assert first == again
    image = opened(first)
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (750, 1334))
    assert first != poster_png(subject, url=URL, nickname="小红")


def test_the_qr_code_on_the_poster_reads_as_the_share_url() -> None:
    image = opened(poster_png(PosterSubject("好物", price_fen=100), url=URL, nickname="小明"))
    expected = segno.make_qr(URL, error="m")
    modules = len(expected.matrix) + 2 * QR_BORDER_MODULES
    left, top, scale = qr_placement(modules)
    assert scale >= 4  # big enough for a phone camera at arm's length

    gray = image.convert("L")
    origin_x, origin_y = left + QR_BORDER_MODULES * scale, top + QR_BORDER_MODULES * scale
    read = [
        [
            gray.getpixel(
                (origin_x + col * scale + scale // 2, origin_y + row * scale + scale // 2)
            )
            == 0
            for col in range(len(expected.matrix))
        ]
        for row in range(len(expected.matrix))
    ]
    assert read == [[bool(cell) for cell in row] for row in expected.matrix]
    # The quiet zone around the code is plain white.
    quiet = gray.crop((left, top, left + modules * scale, origin_y))
    assert quiet.getextrema() == (255, 255)


def test_the_photo_fills_its_box_whatever_its_shape() -> None:
    wide = PosterSubject("好物", price_fen=100, photo=png_of(RED, (300, 100)))

    image = opened(poster_png(wide, url=URL, nickname="小明"))

    for x, y in ((PHOTO_BOX[0] + 2, PHOTO_BOX[1] + 2), (PHOTO_BOX[2] - 3, PHOTO_BOX[3] - 3)):
        assert near(image.getpixel((x, y)), RED), (x, y)
    assert image.getpixel((PHOTO_BOX[0] - 2, PHOTO_BOX[1] - 2)) == poster.BACKGROUND


def test_without_a_photo_a_neutral_block_stands_in() -> None:
    image = opened(poster_png(PosterSubject("好物", price_fen=100), url=URL, nickname="小明"))

    assert image.getpixel((PHOTO_BOX[0] + 2, PHOTO_BOX[1] + 2)) == PLACEHOLDER_FILL


@pytest.mark.parametrize(
    "photo",
    [b"\x89PNG\r\n\x1a\n but then nothing", b"GIF89a not really"],
    ids=["truncated", "garbage"],
)
def test_an_unreadable_photo_gives_the_placeholder_and_a_warning(
    photo: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        png = poster_png(PosterSubject("好物", photo=photo), url=URL, nickname="小明")

    assert opened(png).getpixel((PHOTO_BOX[0] + 2, PHOTO_BOX[1] + 2)) == PLACEHOLDER_FILL
    assert any("photo" in r.getMessage() for r in warnings_of(caplog))


def test_a_photo_with_more_pixels_than_an_upload_may_have_is_not_decoded() -> None:
    out = io.BytesIO()
    Image.new("1", (8000, 6000), 1).save(out, format="PNG")  # 48 Mpx, a few kB

    png = poster_png(PosterSubject("好物", photo=out.getvalue()), url=URL, nickname="小明")

    assert opened(png).getpixel((PHOTO_BOX[0] + 2, PHOTO_BOX[1] + 2)) == PLACEHOLDER_FILL


# --- what each link's poster shows -----------------------------------------------------------


def _link(sharer: Member, target_type: str, target_id: int) -> ShareLink:
    return share_create(sharer=sharer, target_type=target_type, target_id=target_id).link


@pytest.mark.django_db
def test_a_product_poster_shows_its_title_lowest_price_and_first_photo(member: Member) -> None:
    tea = product(title="云南普洱熟茶", price_fen=1250)
    Sku.objects.create(product=tea, name="大份", price_fen=2500, stock=1, position=5)
    catalog_services.image_add(tea, png_of(RED, (40, 40)))
    catalog_services.image_add(tea, png_of((0, 0, 255), (40, 40)))

    subject = poster._poster_subject(_link(member, "product", tea.pk))

    assert (subject.title, subject.subtitle, subject.price_fen, subject.price_varies) == (
        "云南普洱熟茶",
        "",
        1250,
        True,
    )
    assert subject.photo is not None
    assert near(opened(subject.photo).convert("RGB").getpixel((20, 20)), RED)


@pytest.mark.django_db
def test_one_price_for_every_option_is_not_a_from_price(member: Member) -> None:
    tea = product(price_fen=990, skus=2)

    subject = poster._poster_subject(_link(member, "product", tea.pk))

    assert (subject.price_fen, subject.price_varies, subject.photo) == (990, False, None)


@pytest.mark.django_db
def test_a_photo_gone_from_storage_leaves_the_placeholder(
    member: Member, caplog: pytest.LogCaptureFixture
) -> None:
    tea = product()
    image = catalog_services.image_add(tea, png_of(RED, (40, 40)))
    image.image.storage.delete(image.image.name or "")

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        subject = poster._poster_subject(_link(member, "product", tea.pk))

    assert subject.photo is None
    assert len(warnings_of(caplog)) == 1


@pytest.mark.django_db
def test_a_product_taken_off_sale_gets_a_poster_without_its_details() -> None:
    sharer = MemberFactory.create(nickname="小明")
    tea = product(title="旧品", price_fen=1250)
    catalog_services.image_add(tea, png_of(RED, (40, 40)))
    link = _link(sharer, "product", tea.pk)
    tea.status = "off_sale"
    tea.save(update_fields=["status"])

    with translation.override("en"):
        subject = poster._poster_subject(link)

    assert subject == PosterSubject(title="小明's share")


@pytest.mark.django_db
def test_a_store_poster_shows_the_store_and_its_merchant(member: Member) -> None:
    shop = merchant(legal_name="深圳茶叶有限公司")
    store = offline_store(shop, name="南山店")

    subject = poster._poster_subject(_link(member, "store", store.pk))

    assert subject == PosterSubject(title="南山店", subtitle="深圳茶叶有限公司")


@pytest.mark.django_db
def test_a_sub_store_poster_is_titled_with_the_sharer() -> None:
    sharer = distributor(MemberFactory.create(nickname="小明"))

    with translation.override("en"):
        subject = poster._poster_subject(_link(sharer, "substore", sharer.pk))

    assert subject == PosterSubject(title="小明's sub-store")


@pytest.mark.django_db
def test_a_link_to_a_post_no_longer_visible_gets_the_generic_poster() -> None:
    sharer = MemberFactory.create(nickname="小明")
    link = ShareLink.objects.create(
        code="PostShare1", sharer=sharer, target_type="post", target_id=7
    )

    with translation.override("en"):
        subject = poster._poster_subject(link)

    assert subject == PosterSubject(title="小明's share")


# --- GET /shares/{code}/poster.png -----------------------------------------------------------


def test_anyone_gets_a_links_poster_as_png(api: Api, member: Member) -> None:
    link = _link(member, "product", product(title="云南普洱熟茶").pk)

    response = api.client.get(f"/api/v1/shares/{link.code}/poster.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=3600"
    image = opened(response.content)
    assert (image.format, image.size) == ("PNG", (750, 1334))


@pytest.mark.parametrize("code", ["NoSuchCode", "bad!code"])
def test_an_unknown_code_has_no_poster(api: Api, code: str) -> None:
    answer = api.get(f"/shares/{code}/poster.png")

    assert (answer.status, answer.error_code) == (404, "not_found")
