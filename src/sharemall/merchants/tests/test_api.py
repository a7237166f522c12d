import io

import pytest
from conftest import Api
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from tests.factories import MemberFactory, merchant, phone, valid_uscc

from sharemall.accounts.models import Member
from sharemall.merchants.models import Merchant, MerchantEvent, Staff, Store

pytestmark = pytest.mark.django_db

# Published, real-format licence codes (check characters per GB 32100).
REAL_USCC = ["91110000600037341L", "91440300MA5FCX0D9K"]


def application(**overrides: object) -> dict[str, object]:
    return {
        "legal_name": "深圳市好物分享科技有限公司",
        "uscc": valid_uscc(),
        "legal_rep": "李四",
        "contact_phone": phone(),
        **overrides,
    }


@pytest.mark.parametrize("code", [REAL_USCC[0], "9144030071526726XG"])
def test_real_licence_codes_are_accepted_and_submitted(api: Api, member: Member, code: str) -> None:
    answer = api.post("/merchants", application(uscc=code), as_=member)
    assert answer.status == 201
    assert answer.body["status"] == "submitted"
    assert answer.body["uscc"] == code
    m = Merchant.objects.get(pk=answer.body["id"])
    assert list(m.events.values_list("from_status", "to_status", "actor_id")) == [
        ("", "submitted", member.pk)
    ]
    assert Staff.objects.get(merchant=m).role == "owner"
    assert Store.objects.filter(merchant=m, kind="online").count() == 1


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341X",  # wrong check character
        "9111000060003734",  # too short
        "91110000600037341LL",  # too long
        "ABCDEFGHIJKLMNOPQR",
        "",
        "91110000I00037341L",  # I is not in the GB 32100 alphabet
    ],
)
def test_malformed_licence_codes_are_refused(api: Api, member: Member, code: str) -> None:
    answer = api.post("/merchants", application(uscc=code), as_=member)
    assert (answer.status, answer.error_code) == (400, "invalid_uscc")
    assert Merchant.objects.count() == 0
    assert Store.objects.count() == 0


def test_a_live_licence_code_backs_one_merchant(api: Api, member: Member) -> None:
    code = valid_uscc()
    assert api.post("/merchants", application(uscc=code), as_=member).status == 201
    again = api.post("/merchants", application(uscc=code), as_=MemberFactory.create())
    assert (again.status, again.error_code) == (409, "uscc_taken")


def test_application_needs_sign_in(api: Api) -> None:
    answer = api.post("/merchants", application())
    assert (answer.status, answer.error_code) == (401, "unauthenticated")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"contact_phone": "123"}, "invalid_phone"),
        ({"legal_name": "   "}, "invalid_input"),
        ({"legal_rep": None}, "invalid_input"),
        ({"uscc": 12345}, "invalid_input"),
    ],
)
def test_bad_applications_get_a_code(
    api: Api, member: Member, overrides: dict[str, object], code: str
) -> None:
    answer = api.post("/merchants", application(**overrides), as_=member)
    assert (answer.status, answer.error_code) == (400, code)
    assert Merchant.objects.count() == 0


def test_operator_approves_and_the_decision_is_recorded(
    api: Api, member: Member, operator: Member
) -> None:
    mid = api.post("/merchants", application(), as_=member).body["id"]
    upload = SimpleUploadedFile("licence.png", _png(), content_type="image/png")
    api.call("POST", f"/merchants/{mid}/licence", as_=member, data={"image": upload})
    answer = api.post(f"/platform/merchants/{mid}/approve", as_=operator)
    assert answer.status == 200
    assert answer.body == {"id": mid, "status": "approved"}
    last = MerchantEvent.objects.filter(merchant_id=mid).last()
    assert last is not None
    assert (last.from_status, last.to_status, last.actor_id) == (
        "submitted",
        "approved",
        operator.pk,
    )
    again = api.post(f"/platform/merchants/{mid}/approve", as_=operator)
    assert (again.status, again.error_code) == (409, "invalid_transition")


def test_rejection_needs_a_reason_and_the_merchant_can_resubmit(
    api: Api, member: Member, operator: Member
) -> None:
    mid = api.post("/merchants", application(), as_=member).body["id"]
    no_reason = api.post(f"/platform/merchants/{mid}/reject", {"reason": " "}, as_=operator)
    assert (no_reason.status, no_reason.error_code) == (400, "invalid_input")
    rejected = api.post(f"/platform/merchants/{mid}/reject", {"reason": "执照模糊"}, as_=operator)
    assert rejected.body == {"id": mid, "status": "rejected"}
    detail = api.get(f"/merchants/{mid}", as_=member)
    assert detail.body["rejection_reason"] == "执照模糊"
    edited = api.put(f"/merchants/{mid}", {"legal_rep": "王五"}, as_=member)
    assert edited.body["legal_rep"] == "王五"
    assert api.post(f"/merchants/{mid}/submit", as_=member).body["status"] == "submitted"
    events = api.get(f"/merchants/{mid}/events", as_=member).body
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        ("", "submitted"),
        ("submitted", "rejected"),
        ("rejected", "submitted"),
    ]
    assert events[1]["reason"] == "执照模糊"


def test_live_application_cannot_be_edited(api: Api, member: Member) -> None:
    mid = api.post("/merchants", application(), as_=member).body["id"]
    answer = api.put(f"/merchants/{mid}", {"legal_rep": "王五"}, as_=member)
    assert (answer.status, answer.error_code) == (400, "not_editable")


def test_suspend_and_reinstate(api: Api, operator: Member) -> None:
    m = merchant()
    suspended = api.post(
        f"/platform/merchants/{m.pk}/suspend", {"reason": "售假投诉"}, as_=operator
    )
    assert suspended.body["status"] == "suspended"
    back = api.post(f"/platform/merchants/{m.pk}/reinstate", {"reason": "整改完成"}, as_=operator)
    assert back.body["status"] == "approved"


def test_draft_then_submit(api: Api, member: Member) -> None:
    answer = api.post("/merchants", application(draft=True), as_=member)
    assert answer.body["status"] == "draft"
    assert api.post(f"/merchants/{answer.body['id']}/submit", as_=member).body["status"] == (
        "submitted"
    )


def test_review_queue_is_for_operators(api: Api, member: Member, operator: Member) -> None:
    api.post("/merchants", application(), as_=member)
    assert api.get("/platform/merchants?status=submitted", as_=member).status == 403
    queue = api.get("/platform/merchants?status=submitted", as_=operator)
    assert [m["status"] for m in queue.body] == ["submitted"]
    bad = api.get("/platform/merchants?status=nonsense", as_=operator)
    assert (bad.status, bad.error_code) == (400, "invalid_input")


def _png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def test_licence_image_is_validated_and_reencoded(api: Api, member: Member) -> None:
    mid = api.post("/merchants", application(), as_=member).body["id"]
    upload = SimpleUploadedFile("licence.png", _png(), content_type="image/png")
    answer = api.call("POST", f"/merchants/{mid}/licence", as_=member, data={"image": upload})
    assert answer.status == 200
    assert answer.body["licence_image_url"].endswith(".png")
    script = SimpleUploadedFile("licence.png", b"<script>alert(1)</script>", "image/png")
    bad = api.call("POST", f"/merchants/{mid}/licence", as_=member, data={"image": script})
    assert (bad.status, bad.error_code) == (400, "invalid_image")


STORE = {
    "name": "南山旗舰店",
    "region_code": "440305",
    "address": "科技园南区 1 号",
    "latitude": 22.5405,
    "longitude": 113.9345,
    "opening_hours": [{"weekday": 1, "opens": "09:00", "closes": "21:00"}],
    "phone": "13912345678",
}


def test_owner_adds_offline_stores_and_strangers_find_them_nearby(api: Api) -> None:
    m = merchant()
    answer = api.post(f"/merchants/{m.pk}/stores", STORE, as_=m.owner)
    assert answer.status == 201
    assert answer.body["region_name"] == "广东省深圳市南山区"
    far = {
        **STORE,
        "name": "福田店",
        "region_code": "440304",
        "latitude": 22.5431,
        "longitude": 114.0579,
    }
    api.post(f"/merchants/{m.pk}/stores", far, as_=m.owner)
    near = api.get("/stores/nearby?lat=22.5400&lng=113.9340&radius_m=20000")
    assert [s["name"] for s in near.body] == ["南山旗舰店", "福田店"]
    assert near.body[0]["distance_m"] < 100
    assert 12_000 < near.body[1]["distance_m"] < 13_000
    close = api.get("/stores/nearby?lat=22.5400&lng=113.9340&radius_m=1000")
    assert [s["name"] for s in close.body] == ["南山旗舰店"]


def test_stores_of_unapproved_merchants_are_not_listed(api: Api) -> None:
    m = merchant(approved=False)
    api.post(f"/merchants/{m.pk}/stores", STORE, as_=m.owner)
    assert api.get("/stores/nearby?lat=22.54&lng=113.93").body == []
    assert api.get(f"/merchants/{m.pk}/stores").status == 404


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"region_code": "999999"}, "invalid_region"),
        ({"region_code": "440300"}, "invalid_region"),  # a city, not a district
        ({"latitude": 91}, "invalid_coordinates"),
        (
            {"opening_hours": [{"weekday": 8, "opens": "09:00", "closes": "10:00"}]},
            "invalid_opening_hours",
        ),
        (
            {"opening_hours": [{"weekday": 1, "opens": "9am", "closes": "10:00"}]},
            "invalid_opening_hours",
        ),
        ({"address": ""}, "invalid_input"),
    ],
)
def test_bad_stores_are_refused(api: Api, overrides: dict[str, object], code: str) -> None:
    m = merchant()
    answer = api.post(f"/merchants/{m.pk}/stores", {**STORE, **overrides}, as_=m.owner)
    assert (answer.status, answer.error_code) == (400, code)
    assert Store.objects.filter(merchant=m, kind="offline").count() == 0


def test_nearby_query_is_validated(api: Api) -> None:
    assert api.get("/stores/nearby?lat=200&lng=0").error_code == "invalid_input"
    assert api.get("/stores/nearby?lat=abc&lng=0").error_code == "invalid_input"


def test_staff_management(api: Api) -> None:
    m = merchant()
    clerk = MemberFactory.create()
    added = api.post(f"/merchants/{m.pk}/staff", {"phone": clerk.phone}, as_=m.owner)
    assert added.status == 201
    assert added.body["role"] == "staff"
    dup = api.post(f"/merchants/{m.pk}/staff", {"phone": clerk.phone}, as_=m.owner)
    assert (dup.status, dup.error_code) == (409, "already_staff")
    # The team (with its phone numbers) is the owner's to see and change; a clerk is told so.
    listed = api.get(f"/merchants/{m.pk}/staff", as_=clerk)
    assert (listed.status, listed.error_code) == (403, "owner_only")
    added_by_clerk = api.post(f"/merchants/{m.pk}/staff", {"phone": phone()}, as_=clerk)
    assert (added_by_clerk.status, added_by_clerk.error_code) == (403, "owner_only")
    assert Staff.objects.filter(merchant=m).count() == 2
    assert api.delete(f"/merchants/{m.pk}/staff/{clerk.pk}", as_=m.owner).status == 204
    assert api.get(f"/merchants/{m.pk}/staff", as_=clerk).status == 404
    # The owner cannot be removed.
    assert api.delete(f"/merchants/{m.pk}/staff/{m.owner_id}", as_=m.owner).status == 404


def test_regions_walk_the_gb2260_tree(api: Api) -> None:
    provinces = api.get("/regions").body
    assert {
        "code": "440000",
        "name": "广东省",
        "full_name": "广东省",
        "level": "province",
    } in provinces
    cities = api.get("/regions?parent=440000").body
    assert any(c["code"] == "440300" for c in cities)
    districts = api.get("/regions?parent=440300").body
    assert any(d["code"] == "440305" and d["full_name"] == "广东省深圳市南山区" for d in districts)
    beijing = api.get("/regions?parent=110000").body
    assert any(d["code"] == "110108" for d in beijing)  # municipality: districts directly
    assert api.get("/regions?parent=000000").error_code == "invalid_region"
