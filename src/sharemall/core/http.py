"""Small helpers shared by the JSON edges."""

import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict

from sharemall.core import proxies


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or behind one of TRUSTED_PROXIES the address the
    nearest untrusted hop of X-Forwarded-For names (core.proxies). Never a client's own claim."""
    return environ_address(request.META)


def environ_address(environ: Mapping[str, Any]) -> str:
    """`client_address` for a WSGI environ (the answers given in front of Django)."""
    return proxies.client_ip(
        environ.get("REMOTE_ADDR"),
        environ.get("HTTP_X_FORWARDED_FOR"),
        settings.TRUSTED_PROXIES,
    )


def ip_or_none(address: str | None) -> str | None:
    """A valid IP address in canonical form, or None (e.g. for "unknown")."""
    try:
        return str(ipaddress.ip_address(address or ""))
    except ValueError:
        return None


# Every id and amount we store is a signed 64-bit integer (bigint); nothing past it can exist.
INT64_MAX = 2**63 - 1

# A Unix time in seconds has 10 digits until the year 2286; twelve leave room and stay far from
# anything that overflows a float.
_TIMESTAMP_DIGITS = 12

# A JSON number this long cannot fit in 64 bits; only then is the body parsed twice.
_LONG_NUMBER = re.compile(rb"\d{19}")


def epoch_seconds(text: str) -> int | None:
    """A timestamp header's seconds since the epoch, or None unless it is 1-12 ASCII digits."""
    if not (0 < len(text) <= _TIMESTAMP_DIGITS and text.isascii() and text.isdigit()):
        return None
    return int(text)


def is_int64(value: int) -> bool:
    return -INT64_MAX - 1 <= value <= INT64_MAX


def nul_in_form(data: QueryDict | MultiValueDict[str, Any]) -> bool:
    """Whether any name or value of a query string or form holds a NUL character (file uploads
    are judged by their names only)."""
    for name, values in data.lists():
        if "\x00" in name:
            return True
        for value in values:
            text = value if isinstance(value, str) else str(getattr(value, "name", "") or "")
            if "\x00" in text:
                return True
    return False


def _names_a_number(name: str) -> bool:
    return name in {"id", "offset", "limit"} or name.endswith("_id")


def past_int64(text: str) -> bool:
    """Whether text is an integer literal too large (or small) for a signed 64-bit column."""
    digits = text.strip().removeprefix("-").removeprefix("+")
    if not (digits.isascii() and digits.isdigit()):
        return False
    return len(digits.lstrip("0")) > 19 or not is_int64(int(text))


def int_out_of_range_in_form(data: QueryDict) -> bool:
    """Whether an id, offset or limit in a query string or form (by the API's naming: `id`,
    `*_id`, `offset`, `limit`) is an integer past 64 bits. Free text is never judged."""
    return any(
        _names_a_number(name) and any(past_int64(v) for v in values)
        for name, values in data.lists()
    )


def json_body_problem(body: bytes) -> str | None:
    """Why a JSON body can never be accepted (a NUL character in a string, or an integer past
    64 bits), or None. A body that is not JSON at all is left to the endpoint to refuse."""
    if b"\\u0000" not in body and _LONG_NUMBER.search(body) is None:
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return _json_problem(data)


def _json_problem(value: object) -> str | None:
    # Iterative: a deeply nested body must not exhaust the stack.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "nul"
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not is_int64(item):
                return "int_range"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None
