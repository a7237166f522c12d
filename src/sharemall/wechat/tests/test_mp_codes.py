"""Mini-program codes whose scene is a share code (POST /wechat/mp/code) and the landing page
that applies a scanned scene (POST /wechat/mp/landing)."""

from __future__ import annotations

import io
import json

import pytest
import responses
from conftest import Api
from PIL import Image
from responses import matchers
from tests.factories import MemberFactory

from sharemall.accounts.models import Binding, Member
from sharemall.sharing.models import ShareClick
from sharemall.wechat import rules
from sharemall.wechat.tests.mp_support import (
    WXA_CODE_URL,
    calls,
    share_link,
    token_answer,
    wechat_on,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wechat_on")]
_ = wechat_on


def picture(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (43, 43), (0, 0, 0)).save(out, format=fmt)
    return out.getvalue()


# --- the code ----------------------------------------------------------------------------------


@responses.activate
def test_a_sharer_gets_a_png_whose_scene_is_the_share_code(api: Api) -> None:
    token_answer()
    link = share_link()
    png = picture("PNG")
    responses.post(
        WXA_CODE_URL,
        body=png,
        content_type="image/png",
        match=[
            matchers.json_params_matcher(
                {"scene": link.code, "page": "pages/landing/index"}, strict_match=False
            )
        ],
    )

    answer = api.call(
        "POST",
        "/wechat/mp/code",
        as_=link.sharer,
        json_body={"share_code": link.code, "page": "pages/landing/index"},
    )

    assert answer.status == 200
    assert answer.body == png


@responses.activate
def test_without_a_page_the_code_opens_the_home_page(api: Api) -> None:
    token_answer()
    link = share_link()
    responses.post(WXA_CODE_URL, body=picture("PNG"), content_type="image/png")

    answer = api.post("/wechat/mp/code", {"share_code": link.code}, as_=link.sharer)

    assert answer.status == 200
    sent = json.loads(calls(WXA_CODE_URL)[0].request.body)
    assert sent["scene"] == link.code
    assert "page" not in sent


@responses.activate
def test_a_jpeg_from_wechat_is_answered_as_png(api: Api) -> None:
    token_answer()
    link = share_link()
    responses.post(WXA_CODE_URL, body=picture("JPEG"), content_type="image/jpeg")

    answer = api.post("/wechat/mp/code", {"share_code": link.code}, as_=link.sharer)

    assert answer.status == 200
    assert isinstance(answer.body, bytes)
    assert answer.body.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(answer.body)) as decoded:
        assert decoded.size == (43, 43)


@responses.activate
def test_another_members_link_or_none_is_404_without_asking_wechat(api: Api) -> None:
    link = share_link()
    stranger = MemberFactory.create()

    theirs = api.post("/wechat/mp/code", {"share_code": link.code}, as_=stranger)
    unknown = api.post("/wechat/mp/code", {"share_code": "Nope1234"}, as_=link.sharer)

    assert (theirs.status, theirs.error_code) == (404, "not_found")
    assert (unknown.status, unknown.error_code) == (404, "not_found")
    assert not responses.calls


@pytest.mark.parametrize("page", ["/pages/index", "pages/index?x=1", "pages/../x", "页面"])
def test_a_bad_page_is_400_invalid_page(api: Api, page: str) -> None:
    link = share_link()

    answer = api.post("/wechat/mp/code", {"share_code": link.code, "page": page}, as_=link.sharer)

    assert (answer.status, answer.error_code) == (400, "invalid_page")


@responses.activate
def test_wechats_refusal_is_502(api: Api) -> None:
    token_answer()
    link = share_link()
    responses.post(WXA_CODE_URL, json={"errcode": 41030, "errmsg": "invalid page"})

    answer = api.post("/wechat/mp/code", {"share_code": link.code}, as_=link.sharer)

    assert (answer.status, answer.error_code) == (502, "wechat_error")


@responses.activate
def test_an_answer_that_is_no_picture_is_502(api: Api) -> None:
    token_answer()
    link = share_link()
    responses.post(WXA_CODE_URL, body=b"<html>oops</html>", content_type="text/html")

    answer = api.post("/wechat/mp/code", {"share_code": link.code}, as_=link.sharer)

    assert (answer.status, answer.error_code) == (502, "wechat_error")


def test_strangers_must_sign_in(api: Api) -> None:
    answer = api.post("/wechat/mp/code", {"share_code": "abcd1234"})

    assert answer.status == 401


def test_a_scene_is_at_most_32_of_wechats_characters() -> None:
    assert rules.scene_for("AbC123xyz0") == "AbC123xyz0"
    for bad in ("x" * 33, "", "有中文", "a b"):
        with pytest.raises(rules.InvalidScene):
            rules.scene_for(bad)


# --- the landing -------------------------------------------------------------------------------


def test_a_stranger_landing_is_told_the_target_and_counted(api: Api) -> None:
    link = share_link()

    answer = api.post(
        "/wechat/mp/landing", {"scene": link.code}, headers={"X-Device-Id": "device-1"}
    )

    assert answer.status == 200, answer.body
    assert answer.body == {
        "share_code": link.code,
        "target_type": "substore",
        "target_id": link.sharer_id,
        "path": f"/substores/{link.sharer_id}",
    }
    click = ShareClick.objects.get(link=link)
    assert click.visitor is None


def test_the_same_device_counts_once(api: Api) -> None:
    link = share_link()

    for _time in range(2):
        api.post("/wechat/mp/landing", {"scene": link.code}, headers={"X-Device-Id": "device-1"})

    assert ShareClick.objects.filter(link=link).count() == 1


def test_a_signed_in_member_without_a_parent_is_bound_to_the_sharer(api: Api) -> None:
    link = share_link()
    visitor = MemberFactory.create()

    answer = api.post("/wechat/mp/landing", {"scene": link.code}, as_=visitor)

    assert answer.status == 200, answer.body
    assert Member.objects.get(pk=visitor.pk).parent_id == link.sharer_id
    assert Binding.objects.get(member=visitor).source == f"landing:{link.code}"
    assert ShareClick.objects.get(link=link).visitor_id == visitor.pk


def test_a_scene_still_url_encoded_is_understood(api: Api) -> None:
    link = share_link()

    encoded = "".join(f"%{ord(ch):02X}" for ch in link.code)

    answer = api.post("/wechat/mp/landing", {"scene": encoded})

    assert (answer.status, answer.body["share_code"]) == (200, link.code)


@pytest.mark.parametrize("scene", ["NoSuchCode", "%00", "../x", "a" * 200])
def test_an_unknown_scene_is_404(api: Api, scene: str) -> None:
    answer = api.post("/wechat/mp/landing", {"scene": scene})

    assert (answer.status, answer.error_code) == (404, "not_found")
