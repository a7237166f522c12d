"""The hostile-upload corpus through `POST /posts`, as a client would send it: nothing unsafe is
accepted, every accepted photo is served re-encoded with no metadata and no payload."""

from __future__ import annotations

import io

import pytest
from conftest import Api
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from sharemall.accounts.models import Member
from sharemall.posts.models import Post
from tests.factories import MemberFactory, product
from tests.flows import buy_and_receive
from tests.hostile_images import ACCEPTED, REFUSED, HostileCase, metadata_segments, trailing_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(api: Api) -> tuple[Member, int]:
    goods = product(price_fen=1000, stock=10)
    buyer = MemberFactory.create()
    created = buy_and_receive(api, buyer, goods.skus.get(), goods.merchant.owner)
    return buyer, created["orders"][0]["lines"][0]["id"]


def send(api: Api, buyer: Member, line_id: int, case: HostileCase) -> object:
    upload = SimpleUploadedFile(case.filename, case.data, content_type="image/jpeg")
    return api.call(
        "POST",
        "/posts",
        data={"order_line_id": line_id, "text": "实拍", "rating": 4, "images": [upload]},
        as_=buyer,
    )


@pytest.mark.parametrize("case", REFUSED, ids=str)
def test_a_hostile_upload_is_refused_and_leaves_nothing(
    api: Api, line: tuple[Member, int], case: HostileCase
) -> None:
    buyer, line_id = line
    answer = send(api, buyer, line_id, case)
    assert (answer.status, answer.error_code) == (400, "invalid_image")  # type: ignore[attr-defined]
    assert Post.objects.count() == 0


@pytest.mark.parametrize("case", ACCEPTED, ids=str)
def test_an_accepted_upload_is_served_re_encoded_without_metadata(
    api: Api, line: tuple[Member, int], case: HostileCase
) -> None:
    buyer, line_id = line
    answer = send(api, buyer, line_id, case)
    assert answer.status == 201, answer.body  # type: ignore[attr-defined]
    [shown] = api.get(f"/posts/{answer.body['id']}").body["images"]  # type: ignore[attr-defined]
    served = Client().get(shown)
    assert served.status_code == 200
    assert served["X-Content-Type-Options"] == "nosniff"
    data = b"".join(served.streaming_content)
    assert data != case.data
    assert metadata_segments(data) == []
    assert trailing_bytes(data) == 0
    for payload in case.payloads:
        assert payload not in data
    image = Image.open(io.BytesIO(data))
    assert not image.getexif()
    assert image.size == case.size
