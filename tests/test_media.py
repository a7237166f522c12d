"""Where uploaded images are stored (local disk or S3, by configuration) and how they are served."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, default_storage
from django.test import Client
from moto import mock_aws
from PIL import Image
from storages.backends.s3 import S3Storage

from sharemall.config.settings import _media_storage
from sharemall.core.images import CleanImage, clean_image, make_thumbnail, save_clean_image

BUCKET = "sharemall-media"
REGION = "ap-southeast-1"
S3_NAMES = (
    "MEDIA_STORAGE",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_CUSTOM_DOMAIN",
    "S3_ADDRESSING_STYLE",
)


def _jpeg() -> CleanImage:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(out, format="JPEG")
    return clean_image(out.getvalue())


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in S3_NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _s3_env(env: pytest.MonkeyPatch, **extra: str) -> None:
    values = {
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": BUCKET,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": "test-key-id",
        "S3_SECRET_ACCESS_KEY": "test-secret",
        **extra,
    }
    for name, value in values.items():
        env.setenv(name, value)


# --- configuration ---------------------------------------------------------------------------


def test_local_files_are_the_default(env: pytest.MonkeyPatch) -> None:
    assert _media_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    env.setenv("MEDIA_STORAGE", "LOCAL")
    assert _media_storage()["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_the_running_configuration_stores_media_on_disk_and_static_files_as_before(
    settings: Any,
) -> None:
    assert settings.STORAGES["staticfiles"] == {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    name = save_clean_image(_jpeg())
    assert isinstance(default_storage, FileSystemStorage)
    assert (Path(settings.MEDIA_ROOT) / name).is_file()


def test_s3_options_come_from_the_environment(env: pytest.MonkeyPatch) -> None:
    _s3_env(
        env,
        S3_ENDPOINT_URL="https://oss-cn-hangzhou.aliyuncs.com",
        S3_CUSTOM_DOMAIN="img.example.com/",
        S3_ADDRESSING_STYLE="virtual",
    )
    assert _media_storage() == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": "https://oss-cn-hangzhou.aliyuncs.com",
            "region_name": REGION,
            "addressing_style": "virtual",
            "access_key": "test-key-id",
            "secret_key": "test-secret",
            "custom_domain": "img.example.com",
            "file_overwrite": False,
            "default_acl": None,
            "signature_version": "s3v4",
        },
    }


def test_s3_without_keys_uses_the_machines_own_credentials(env: pytest.MonkeyPatch) -> None:
    _s3_env(env, S3_ACCESS_KEY_ID="", S3_SECRET_ACCESS_KEY="")
    options: Any = _media_storage()["OPTIONS"]
    assert (options["access_key"], options["secret_key"]) == (None, None)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE must be local or s3"),
        ({"S3_BUCKET": ""}, "S3_BUCKET is required"),
        ({"S3_ENDPOINT_URL": "oss-cn-hangzhou.aliyuncs.com"}, "S3_ENDPOINT_URL must be"),
        ({"S3_ENDPOINT_URL": "https://host/path"}, "S3_ENDPOINT_URL must be"),
        ({"S3_REGION": "Asia East"}, "S3_REGION must look like"),
        ({"S3_SECRET_ACCESS_KEY": ""}, "go together"),
        ({"S3_ACCESS_KEY_ID": ""}, "go together"),
        ({"S3_CUSTOM_DOMAIN": "https://img.example.com"}, "S3_CUSTOM_DOMAIN is a host name"),
        ({"S3_ADDRESSING_STYLE": "dns"}, "S3_ADDRESSING_STYLE must be"),
    ],
)
def test_a_bad_s3_setting_fails_loudly(
    env: pytest.MonkeyPatch, extra: dict[str, str], message: str
) -> None:
    _s3_env(env, **extra)
    with pytest.raises(ImproperlyConfigured, match=message):
        _media_storage()


def test_a_missing_bucket_stops_the_process_at_start(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", *S3_NAMES}}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "sharemall"), "check"],
        cwd=tmp_path,
        env={**base, "SECRET_KEY": "k", "MEDIA_STORAGE": "s3"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "S3_BUCKET is required when MEDIA_STORAGE is s3" in result.stderr


# --- S3 through moto -------------------------------------------------------------------------


@pytest.fixture
def s3(env: pytest.MonkeyPatch, settings: Any) -> Iterator[Any]:
    """An in-memory S3 with the bucket made, and Django configured from the environment for it."""
    _s3_env(env)
    with mock_aws():
        client = boto3.client(
            "s3",
            region_name=REGION,
            aws_access_key_id="test-key-id",
            aws_secret_access_key="test-secret",
        )
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        settings.STORAGES = {**settings.STORAGES, "default": _media_storage()}
        yield client


def test_the_s3_configuration_stores_and_reads_back_a_cleaned_image(s3: Any) -> None:
    clean = _jpeg()
    thumb = make_thumbnail(clean)

    name = save_clean_image(clean)
    thumb_name = save_clean_image(thumb, "posts/thumbs")

    assert isinstance(default_storage, S3Storage)
    with default_storage.open(name) as stored:
        assert stored.read() == clean.content
    stored_object = s3.get_object(Bucket=BUCKET, Key=name)
    assert stored_object["Body"].read() == clean.content
    assert stored_object["ContentType"] == "image/jpeg"
    assert s3.head_object(Bucket=BUCKET, Key=thumb_name)["ContentLength"] == len(thumb.content)
    url = default_storage.url(name)
    assert url.startswith(f"https://{BUCKET}.s3.")
    assert f".amazonaws.com/{name}?" in url
    assert f"%2F{REGION}%2Fs3%2Faws4_request" in url
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url  # the bucket stays private; links are signed
    assert "X-Amz-Signature=" in url


def test_on_s3_a_repeated_name_gets_a_new_key_instead_of_overwriting(s3: Any) -> None:
    first = default_storage.save("products/p1.jpg", io.BytesIO(b"first"))
    second = default_storage.save("products/p1.jpg", io.BytesIO(b"second"))
    assert first != second
    assert s3.get_object(Bucket=BUCKET, Key=first)["Body"].read() == b"first"


def test_with_a_custom_domain_urls_point_at_it_unsigned(
    s3: Any, env: pytest.MonkeyPatch, settings: Any
) -> None:
    env.setenv("S3_CUSTOM_DOMAIN", "img.example.com")
    settings.STORAGES = {**settings.STORAGES, "default": _media_storage()}
    name = save_clean_image(_jpeg())
    assert default_storage.url(name) == f"https://img.example.com/{name}"


def test_an_s3_compatible_endpoint_reaches_the_client(env: pytest.MonkeyPatch) -> None:
    _s3_env(env, S3_ENDPOINT_URL="https://cos.ap-guangzhou.myqcloud.com")
    options: Any = _media_storage()["OPTIONS"]
    storage = S3Storage(**options)
    assert storage.connection.meta.client.meta.endpoint_url == (
        "https://cos.ap-guangzhou.myqcloud.com"
    )


# --- serving from local disk -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_served_images_are_typed_and_never_sniffed(fmt: str, content_type: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format=fmt)
    clean = clean_image(out.getvalue())
    response = Client().get(f"/media/{save_clean_image(clean)}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == clean.content  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["page.html", "logo.svg", "script.js", "posts/x.php", "noext"])
def test_anything_but_an_image_in_the_media_folder_is_not_served(settings: Any, name: str) -> None:
    target = Path(settings.MEDIA_ROOT) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"<script>alert(1)</script>")
    assert Client().get(f"/media/{name}").status_code == 404


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/media/../secret.png", 400),  # Django's safe_join refuses and logs to django.security
        ("/media/%2e%2e/secret.png", 400),
        ("/media/posts/../../secret.png", 400),
        ("/media//secret.png", 404),
    ],
)
def test_media_paths_cannot_climb_out_of_the_folder(settings: Any, path: str, status: int) -> None:
    secret = Path(settings.MEDIA_ROOT).parent / "secret.png"
    secret.write_bytes(b"not for you")
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == status
    assert b"not for you" not in response.content


def test_a_missing_image_is_a_plain_404() -> None:
    response = Client().get("/media/posts/2026/01/none.jpg")
    assert response.status_code == 404
    assert response["X-Content-Type-Options"] == "nosniff"
