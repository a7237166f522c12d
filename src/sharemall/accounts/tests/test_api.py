from typing import Any

import pytest
from conftest import Api
from django.test import override_settings
from tests.factories import PASSWORD, MemberFactory

from sharemall.accounts.models import ApiToken, Member

pytestmark = pytest.mark.django_db


def test_register_returns_a_token_that_identifies_the_member(api: Api) -> None:
    answer = api.post(
        "/auth/register",
        {"phone": "+86 138 0013 8000", "password": PASSWORD, "nickname": " 小 明 "},
    )
    assert answer.status == 201
    assert answer.body["parent_id"] is None
    me = api.get("/me", as_=answer.body["token"])
    assert me.status == 200
    assert me.body == {
        "id": answer.body["id"],
        "phone": "13800138000",
        "nickname": "小 明",
        "is_distributor": False,
        "is_operator": False,
        "parent_id": None,
        "bound_until": None,
    }


def test_tokens_are_stored_hashed(api: Api) -> None:
    token = api.post(
        "/auth/register", {"phone": "13800138001", "password": PASSWORD, "nickname": "a"}
    ).body["token"]
    stored = ApiToken.objects.get()
    assert token not in stored.key_hash
    assert len(stored.key_hash) == 64


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"phone": "12345", "password": PASSWORD, "nickname": "x"}, "invalid_phone"),
        ({"phone": "+1 202 555 0100", "password": PASSWORD, "nickname": "x"}, "invalid_phone"),
        ({"phone": "13800138002", "password": "short", "nickname": "x"}, "invalid_password"),
        ({"phone": "13800138002", "password": "12345678901", "nickname": "x"}, "invalid_password"),
        ({"phone": "13800138002", "password": PASSWORD, "nickname": "  "}, "invalid_nickname"),
        ({"phone": "13800138002", "password": PASSWORD}, "invalid_input"),
        ({"phone": 13800138002, "password": PASSWORD, "nickname": "x"}, "invalid_input"),
    ],
)
def test_bad_registrations_are_refused_with_a_code(
    api: Api, body: dict[str, Any], code: str
) -> None:
    answer = api.post("/auth/register", body)
    assert answer.status == 400
    assert answer.error_code == code
    assert Member.objects.count() == 0


def test_malformed_json_is_a_400(api: Api) -> None:
    answer = api.call("POST", "/auth/register", raw=b"{not json")
    assert answer.status == 400
    assert answer.error_code == "invalid_json"


def test_a_phone_registers_once(api: Api) -> None:
    body = {"phone": "13800138003", "password": PASSWORD, "nickname": "x"}
    assert api.post("/auth/register", body).status == 201
    again = api.post("/auth/register", {**body, "phone": "+8613800138003"})
    assert (again.status, again.error_code) == (409, "phone_taken")


def test_login_and_logout_revokes_the_token(api: Api) -> None:
    m = MemberFactory.create(phone="13800138004")
    answer = api.post("/auth/login", {"phone": "138 0013 8004", "password": PASSWORD})
    assert answer.status == 200
    assert answer.body["id"] == m.pk
    token = answer.body["token"]
    assert api.get("/me", as_=token).status == 200
    assert api.post("/auth/logout", as_=token).status == 204
    assert api.get("/me", as_=token).error_code == "unauthenticated"


def test_wrong_password_and_unknown_phone_look_the_same(api: Api) -> None:
    MemberFactory.create(phone="13800138005")
    wrong = api.post("/auth/login", {"phone": "13800138005", "password": "nope-nope"})
    unknown = api.post("/auth/login", {"phone": "13800138006", "password": "nope-nope"})
    assert (wrong.status, wrong.error_code) == (401, "invalid_credentials")
    assert (unknown.status, unknown.error_code) == (401, "invalid_credentials")


@override_settings(AUTH_THROTTLE=False, LOGIN_FAILURE_LOCKOUT=3)
def test_account_locks_after_repeated_failures_even_without_address_throttle(api: Api) -> None:
    MemberFactory.create(phone="13800138007")
    codes = [
        api.post("/auth/login", {"phone": "13800138007", "password": "wrong-pass"}).error_code
        for _ in range(3)
    ]
    assert codes == ["invalid_credentials", "invalid_credentials", "account_locked"]
    right = api.post("/auth/login", {"phone": "13800138007", "password": PASSWORD})
    assert (right.status, right.error_code) == (429, "account_locked")


@override_settings(AUTH_ADDRESS_LIMIT_PER_MINUTE=3)
def test_address_throttle_limits_signups(api: Api) -> None:
    statuses = [
        api.post(
            "/auth/register", {"phone": f"1380013810{i}", "password": PASSWORD, "nickname": "x"}
        ).status
        for i in range(4)
    ]
    assert statuses == [201, 201, 201, 429]


@override_settings(AUTH_ADDRESS_LIMIT_PER_MINUTE=3, AUTH_THROTTLE=False)
def test_auth_throttle_off_lifts_the_address_limit(api: Api) -> None:
    statuses = [
        api.post(
            "/auth/register", {"phone": f"1380013811{i}", "password": PASSWORD, "nickname": "x"}
        ).status
        for i in range(5)
    ]
    assert statuses == [201] * 5


def test_me_needs_a_valid_token(api: Api) -> None:
    assert api.get("/me").error_code == "unauthenticated"
    assert api.get("/me", as_="smt_forged").error_code == "unauthenticated"


def test_enabling_distribution_is_free_and_immediate(api: Api, member: Member) -> None:
    answer = api.post("/me/distributor", as_=member)
    assert answer.body == {"is_distributor": True}
    member.refresh_from_db()
    assert member.is_distributor
