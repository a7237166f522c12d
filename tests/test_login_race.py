"""Login lockout under a burst of parallel guesses, on PostgreSQL.

Each guess is claimed before its password is checked, so however many arrive at once no more
than LOGIN_FAILURE_LOCKOUT passwords are ever checked before the lock.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from sharemall.accounts import services
from sharemall.accounts.models import Member
from sharemall.core.errors import DomainError
from tests.factories import PASSWORD, MemberFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 24


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


def burst(phone: str, password: str) -> list[Any]:
    start = threading.Barrier(THREADS)

    def attempt() -> Any:
        try:
            start.wait()
            return services.member_login(phone=phone, password=password)
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(lambda _: attempt(), range(THREADS)))


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password actually checked: against a member's hash, or hashed for an unknown phone
    (which must cost the same)."""
    seen: list[str] = []
    lock = threading.Lock()
    check_password = Member.check_password
    make_password = services.make_password

    def counting_check(member: Member, raw: str) -> bool:
        with lock:
            seen.append(raw)
        return check_password(member, raw)

    def counting_hash(raw: str, *args: Any, **kwargs: Any) -> str:
        with lock:
            seen.append(raw)
        return make_password(raw, *args, **kwargs)

    monkeypatch.setattr(Member, "check_password", counting_check)
    monkeypatch.setattr(services, "make_password", counting_hash)
    return seen


@pytest.mark.parametrize("registered", [True, False])
@override_settings(AUTH_THROTTLE=False, LOGIN_FAILURE_LOCKOUT=5)
def test_parallel_wrong_guesses_check_at_most_five_passwords(
    checked: list[str], registered: bool
) -> None:
    phone = "13800138031"
    if registered:
        MemberFactory.create(phone=phone)

    outcomes = burst(phone, "wrong-pass")

    # the five claimed guesses are checked, the last of them locks, the rest are refused unchecked
    assert len(checked) == 5
    assert outcomes.count("invalid_credentials") == 4
    assert outcomes.count("account_locked") == THREADS - 4


@override_settings(AUTH_THROTTLE=False, LOGIN_FAILURE_LOCKOUT=5)
def test_the_right_password_is_refused_after_a_burst(checked: list[str]) -> None:
    member = MemberFactory.create(phone="13800138032")

    burst(member.phone, "wrong-pass")
    with pytest.raises(DomainError) as refused:
        services.member_login(phone=member.phone, password=PASSWORD)

    assert refused.value.code == "account_locked"
    assert len(checked) == 5
    assert PASSWORD not in checked
