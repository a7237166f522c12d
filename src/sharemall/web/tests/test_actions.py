"""run_action: a refusal becomes the form's error or an error message, success a message."""

from __future__ import annotations

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpRequest
from django.test import RequestFactory

from sharemall.core.errors import DomainError
from sharemall.web.actions import run_action


class PhoneForm(forms.Form):
    phone = forms.CharField()


def page_request() -> HttpRequest:
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def shown(request: HttpRequest) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def refuse(code: str) -> None:
    raise DomainError("No.", code=code)


def test_a_refusal_without_a_form_is_an_error_message() -> None:
    request = page_request()

    outcome = run_action(request, lambda: refuse("not_editable"), "Saved.")

    assert not outcome
    assert outcome.error is not None
    assert outcome.error.code == "not_editable"
    assert shown(request) == [("error", "No.")]


def test_a_refusal_with_a_form_lands_on_the_field_named_for_its_code() -> None:
    request = page_request()
    form = PhoneForm({"phone": "1"})
    assert form.is_valid()

    outcome = run_action(
        request, lambda: refuse("phone_taken"), form=form, error_fields={"phone_taken": "phone"}
    )

    assert not outcome
    assert form.errors == {"phone": ["No."]}
    assert shown(request) == []  # the form says it; no message besides


def test_an_unknown_code_lands_on_the_default_field_else_the_whole_form() -> None:
    request = page_request()
    on_field, whole = PhoneForm({"phone": "1"}), PhoneForm({"phone": "1"})
    assert on_field.is_valid() and whole.is_valid()

    run_action(request, lambda: refuse("other"), form=on_field, field="phone")
    run_action(request, lambda: refuse("other"), form=whole, error_fields={"x": "phone"})

    assert on_field.errors == {"phone": ["No."]}
    assert whole.non_field_errors() == ["No."]


def test_success_shows_its_message_made_from_the_result() -> None:
    request = page_request()

    outcome = run_action(request, lambda: 42, lambda n: f"Order {n} placed.")

    assert outcome
    assert outcome.value == 42
    assert shown(request) == [("success", "Order 42 placed.")]
