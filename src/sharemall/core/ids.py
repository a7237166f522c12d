"""Short unguessable codes for links people type or scan."""

import re
import secrets

# No 0/O, 1/I/l: codes are read aloud and typed from posters.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"


def _code(alphabet: str, length: int) -> str:
    """`length` characters drawn uniformly from `alphabet`, from one read of the system's
    randomness rather than one per character (secrets.choice reads it each time: 38 reads for an
    order's numbers and pay token). A byte counts only below the largest multiple of the
    alphabet's size, so every character stays equally likely."""
    size = len(alphabet)
    usable = 256 - 256 % size
    chars: list[str] = []
    while len(chars) < length:
        chars.extend(alphabet[b % size] for b in secrets.token_bytes(2 * length) if b < usable)
    return "".join(chars[:length])


def short_code(length: int = 10) -> str:
    return _code(ALPHABET, length)


def numeric_code(digits: int = 8) -> str:
    return _code("0123456789", digits)


# The device id our pages keep in a first-party cookie (and apps send as X-Device-Id): what the
# fraud signals compare across accounts. The cookie's name predates it: it began as the share
# landing page's visitor id, and keeping the name keeps every browser's existing id.
DEVICE_COOKIE = "sm_vid"
DEVICE_COOKIE_MAX_AGE = 2 * 365 * 24 * 3600
DEVICE_ID_PATTERN = re.compile(r"[A-Za-z0-9._\-]{1,62}")
# A WeChat login's device is the member's openid there, marked so it never meets a cookie's id.
WECHAT_DEVICE_PREFIX = "wx:"


def new_device_id() -> str:
    return secrets.token_urlsafe(16)


def is_device_id(value: str | None) -> bool:
    return bool(value) and DEVICE_ID_PATTERN.fullmatch(value or "") is not None


def wechat_device(openid: str) -> str:
    """The device of a WeChat log-in: the openid, marked."""
    return (WECHAT_DEVICE_PREFIX + openid.strip())[:64]
