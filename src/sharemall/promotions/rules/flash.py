"""Flash sales' pure rules: what a sale may be set up as, and what state it is in at a moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _

UPCOMING = "upcoming"
LIVE = "live"
ENDED = "ended"
SOLD_OUT = "sold_out"
STATUSES = (UPCOMING, LIVE, ENDED, SOLD_OUT)

# Bounds that keep one sale sane; the database checks the rest.
MAX_STOCK = 1_000_000
MAX_DAYS = 31
# A window outside these years is a typing mistake (and year 1 or 9999 overflows on its way to
# UTC in the database).
YEARS = range(2000, 2200)


class InvalidFlashSale(DomainError):
    code = "invalid_flash_sale"


@dataclass(frozen=True)
class Setup:
    price_fen: int
    stock: int
    per_member: int
    starts_at: datetime
    ends_at: datetime


def check_setup(setup: Setup, *, sku_price_fen: int) -> Setup:
    """A flash price of at least 1 fen and below the SKU's own price, some stock, a positive
    per-member limit and a window that ends after it starts (at most MAX_DAYS long)."""
    if not 1 <= setup.price_fen < sku_price_fen:
        raise InvalidFlashSale(
            _("The flash price is at least 1 fen and below the SKU's price."),
            code="invalid_flash_price",
        )
    if not 1 <= setup.stock <= MAX_STOCK:
        raise InvalidFlashSale(
            _("Flash stock is between 1 and %(n)d.") % {"n": MAX_STOCK}, code="invalid_stock"
        )
    if not 1 <= setup.per_member <= setup.stock:
        raise InvalidFlashSale(
            _("The limit per member is at least 1 and at most the flash stock."),
            code="invalid_per_member",
        )
    if setup.starts_at.year not in YEARS or setup.ends_at.year not in YEARS:
        raise InvalidFlashSale(
            _("A flash sale runs between the years 2000 and 2199."), code="invalid_flash_window"
        )
    if setup.ends_at <= setup.starts_at:
        raise InvalidFlashSale(_("A flash sale ends after it starts."), code="invalid_flash_window")
    if (setup.ends_at - setup.starts_at).days >= MAX_DAYS:
        raise InvalidFlashSale(
            _("A flash sale lasts less than %(n)d days.") % {"n": MAX_DAYS},
            code="invalid_flash_window",
        )
    return setup


def status(
    *,
    starts_at: datetime,
    ends_at: datetime,
    stopped: bool,
    sold: int,
    stock: int,
    now: datetime,
) -> str:
    """Ended (the window closed or the merchant stopped it) before sold out before upcoming:
    a sold-out sale that has not started cannot happen, stock is only taken while live."""
    if stopped or now >= ends_at:
        return ENDED
    if sold >= stock:
        return SOLD_OUT
    if now < starts_at:
        return UPCOMING
    return LIVE
