"""How the API knows who is calling: a bearer token (apps) or the page session (our pages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from sharemall.accounts.models import Member
from sharemall.accounts.services import device_seen_recently, token_authenticate
from sharemall.core.devices import header_device
from sharemall.core.errors import Forbidden, Unauthenticated
from sharemall.core.http import client_address


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Member | None:
        member = token_authenticate(token.strip())
        if member is not None:
            request.user = member
            # The fraud signals list the devices a member uses; an app names its device on
            # every request, so the sighting is throttled rather than written each time.
            device_seen_recently(member.pk, header_device(request), client_address(request))
        return member


class PageSessionAuth(SessionAuth):
    """The page session, for our own pages' scripts. A write must carry the CSRF token; without
    it the session is simply not a credential here, so the caller is unauthenticated (401), as
    is a caller with no credentials at all, rather than refused with a bare CSRF 403."""

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, and only for a signed-in session

    def authenticate(self, request: HttpRequest, key: str | None) -> Member | None:
        user = getattr(request, "user", None)
        if not isinstance(user, Member) or not user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if not exempt and check_csrf(request) is not None:
            return None
        return user


class _Anonymous:
    """Lets public endpoints run for strangers while still recognising a signed-in caller."""

    def __call__(self, request: HttpRequest) -> Any:
        return AnonymousCaller


AnonymousCaller = object()

member_auth = [BearerAuth(), PageSessionAuth()]
optional_auth = [BearerAuth(), PageSessionAuth(), _Anonymous()]


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
