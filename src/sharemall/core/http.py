"""Small helpers shared by the JSON edges."""

import ipaddress

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The caller's address as the server saw it. Behind a proxy set the proxy to overwrite
    REMOTE_ADDR; we never trust X-Forwarded-For from the client itself."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def ip_or_none(address: str | None) -> str | None:
    """A valid IP address in canonical form, or None (e.g. for "unknown")."""
    try:
        return str(ipaddress.ip_address(address or ""))
    except ValueError:
        return None
