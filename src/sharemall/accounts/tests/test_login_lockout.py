"""Login lockout: counted per phone, registered or not, and claimed before the check."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from conftest import Api
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from django.utils import timezone
from tests.factories import PASSWORD, MemberFactory, OperatorFactory

from sharemall.accounts import services
from sharemall.accounts.models import LoginGuard, Member

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_three_guesses"),
]


@pytest.fixture
def _three_guesses() -> Iterator[None]:
    with override_settings(AUTH_THROTTLE=False, LOGIN_FAILURE_LOCKOUT=3, LOGIN_LOCKOUT_MINUTES=15):
        yield


def answers(api: Api, phone: str, tries: int) -> list[tuple[int, object]]:
    found = []
    for _ in range(tries):
        answer = api.post("/auth/login", {"phone": phone, "password": "wrong-pass"})
        found.append((answer.status, answer.body))
    return found


def test_an_unknown_phone_locks_exactly_like_a_registered_one(api: Api) -> None:
    # given a registered phone and an unregistered one
    MemberFactory.create(phone="13800138021")
    # when both are guessed at five times
    known = answers(api, "13800138021", 5)
    unknown = answers(api, "13800138022", 5)
    # then every answer, status, code and message alike, is the same for both
    assert known == unknown
    assert [status for status, _ in known] == [401, 401, 429, 429, 429]
    assert known[-1][1] == {
        "error": {
            "code": "account_locked",
            "message": "密码错误次数过多，该账户已被暂时锁定。",
        }
    }


def test_a_guess_at_an_unknown_phone_costs_a_hash_and_a_locked_one_costs_none(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    MemberFactory.create(phone="13800138023")
    hashed: list[str] = []
    real = make_password

    def counting(password: str, *args: object, **kwargs: object) -> str:
        hashed.append(password)
        return real(password)

    monkeypatch.setattr(services, "make_password", counting)
    answers(api, "13800138024", 5)  # unknown: three checked guesses, then locked
    assert len(hashed) == 3
    checks: list[str] = []

    def check_password(self: Member, raw: str) -> bool:
        checks.append(raw)
        return False

    monkeypatch.setattr(Member, "check_password", check_password)
    answers(api, "13800138023", 5)  # known: three checks likewise, none while locked
    assert len(checks) == 3


def test_the_right_password_is_refused_while_locked_and_accepted_after(api: Api) -> None:
    MemberFactory.create(phone="13800138025")
    answers(api, "13800138025", 3)
    right = {"phone": "13800138025", "password": PASSWORD}

    locked = api.post("/auth/login", right)
    assert (locked.status, locked.error_code) == (429, "account_locked")

    guard = LoginGuard.objects.get(phone="13800138025")
    assert guard.locked_until is not None
    assert guard.locked_until > timezone.now() + timedelta(minutes=14)
    # when the lock has run out
    LoginGuard.objects.filter(pk=guard.pk).update(locked_until=timezone.now())
    assert api.post("/auth/login", right).status == 200
    # a new window: three fresh guesses before the next lock
    assert [s for s, _ in answers(api, "13800138025", 3)] == [401, 401, 429]


def test_a_right_password_resets_the_count(api: Api) -> None:
    MemberFactory.create(phone="13800138026")
    answers(api, "13800138026", 2)
    assert api.post("/auth/login", {"phone": "13800138026", "password": PASSWORD}).status == 200
    assert [s for s, _ in answers(api, "13800138026", 3)] == [401, 401, 429]


def test_an_inactive_member_is_refused_like_a_wrong_password(api: Api) -> None:
    MemberFactory.create(phone="13800138027", is_active=False)
    answer = api.post("/auth/login", {"phone": "13800138027", "password": PASSWORD})
    assert (answer.status, answer.error_code) == (401, "invalid_credentials")


def test_the_back_office_sign_in_counts_guesses_and_locks_like_the_api() -> None:
    operator = OperatorFactory.create()
    client = Client()

    def sign_in(password: str) -> bool:
        client.post("/admin/login/", {"username": operator.phone, "password": password})
        signed_in = "_auth_user_id" in client.session
        client.logout()
        return signed_in

    assert [sign_in("wrong-guess") for _ in range(3)] == [False, False, False]
    assert not sign_in(PASSWORD)  # locked: the right password waits too
    assert LoginGuard.objects.get(phone=operator.phone).locked_until is not None


def test_guesses_nobody_has_made_for_a_day_are_forgotten_by_the_job() -> None:
    now = timezone.now()
    LoginGuard.objects.bulk_create(
        [
            LoginGuard(phone="13800000101", claims=2, updated_at=now - timedelta(days=2)),
            LoginGuard(phone="13800000102", claims=2, updated_at=now - timedelta(hours=2)),
            LoginGuard(
                phone="13800000103",
                claims=3,
                updated_at=now - timedelta(days=2),
                locked_until=now + timedelta(minutes=5),
            ),
        ]
    )

    assert services.login_guards_purge(now) == 1

    assert set(LoginGuard.objects.values_list("phone", flat=True)) == {
        "13800000102",
        "13800000103",
    }
