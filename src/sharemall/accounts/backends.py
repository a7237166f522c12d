from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from sharemall.accounts.models import Member
from sharemall.accounts.rules import InvalidPhone, normalize_phone


class PhoneBackend(ModelBackend):
    """Django's model backend, with the phone normalised the way registration stored it."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Member | None:
        phone = username or kwargs.get("phone")
        if not phone or not password:
            return None
        try:
            normalized = normalize_phone(phone)
        except InvalidPhone:
            return None
        user = super().authenticate(request, username=normalized, password=password)
        return user if isinstance(user, Member) else None
