"""The pages that use texted codes: sign-up with a code, log-in by code, forgotten password."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from tests.factories import PASSWORD, MemberFactory, phone

from sharemall.accounts.models import Member
from sharemall.sms.models import SandboxSms

pytestmark = pytest.mark.django_db

SESSION_KEY = "_auth_user_id"
NEW_PASSWORD = "An0ther-Sh4re-pass"


@pytest.fixture(autouse=True)
def _verification_on(settings: Any) -> None:
    settings.PHONE_VERIFICATION = True
    settings.SMS_BACKEND = "sandbox"


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"}, enforce_csrf_checks=True)


def _csrf(client: Client, url: str) -> str:
    client.get(url)
    return client.cookies["csrftoken"].value


def _texted(client: Client, number: str, purpose: str) -> str:
    """What the page's "Get code" button does, then the code the sandbox 'sent'."""
    response = client.post(
        "/api/v1/auth/sms-code",
        data=json.dumps({"phone": number, "purpose": purpose}),
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    message = SandboxSms.objects.filter(phone=number).order_by("-sent_at", "-id").first()
    assert message is not None
    return str(message.params["code"])


def test_the_register_page_asks_for_a_code_while_verification_is_on(
    client: Client, settings: Any
) -> None:
    page = client.get("/register/").content.decode()
    assert 'name="sms_code"' in page
    assert 'data-sms-purpose="register"' in page
    assert "data-sms-send" in page
    assert "/static/web/sms.js" in page
    settings.PHONE_VERIFICATION = False
    assert 'name="sms_code"' not in client.get("/register/").content.decode()


def test_sign_up_on_the_page_with_the_texted_code(client: Client) -> None:
    number = phone()
    token = _csrf(client, "/register/")
    code = _texted(client, number, "register")
    response = client.post(
        "/register/",
        {
            "phone": number,
            "sms_code": code,
            "nickname": "新人",
            "password": PASSWORD,
            "accept_terms": "on",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(phone=number)
    assert client.session[SESSION_KEY] == str(member.pk)


def test_a_wrong_code_on_the_register_page_is_shown_at_the_code(client: Client) -> None:
    number = phone()
    token = _csrf(client, "/register/")
    response = client.post(
        "/register/",
        {
            "phone": number,
            "sms_code": "000000",
            "nickname": "新人",
            "password": PASSWORD,
            "accept_terms": "on",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 200
    assert "The verification code is wrong or has expired." in response.content.decode()
    assert not Member.objects.filter(phone=number).exists()


def test_the_login_page_links_to_code_login_and_forgotten_password() -> None:
    page = Client(headers={"accept-language": "zh-hans"}).get("/login/").content.decode()
    assert 'href="/login/code/"' in page
    assert 'href="/password-reset/"' in page
    assert "验证码登录" in page
    assert "忘记密码" in page


def test_log_in_by_code_on_the_page(client: Client) -> None:
    member = MemberFactory.create()
    token = _csrf(client, "/login/code/")
    code = _texted(client, member.phone, "login")
    response = client.post(
        "/login/code/",
        {"phone": member.phone, "sms_code": code, "csrfmiddlewaretoken": token, "next": "/me/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert client.session[SESSION_KEY] == str(member.pk)


def test_forgotten_password_then_log_in_with_the_new_one(client: Client) -> None:
    member = MemberFactory.create()
    token = _csrf(client, "/password-reset/")
    code = _texted(client, member.phone, "reset_password")
    response = client.post(
        "/password-reset/",
        {
            "phone": member.phone,
            "sms_code": code,
            "new_password": NEW_PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    token = _csrf(client, "/login/")
    client.post(
        "/login/", {"phone": member.phone, "password": NEW_PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert client.session[SESSION_KEY] == str(member.pk)


def test_a_weak_new_password_is_shown_at_the_password(client: Client) -> None:
    member = MemberFactory.create()
    token = _csrf(client, "/password-reset/")
    code = _texted(client, member.phone, "reset_password")
    response = client.post(
        "/password-reset/",
        {
            "phone": member.phone,
            "sms_code": code,
            "new_password": "123",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode() or "errorlist" in (
        response.content.decode()
    )
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
