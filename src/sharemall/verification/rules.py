"""Pure rules of SMS verification codes: what a code looks like, how it is kept, when it counts.

A code is 6 digits, good for one use within its lifetime (SMS_CODE_TTL_SECONDS, 5 minutes) and
at most SMS_CODE_MAX_ATTEMPTS guesses (5); a phone is sent at most one code per
SMS_RESEND_SECONDS (60 s). Only an HMAC-SHA256 of the code is stored, keyed by SECRET_KEY and
bound to the phone and purpose, so a leaked table yields no usable code and a code issued for
one purpose or phone never matches another.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sharemall.core.errors import DomainError, RateLimited
from sharemall.core.i18n import gettext as _

CODE_DIGITS = 6
PURPOSES = ("register", "login", "reset_password")
# The SMS template of a purpose's code is TEMPLATE_PREFIX + purpose (`verify_login`).
TEMPLATE_PREFIX = "verify_"


class InvalidCode(DomainError):
    code = "invalid_code"


class TooSoon(RateLimited):
    code = "too_soon"


class DailyLimit(RateLimited):
    code = "sms_daily_limit"


def invalid_code() -> InvalidCode:
    """One answer for every refused code (wrong, expired, used, out of guesses, never sent), so
    the answer tells a guesser nothing about which."""
    return InvalidCode(_("The verification code is wrong or has expired. Request a new one."))


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def hash_code(secret_key: str, phone: str, purpose: str, code: str) -> str:
    message = f"{phone}\x1f{purpose}\x1f{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def code_matches(secret_key: str, phone: str, purpose: str, code: str, stored: str) -> bool:
    """Constant-time comparison of a typed code against the stored hash."""
    candidate = typed_code_hash(secret_key, phone, purpose, code)
    return candidate is not None and hmac.compare_digest(candidate, stored)


def typed_code_hash(secret_key: str, phone: str, purpose: str, code: str | None) -> str | None:
    """The hash a typed code must have to be right, or None for one that is no code at all
    (for a comparison made where the stored hash is, as the one-statement sign-up does)."""
    typed = (code or "").strip()
    if not (len(typed) == CODE_DIGITS and typed.isascii() and typed.isdigit()):
        # Still spend the HMAC, so a malformed guess costs what a wrong one does.
        hash_code(secret_key, phone, purpose, "")
        return None
    return hash_code(secret_key, phone, purpose, typed)


@dataclass(frozen=True)
class CodeState:
    expires_at: datetime
    attempts: int
    used: bool
    delivered: bool


def can_try(state: CodeState, *, now: datetime, max_attempts: int) -> bool:
    """Whether a code may still be guessed at: delivered, unused, unexpired, guesses left."""
    return (
        state.delivered
        and not state.used
        and now < state.expires_at
        and state.attempts < max_attempts
    )


def retry_after(next_allowed_at: datetime | None, *, now: datetime) -> int:
    """Whole seconds until the phone may be sent another code, at least 1 (asked while it may
    not); rounded up, so waiting that long is always enough."""
    if next_allowed_at is None:
        return 1
    left = (next_allowed_at - now).total_seconds()
    return max(1, int(-(-left // 1)))
