"""Evidence photos through the API: every after-sales answer and dispute answer carries its
photos as absolute addresses, and the buyer adds photos to an open request (multipart)."""

from __future__ import annotations

import io

import pytest
from conftest import Api
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from sharemall.accounts.models import Member
from sharemall.aftersales import services
from sharemall.aftersales.models import AfterSale, AfterSalePhoto
from sharemall.orders.models import Order
from tests.aftersales_support import ask, paid_order
from tests.factories import MemberFactory, OperatorFactory
from tests.hostile_images import REFUSED

pytestmark = pytest.mark.django_db


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def upload(data: bytes | None = None, name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or png_bytes(), content_type="image/png")


def with_photos(count: int) -> tuple[AfterSale, Order, Member, Member]:
    order, buyer, owner = paid_order(units=3, price_fen=3333)
    aftersale = services.aftersale_request(
        buyer=buyer,
        order=order,
        kind="refund",
        lines=[(order.lines.get().pk, 1)],
        reason="坏了",
        photos=[png_bytes() for _ in range(count)],
    )
    return aftersale, order, buyer, owner


def assert_photo(photo: dict, folder: str) -> None:
    assert set(photo) == {"url", "thumbnail_url"}
    assert photo["url"].startswith(f"http://testserver/media/{folder}/")
    assert photo["thumbnail_url"].startswith(f"http://testserver/media/{folder}/thumbs/")


def test_the_buyer_and_the_merchant_see_the_requests_photos(api: Api) -> None:
    aftersale, order, buyer, owner = with_photos(2)

    for who in (buyer, owner):
        detail = api.get(f"/aftersales/{aftersale.pk}", as_=who)
        assert detail.status == 200, detail.body
        assert len(detail.body["photos"]) == 2
        for photo in detail.body["photos"]:
            assert_photo(photo, "aftersales")
    listed = api.get(f"/orders/{order.pk}/aftersales", as_=buyer).body
    assert [len(a["photos"]) for a in listed] == [2]
    queue = api.get(f"/merchants/{order.merchant_id}/aftersales", as_=owner).body
    assert [len(a["photos"]) for a in queue] == [2]


def test_the_merchants_queue_reads_photos_in_one_query_however_many_requests(api: Api) -> None:
    _aftersale, order, buyer, owner = with_photos(1)
    url = f"/merchants/{order.merchant_id}/aftersales"
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(url, as_=owner).body) == 1
    for _ in range(2):
        services.aftersale_request(
            buyer=buyer,
            order=order,
            kind="refund",
            lines=[(order.lines.get().pk, 1)],
            reason="又坏了",
            photos=[png_bytes(), png_bytes()],
        )
    with CaptureQueriesContext(connection) as three:
        assert len(api.get(url, as_=owner).body) == 3
    assert len(three) == len(one)


def test_a_dispute_answers_with_its_photos(api: Api) -> None:
    aftersale, _order, buyer, owner = with_photos(1)
    services.aftersale_reject(aftersale, actor=owner, reason="不同意")
    aftersale.refresh_from_db()
    dispute = services.aftersale_escalate(
        aftersale, actor=buyer, statement="看图", photos=[png_bytes(), png_bytes()]
    )
    operator = OperatorFactory.create()

    [listed] = api.get("/platform/disputes", as_=operator).body
    assert listed["id"] == dispute.pk
    assert len(listed["photos"]) == 2
    for photo in listed["photos"]:
        assert_photo(photo, "disputes")
    trail = api.get(f"/aftersales/{aftersale.pk}/trail", as_=operator).body
    assert len(trail["dispute"]["photos"]) == 2
    assert_photo(trail["dispute"]["photos"][0], "disputes")
    assert len(trail["aftersale"]["photos"]) == 1
    assert_photo(trail["aftersale"]["photos"][0], "aftersales")


def test_escalating_through_the_api_answers_the_dispute_with_no_photos(api: Api) -> None:
    order, buyer, owner = paid_order(units=1, price_fen=1000)
    request = ask(order, buyer, 1)
    services.aftersale_reject(request, actor=owner, reason="不同意")

    answer = api.post(f"/aftersales/{request.pk}/escalate", {"statement": "我要申诉"}, as_=buyer)

    assert answer.status == 201, answer.body
    assert answer.body["photos"] == []


def test_the_buyer_adds_photos_to_an_open_request(api: Api) -> None:
    aftersale, _order, buyer, _owner = with_photos(1)

    answer = api.call(
        "POST",
        f"/aftersales/{aftersale.pk}/photos",
        as_=buyer,
        data={"images": [upload(), upload()]},
    )

    assert answer.status == 201, answer.body
    assert answer.body["id"] == aftersale.pk
    assert len(answer.body["photos"]) == 3
    assert list(
        AfterSalePhoto.objects.filter(aftersale=aftersale).values_list("position", flat=True)
    ) == [0, 1, 2]


def test_too_many_or_bad_photos_add_nothing(api: Api) -> None:
    aftersale, _order, buyer, _owner = with_photos(8)
    url = f"/aftersales/{aftersale.pk}/photos"

    too_many = api.call("POST", url, as_=buyer, data={"images": [upload(), upload()]})
    over_nine = api.call("POST", url, as_=buyer, data={"images": [upload() for _ in range(10)]})
    hostile = api.call("POST", url, as_=buyer, data={"images": [upload(REFUSED[0].data, "x.jpg")]})

    assert (too_many.status, too_many.error_code) == (400, "too_many_photos")
    assert (over_nine.status, over_nine.error_code) == (400, "too_many_photos")
    assert (hostile.status, hostile.error_code) == (400, "invalid_image")
    assert AfterSalePhoto.objects.filter(aftersale=aftersale).count() == 8


def test_only_the_buyer_adds_photos_and_only_while_the_request_is_open(api: Api) -> None:
    aftersale, _order, buyer, owner = with_photos(0)
    url = f"/aftersales/{aftersale.pk}/photos"

    stranger = api.call("POST", url, as_=MemberFactory.create(), data={"images": [upload()]})
    merchant = api.call("POST", url, as_=owner, data={"images": [upload()]})
    services.aftersale_cancel(aftersale, actor=buyer)
    closed = api.call("POST", url, as_=buyer, data={"images": [upload()]})

    assert (stranger.status, merchant.status) == (404, 404)
    assert (closed.status, closed.error_code) == (409, "invalid_transition")
    assert not AfterSalePhoto.objects.exists()
