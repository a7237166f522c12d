"""The code rules and services below the API: hashing, guesses, expiry, single use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from sharemall.sms.models import SandboxSms
from sharemall.verification import rules, services
from sharemall.verification.models import VerificationCode
from sharemall.verification.rules import CodeState, InvalidCode, TooSoon

PHONE = "13800138000"
KEY = "k"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_codes_are_six_digits() -> None:
    codes = {rules.new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 150


def test_the_hash_is_bound_to_key_phone_and_purpose() -> None:
    stored = rules.hash_code(KEY, PHONE, "login", "123456")
    assert "123456" not in stored
    assert rules.code_matches(KEY, PHONE, "login", " 123456 ", stored)
    assert not rules.code_matches(KEY, PHONE, "login", "123457", stored)
    assert not rules.code_matches(KEY, PHONE, "register", "123456", stored)
    assert not rules.code_matches(KEY, "13800138001", "login", "123456", stored)
    assert not rules.code_matches("other", PHONE, "login", "123456", stored)
    assert not rules.code_matches(KEY, PHONE, "login", "", stored)
    assert not rules.code_matches(KEY, PHONE, "login", "１２３４５６", stored)


def test_when_a_code_may_be_tried() -> None:
    later = NOW + timedelta(minutes=5)
    fresh = CodeState(expires_at=later, attempts=0, used=False, delivered=True)
    assert rules.can_try(fresh, now=NOW, max_attempts=5)
    assert not rules.can_try(fresh, now=later, max_attempts=5)
    assert not rules.can_try(
        CodeState(later, attempts=5, used=False, delivered=True), now=NOW, max_attempts=5
    )
    assert not rules.can_try(
        CodeState(later, attempts=0, used=True, delivered=True), now=NOW, max_attempts=5
    )
    assert not rules.can_try(
        CodeState(later, attempts=0, used=False, delivered=False), now=NOW, max_attempts=5
    )


def test_retry_after_rounds_up() -> None:
    assert rules.retry_after(NOW + timedelta(seconds=59.2), now=NOW) == 60
    assert rules.retry_after(NOW + timedelta(seconds=1), now=NOW) == 1
    assert rules.retry_after(NOW, now=NOW) == 1


@pytest.fixture
def sandbox(settings: Any) -> None:
    settings.SMS_BACKEND = "sandbox"


def _sent_code() -> str:
    message = SandboxSms.objects.filter(phone=PHONE).order_by("-sent_at", "-id").first()
    assert message is not None
    return str(message.params["code"])


@pytest.mark.django_db
@pytest.mark.usefixtures("sandbox")
def test_a_checked_code_is_consumed_once() -> None:
    services.code_issue(phone=PHONE, purpose="login")
    code = _sent_code()
    first = services.code_check(phone=PHONE, purpose="login", code=code)
    second = services.code_check(phone=PHONE, purpose="login", code=code)
    services.code_consume(first)
    # Both checks passed before either used it: only one may use it.
    with pytest.raises(InvalidCode):
        services.code_consume(second)
    with pytest.raises(InvalidCode):
        services.code_check(phone=PHONE, purpose="login", code=code)


@pytest.mark.django_db
@pytest.mark.usefixtures("sandbox")
def test_a_code_expires_after_five_minutes() -> None:
    start = timezone.now()
    services.code_issue(phone=PHONE, purpose="login", now=start)
    code = _sent_code()
    with pytest.raises(InvalidCode):
        services.code_check(
            phone=PHONE, purpose="login", code=code, now=start + timedelta(seconds=300)
        )
    assert services.code_check(
        phone=PHONE, purpose="login", code=code, now=start + timedelta(seconds=299)
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("sandbox")
def test_the_resend_interval_is_a_minute() -> None:
    start = timezone.now()
    services.code_issue(phone=PHONE, purpose="login", now=start)
    with pytest.raises(TooSoon) as refused:
        services.code_issue(phone=PHONE, purpose="login", now=start + timedelta(seconds=59))
    assert refused.value.details == {"retry_after": 1}
    services.code_issue(phone=PHONE, purpose="login", now=start + timedelta(seconds=60))
    assert VerificationCode.objects.filter(phone=PHONE).count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("sandbox")
def test_an_undelivered_code_never_matches() -> None:
    services.code_issue(phone=PHONE, purpose="register", deliver=False)
    assert not SandboxSms.objects.exists()
    row = VerificationCode.objects.get()
    for guess in ("000000", "123456"):
        with pytest.raises(InvalidCode):
            services.code_check(phone=PHONE, purpose="register", code=guess)
    assert row.code_hash


@pytest.mark.django_db
@pytest.mark.usefixtures("sandbox")
def test_old_codes_are_purged_after_two_days() -> None:
    start = timezone.now()
    services.code_issue(phone=PHONE, purpose="login", now=start - timedelta(days=3))
    services.code_issue(phone=PHONE, purpose="login", now=start)
    assert services.codes_purge(start) == 1
    assert VerificationCode.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("sandbox")
def test_the_back_office_lists_codes_without_them(client: Any, admin_user: Any) -> None:
    services.code_issue(phone=PHONE, purpose="login")
    code = _sent_code()
    client.force_login(admin_user)
    page = client.get("/admin/verification/verificationcode/").content.decode()
    assert PHONE in page
    row = VerificationCode.objects.get()
    detail = client.get(f"/admin/verification/verificationcode/{row.pk}/change/").content.decode()
    assert PHONE in detail
    assert row.code_hash not in detail
    assert f">{code}<" not in detail
