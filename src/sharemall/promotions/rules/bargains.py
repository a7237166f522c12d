"""Bargain (砍价) as pure rules: how a run's price comes down, and what a run's state is.

A member starts a run of a merchant's bargain at the bargain's start price; each distinct friend
(not the starter) helps once and cuts the price. The K cuts of a run (K = helpers needed) are
drawn once from the seed stored on the run, so a run's whole price path is fixed at its start:
every cut is at least 1 fen, they sum to exactly start − floor, and the K-th help lands exactly on
the floor. Cuts are front-loaded, as buyers know 砍价: the first friends cut the most.
"""

from __future__ import annotations

import random
from datetime import datetime

from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _
from sharemall.core.money import split_largest_remainder

HELPERS_MIN, HELPERS_MAX = 1, 100
HOURS_MIN, HOURS_MAX = 1, 168
FLOOR_MIN_FEN = 1

# A run's status. An open run whose time is up is expired whether or not that is stored yet: it is
# stored when the starter starts the bargain again (so a new run may be open).
OPEN, ORDERED, BOUGHT, EXPIRED = "open", "ordered", "bought", "expired"
RUN_STATUSES = (OPEN, ORDERED, BOUGHT, EXPIRED)

ACTIVE, STOPPED = "active", "stopped"
BARGAIN_STATUSES = (ACTIVE, STOPPED)

# Weights of the remainder: each cut gets 1 fen, the rest is split by weights falling with the
# square of the position, each scaled by a seeded draw in this range.
_JITTER = (60, 140)


class InvalidBargain(DomainError):
    code = "invalid_bargain"


def check_terms(*, start_price_fen: int, floor_price_fen: int, helpers: int, hours: int) -> None:
    """A bargain's terms: a floor of at least 1 fen under the start price, 1..100 helpers each
    able to cut at least 1 fen, and 1..168 hours to gather them."""
    if not FLOOR_MIN_FEN <= floor_price_fen < start_price_fen:
        raise InvalidBargain(_("The floor price is at least 1 fen and below the SKU's price."))
    if not HELPERS_MIN <= helpers <= HELPERS_MAX:
        raise InvalidBargain(
            _("Helpers needed is between %(lo)d and %(hi)d.")
            % {"lo": HELPERS_MIN, "hi": HELPERS_MAX}
        )
    if not HOURS_MIN <= hours <= HOURS_MAX:
        raise InvalidBargain(
            _("A bargain lasts between %(lo)d and %(hi)d hours.")
            % {"lo": HOURS_MIN, "hi": HOURS_MAX}
        )
    if start_price_fen - floor_price_fen < helpers:
        raise InvalidBargain(
            _("Each helper must cut at least 1 fen: lower the floor or ask fewer helpers.")
        )


def cuts(total_fen: int, k: int, seed: int) -> list[int]:
    """The K cuts of a run: each ≥ 1 fen, summing exactly to `total_fen`, front-loaded, and the
    same for the same seed."""
    if k < 1 or total_fen < k:
        raise InvalidBargain(_("Each helper must cut at least 1 fen."))
    rng = random.Random(seed)  # noqa: S311 - a price path fixed by its seed, not a secret
    weights = [rng.randint(*_JITTER) * (k - i) ** 2 for i in range(k)]
    return [1 + part for part in split_largest_remainder(total_fen - k, weights)]


def price_after(start_price_fen: int, floor_price_fen: int, k: int, seed: int, helps: int) -> int:
    """The price after `helps` helps (0..K)."""
    return start_price_fen - sum(cuts(start_price_fen - floor_price_fen, k, seed)[:helps])


def run_state(status: str, expires_at: datetime, now: datetime) -> str:
    """What a run is now: open, ordered (an unpaid order holds it), bought, or expired (open
    past its time)."""
    if status == OPEN and expires_at <= now:
        return EXPIRED
    return status
