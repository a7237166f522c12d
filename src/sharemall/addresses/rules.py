"""What a saved delivery address is: the same checks checkout makes of a typed one — a GB/T 2260
district (`merchants.rules.region`), a mainland mobile number (`accounts.rules.normalize_phone`),
a street address and a receiver's name of sane length."""

from __future__ import annotations

from dataclasses import dataclass

from sharemall.accounts.rules import normalize_phone
from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _
from sharemall.merchants import rules as merchant_rules

MAX_ADDRESSES = 20
MAX_ADDRESS_CHARS = 200
MAX_RECEIVER_CHARS = 40


class InvalidAddress(DomainError):
    code = "invalid_address"


class TooManyAddresses(DomainError):
    code = "too_many_addresses"


@dataclass(frozen=True)
class AddressFields:
    region_code: str
    address: str
    receiver: str
    phone: str


def address_fields(*, region_code: str, address: str, receiver: str, phone: str) -> AddressFields:
    """The fields cleaned, or InvalidRegion / InvalidAddress / InvalidPhone (all 400)."""
    region = merchant_rules.region(region_code)
    if region.level != "district":
        raise merchant_rules.InvalidRegion(_("Choose the district to deliver to."))
    address = " ".join((address or "").split())
    receiver = " ".join((receiver or "").split())
    if not address or len(address) > MAX_ADDRESS_CHARS:
        raise InvalidAddress(_("Enter the delivery address."))
    if not receiver or len(receiver) > MAX_RECEIVER_CHARS:
        raise InvalidAddress(_("Enter who receives the parcel."))
    return AddressFields(region.code, address, receiver, normalize_phone(phone))


def region_name(code: str) -> str:
    """The district's full name (广东省深圳市南山区), "" for a code that names nothing."""
    try:
        return merchant_rules.region(code).full_name
    except merchant_rules.InvalidRegion:
        return ""
