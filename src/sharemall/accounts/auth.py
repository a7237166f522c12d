"""How the API knows who is calling: a bearer token (apps) or the page session (our pages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from sharemall.accounts.models import Member
from sharemall.accounts.services import token_authenticate
from sharemall.core.errors import Forbidden, Unauthenticated


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Member | None:
        member = token_authenticate(token.strip())
        if member is not None:
            request.user = member
        return member


class _Anonymous:
    """Lets public endpoints run for strangers while still recognising a signed-in caller."""

    def __call__(self, request: HttpRequest) -> Any:
        return AnonymousCaller


AnonymousCaller = object()

member_auth = [BearerAuth(), SessionAuth()]
optional_auth = [BearerAuth(), SessionAuth(), _Anonymous()]


def caller(request: HttpRequest) -> Member | None:
    """The signed-in member behind a request, or None for a stranger."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, Member):
        return auth
    user = getattr(request, "user", None)
    return user if isinstance(user, Member) and user.is_authenticated else None


def require_member(request: HttpRequest) -> Member:
    member = caller(request)
    if member is None:
        raise Unauthenticated(_("Sign in first."))
    return member


def require_operator(request: HttpRequest) -> Member:
    member = require_member(request)
    if not member.is_operator:
        raise Forbidden(_("Only platform operators may do this."), code="operator_only")
    return member
