"""Writes for bargains (砍价): merchants create and stop them, members start runs, friends help,
and checkout buys a run's unit at its current price through the BARGAIN offer handler.

Concurrency: a help is one transaction of a conditional counter update on the run
(`helps < K`, open, not expired) followed by the insert of the help row, which the database keeps
unique per (run, helper). Concurrent helps therefore never pass K, a member's duplicate rolls back
its own increment, and every help's cut is the `helps`-th of the run's seeded cuts.

Devices: a help records the helper's device (`X-Device-Id`, else the page's visitor cookie) and
IP. A device that already helped `BARGAIN_DEVICE_RUN_LIMIT` (5) other runs within
`BARGAIN_DEVICE_WINDOW_HOURS` (24) is refused with 409 `device_flagged`, and the refusal is kept
as a `BargainDeviceFlag` row operators review (admin, `selectors.flagged_devices`). The help does
not count. A help without any device id is judged by its member alone (once per run).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.catalog import rules as catalog_rules
from sharemall.catalog.models import Sku
from sharemall.core.errors import Conflict, NotFound
from sharemall.core.http import ip_or_none
from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order
from sharemall.promotions.models import Bargain, BargainDeviceFlag, BargainHelp, BargainRun
from sharemall.promotions.rules import bargains as rules
from sharemall.promotions.rules.offers import BARGAIN, Offer
from sharemall.promotions.selectors import bargains as selectors
from sharemall.promotions.services import offers
from sharemall.promotions.services.offers import RefundDue

DEVICE_RUN_LIMIT = 5
DEVICE_WINDOW_HOURS = 24
_SEED_BITS = 62
_CODE_BYTES = 9  # 12 URL-safe characters


class CannotHelp(Conflict):
    code = "cannot_help"


class RunExpired(Conflict):
    code = "bargain_expired"


class RunClosed(Conflict):
    """The run's unit is ordered or bought: nothing left to cut or buy."""

    code = "bargain_closed"


class FloorReached(Conflict):
    code = "floor_reached"


class DeviceFlagged(Conflict):
    code = "device_flagged"


class BargainStopped(Conflict):
    code = "bargain_stopped"


class AlreadyBought(Conflict):
    code = "bargain_bought"


# --- merchants --------------------------------------------------------------------------------


def bargain_create(
    merchant: Merchant, *, sku_id: int, floor_price_fen: int, helpers_needed: int, hours: int
) -> Bargain:
    """A bargain on one of the merchant's SKUs, starting from the SKU's price now."""
    sku = Sku.objects.filter(pk=sku_id, product__merchant=merchant).first()
    if sku is None:
        raise rules.InvalidBargain(_("That SKU is not one of the merchant's."), code="unknown_sku")
    rules.check_terms(
        start_price_fen=sku.price_fen,
        floor_price_fen=floor_price_fen,
        helpers=helpers_needed,
        hours=hours,
    )
    return Bargain.objects.create(
        merchant=merchant,
        sku=sku,
        start_price_fen=sku.price_fen,
        floor_price_fen=floor_price_fen,
        helpers_needed=helpers_needed,
        hours=hours,
    )


def bargain_stop(bargain: Bargain, *, now: datetime | None = None) -> Bargain:
    """No new runs start. Runs already started keep their time: their starters asked friends
    on the bargain's word. Stopping twice changes nothing."""
    Bargain.objects.filter(pk=bargain.pk, status=rules.ACTIVE).update(
        status=rules.STOPPED, stopped_at=now or timezone.now()
    )
    bargain.refresh_from_db()
    return bargain


# --- starters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    run: BargainRun
    created: bool


def run_start(bargain_id: int, *, starter: Member, now: datetime | None = None) -> Started:
    """The member's run of the bargain: the one still open or ordered (created False), else a new
    one. A member who bought through the bargain does not start it again (409 `bargain_bought`)."""
    now = now or timezone.now()
    bargain = selectors.bargain(bargain_id)
    mine = selectors.runs_of_starter(bargain.pk, starter.pk)
    # A run past its time is stored as expired here, so the member may start afresh.
    mine.filter(status=rules.OPEN, expires_at__lte=now).update(status=rules.EXPIRED)
    if mine.filter(status=rules.BOUGHT).exists():
        raise AlreadyBought(_("You already bought this bargain."))
    current = mine.filter(status__in=[rules.OPEN, rules.ORDERED]).order_by("-id").first()
    if current is not None:
        return Started(current, created=False)
    if bargain.status != rules.ACTIVE:
        raise BargainStopped(_("This bargain has ended."))
    if not catalog_rules.is_buyable(bargain.sku.product.status, bargain.merchant.status):
        raise BargainStopped(_("This product is not on sale."))
    try:
        with transaction.atomic():
            run = BargainRun.objects.create(
                bargain=bargain,
                starter=starter,
                sku=bargain.sku,
                start_price_fen=bargain.start_price_fen,
                floor_price_fen=bargain.floor_price_fen,
                helpers_needed=bargain.helpers_needed,
                seed=secrets.randbits(_SEED_BITS),
                current_price_fen=bargain.start_price_fen,
                share_code=secrets.token_urlsafe(_CODE_BYTES),
                expires_at=now + timedelta(hours=bargain.hours),
                created_at=now,
            )
    except IntegrityError:
        # A concurrent start by the same member won: answer its run.
        existing = mine.filter(status__in=[rules.OPEN, rules.ORDERED]).first()
        if existing is None:
            raise
        return Started(existing, created=False)
    return Started(run, created=True)


# --- helpers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Helped:
    cut_fen: int
    current_price_fen: int
    seq: int
    floor_reached: bool


def _refusal(run: BargainRun, now: datetime) -> Conflict:
    """Why the run takes no more help, read afresh."""
    run.refresh_from_db()
    state = rules.run_state(run.status, run.expires_at, now)
    if state == rules.EXPIRED:
        return RunExpired(_("This bargain run has expired."))
    if state in {rules.ORDERED, rules.BOUGHT}:
        return RunClosed(_("The starter has already ordered at this price."))
    return FloorReached(_("This bargain has already reached its lowest price."))


def _device_limit() -> tuple[int, timedelta]:
    limit = int(getattr(settings, "BARGAIN_DEVICE_RUN_LIMIT", DEVICE_RUN_LIMIT))
    hours = int(getattr(settings, "BARGAIN_DEVICE_WINDOW_HOURS", DEVICE_WINDOW_HOURS))
    return limit, timedelta(hours=hours)


def _device_check(
    device_id: str, run: BargainRun, helper: Member, ip: str | None, now: datetime
) -> None:
    """Refuse (and flag) a device that already helped the limit of other runs in the window."""
    limit, window = _device_limit()
    helped = selectors.device_runs_helped(device_id, since=now - window, excluding_run_id=run.pk)
    if helped < limit:
        return
    with transaction.atomic():
        flag, created = BargainDeviceFlag.objects.get_or_create(
            device_id=device_id,
            defaults={
                "runs_helped": helped,
                "last_member": helper,
                "last_ip": ip,
                "flagged_at": now,
                "last_refused_at": now,
            },
        )
        if not created:
            BargainDeviceFlag.objects.filter(pk=flag.pk).update(
                runs_helped=helped,
                refusals=F("refusals") + 1,
                last_member=helper,
                last_ip=ip,
                last_refused_at=now,
            )
    raise DeviceFlagged(
        _("This device has helped too many bargains today; the help was not counted.")
    )


def run_help(
    run_id: int,
    *,
    helper: Member,
    device_id: str = "",
    ip: str | None = None,
    now: datetime | None = None,
) -> Helped:
    """A friend's help: the next of the run's seeded cuts. The starter, or a member who already
    helped this run, is refused 409 `cannot_help`; an expired run 409 `bargain_expired`; a run
    at its floor 409 `floor_reached`; an ordered or bought run 409 `bargain_closed`."""
    now = now or timezone.now()
    run = selectors.run(run_id)
    if run.starter_id == helper.pk:
        raise CannotHelp(_("You cannot help your own bargain; share it with friends."))
    if BargainHelp.objects.filter(run=run, helper=helper).exists():
        raise CannotHelp(_("You have already helped this bargain."))
    if rules.run_state(run.status, run.expires_at, now) != rules.OPEN or (
        run.helps >= run.helpers_needed
    ):
        raise _refusal(run, now)
    device = (device_id or "").strip()[:64]
    address = ip_or_none(ip)
    if device:
        _device_check(device, run, helper, address, now)
    all_cuts = rules.cuts(run.start_price_fen - run.floor_price_fen, run.helpers_needed, run.seed)
    try:
        with transaction.atomic():
            taken = BargainRun.objects.filter(
                pk=run.pk,
                status=rules.OPEN,
                expires_at__gt=now,
                helps__lt=F("helpers_needed"),
            ).update(helps=F("helps") + 1)
            if not taken:
                raise _refusal(run, now)
            # Our update holds the row until commit, so this is our own count.
            seq = BargainRun.objects.values_list("helps", flat=True).get(pk=run.pk)
            price = run.start_price_fen - sum(all_cuts[:seq])
            BargainRun.objects.filter(pk=run.pk).update(current_price_fen=price)
            BargainHelp.objects.create(
                run=run,
                helper=helper,
                seq=seq,
                cut_fen=all_cuts[seq - 1],
                price_after_fen=price,
                device_id=device,
                ip=address,
                created_at=now,
            )
    except IntegrityError:
        # The same member's concurrent help won the (run, helper) row; this one's count rolled back.
        raise CannotHelp(_("You have already helped this bargain.")) from None
    return Helped(
        cut_fen=all_cuts[seq - 1],
        current_price_fen=price,
        seq=seq,
        floor_reached=seq == run.helpers_needed,
    )


# --- buying: the BARGAIN offer handler checkout calls -----------------------------------------


class BargainOffers:
    """The starter buys one unit at the run's current price, before its time is up, once."""

    def offer(self, ref_id: int, *, buyer: Member, sku_id: int, now: datetime) -> Offer:
        run = BargainRun.objects.filter(pk=ref_id, starter=buyer).first()
        if run is None or run.sku_id != sku_id:
            # Only the starter buys; anyone else sees no such run.
            raise NotFound(_("No such bargain run."))
        state = rules.run_state(run.status, run.expires_at, now)
        if state == rules.EXPIRED:
            raise RunExpired(_("This bargain run has expired."))
        if state != rules.OPEN:
            raise RunClosed(_("This bargain run has already been ordered."))
        return Offer(
            BARGAIN,
            run.pk,
            run.sku_id,
            run.current_price_fen,
            max_quantity=1,
            campaign_id=run.bargain_id,
        )

    def reserve(self, offer: Offer, *, buyer: Member, quantity: int, order: Order) -> None:
        """Mark the run ordered by this order, if it is still open, in time and at the offered
        price (a help landing between pricing and now would make the charge stale)."""
        if quantity != 1:
            raise Conflict(_("A bargain buys one unit."), code="invalid_quantity")
        taken = BargainRun.objects.filter(
            pk=offer.ref_id,
            starter=buyer,
            status=rules.OPEN,
            expires_at__gt=timezone.now(),
            current_price_fen=offer.unit_fen,
        ).update(status=rules.ORDERED, order=order)
        if taken:
            return
        run = BargainRun.objects.filter(pk=offer.ref_id).first()
        if run is not None and run.status == rules.OPEN and run.current_price_fen != offer.unit_fen:
            raise Conflict(
                _("The bargain's price changed; please check it and buy again."),
                code="price_changed",
            )
        if run is not None and rules.run_state(run.status, run.expires_at, timezone.now()) == (
            rules.EXPIRED
        ):
            raise RunExpired(_("This bargain run has expired."))
        raise RunClosed(_("This bargain run has already been ordered."))

    def release(self, order_ids: Sequence[int]) -> None:
        """An unpaid order is cancelled: the run opens again for the starter while it lasts."""
        BargainRun.objects.filter(order_id__in=list(order_ids), status=rules.ORDERED).update(
            status=rules.OPEN, order=None
        )

    def paid(self, orders: Sequence[Order]) -> list[RefundDue]:
        BargainRun.objects.filter(order_id__in=[o.pk for o in orders], status=rules.ORDERED).update(
            status=rules.BOUGHT, bought_at=timezone.now()
        )
        return []


HANDLER = BargainOffers()
offers.register(BARGAIN, HANDLER)
