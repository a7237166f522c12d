"""SMS verification codes through the API, with the sandbox backend: sign-up with a code, log-in
by code, password reset, and the code rules (expiry, guesses, resend interval, single use,
hashing at rest, daily caps)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.utils import timezone

from sharemall.accounts.models import ApiToken, Member
from sharemall.sharing import services as sharing
from sharemall.sms.models import SandboxSms
from sharemall.verification.models import SendGuard, VerificationCode
from tests.factories import PASSWORD, MemberFactory, merchant, phone, product

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "An0ther-Sh4re-pass"


@pytest.fixture(autouse=True)
def _verification_on(settings: Any) -> None:
    settings.PHONE_VERIFICATION = True
    settings.SMS_BACKEND = "sandbox"


def ask(api: Api, number: str, purpose: str, **kw: Any) -> Any:
    return api.post("/auth/sms-code", {"phone": number, "purpose": purpose}, **kw)


def inbox(api: Api, number: str) -> list[dict[str, Any]]:
    answer = api.get(f"/sandbox/sms/{number}")
    assert answer.status == 200, answer.body
    return list(answer.body)


def code_for(api: Api, number: str, purpose: str) -> str:
    answer = ask(api, number, purpose)
    assert answer.status == 202, answer.body
    newest = inbox(api, number)[0]
    assert newest["purpose"] == purpose
    return str(newest["code"])


def next_turn(number: str) -> None:
    """As if the resend interval had passed for the phone."""
    SendGuard.objects.filter(phone=number).update(next_allowed_at=timezone.now())


def register(api: Api, number: str, code: str | None, **extra: Any) -> Any:
    body = {"phone": number, "password": PASSWORD, "nickname": "新人", **extra}
    if code is not None:
        body["sms_code"] = code
    return api.post("/auth/register", body)


def test_sign_up_with_the_code_texted_to_the_phone(api: Api) -> None:
    number = phone()
    code = code_for(api, number, "register")
    assert len(code) == 6 and code.isdigit()
    answer = register(api, number, code)
    assert answer.status == 201, answer.body
    assert Member.objects.filter(phone=number).exists()


def test_sign_up_needs_a_code_while_verification_is_on(api: Api) -> None:
    number = phone()
    assert register(api, number, None).error_code == "invalid_code"
    assert register(api, number, "123456").error_code == "invalid_code"
    assert not Member.objects.filter(phone=number).exists()


def test_sign_up_without_a_code_when_verification_is_off(api: Api, settings: Any) -> None:
    settings.PHONE_VERIFICATION = False
    assert register(api, phone(), None).status == 201


def test_a_wrong_code_is_400_invalid_code_and_the_right_one_still_works(api: Api) -> None:
    number = phone()
    code = code_for(api, number, "register")
    wrong = "000000" if code != "000000" else "111111"
    answer = register(api, number, wrong)
    assert answer.status == 400
    assert answer.error_code == "invalid_code"
    assert register(api, number, code).status == 201


def test_codes_are_stored_only_as_a_keyed_hash(api: Api) -> None:
    number = phone()
    code = code_for(api, number, "register")
    row = VerificationCode.objects.get(phone=number)
    assert code not in row.code_hash
    assert len(row.code_hash) == 64
    assert not any(code in str(value) for value in VerificationCode.objects.values().get().values())


def test_an_expired_code_is_refused(api: Api) -> None:
    number = phone()
    code = code_for(api, number, "register")
    VerificationCode.objects.filter(phone=number).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert register(api, number, code).error_code == "invalid_code"


def test_a_code_lives_five_minutes(api: Api) -> None:
    number = phone()
    before = timezone.now()
    code_for(api, number, "login")
    row = VerificationCode.objects.get(phone=number)
    assert timedelta(seconds=299) <= row.expires_at - before <= timedelta(seconds=301)


def test_a_used_code_cannot_be_used_again(api: Api) -> None:
    number = phone()
    code = code_for(api, number, "login")
    first = api.post("/auth/login-by-code", {"phone": number, "sms_code": code})
    assert first.status == 200, first.body
    again = api.post("/auth/login-by-code", {"phone": number, "sms_code": code})
    assert again.status == 400
    assert again.error_code == "invalid_code"


def test_five_wrong_guesses_spend_the_code(api: Api) -> None:
    number = phone()
    code = code_for(api, number, "login")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        answer = api.post("/auth/login-by-code", {"phone": number, "sms_code": wrong})
        assert answer.error_code == "invalid_code"
    right = api.post("/auth/login-by-code", {"phone": number, "sms_code": code})
    assert right.status == 400
    assert right.error_code == "invalid_code"
    assert VerificationCode.objects.get(phone=number).attempts == 5


def test_asking_again_within_a_minute_is_429_too_soon(api: Api) -> None:
    number = phone()
    assert ask(api, number, "login").status == 202
    again = ask(api, number, "register")
    assert again.status == 429
    assert again.error_code == "too_soon"
    assert 1 <= again.body["error"]["details"]["retry_after"] <= 60
    assert len(inbox(api, number)) == 1
    next_turn(number)
    assert ask(api, number, "login").status == 202
    assert len(inbox(api, number)) == 2


def test_a_new_code_replaces_the_one_before(api: Api) -> None:
    number = phone()
    old = code_for(api, number, "login")
    next_turn(number)
    new = code_for(api, number, "login")
    if old != new:
        stale = api.post("/auth/login-by-code", {"phone": number, "sms_code": old})
        assert stale.error_code == "invalid_code"
    assert api.post("/auth/login-by-code", {"phone": number, "sms_code": new}).status == 200


def test_a_code_only_serves_its_purpose(api: Api) -> None:
    number = phone()
    code = code_for(api, number, "register")
    answer = api.post("/auth/login-by-code", {"phone": number, "sms_code": code})
    assert answer.error_code == "invalid_code"


def test_daily_cap_per_phone(api: Api, settings: Any) -> None:
    settings.SMS_DAILY_LIMIT_PER_PHONE = 2
    number = phone()
    for _ in range(2):
        assert ask(api, number, "login").status == 202
        next_turn(number)
    capped = ask(api, number, "login")
    assert capped.status == 429
    assert capped.error_code == "sms_daily_limit"


def test_daily_cap_per_address(api: Api, settings: Any) -> None:
    settings.SMS_DAILY_LIMIT_PER_ADDRESS = 2
    assert ask(api, phone(), "login").status == 202
    assert ask(api, phone(), "login").status == 202
    capped = ask(api, phone(), "login")
    assert capped.status == 429
    assert capped.error_code == "sms_daily_limit"
    # AUTH_THROTTLE=off lifts the per-address limits (load tests), never the per-phone ones.
    settings.AUTH_THROTTLE = False
    assert ask(api, phone(), "login").status == 202


def test_answers_never_tell_whether_a_phone_is_registered(api: Api) -> None:
    taken = MemberFactory.create().phone
    unknown = phone()
    signup_for_taken = ask(api, taken, "register")
    reset_for_unknown = ask(api, unknown, "reset_password")
    assert signup_for_taken.status == reset_for_unknown.status == 202
    assert signup_for_taken.body == reset_for_unknown.body
    assert not SandboxSms.objects.filter(phone__in=[taken, unknown]).exists()
    # The interval holds for them as for anyone.
    assert ask(api, taken, "register").error_code == "too_soon"
    assert ask(api, unknown, "reset_password").error_code == "too_soon"


def test_bad_code_requests_are_4xx_with_a_code(api: Api) -> None:
    assert ask(api, "12345", "login").error_code == "invalid_phone"
    assert ask(api, phone(), "shopping").error_code == "invalid_input"
    assert api.post("/auth/sms-code", {"phone": phone()}).error_code == "invalid_input"


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/auth/login-by-code", {"phone": "13800138000"}, "invalid_input"),
        ("/auth/login-by-code", {"phone": "12345", "sms_code": "123456"}, "invalid_phone"),
        ("/auth/login-by-code", {"phone": "13800138000", "sms_code": "1" * 17}, "invalid_input"),
        ("/auth/login-by-code", {"phone": "13800138000", "sms_code": "abcdef"}, "invalid_code"),
        ("/auth/login-by-code", {"phone": "13800138000", "sms_code": 123456}, "invalid_input"),
        ("/auth/password-reset", {"phone": "13800138000", "sms_code": "1"}, "invalid_input"),
        (
            "/auth/password-reset",
            {"phone": "x", "sms_code": "123456", "new_password": NEW_PASSWORD},
            "invalid_phone",
        ),
        (
            "/auth/password-reset",
            {"phone": "13800138000", "sms_code": "123456", "new_password": "1"},
            "invalid_password",
        ),
        (
            "/auth/register",
            {"phone": "13800138000", "password": PASSWORD, "nickname": "n", "sms_code": []},
            "invalid_input",
        ),
    ],
)
def test_bad_code_input_is_4xx_with_a_code(
    api: Api, path: str, body: dict[str, Any], code: str
) -> None:
    answer = api.post(path, body)
    assert 400 <= answer.status < 500
    assert answer.error_code == code
    assert not Member.objects.exists()


def test_log_in_by_code_makes_a_member_of_a_new_number(api: Api) -> None:
    number = phone()
    code = code_for(api, number, "login")
    answer = api.post("/auth/login-by-code", {"phone": number, "sms_code": code})
    assert answer.status == 200, answer.body
    assert answer.body["is_new"] is True
    member = Member.objects.get(phone=number)
    assert member.pk == answer.body["id"]
    assert member.nickname.endswith(number[-4:])
    assert not member.has_usable_password()
    assert api.get("/me", as_=answer.body["token"]).status == 200


def test_log_in_by_code_signs_in_an_existing_member(api: Api) -> None:
    existing = MemberFactory.create()
    code = code_for(api, existing.phone, "login")
    answer = api.post("/auth/login-by-code", {"phone": existing.phone, "sms_code": code})
    assert answer.status == 200
    assert answer.body == {"id": existing.pk, "token": answer.body["token"], "is_new": False}


def test_log_in_by_code_binds_a_newcomer_through_the_share_code(api: Api) -> None:
    sharer = MemberFactory.create()
    goods = product(merchant())
    link = sharing.share_create(sharer=sharer, target_type="product", target_id=goods.pk).link
    number = phone()
    code = code_for(api, number, "login")
    answer = api.post(
        "/auth/login-by-code", {"phone": number, "sms_code": code, "share_code": link.code}
    )
    assert answer.status == 200, answer.body
    assert Member.objects.get(phone=number).parent_id == sharer.pk


def test_password_reset_then_log_in_with_the_new_password(api: Api) -> None:
    member = MemberFactory.create()
    old_token = api.post("/auth/login", {"phone": member.phone, "password": PASSWORD}).body["token"]
    code = code_for(api, member.phone, "reset_password")
    answer = api.post(
        "/auth/password-reset",
        {"phone": member.phone, "sms_code": code, "new_password": NEW_PASSWORD},
    )
    assert answer.status == 200, answer.body
    assert api.get("/me", as_=old_token).status == 401
    assert not ApiToken.objects.filter(member=member, revoked_at__isnull=True).exists()
    old = api.post("/auth/login", {"phone": member.phone, "password": PASSWORD})
    assert old.error_code == "invalid_credentials"
    new = api.post("/auth/login", {"phone": member.phone, "password": NEW_PASSWORD})
    assert new.status == 200
    reused = api.post(
        "/auth/password-reset",
        {"phone": member.phone, "sms_code": code, "new_password": "Y3t-another-pass"},
    )
    assert reused.error_code == "invalid_code"


def test_password_reset_keeps_the_sign_up_password_rules(api: Api) -> None:
    member = MemberFactory.create()
    code = code_for(api, member.phone, "reset_password")
    weak = api.post(
        "/auth/password-reset", {"phone": member.phone, "sms_code": code, "new_password": "123"}
    )
    assert weak.error_code == "invalid_password"
    # The code was not spent on the refused password.
    ok = api.post(
        "/auth/password-reset",
        {"phone": member.phone, "sms_code": code, "new_password": NEW_PASSWORD},
    )
    assert ok.status == 200


def test_password_reset_with_a_wrong_code(api: Api) -> None:
    member = MemberFactory.create()
    answer = api.post(
        "/auth/password-reset",
        {"phone": member.phone, "sms_code": "123456", "new_password": NEW_PASSWORD},
    )
    assert answer.status == 400
    assert answer.error_code == "invalid_code"


def test_the_sandbox_inbox_is_newest_first(api: Api) -> None:
    number = phone()
    code_for(api, number, "login")
    next_turn(number)
    code_for(api, number, "register")
    assert [m["purpose"] for m in inbox(api, number)] == ["register", "login"]
    assert set(inbox(api, number)[0]) == {"code", "purpose", "sent_at"}


def test_the_sandbox_inbox_exists_only_with_the_sandbox_backend(api: Api, settings: Any) -> None:
    settings.SMS_BACKEND = ""
    answer = api.get(f"/sandbox/sms/{phone()}")
    assert answer.status == 404
    assert answer.error_code == "not_found"


def test_no_backend_is_503_and_leaves_the_phone_free_to_ask(api: Api, settings: Any) -> None:
    settings.SMS_BACKEND = ""
    number = phone()
    answer = ask(api, number, "login")
    assert answer.status == 503
    assert answer.error_code == "sms_unavailable"
    assert not VerificationCode.objects.filter(phone=number).exists()
    settings.SMS_BACKEND = "sandbox"
    assert ask(api, number, "login").status == 202
