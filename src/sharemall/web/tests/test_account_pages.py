"""Sign-in, sign-up and sign-out pages: sessions for our own pages."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import PASSWORD, MemberFactory

from sharemall.accounts.models import Member

pytestmark = pytest.mark.django_db

SESSION_KEY = "_auth_user_id"


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"}, enforce_csrf_checks=True)


def _csrf(client: Client, url: str) -> str:
    client.get(url)
    return client.cookies["csrftoken"].value


def test_login_page_signs_in_with_a_session(client: Client) -> None:
    member = MemberFactory.create()
    token = _csrf(client, "/login/")

    response = client.post(
        "/login/",
        {"phone": member.phone, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(member.pk)
    assert member.nickname in client.get("/").content.decode()


def test_login_accepts_the_phone_in_another_format(client: Client) -> None:
    member = MemberFactory.create()
    token = _csrf(client, "/login/")
    spaced = f"+86 {member.phone[:3]} {member.phone[3:7]} {member.phone[7:]}"

    client.post("/login/", {"phone": spaced, "password": PASSWORD, "csrfmiddlewaretoken": token})

    assert client.session[SESSION_KEY] == str(member.pk)


def test_wrong_password_shows_an_error_and_starts_no_session(client: Client) -> None:
    member = MemberFactory.create()
    token = _csrf(client, "/login/")

    response = client.post(
        "/login/",
        {"phone": member.phone, "password": "not-the-password", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 200
    assert "Wrong phone number or password." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_login_without_the_csrf_token_is_refused(client: Client) -> None:
    member = MemberFactory.create()

    response = client.post("/login/", {"phone": member.phone, "password": PASSWORD})

    assert response.status_code == 403
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/p/12?x=1", "/p/12?x=1"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_login_follows_next_only_within_the_site(
    client: Client, target: str, expected: str
) -> None:
    member = MemberFactory.create()
    token = _csrf(client, f"/login/?next={target}")

    response = client.post(
        "/login/",
        {"phone": member.phone, "password": PASSWORD, "next": target, "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert response["Location"] == expected


def test_login_page_carries_next_into_the_form(client: Client) -> None:
    body = client.get("/login/", {"next": "/p/7"}).content.decode()

    assert 'name="next" value="/p/7"' in body


def test_logout_is_post_only(client: Client) -> None:
    member = MemberFactory.create()
    client.force_login(member)

    assert client.get("/logout/").status_code == 405
    assert client.session[SESSION_KEY] == str(member.pk)

    token = _csrf(client, "/")
    response = client.post("/logout/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_register_page_creates_a_member_and_signs_in(client: Client) -> None:
    token = _csrf(client, "/register/")

    response = client.post(
        "/register/",
        {
            "phone": "138 0013 8000",
            "nickname": "Xiao Ming",
            "password": "Tea-and-2-biscuits",
            "accept_terms": "on",
            "csrfmiddlewaretoken": token,
        },
    )

    assert response.status_code == 302
    member = Member.objects.get(phone="13800138000")
    assert member.nickname == "Xiao Ming"
    assert member.check_password("Tea-and-2-biscuits")
    assert client.session[SESSION_KEY] == str(member.pk)
    assert "Welcome to ShareMall, Xiao Ming!" in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("phone", "password", "message"),
    [
        ("12345", "Tea-and-2-biscuits", "is not a valid mainland China number"),
        ("13800138000", "12345678", "This password is entirely numeric."),
    ],
)
def test_register_shows_the_service_error_on_the_form(
    client: Client, phone: str, password: str, message: str
) -> None:
    token = _csrf(client, "/register/")

    response = client.post(
        "/register/",
        {
            "phone": phone,
            "nickname": "Xiao",
            "password": password,
            "accept_terms": "on",
            "csrfmiddlewaretoken": token,
        },
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Member.objects.filter(nickname="Xiao").exists()
    assert SESSION_KEY not in client.session


def test_register_refuses_a_phone_already_registered(client: Client) -> None:
    member = MemberFactory.create()
    token = _csrf(client, "/register/")

    response = client.post(
        "/register/",
        {
            "phone": member.phone,
            "nickname": "Copycat",
            "password": "Tea-and-2-biscuits",
            "accept_terms": "on",
            "csrfmiddlewaretoken": token,
        },
    )

    assert response.status_code == 200
    assert "This phone number is already registered." in response.content.decode()
    assert Member.objects.filter(phone=member.phone).count() == 1
