"""The sharing endpoints: shapes, permissions and refusals."""

from __future__ import annotations

import io
from typing import Any

import pytest
import segno
from conftest import Api
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from tests.factories import MemberFactory, product

from sharemall.accounts.models import Member
from sharemall.sharing.models import ShareClick, ShareLink
from sharemall.sharing.services import click_record, share_create
from sharemall.sharing.tests.support import NOON, set_rules

pytestmark = pytest.mark.django_db

BASE = "https://mall.example.com"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _public_base(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = BASE


# --- POST /shares ------------------------------------------------------------------------------


def test_a_member_shares_a_product(api: Api, member: Member) -> None:
    tea = product()

    answer = api.post(
        "/shares",
        {"target_type": "product", "target_id": tea.pk, "channel": "wechat_chat"},
        as_=member,
    )

    assert answer.status == 201, answer.body
    code = answer.body["code"]
    link = ShareLink.objects.get(code=code)
    assert (link.sharer_id, link.target_type, link.target_id, link.channel, link.rewarded) == (
        member.pk,
        "product",
        tea.pk,
        "wechat_chat",
        True,
    )
    assert answer.body == {
        "code": code,
        "url": f"{BASE}/s/{code}",
        "qr_url": f"{BASE}/api/v1/shares/{code}/qr.png",
        "rewarded": True,
        "message": answer.body["message"],
        "target_type": "product",
        "target_id": tea.pk,
        "channel": "wechat_chat",
        "created_at": answer.body["created_at"],
    }
    assert answer.body["message"]


def test_the_channel_defaults_to_link(api: Api, member: Member) -> None:
    answer = api.post("/shares", {"target_type": "product", "target_id": product().pk}, as_=member)

    assert answer.status == 201
    assert answer.body["channel"] == "link"


def test_past_the_cap_the_link_is_made_but_not_rewarded(api: Api, member: Member) -> None:
    set_rules(share_daily_cap=1)
    body = {"target_type": "product", "target_id": product().pk}
    api.post("/shares", body, as_=member)

    answer = api.post("/shares", body, as_=member, headers={"Accept-Language": "en"})

    assert answer.status == 201
    assert answer.body["rewarded"] is False
    assert "earns nothing" in answer.body["message"]
    assert ShareLink.objects.filter(code=answer.body["code"], rewarded=False).exists()


def test_strangers_cannot_share(api: Api) -> None:
    answer = api.post("/shares", {"target_type": "product", "target_id": product().pk})

    assert (answer.status, answer.error_code) == (401, "unauthenticated")
    assert not ShareLink.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"target_type": "post", "target_id": 1}, 404, "not_found"),
        ({"target_type": "substore", "target_id": 1}, 400, "invalid_target"),
        ({"target_type": "product", "target_id": 999_999}, 404, "not_found"),
        ({"target_type": "store", "target_id": 999_999}, 404, "not_found"),
        ({"target_type": "group", "target_id": 1}, 400, "invalid_input"),
        ({"target_type": "product", "target_id": 0}, 400, "invalid_input"),
        ({"target_type": "product", "target_id": 2**64}, 400, "invalid_input"),
        ({"target_type": "product", "target_id": "abc"}, 400, "invalid_input"),
        ({"target_type": "product"}, 400, "invalid_input"),
        ({"target_type": "product", "target_id": 1, "channel": "x" * 31}, 400, "invalid_input"),
        ([], 400, "invalid_input"),
    ],
)
def test_bad_shares_are_refused_with_a_code(
    api: Api, member: Member, body: Any, status: int, code: str
) -> None:
    answer = api.post("/shares", body, as_=member)

    assert (answer.status, answer.error_code) == (status, code), answer.body
    assert not ShareLink.objects.exists()


def test_a_body_that_is_not_json_is_refused(api: Api, member: Member) -> None:
    answer = api.call("POST", "/shares", raw=b"{nope", as_=member)

    assert answer.status == 400
    assert answer.error_code is not None


# --- GET /shares -------------------------------------------------------------------------------


def test_my_shares_newest_first_with_click_counts(api: Api, member: Member) -> None:
    older = share_create(sharer=member, target_type="product", target_id=product().pk, now=NOON)
    newer = share_create(sharer=member, target_type="product", target_id=product().pk)
    share_create(sharer=MemberFactory.create(), target_type="product", target_id=product().pk)
    for device in ("a", "b", "c"):
        click_record(code=older.link.code, visitor_key=device)
    click_record(code=older.link.code, visitor_member=member)  # own: not counted

    answer = api.get("/shares", as_=member)

    assert answer.status == 200
    assert [(s["code"], s["clicks"]) for s in answer.body] == [
        (newer.link.code, 0),
        (older.link.code, 3),
    ]
    first = answer.body[0]
    assert first["url"] == f"{BASE}/s/{newer.link.code}"
    assert first["qr_url"] == f"{BASE}/api/v1/shares/{newer.link.code}/qr.png"
    assert {"rewarded", "target_type", "target_id", "channel", "created_at"} <= set(first)


def test_my_shares_pages_and_costs_the_same_for_many(api: Api, member: Member) -> None:
    for _ in range(3):
        share_create(sharer=member, target_type="product", target_id=product().pk)
    with CaptureQueriesContext(connection) as few:
        assert len(api.get("/shares", as_=member).body) == 3
    for _ in range(5):
        share_create(sharer=member, target_type="product", target_id=product().pk)

    with CaptureQueriesContext(connection) as many:
        assert len(api.get("/shares?limit=5&offset=1", as_=member).body) == 5

    assert len(many.captured_queries) == len(few.captured_queries)


def test_strangers_have_no_shares_list(api: Api) -> None:
    assert api.get("/shares").status == 401


# --- GET /shares/{code} ------------------------------------------------------------------------


def test_anyone_can_see_what_a_code_names(api: Api, member: Member) -> None:
    tea = product()
    link = share_create(sharer=member, target_type="product", target_id=tea.pk).link

    answer = api.get(f"/shares/{link.code}")

    assert answer.status == 200
    assert answer.body == {
        "code": link.code,
        "target_type": "product",
        "target_id": tea.pk,
        "sharer_nickname": member.nickname,
        "url": f"{BASE}/s/{link.code}",
    }


@pytest.mark.parametrize("code", ["NOSUCHCODE", "x" * 100])
def test_unknown_codes_are_not_found(api: Api, code: str) -> None:
    for path in (f"/shares/{code}", f"/shares/{code}/qr.png"):
        answer = api.get(path)
        assert (answer.status, answer.error_code) == (404, "not_found"), path
    answer = api.post(f"/shares/{code}/click", headers={"X-Device-Id": "d"})
    assert (answer.status, answer.error_code) == (404, "not_found")


def test_a_code_with_a_nul_byte_is_invalid_input(api: Api) -> None:
    for path in ("/shares/%00", "/shares/%00/qr.png"):
        answer = api.get(path)
        assert (answer.status, answer.error_code) == (400, "invalid_input"), path
    answer = api.post("/shares/%00/click", headers={"X-Device-Id": "d"})
    assert (answer.status, answer.error_code) == (400, "invalid_input")


# --- GET /shares/{code}/qr.png -----------------------------------------------------------------


def _modules(png: bytes, *, border: int = 4) -> list[list[bool]]:
    """Read the dark/light modules back from the picture, sampling each module's centre."""
    image = Image.open(io.BytesIO(png)).convert("L")
    side = image.width
    count = None
    for version in range(1, 41):
        n = 17 + 4 * version
        if side % (n + 2 * border) == 0:
            count = n
            break
    assert count is not None, side
    scale = side // (count + 2 * border)
    return [
        [
            image.getpixel(
                ((border + col) * scale + scale // 2, (border + row) * scale + scale // 2)
            )
            == 0
            for col in range(count)
        ]
        for row in range(count)
    ]


def test_the_qr_code_is_a_png_of_the_share_url(api: Api, member: Member) -> None:
    link = share_create(sharer=member, target_type="product", target_id=product().pk).link

    response = api.client.get(f"/api/v1/shares/{link.code}/qr.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "max-age" in response["Cache-Control"]
    png = response.content
    assert png.startswith(PNG_MAGIC)
    width, height = Image.open(io.BytesIO(png)).size
    assert width == height
    assert 250 <= width <= 350
    expected = segno.make_qr(f"{BASE}/s/{link.code}", error="m")
    assert _modules(png) == [[bool(cell) for cell in row] for row in expected.matrix]


# --- POST /shares/{code}/click -----------------------------------------------------------------


def test_an_app_records_a_strangers_click_by_device(api: Api) -> None:
    tea = product()
    link = share_create(sharer=MemberFactory.create(), target_type="product", target_id=tea.pk)
    path = f"/shares/{link.link.code}/click"

    first = api.post(path, headers={"X-Device-Id": "device-1"})
    again = api.post(path, headers={"X-Device-Id": "device-1"})
    other = api.post(path, headers={"X-Device-Id": "device-2"})

    assert first.status == 200
    assert first.body == {"target_type": "product", "target_id": tea.pk, "counted": True}
    assert (again.body["counted"], other.body["counted"]) == (False, True)
    assert sorted(ShareClick.objects.values_list("visitor_key", flat=True)) == [
        "v:device-1",
        "v:device-2",
    ]


def test_an_app_records_a_members_click(api: Api, member: Member) -> None:
    link = share_create(
        sharer=MemberFactory.create(), target_type="product", target_id=product().pk
    ).link

    answer = api.post(f"/shares/{link.code}/click", as_=member)

    assert answer.body["counted"] is True
    assert ShareClick.objects.get().visitor_id == member.pk
    assert member.share_touch.link_id == link.pk


def test_the_sharers_own_app_click_is_not_counted(api: Api, member: Member) -> None:
    link = share_create(sharer=member, target_type="product", target_id=product().pk).link

    answer = api.post(f"/shares/{link.code}/click", as_=member)

    assert (answer.status, answer.body["counted"]) == (200, False)
    assert not ShareClick.objects.exists()
