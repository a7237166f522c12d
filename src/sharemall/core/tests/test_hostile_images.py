"""The hostile-upload corpus through `clean_image` and `make_thumbnail`: refused, or bare."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageFile
from tests.hostile_images import (
    ACCEPTED,
    CASES,
    EXIF_HEADER,
    MAX_BYTES,
    PHP,
    REFUSED,
    SCRIPT,
    ZIP_MAGIC,
    HostileCase,
    encode,
    gps_exif,
    metadata_segments,
    trailing_bytes,
)

from sharemall.core import images
from sharemall.core.images import CleanImage, InvalidImage, clean_image, make_thumbnail

# Broken EXIF makes Pillow's TIFF reader warn as it skips the block; skipping it is the point.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")

EVERYWHERE_FORBIDDEN = (b"<?php", b"<script", ZIP_MAGIC, EXIF_HEADER, b"ICC_PROFILE")
PIXEL_ONLY_INFO = {
    "JPEG": {"jfif", "jfif_version", "jfif_unit", "jfif_density"},
    "PNG": set(),
    "WEBP": {"background", "duration", "loop", "timestamp"},  # Pillow's decoder defaults
}
ROTATED = {5, 6, 7, 8}


def assert_bare(content: bytes, fmt: str) -> None:
    """Decodes cleanly as one still image carrying pixels and nothing else."""
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == fmt
        assert getattr(image, "n_frames", 1) == 1
        image.load()
        assert set(image.info) <= PIXEL_ONLY_INFO[fmt]
        exif = image.getexif()
        assert len(exif) == 0
        assert len(exif.get_ifd(ExifTags.IFD.GPSInfo)) == 0
    assert metadata_segments(content) == []
    assert trailing_bytes(content) == 0
    for forbidden in EVERYWHERE_FORBIDDEN:
        assert forbidden not in content


def test_the_corpus_covers_both_outcomes_and_names_are_unique() -> None:
    assert len(REFUSED) >= 25
    assert len(ACCEPTED) >= 15
    assert len({case.name for case in CASES}) == len(CASES)
    assert MAX_BYTES == images.MAX_BYTES


@pytest.mark.parametrize("case", ACCEPTED, ids=str)
def test_every_payload_is_really_in_the_input(case: HostileCase) -> None:
    for payload in case.payloads:
        assert payload in case.data


def test_the_polyglots_carry_their_payload_after_a_valid_image() -> None:
    polyglot = next(case for case in CASES if case.name == "jpeg-then-php-html-polyglot")
    with Image.open(io.BytesIO(polyglot.data)) as image:
        image.load()
    assert trailing_bytes(polyglot.data) == len(PHP + b"<html>" + SCRIPT)
    zipped = next(case for case in CASES if case.name == "jpeg-then-zip")
    assert trailing_bytes(zipped.data) > 0
    assert ZIP_MAGIC in zipped.data


@pytest.mark.parametrize(
    ("name", "claimed"),
    [
        ("png-bomb-20000x20000", (20_000, 20_000)),
        ("png-bomb-under-pillow-limit", (8000, 8000)),
        ("1-pixel-high-over-40-megapixels", (40_000_001, 1)),
    ],
)
def test_the_bombs_are_small_files_with_every_row_really_inside(
    name: str, claimed: tuple[int, int]
) -> None:
    data = _case(name).data
    assert len(data) < 100_000
    assert struct.unpack(">II", data[16:24]) == claimed
    idat = data.index(b"IDAT")
    length = struct.unpack(">I", data[idat - 4 : idat])[0]
    rows = zlib.decompress(data[idat + 4 : idat + 4 + length])
    width, height = claimed
    bit_depth = data[24]
    assert len(rows) == height * (1 + (width * bit_depth + 7) // 8)


def test_the_oversized_file_is_a_real_jpeg_one_byte_over_the_limit() -> None:
    data = _case("over-10-mb").data
    assert len(data) == images.MAX_BYTES + 1
    assert data.startswith(b"\xff\xd8\xff")


# --- refused ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", REFUSED, ids=str)
def test_hostile_files_are_refused(case: HostileCase) -> None:
    with pytest.raises(InvalidImage) as refused:
        clean_image(case.data)
    assert refused.value.code == "invalid_image"
    assert refused.value.status == 400


@pytest.mark.parametrize("case", REFUSED, ids=str)
def test_hostile_files_are_refused_through_the_upload_path(case: HostileCase) -> None:
    upload = SimpleUploadedFile(case.filename, case.data, content_type="image/jpeg")
    with pytest.raises(InvalidImage):
        clean_image(images.read_image_upload(upload))


@pytest.mark.parametrize(
    "name",
    [
        "png-bomb-under-pillow-limit",
        "png-header-claims-10000x10000",
        "jpeg-header-claims-9000x9000",
        "1-pixel-high-over-40-megapixels",
        "1-pixel-high-30000-wide",
    ],
)
def test_oversized_images_are_refused_before_any_pixel_is_decoded(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = next(case for case in CASES if case.name == name)
    decoded: list[object] = []
    real_load = ImageFile.ImageFile.load

    def spy(self: ImageFile.ImageFile) -> Any:
        decoded.append(self)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    with pytest.raises(InvalidImage):
        clean_image(case.data)
    assert decoded == []


def test_the_decode_spy_does_see_an_ordinary_image(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[object] = []
    real_load = ImageFile.ImageFile.load

    def spy(self: ImageFile.ImageFile) -> Any:
        decoded.append(self)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    clean_image(encode(Image.new("RGB", (8, 8)), "PNG"))
    assert decoded != []


# --- accepted --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ACCEPTED, ids=str)
def test_accepted_files_come_back_reencoded_and_bare(case: HostileCase) -> None:
    clean = clean_image(case.data)
    assert clean.content != case.data
    assert (clean.width, clean.height) == case.size
    assert clean.extension == images.ALLOWED_FORMATS[case.out_format]
    assert_bare(clean.content, case.out_format)
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.size == case.size
    for payload in case.payloads:
        assert payload not in clean.content


@pytest.mark.parametrize("case", ACCEPTED, ids=str)
def test_accepted_files_pass_the_upload_path_whatever_their_name(case: HostileCase) -> None:
    upload = SimpleUploadedFile(case.filename, case.data, content_type="text/html")
    assert clean_image(images.read_image_upload(upload)) == clean_image(case.data)


@pytest.mark.parametrize("case", ACCEPTED, ids=str)
@pytest.mark.parametrize("max_side", [8, 480])
def test_thumbnails_fit_keep_the_shape_and_stay_bare(case: HostileCase, max_side: int) -> None:
    clean = clean_image(case.data)
    thumb = make_thumbnail(clean, max_side=max_side)
    longer = max(clean.width, clean.height)
    assert max(thumb.width, thumb.height) == min(max_side, longer)
    scale = min(1.0, max_side / longer)
    assert abs(thumb.width - clean.width * scale) <= 1
    assert abs(thumb.height - clean.height * scale) <= 1
    assert min(thumb.width, thumb.height) >= 1
    assert thumb.extension == clean.extension
    assert_bare(thumb.content, case.out_format)
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert image.size == (thumb.width, thumb.height)


def _pixel(clean: CleanImage, xy: tuple[int, int]) -> Any:
    with Image.open(io.BytesIO(clean.content)) as image:
        return image.getpixel(xy)


def _case(name: str) -> HostileCase:
    return next(case for case in CASES if case.name == name)


def _close(actual: Any, expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return len(actual) == len(expected) and all(
        abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True)
    )


@pytest.mark.parametrize(
    "name", ["apng-first-frame", "animated-webp-first-frame", "mpo-first-frame"]
)
def test_multi_frame_files_keep_only_the_first_frame(name: str) -> None:
    clean = clean_image(_case(name).data)
    assert (clean.width, clean.height) == (20, 10)  # the MPO's second frame is 30 wide
    assert _close(_pixel(clean, (10, 5))[:3], (255, 0, 0))  # frame 0 is red, frame 1 blue


def test_sixteen_bit_grey_is_scaled_not_clipped_to_white() -> None:
    assert _pixel(clean_image(_case("png-16-bit-grey").data), (0, 0)) == (3, 3, 3)


def test_palette_transparency_becomes_an_alpha_channel() -> None:
    clean = clean_image(_case("png-palette-transparency").data)
    assert _pixel(clean, (0, 0))[3] == 0
    assert _pixel(clean, (5, 3)) == (255, 0, 0, 255)


def test_sixteen_bit_grey_keeps_its_transparent_key() -> None:
    image = Image.new("I;16", (4, 2))
    image.putdata([1000, 1000, 1000, 1000, 40000, 40000, 40000, 40000])
    clean = clean_image(encode(image, "PNG", transparency=1000))
    assert _pixel(clean, (0, 0))[3] == 0
    assert _pixel(clean, (0, 1)) == (156, 156, 156, 255)


def test_cmyk_jpeg_comes_back_as_rgb() -> None:
    clean = clean_image(_case("cmyk-jpeg").data)
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.mode == "RGB"


# --- property: random EXIF never survives ----------------------------------------------------

_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
_dms = st.tuples(
    st.integers(0, 89).map(float),
    st.integers(0, 59).map(float),
    st.integers(0, 5999).map(lambda hundredths: hundredths / 100),
)


@st.composite
def camera_exif(draw: st.DrawFn) -> tuple[Image.Exif, int | None]:
    """Random camera EXIF, often with a GPS position; the orientation too, valid or not."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = draw(_text)
    exif[ExifTags.Base.Model] = draw(_text)
    orientation = draw(st.none() | st.integers(0, 10))
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    latitude, longitude = draw(st.none() | _dms), draw(st.none() | _dms)
    if latitude is not None:
        gps[ExifTags.GPS.GPSLatitudeRef] = "S"
        gps[ExifTags.GPS.GPSLatitude] = latitude
    if longitude is not None:
        gps[ExifTags.GPS.GPSLongitudeRef] = "W"
        gps[ExifTags.GPS.GPSLongitude] = longitude
    return exif, orientation


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    size=st.tuples(st.integers(1, 40), st.integers(1, 40)),
    fmt=st.sampled_from(["JPEG", "PNG", "WEBP"]),
    colour=st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)),
    camera=camera_exif(),
)
def test_random_exif_never_survives_and_dimensions_follow_orientation(
    size: tuple[int, int],
    fmt: str,
    colour: tuple[int, int, int],
    camera: tuple[Image.Exif, int | None],
) -> None:
    exif, orientation = camera
    data = encode(Image.new("RGB", size, colour), fmt, exif=exif)
    with Image.open(io.BytesIO(data)) as original:
        assert len(original.getexif()) >= 2  # the EXIF really went in

    clean = clean_image(data)

    width, height = size
    expected = (height, width) if orientation in ROTATED else (width, height)
    assert (clean.width, clean.height) == expected
    assert_bare(clean.content, fmt)
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.size == expected


# --- property: damaged files are refused or cleaned, never a crash --------------------------

_SEEDS = {
    fmt: encode(Image.linear_gradient("L").resize((24, 16)).convert("RGB"), fmt, exif=gps_exif())
    for fmt in ("JPEG", "PNG", "WEBP")
}


@hypothesis_settings(max_examples=150, deadline=None)
@given(
    fmt=st.sampled_from(sorted(_SEEDS)),
    damage=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=6),
    cut=st.none() | st.floats(0, 1, exclude_max=True),
)
def test_damaged_files_are_refused_or_cleaned_never_a_crash(
    fmt: str, damage: list[tuple[float, int]], cut: float | None
) -> None:
    data = bytearray(_SEEDS[fmt])
    for where, value in damage:
        data[int(where * len(data))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    try:
        clean = clean_image(bytes(data))
    except InvalidImage:
        return
    assert_bare(clean.content, fmt)
