"""SMS codes under bursts of parallel requests, on PostgreSQL: a code is used once however many
requests carry it, no more guesses are counted than allowed, and one phone is texted once per
interval."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from sharemall.accounts import services
from sharemall.accounts.models import Member
from sharemall.core.errors import DomainError
from sharemall.sms.models import SandboxSms
from sharemall.verification.models import VerificationCode

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16
PHONE = "13800138077"


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


def burst(action: Callable[[], Any]) -> list[Any]:
    start = threading.Barrier(THREADS)

    def attempt() -> Any:
        try:
            start.wait()
            return action()
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(lambda _: attempt(), range(THREADS)))


def texted_code() -> str:
    message = SandboxSms.objects.filter(phone=PHONE).order_by("-sent_at", "-id").first()
    assert message is not None
    return str(message.params["code"])


@override_settings(SMS_BACKEND="sandbox", AUTH_THROTTLE=False)
def test_one_code_logs_in_once_however_many_carry_it() -> None:
    services.sms_code_request(phone=PHONE, purpose="login")
    code = texted_code()
    results = burst(lambda: services.member_login_by_code(phone=PHONE, sms_code=code))
    wins = [r for r in results if not isinstance(r, str)]
    assert len(wins) == 1
    assert {r for r in results if isinstance(r, str)} == {"invalid_code"}
    assert Member.objects.filter(phone=PHONE).count() == 1


@override_settings(SMS_BACKEND="sandbox", AUTH_THROTTLE=False, SMS_CODE_MAX_ATTEMPTS=5)
def test_parallel_wrong_guesses_count_at_most_five() -> None:
    services.sms_code_request(phone=PHONE, purpose="login")
    code = texted_code()
    wrong = "000000" if code != "000000" else "111111"
    results = burst(lambda: services.member_login_by_code(phone=PHONE, sms_code=wrong))
    assert set(results) == {"invalid_code"}
    assert VerificationCode.objects.get(phone=PHONE).attempts == 5
    with pytest.raises(DomainError):
        services.member_login_by_code(phone=PHONE, sms_code=code)


@override_settings(SMS_BACKEND="sandbox", AUTH_THROTTLE=False)
def test_a_burst_of_code_requests_texts_the_phone_once() -> None:
    results = burst(lambda: services.sms_code_request(phone=PHONE, purpose="login"))
    assert sum(1 for r in results if not isinstance(r, str)) == 1
    assert {r for r in results if isinstance(r, str)} == {"too_soon"}
    assert SandboxSms.objects.filter(phone=PHONE).count() == 1
