"""The API answers a caller it cannot trust as signed in with 401, never a bare CSRF 403."""

import pytest
from django.test import Client
from tests.factories import MemberFactory

from sharemall.accounts.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser() -> Client:
    # A real browser: Django's test client skips CSRF checks unless told otherwise.
    return Client(enforce_csrf_checks=True)


def test_a_write_without_any_credentials_is_401(browser: Client) -> None:
    answer = browser.post("/api/v1/me/distributor", data="{}", content_type="application/json")

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"


def test_a_session_write_without_the_csrf_token_is_401_and_changes_nothing(
    browser: Client,
) -> None:
    member = MemberFactory.create()
    browser.force_login(member)

    answer = browser.post("/api/v1/me/distributor", data="{}", content_type="application/json")

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"
    assert not Member.objects.get(pk=member.pk).is_distributor


def test_a_session_write_with_the_csrf_token_goes_through(browser: Client) -> None:
    member = MemberFactory.create()
    browser.force_login(member)
    browser.get("/merchant/")  # any page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value

    answer = browser.post(
        "/api/v1/me/distributor",
        data="{}",
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert answer.status_code == 200, answer.content
    assert Member.objects.get(pk=member.pk).is_distributor


def test_a_session_read_needs_no_csrf_token(browser: Client) -> None:
    member = MemberFactory.create()
    browser.force_login(member)

    answer = browser.get("/api/v1/me")

    assert answer.status_code == 200
    assert answer.json()["id"] == member.pk


def test_a_public_write_with_a_session_but_no_token_runs_as_a_stranger(browser: Client) -> None:
    browser.force_login(MemberFactory.create())

    answer = browser.post("/api/v1/shares/nosuchcode/click")

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
