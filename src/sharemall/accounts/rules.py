"""Pure rules for member identity: phone numbers and token format."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import lru_cache

import phonenumbers

from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _

TOKEN_PREFIX = "smt_"  # noqa: S105 - a public prefix, not a secret
# A token issued this recently proves the person is at the keyboard ("sudo mode"): closing the
# account through the API with it needs no password again. An older token must send one.
RECENT_SIGN_IN = timedelta(minutes=10)


# A member who arrived through WeChat and has not given a phone yet holds a placeholder in the
# phone column (unique, and never a number anyone can type); so does a closed account.
NO_PHONE_PREFIXES = ("wx-", "closed-")


def has_phone(phone: str) -> bool:
    """Whether the phone column holds a real number (one SMS can reach)."""
    return bool(phone) and not phone.startswith(NO_PHONE_PREFIXES)


class InvalidPhone(DomainError):
    code = "invalid_phone"


_MOBILE = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


@lru_cache(maxsize=8192)
def normalize_phone(raw: str) -> str:
    """A mainland mobile number in its 11-digit national form, the form members type and read.

    Accepts '+86 138 0013 8000', '8613800138000' and '138-0013-8000' alike; refuses numbers
    that are not valid mobile numbers for region CN. Kept per process for the numbers seen
    lately (a refusal is never kept, its message follows the language): parsing one costs
    ~0.1 ms and every order checks its receiver's.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone(_("Enter a mobile phone number."))
    if text.startswith("86") and len("".join(ch for ch in text if ch.isdigit())) == 13:
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidPhone(_("%(phone)s is not a phone number.") % {"phone": raw}) from None
    # For +86 (one region) a number is valid exactly when its type is known: one type look-up
    # answers both questions (is_valid_number then number_type made it twice, a third of the
    # time a sign-up spends here).
    kind = phonenumbers.number_type(number) if number.country_code == 86 else None
    if kind is None or kind == phonenumbers.PhoneNumberType.UNKNOWN:
        raise InvalidPhone(_("%(phone)s is not a valid mainland China number.") % {"phone": raw})
    if kind not in _MOBILE:
        raise InvalidPhone(_("%(phone)s is not a mobile number.") % {"phone": raw})
    return str(number.national_number)


def hash_token(token: str) -> str:
    """Tokens are stored only as their SHA-256: a leaked table grants no access."""
    return hashlib.sha256(token.encode()).hexdigest()
