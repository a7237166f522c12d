from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from sharemall.accounts.models import Member
from sharemall.accounts.services import member_login
from sharemall.core.errors import DomainError
from sharemall.core.http import client_address


class PhoneBackend(ModelBackend):
    """Django's model backend for the back office's sign-in (/admin/), through the same
    `member_login` as the API and the pages: the phone normalised as registration stored it, and
    the same per-phone guess limit and lockout, so operator passwords cannot be guessed there."""

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
            member = member_login(
                phone=phone,
                password=password,
                address=client_address(request) if request is not None else None,
            )
        except DomainError:
            return None
        return member if self.user_can_authenticate(member) else None
