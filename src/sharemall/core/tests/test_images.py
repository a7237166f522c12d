import io
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils import timezone, translation
from PIL import Image

from sharemall.core.images import (
    InvalidImage,
    clean_image,
    clean_photos,
    make_thumbnail,
    save_clean_image,
    stored_photos,
)


def _encode(image: Image.Image, fmt: str, **kw: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **kw)
    return out.getvalue()


def _png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims huge dimensions: a decompression bomb's calling card."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepted_formats_are_reencoded(fmt: str) -> None:
    data = _encode(Image.new("RGB", (32, 16), (1, 2, 3)), fmt)
    clean = clean_image(data)
    assert (clean.width, clean.height) == (32, 16)
    with Image.open(io.BytesIO(clean.content)) as img:
        assert img.format == fmt


def test_gps_and_camera_metadata_are_stripped() -> None:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (22.0, 32.0, 10.0)}
    exif[0x0110] = "PhoneModel"
    data = _encode(Image.new("RGB", (20, 20)), "JPEG", exif=exif)
    with Image.open(io.BytesIO(data)) as original:
        assert len(original.getexif()) > 0
    with Image.open(io.BytesIO(clean_image(data).content)) as img:
        assert len(img.getexif()) == 0
        assert "exif" not in img.info


def test_png_text_chunks_are_dropped() -> None:
    from PIL.PngImagePlugin import PngInfo  # noqa: PLC0415 - only this test needs it

    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    data = _encode(Image.new("RGBA", (10, 10)), "PNG", pnginfo=info)
    with Image.open(io.BytesIO(clean_image(data).content)) as img:
        assert "Comment" not in img.info


def test_orientation_is_applied_then_forgotten() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° on display
    data = _encode(Image.new("RGB", (40, 10)), "JPEG", exif=exif)
    clean = clean_image(data)
    assert (clean.width, clean.height) == (10, 40)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<?php system($_GET['c']); ?>",
        b"GIF89a" + b"\x00" * 20,
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 10,  # truncated
        _encode(Image.new("RGB", (8, 8)), "GIF"),
        _encode(Image.new("RGB", (8, 8)), "BMP"),
        _encode(Image.new("RGB", (8, 8)), "TIFF"),
    ],
    ids=["empty", "script", "fake-gif", "truncated-png", "gif", "bmp", "tiff"],
)
def test_non_images_and_other_formats_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidImage):
        clean_image(data)


def test_truncated_jpeg_is_refused() -> None:
    data = _encode(Image.new("RGB", (200, 200), (9, 9, 9)), "JPEG")
    with pytest.raises(InvalidImage):
        clean_image(data[: len(data) // 2])


def test_decompression_bomb_is_refused_before_decoding() -> None:
    with translation.override("en"), pytest.raises(InvalidImage, match="too many pixels"):
        clean_image(_png_header_claiming(50_000, 50_000))


def test_size_limit() -> None:
    with pytest.raises(InvalidImage):
        clean_image(b"\xff" * 100, max_bytes=50)


def test_a_script_appended_to_a_real_image_does_not_survive() -> None:
    polyglot = _encode(Image.new("RGB", (8, 8)), "JPEG") + b"<script>alert(1)</script>"
    assert b"<script>" not in clean_image(polyglot).content


def test_orientation_moves_the_pixels_not_just_the_size() -> None:
    image = Image.new("RGB", (40, 10), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 10, 10))  # the left end is red
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned a quarter clockwise: the left end ends up on top
    clean = clean_image(_encode(image, "PNG", exif=exif))
    with Image.open(io.BytesIO(clean.content)) as upright:
        assert upright.size == (10, 40)
        assert upright.getpixel((5, 2)) == (255, 0, 0)
        assert upright.getpixel((5, 37)) == (0, 0, 255)


def test_a_side_longer_than_the_limit_is_refused_even_under_the_pixel_budget() -> None:
    data = _encode(Image.new("RGB", (300, 2)), "PNG")
    with translation.override("en"), pytest.raises(InvalidImage, match="at most 200 pixels"):
        clean_image(data, max_side=200)
    assert clean_image(data, max_side=300).width == 300


@pytest.mark.parametrize(("fmt", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_a_clean_image_knows_its_content_type(fmt: str, extension: str) -> None:
    clean = clean_image(_encode(Image.new("RGB", (4, 4)), fmt))
    assert clean.extension == extension
    assert clean.content_type == f"image/{'jpeg' if fmt == 'JPEG' else extension}"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_thumbnail_keeps_the_shape_and_the_format(fmt: str) -> None:
    clean = clean_image(_encode(Image.new("RGB", (1200, 800), (10, 200, 30)), fmt))
    thumb = make_thumbnail(clean)
    assert (thumb.width, thumb.height) == (480, 320)
    assert thumb.extension == clean.extension
    assert len(thumb.content) < len(clean.content)
    with Image.open(io.BytesIO(thumb.content)) as img:
        assert (img.format, img.size) == (fmt, (480, 320))


def test_a_tall_thumbnail_is_bounded_by_its_height() -> None:
    thumb = make_thumbnail(clean_image(_encode(Image.new("RGB", (300, 900)), "PNG")), max_side=90)
    assert (thumb.width, thumb.height) == (30, 90)


def test_a_thumbnail_never_upscales() -> None:
    clean = clean_image(_encode(Image.new("RGB", (100, 50)), "JPEG"))
    assert make_thumbnail(clean, max_side=480) is clean


def test_a_thumbnail_of_a_thin_strip_keeps_one_pixel() -> None:
    clean = clean_image(_encode(Image.new("L", (5000, 1)), "PNG"))
    thumb = make_thumbnail(clean, max_side=100)
    assert (thumb.width, thumb.height) == (100, 1)


def test_a_thumbnail_side_must_be_positive() -> None:
    clean = clean_image(_encode(Image.new("RGB", (10, 10)), "PNG"))
    with pytest.raises(ValueError, match="max_side"):
        make_thumbnail(clean, max_side=0)


def test_saved_images_get_an_unguessable_dated_name(settings: Any) -> None:
    clean = clean_image(_encode(Image.new("RGB", (10, 10)), "WEBP"))
    first, second = save_clean_image(clean), save_clean_image(clean)
    today = timezone.localdate()
    pattern = rf"posts/{today:%Y}/{today:%m}/[0-9a-f]{{32}}\.webp"
    assert re.fullmatch(pattern, first)
    assert re.fullmatch(pattern, second)
    assert first != second
    assert (Path(settings.MEDIA_ROOT) / first).read_bytes() == clean.content
    with default_storage.open(second) as stored:
        assert stored.read() == clean.content


def test_saved_images_go_to_the_storage_given(tmp_path: Path) -> None:
    clean = clean_image(_encode(Image.new("RGB", (10, 10)), "PNG"))
    storage = FileSystemStorage(location=tmp_path / "elsewhere")
    name = save_clean_image(clean, "posts/thumbs", storage=storage)
    assert name.startswith("posts/thumbs/")
    assert name.endswith(".png")
    assert (tmp_path / "elsewhere" / name).read_bytes() == clean.content


@pytest.mark.parametrize("folder", ["", "../etc", "/posts", "posts/", "Posts", "posts/../x"])
def test_a_folder_outside_plain_lower_case_segments_is_a_programming_error(folder: str) -> None:
    clean = clean_image(_encode(Image.new("RGB", (4, 4)), "PNG"))
    with pytest.raises(ValueError, match="folder"):
        save_clean_image(clean, folder)


def test_several_photos_are_cleaned_with_thumbnails_and_a_bad_one_is_named_by_its_number() -> None:
    good = _encode(Image.new("RGB", (900, 300), (9, 9, 9)), "JPEG")
    photos = clean_photos([good, good], thumbnail_side=120)
    assert [(p.full.width, p.thumbnail.width, p.thumbnail.height) for p in photos] == [
        (900, 120, 40)
    ] * 2

    with translation.override("en"), pytest.raises(InvalidImage) as refused:
        clean_photos([good, b"not an image"])
    assert refused.value.message.startswith("Photo 2: ")
    assert refused.value.details == {"index": 1}


def test_stored_photos_land_with_their_thumbnails_and_leave_nothing_when_the_block_fails(
    tmp_path: Path,
) -> None:
    storage = FileSystemStorage(location=tmp_path)
    photos = clean_photos([_encode(Image.new("RGB", (900, 300)), "PNG")], thumbnail_side=120)

    with stored_photos(photos, "evidence", storage=storage) as stored:
        (photo,) = stored
        assert (photo.width, photo.height) == (900, 300)
        assert photo.image.startswith("evidence/")
        assert photo.thumbnail.startswith("evidence/thumbs/")
        assert storage.exists(photo.image) and storage.exists(photo.thumbnail)

    with pytest.raises(RuntimeError), stored_photos(photos, "evidence", storage=storage) as failed:
        raise RuntimeError("the rows could not be written")
    assert not storage.exists(failed[0].image)
    assert not storage.exists(failed[0].thumbnail)
    assert storage.exists(photo.image)  # what an earlier block kept stays
