"""Flash sales (秒杀): set up and stopped by the merchant, bought through checkout.

Checkout talks to this module through the FLASH `OfferHandler` registered below
(services/offers.py):

- `offer` (pricing, reads only): the sale is live and for this SKU → an Offer at the flash
  price, at most `per_member` units; else 409 `flash_not_live` / `flash_sold_out`.
- `reserve` (inside the checkout's transaction): the member's count, the sale's hot row and the
  purchase row. On PostgreSQL that is one statement (`_RESERVE_SQL`, data-modifying CTEs): the
  member's FlashQuota upsert (`bought + q <= per_member`, else 409 `flash_limit`), then — only
  if it took — the hot row's conditional UPDATE (`sold + q <= units`, live, else 409
  `flash_sold_out` / `flash_not_live`), then the FlashPurchase row. Elsewhere (SQLite) the same
  three conditional statements one by one. Never oversold, the limit exact.
- `release` (unpaid timeout): each RESERVED purchase moves to RELEASED once (conditional), and
  only then are its units given back to the sale and the member's count.
- `paid` (capture): the purchases become PAID; a flash sale never refunds a paid order.

Sold-out answers are cheap. Each process keeps a short-lived snapshot of each sale it has seen
(`_snapshot`, at most SNAPSHOT_SECONDS old); a sale the snapshot or the database last showed
sold out is refused in `offer` without touching the database, and `front` answers a POST
/api/v1/orders for it in front of Django altogether (config/wsgi.py).

With REDIS_URL set, a gate (Lua scripts) keeps per-sale and per-member counters in Redis so
that refusals never reach the hot rows: `offer` reads it (a quote takes nothing), `reserve` is
admitted by it before the database and gives back what the database then refuses; `release`
gives back on commit. The gate also records when the sale stops being live, so `front` answers
sold-out and ended sales from Redis (`_FRONT`) and a sold-out request never reaches Django's
ORM; a unit given back is offered again within FRONT_REUSE_SECONDS. The database stays the
truth and the gate converges on it both ways: a database refusal that shows none left, or any
read of the sale showing none left, empties a gate that was too full; units the gate lost (a
checkout rolled back after `reserve`, a crash) come back when a read shows the database has
them (`_gate_resync`; the front asks for such a read off the request, at most once a second
across processes: `resync_from_database` on a thread of the process), and a member's count
after MEMBER_RESYNC_SECONDS (`_member_resync`). `gate_admit` / `gate_return` are public for a caller
that wants the gate even earlier; the handler does not need it.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import redis
from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.catalog.models import Sku
from sharemall.core.errors import Conflict, NotFound
from sharemall.core.sql import is_postgres, prepared_cursor
from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order
from sharemall.promotions.models.flash import FlashPurchase, FlashQuota, FlashSale
from sharemall.promotions.rules import flash as rules
from sharemall.promotions.rules.offers import FLASH, Offer
from sharemall.promotions.selectors import flash as selectors
from sharemall.promotions.services import offers

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

SOLD_OUT_CODE = "flash_sold_out"
NOT_LIVE_CODE = "flash_not_live"
LIMIT_CODE = "flash_limit"


def _sold_out() -> Conflict:
    return Conflict(_("This flash sale is sold out."), code=SOLD_OUT_CODE)


def _not_live() -> Conflict:
    return Conflict(_("This flash sale is not on now."), code=NOT_LIVE_CODE)


def _over_limit(per_member: int) -> Conflict:
    return Conflict(
        _("Each member may buy at most %(n)d of this flash sale.") % {"n": per_member},
        code=LIMIT_CODE,
    )


# -- set-up by the merchant ------------------------------------------------------------------


def sale_create(
    merchant: Merchant,
    *,
    sku_id: int,
    price_fen: int,
    stock: int,
    per_member: int,
    starts_at: datetime,
    ends_at: datetime,
) -> FlashSale:
    """A flash sale of one of the merchant's SKUs (another merchant's SKU: 404)."""
    sku = Sku.objects.filter(pk=sku_id, product__merchant=merchant).first()
    if sku is None:
        raise NotFound(_("No such SKU."))
    setup = rules.check_setup(
        rules.Setup(price_fen, stock, per_member, starts_at, ends_at), sku_price_fen=sku.price_fen
    )
    sale = FlashSale.objects.create(
        merchant=merchant,
        sku=sku,
        price_fen=setup.price_fen,
        units=setup.stock,
        per_member=setup.per_member,
        starts_at=setup.starts_at,
        ends_at=setup.ends_at,
    )
    _forget(sale.pk)  # an id SQLite reuses after a rollback must not find an old snapshot
    return sale


def sale_stop(sale: FlashSale, *, now: datetime) -> FlashSale:
    """Stop a sale early; orders already placed stand. Stopping twice changes nothing."""
    FlashSale.objects.filter(pk=sale.pk, stopped_at__isnull=True).update(stopped_at=now)
    _forget(sale.pk)
    transaction.on_commit(functools.partial(_gate_stopped, sale.pk))
    sale.refresh_from_db()
    return sale


# -- what each process remembers of a sale ---------------------------------------------------

# How stale a process's picture of a sale may be. Orders never rest on it (reserve's
# conditional updates decide); it only lets a process refuse a sold-out or ended sale without
# a query, and gives a released unit back to buyers within this long.
SNAPSHOT_SECONDS = 1.0


@dataclass(frozen=True)
class Snapshot:
    sale_id: int
    sku_id: int
    price_fen: int
    stock: int
    sold: int
    per_member: int
    starts_at: datetime
    ends_at: datetime
    stopped: bool
    read_at: float  # time.monotonic()

    def status(self, now: datetime) -> str:
        return rules.status(
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            stopped=self.stopped,
            sold=self.sold,
            stock=self.stock,
            now=now,
        )


_snapshots: dict[int, Snapshot] = {}
_snapshots_lock = threading.Lock()


def _forget(sale_id: int) -> None:
    with _snapshots_lock:
        _snapshots.pop(sale_id, None)
    _front_refusals.pop(sale_id, None)


def _remember(snap: Snapshot) -> None:
    with _snapshots_lock:
        _snapshots[snap.sale_id] = snap


def _snapshot(sale_id: int) -> Snapshot | None:
    """The sale as this process saw it at most SNAPSHOT_SECONDS ago, else read afresh."""
    snap = _snapshots.get(sale_id)
    if snap is not None and time.monotonic() - snap.read_at < SNAPSHOT_SECONDS:
        return snap
    sale = selectors.sale_for_offer(sale_id)
    if sale is None:
        _forget(sale_id)
        return None
    snap = Snapshot(
        sale_id=sale.pk,
        sku_id=sale.sku_id,
        price_fen=sale.price_fen,
        stock=sale.units,
        sold=sale.sold,
        per_member=sale.per_member,
        starts_at=sale.starts_at,
        ends_at=sale.ends_at,
        stopped=sale.stopped_at is not None,
        read_at=time.monotonic(),
    )
    _remember(snap)
    # The gate hears what the database shows at each read (at most once a second a process):
    # reopened if it lost units, emptied if it holds units the database no longer has.
    _gate_resync(snap)
    return snap


def _mark_sold_out(sale_id: int) -> None:
    """The database just refused for want of stock: refuse without asking until the snapshot
    is next read."""
    snap = _snapshots.get(sale_id)
    if snap is not None:
        _remember(replace(snap, sold=snap.stock))


def known_refusal(sale_id: int, *, now: datetime) -> str | None:
    """The code this process would answer at once for the sale (sold out or ended), from a
    fresh snapshot only; None when it would have to look (or the sale is buyable)."""
    snap = _snapshots.get(sale_id)
    if snap is None or time.monotonic() - snap.read_at >= SNAPSHOT_SECONDS:
        return None
    state = snap.status(now)
    if state == rules.SOLD_OUT:
        return SOLD_OUT_CODE
    if state == rules.ENDED:
        return NOT_LIVE_CODE
    return None


# -- the FLASH offer handler -----------------------------------------------------------------


class FlashHandler:
    def offer(self, ref_id: int, *, buyer: Member, sku_id: int, now: datetime) -> Offer:
        snap = _snapshot(ref_id)
        if snap is None or snap.sku_id != sku_id:
            raise _not_live()
        state = snap.status(now)
        if state == rules.SOLD_OUT:
            raise _sold_out()
        if state != rules.LIVE:
            raise _not_live()
        if _gate_empty(snap.sale_id):
            raise _sold_out()
        return Offer(FLASH, snap.sale_id, snap.sku_id, snap.price_fen, snap.per_member)

    def reserve(self, offer: Offer, *, buyer: Member, quantity: int, order: Order) -> None:
        now = timezone.now()
        per_member = offer.max_quantity
        if per_member is None:  # an Offer not made by `offer` above
            per_member = FlashSale.objects.values_list("per_member", flat=True).get(pk=offer.ref_id)
        # With REDIS_URL, the gate first: refused there, the hot rows are never touched.
        refusal = _gate_answer(offer.ref_id, buyer.pk, quantity)
        if refusal is not None:
            raise refusal
        try:
            # No savepoint of its own: a refusal rolls the caller's whole checkout back.
            with transaction.atomic(savepoint=False):
                _reserve_in_database(
                    offer, buyer, quantity=quantity, order=order, per_member=per_member, now=now
                )
        except NoneLeft:
            # The database has none left: the gate empties rather than reopening to admit
            # checkouts the database would refuse (it reopens from the database if units come
            # back: `resync_from_database`).
            gate_return(offer.ref_id, buyer.pk, quantity, none_left=True)
            raise
        except Conflict:
            gate_return(offer.ref_id, buyer.pk, quantity)
            raise

    def release(self, order_ids: Sequence[int]) -> None:
        now = timezone.now()
        held = FlashPurchase.objects.filter(
            order_id__in=list(order_ids), status=FlashPurchase.Status.RESERVED
        ).order_by("sale_id", "pk")
        for purchase in held:
            moved = FlashPurchase.objects.filter(
                pk=purchase.pk, status=FlashPurchase.Status.RESERVED
            ).update(status=FlashPurchase.Status.RELEASED, released_at=now)
            if not moved:
                continue  # another run released it first
            FlashQuota.objects.filter(
                sale_id=purchase.sale_id, member_id=purchase.member_id
            ).update(bought=F("bought") - purchase.quantity)
            FlashSale.objects.filter(pk=purchase.sale_id).update(sold=F("sold") - purchase.quantity)
            transaction.on_commit(_after_release(purchase))

    def paid(self, orders: Sequence[Order]) -> list[offers.RefundDue]:
        FlashPurchase.objects.filter(
            order_id__in=[o.pk for o in orders], status=FlashPurchase.Status.RESERVED
        ).update(status=FlashPurchase.Status.PAID)
        return []


def _reserve_in_database(
    offer: Offer, buyer: Member, *, quantity: int, order: Order, per_member: int, now: datetime
) -> None:
    if quantity > per_member:  # the upsert's insert branch does not check the limit
        raise _over_limit(per_member)
    if is_postgres():
        _reserve_one_statement(
            offer.ref_id,
            buyer.pk,
            quantity=quantity,
            order_id=order.pk,
            per_member=per_member,
            now=now,
        )
        return
    if not _quota_take(offer.ref_id, buyer.pk, quantity, per_member):
        raise _over_limit(per_member)
    # The purchase row before the hot row (a refusal below rolls it back): the sale's row is
    # locked from its UPDATE to the checkout's commit, so nothing of ours runs after it.
    FlashPurchase.objects.create(
        sale_id=offer.ref_id, member=buyer, order=order, quantity=quantity, created_at=now
    )
    taken = FlashSale.objects.filter(
        selectors.live_filter(now), pk=offer.ref_id, sold__lte=F("units") - quantity
    ).update(sold=F("sold") + quantity)
    if not taken:
        left = (
            FlashSale.objects.filter(selectors.live_filter(now), pk=offer.ref_id)
            .values_list("sold", "units")
            .first()
        )
        if left is None:
            raise _not_live()
        if left[0] >= left[1]:
            _mark_sold_out(offer.ref_id)
            raise _none_left()
        raise _sold_out()


class NoneLeft(Conflict):
    """409 `flash_sold_out` where the database showed the sale with no unit left: the gate
    empties instead of taking the refused units back."""


def _none_left() -> NoneLeft:
    return NoneLeft(_("This flash sale is sold out."), code=SOLD_OUT_CODE)


# PostgreSQL: the whole reservation is this one statement (data-modifying CTEs, one round
# trip, prepared once per connection). The member's count is upserted first (`bought + q <=
# per_member`); only if that took does the sale's hot row move (`sold + q <= units`, live), so a
# member over the limit never locks the hot row; only if that moved is the purchase row written.
# The last SELECT reads the sale as the statement's snapshot saw it, to tell "not live" from
# "sold out" without a second statement. Every part sees the same snapshot, so a refused sale
# leaves the member's count raised: the caller raises, and the checkout's transaction (no
# savepoint of ours) rolls that back.
_RESERVE_SQL = """
WITH quota AS (
    INSERT INTO promotions_flashquota AS q (sale_id, member_id, bought)
    VALUES (%(sale)s, %(member)s, %(qty)s)
    ON CONFLICT (sale_id, member_id) DO UPDATE SET bought = q.bought + excluded.bought
    WHERE q.bought + excluded.bought <= %(per_member)s
    RETURNING 1
), hot AS (
    UPDATE promotions_flashsale SET sold = sold + %(qty)s
    WHERE id = %(sale)s AND EXISTS (SELECT 1 FROM quota)
      AND starts_at <= %(now)s AND ends_at > %(now)s AND stopped_at IS NULL
      AND sold + %(qty)s <= units
    RETURNING id
), purchase AS (
    INSERT INTO promotions_flashpurchase
        (sale_id, member_id, order_id, quantity, status, created_at, released_at)
    SELECT id, %(member)s, %(order)s, %(qty)s, 'reserved', %(now)s, NULL FROM hot
    RETURNING 1
)
SELECT
    EXISTS (SELECT 1 FROM quota),
    EXISTS (SELECT 1 FROM purchase),
    s.sold >= s.units,
    s.starts_at <= %(now)s AND s.ends_at > %(now)s AND s.stopped_at IS NULL
FROM (SELECT 1) AS one
LEFT JOIN promotions_flashsale AS s ON s.id = %(sale)s
"""


def _reserve_one_statement(
    sale_id: int, member_id: int, *, quantity: int, order_id: int, per_member: int, now: datetime
) -> None:
    params = {
        "sale": sale_id,
        "member": member_id,
        "qty": quantity,
        "per_member": per_member,
        "order": order_id,
        "now": now,
    }
    with prepared_cursor() as cursor:
        cursor.execute(_RESERVE_SQL, params)
        quota_took, taken, none_left, live = cursor.fetchone()
    if taken:
        return
    if not quota_took:
        raise _over_limit(per_member)
    if not live:  # NULL: no such sale
        raise _not_live()
    if none_left:
        _mark_sold_out(sale_id)
        raise _none_left()
    # Sold out since the statement's snapshot (another checkout took the last units), or fewer
    # left than asked for.
    raise _sold_out()


def _after_release(purchase: FlashPurchase) -> Callable[[], None]:
    def run() -> None:
        _forget(purchase.sale_id)
        gate_return(purchase.sale_id, purchase.member_id, purchase.quantity)

    return run


_QUOTA_UPSERT = """
INSERT INTO promotions_flashquota (sale_id, member_id, bought) VALUES (%s, %s, %s)
ON CONFLICT (sale_id, member_id) DO UPDATE
SET bought = promotions_flashquota.bought + excluded.bought
WHERE promotions_flashquota.bought + excluded.bought <= %s
"""


def _quota_take(sale_id: int, member_id: int, quantity: int, per_member: int) -> bool:
    """One statement, exact under concurrency: the member's first units insert their row, later
    ones add to it only while the total stays within the limit (PostgreSQL and SQLite both
    speak this upsert; a concurrent first insert makes the loser take the update branch)."""
    if quantity > per_member:
        return False
    with connection.cursor() as cursor:
        try:
            cursor.execute(_QUOTA_UPSERT, [sale_id, member_id, quantity, per_member])
        except IntegrityError:  # a sale deleted under us: nothing to take
            return False
        return bool(cursor.rowcount)


HANDLER = FlashHandler()
offers.register(FLASH, HANDLER)


# -- the optional Redis gate -----------------------------------------------------------------

# KEYS: the sale's units left, the member's hash {n: units, at: last admission (unix s)}, when
# the gate last went empty (unix s); ARGV: quantity, per-member limit, ttl, now. Answers 1
# admitted, 0 sold out, -1 the sale is not in Redis yet, -2 over the member's limit.
_ADMIT = """
local left = redis.call('GET', KEYS[1])
if not left then return -1 end
local q = tonumber(ARGV[1])
if tonumber(left) < q then return 0 end
local mine = tonumber(redis.call('HGET', KEYS[2], 'n') or '0')
if mine + q > tonumber(ARGV[2]) then return -2 end
if redis.call('DECRBY', KEYS[1], q) <= 0 then
  redis.call('SET', KEYS[3], ARGV[4], 'EX', tonumber(ARGV[3]))
end
redis.call('HINCRBY', KEYS[2], 'n', q)
redis.call('HSET', KEYS[2], 'at', ARGV[4])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
return 1
"""
# Give back what an admission took: only units the member's count still holds (an admission
# that never reached Redis gives nothing back), and only to a sale still in Redis. ARGV[2] = 1:
# the database refused for want of stock and showed none left, so the sale's units do not come
# back — the gate empties instead (it was fuller than the database: a stale start, a resync
# that opened to units still in flight), and the front answers sold-out from it; KEYS[3] records
# when (ARGV[3], now).
_RETURN = """
local mine = tonumber(redis.call('HGET', KEYS[2], 'n') or '0')
local q = math.min(tonumber(ARGV[1]), mine)
if q > 0 then redis.call('HINCRBY', KEYS[2], 'n', -q) end
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[2] == '1' then
    redis.call('SET', KEYS[1], 0, 'KEEPTTL')
    redis.call('SET', KEYS[3], ARGV[3], 'EX', 86400)
  elseif q > 0 then
    redis.call('INCRBY', KEYS[1], q)
  end
end
return q
"""
# What the database showed (KEYS: the sale's units left, when it stops being live, when the
# gate last went empty; ARGV: the database's units left, ttl, the end, now, the reopening's
# grace (s)): the end is recorded; a gate not yet started takes the database's units left; none
# left in the database empties the gate (it was fuller); a gate empty for longer than the grace
# while the database shows units left (admissions lost to crashes or to checkouts rolled back
# after `reserve`, a give-back that lost a race) reopens to them. The grace keeps units still in
# flight — admitted, their checkout not yet committed, a matter of milliseconds — from being
# counted twice: each would let the whole crowd through to Django until the database refused it.
_RESYNC = """
redis.call('SET', KEYS[2], ARGV[3], 'EX', tonumber(ARGV[2]))
local left = tonumber(redis.call('GET', KEYS[1]) or '-1')
local db = tonumber(ARGV[1])
if left < 0 then
  redis.call('SET', KEYS[1], db, 'EX', tonumber(ARGV[2]))
  return 1
end
if left > 0 and db <= 0 then
  redis.call('SET', KEYS[1], 0, 'EX', tonumber(ARGV[2]))
  redis.call('SET', KEYS[3], ARGV[4], 'EX', tonumber(ARGV[2]))
  return 1
end
if left <= 0 and db > 0 then
  local emptied = tonumber(redis.call('GET', KEYS[3]) or '0')
  if tonumber(ARGV[4]) - emptied < tonumber(ARGV[5]) then return 0 end
  redis.call('SET', KEYS[1], db, 'EX', tonumber(ARGV[2]))
  return 1
end
return 0
"""
# The front's question (KEYS: units left, end, the resync claim; ARGV: now (unix s), how long a
# resync claim lasts (ms)). Answers 0 (not known here: Django decides), 1 sold out, 2 not live
# (ended or stopped), 3 sold out and this caller is to have the database looked at — at most
# once per claim across all processes, so a gate emptied by lost admissions reopens.
_FRONT = """
local left = redis.call('GET', KEYS[1])
if not left then return 0 end
local ends = tonumber(redis.call('GET', KEYS[2]) or '0')
if ends > 0 and tonumber(ARGV[1]) >= ends then return 2 end
if tonumber(left) > 0 then return 0 end
if redis.call('SET', KEYS[3], '1', 'NX', 'PX', tonumber(ARGV[2])) then return 3 end
return 1
"""
# Keys outlive the sale by a day; nothing needs them after it ends.
GATE_TTL_MARGIN_SECONDS = 86_400
# The end the gate records for a stopped sale: any moment long past.
STOPPED_ENDS = 1.0
# How often at most (across all processes) a sold-out answer from the gate has the database
# looked at, so units the gate lost come back within about this long.
RESYNC_SECONDS = 1.0
# How long the gate stays empty before a read of the database may reopen it (`_RESYNC`).
REOPEN_AFTER_SECONDS = 2.0


class _Gate:
    def __init__(self, url: str) -> None:
        self.client: Any = redis.Redis.from_url(url, socket_timeout=0.5)
        self.admit = self.client.register_script(_ADMIT)
        self.give_back = self.client.register_script(_RETURN)
        self.resync = self.client.register_script(_RESYNC)
        self.front = self.client.register_script(_FRONT)
        self.errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)


_gate: _Gate | None = None
_gate_url: str | None = None
_gate_lock = threading.Lock()


def _the_gate() -> _Gate | None:
    global _gate, _gate_url
    url = getattr(settings, "REDIS_URL", "") or ""
    if not url:
        return None
    if _gate is None or _gate_url != url:
        with _gate_lock:
            if _gate is None or _gate_url != url:
                _gate, _gate_url = _Gate(url), url
    return _gate


def gate_keys(sale_id: int, member_id: int) -> list[str]:
    """The sale's units left, the member's count, when the gate last went empty."""
    return [f"flash:{sale_id}:left", f"flash:{sale_id}:m:{member_id}", f"flash:{sale_id}:emptied"]


def _sale_keys(sale_id: int) -> list[str]:
    """The sale's units left, when it stops being live (unix s), the front's resync claim."""
    return [f"flash:{sale_id}:left", f"flash:{sale_id}:ends", f"flash:{sale_id}:sync"]


def _ttl(snap: Snapshot) -> int:
    return max(60, int((snap.ends_at - timezone.now()).total_seconds()) + GATE_TTL_MARGIN_SECONDS)


def gate_admit(sale_id: int, member_id: int, quantity: int) -> bool:
    """Ask the Redis gate for `quantity` units before any database work. True: go on (admitted,
    or there is no gate, or Redis did not answer — the database decides); False: refused, the
    sale is sold out or the member is at their limit (answer 409 `flash_sold_out`, see
    `gate_admit_or_refuse`). Whoever got True must `gate_return` the units if the checkout then
    fails; a unit not given back costs nothing but a delay (`_gate_resync`)."""
    return _gate_answer(sale_id, member_id, quantity) is None


def gate_admit_or_refuse(sale_id: int, member_id: int, quantity: int) -> None:
    """`gate_admit`, raising the refusal: 409 `flash_sold_out` or `flash_limit`."""
    refusal = _gate_answer(sale_id, member_id, quantity)
    if refusal is not None:
        raise refusal


def _gate_answer(sale_id: int, member_id: int, quantity: int) -> Conflict | None:
    gate = _the_gate()
    if gate is None:
        return None
    snap = _snapshot(sale_id)
    if snap is None:
        return None  # checkout answers the missing sale
    keys = gate_keys(sale_id, member_id)

    def admit() -> int:
        return int(gate.admit(keys=keys, args=[quantity, snap.per_member, _ttl(snap), time.time()]))

    try:
        answer = admit()
        if answer == -1:
            _gate_resync(snap)
            answer = admit()
        if answer == -2 and _member_resync(gate, snap, member_id, keys[1]):
            answer = admit()
    except gate.errors:
        logger.warning("flash gate: Redis did not answer; the database decides", exc_info=True)
        return None
    if answer == 0:
        _mark_sold_out(sale_id)
        return _sold_out()
    if answer == -2:
        return _over_limit(snap.per_member)
    return None


# A member's admissions the database still does not show after this long were lost (their
# checkout died between the gate and its give-back); younger ones may be checkouts in flight.
MEMBER_RESYNC_SECONDS = 10.0


def _member_resync(gate: _Gate, snap: Snapshot, member_id: int, key: str) -> bool:
    """The gate holds the member at their limit: if their last admission is old, believe the
    database's count instead. True if it lowered the gate's."""
    mine = gate.client.hmget(key, "n", "at")
    counted, at = int(mine[0] or 0), float(mine[1] or 0)
    if time.time() - at < MEMBER_RESYNC_SECONDS:
        return False
    held = (
        FlashQuota.objects.filter(sale_id=snap.sale_id, member_id=member_id)
        .values_list("bought", flat=True)
        .first()
    ) or 0
    if held < counted:
        gate.client.hset(key, "n", held)
        return True
    return False


def _gate_empty(sale_id: int) -> bool:
    """Whether the gate shows no units left (a read: a quote takes nothing from the gate)."""
    gate = _the_gate()
    if gate is None:
        return False
    try:
        left = gate.client.get(gate_keys(sale_id, 0)[0])
    except gate.errors:
        return False
    if left is None or int(left) > 0:
        return False
    _mark_sold_out(sale_id)
    return True


def gate_return(sale_id: int, member_id: int, quantity: int, *, none_left: bool = False) -> None:
    """Give back units `gate_admit` let through for a checkout that then failed, or whose
    unpaid order timed out. `none_left`: the database refused for want of stock and showed none
    left; the member's count comes back but the gate empties. No gate, or Redis away: nothing
    to do."""
    gate = _the_gate()
    if gate is None:
        return
    try:
        gate.give_back(
            keys=gate_keys(sale_id, member_id), args=[quantity, int(none_left), time.time()]
        )
    except gate.errors:
        logger.warning("flash gate: could not give back %s units of sale %s", quantity, sale_id)


def _ends(snap: Snapshot) -> float:
    """When the sale stops being live, for the front (a stopped sale: long ago)."""
    return STOPPED_ENDS if snap.stopped else snap.ends_at.timestamp()


def _gate_resync(snap: Snapshot) -> None:
    gate = _the_gate()
    if gate is None:
        return
    keys = [*_sale_keys(snap.sale_id)[:2], gate_keys(snap.sale_id, 0)[2]]
    left = max(0, snap.stock - snap.sold)
    try:
        gate.resync(
            keys=keys, args=[left, _ttl(snap), _ends(snap), time.time(), REOPEN_AFTER_SECONDS]
        )
    except gate.errors:
        logger.warning("flash gate: Redis did not answer a resync of sale %s", snap.sale_id)


def _gate_stopped(sale_id: int) -> None:
    """The merchant stopped the sale: the front answers `flash_not_live` from now on."""
    gate = _the_gate()
    if gate is None:
        return
    try:
        gate.client.set(_sale_keys(sale_id)[1], STOPPED_ENDS, keepttl=True, xx=True)
    except gate.errors:
        logger.warning("flash gate: Redis did not hear that sale %s stopped", sale_id)


def resync_from_database(sale_id: int) -> None:
    """Read the sale afresh and tell the gate what the database shows (`_RESYNC`): what the
    front asks for, off the request, when it answers sold-out from Redis."""
    _forget(sale_id)
    _snapshot(sale_id)


class _Resyncer:
    """One daemon thread per process that runs `resync_from_database` for the sales the front
    asks about, so the sold-out answer itself never waits for (or touches) the database."""

    def __init__(self) -> None:
        self._pending: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def request(self, sale_id: int) -> None:
        with self._lock:
            self._pending.add(sale_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="flash-resync", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                todo, self._pending = self._pending, set()
            for sale_id in sorted(todo):
                try:
                    close_old_connections()
                    resync_from_database(sale_id)
                except Exception:  # the thread must outlive a database or Redis hiccup
                    logger.exception("flash gate: resync of sale %s failed", sale_id)
                    connection.close()


_resyncer = _Resyncer()


def _resync_soon(sale_id: int) -> None:
    _resyncer.request(sale_id)


# -- the sold-out answer in front of Django --------------------------------------------------

ORDERS_PATH = "/api/v1/orders"
MAX_FRONT_BODY = 64 * 1024


def _flash_sale_ids(body: bytes) -> list[int]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return []
    items = parsed.get("items") if isinstance(parsed, dict) else None
    if not isinstance(items, list):
        return []
    found = []
    for item in items:
        ref = item.get("flash_sale_id") if isinstance(item, dict) else None
        if isinstance(ref, int) and not isinstance(ref, bool):
            found.append(ref)
    return found


@functools.cache
def _refusal_body(code: str) -> bytes:
    """Django's answer for the refusal, in the site's language, made once per process."""
    with translation.override(settings.LANGUAGE_CODE):
        message = _sold_out().message if code == SOLD_OUT_CODE else _not_live().message
    return json.dumps({"error": {"code": code, "message": message}}).encode()


_FRONT_CODES = {1: SOLD_OUT_CODE, 2: NOT_LIVE_CODE, 3: SOLD_OUT_CODE}

# How long a process answers with a refusal the gate gave it without asking again. A Redis call
# from Python costs ≈ 10 × the answer itself in CPU (redis-py packs and parses each command),
# so at thousands of requests a second each process asks at most about 20 times a second per
# sale; a unit given back to the gate reaches the other processes' fronts within this long
# (this process's at once: `_forget`).
FRONT_REUSE_SECONDS = 0.05

# sale id → (the gate's refusal code, time.monotonic() until which it is reused)
_front_refusals: dict[int, tuple[str, float]] = {}
# Redis did not answer the front: until this time.monotonic() the front answers from memory.
FRONT_GATE_RETRY_SECONDS = 1.0
_front_gate_away_until = [0.0]


def _gate_refusal(gate: _Gate, sale_ids: Sequence[int]) -> str | None:
    """The gate's answer for the sales named (`_FRONT`): a Redis call per sale at most every
    FRONT_REUSE_SECONDS, never the database. Redis away: what this process remembers."""
    now = time.time()
    for sale_id in sale_ids:
        known = _front_refusals.get(sale_id)
        if known is not None and time.monotonic() < known[1]:
            return known[0]
        if time.monotonic() < _front_gate_away_until[0]:
            return _memory_refusal(sale_ids)
        try:
            claim_ms = int(RESYNC_SECONDS * 1000)
            answer = int(gate.front(keys=_sale_keys(sale_id), args=[now, claim_ms]))
        except gate.errors:
            # Not every request of a crowd should wait for (and log) a Redis that is away.
            _front_gate_away_until[0] = time.monotonic() + FRONT_GATE_RETRY_SECONDS
            logger.warning("flash gate: Redis did not answer the front", exc_info=True)
            return _memory_refusal(sale_ids)
        if answer == 3:
            _resync_soon(sale_id)
        code = _FRONT_CODES.get(answer)
        if code is not None:
            _front_refusals[sale_id] = (code, time.monotonic() + FRONT_REUSE_SECONDS)
            return code
    return None


def _memory_refusal(sale_ids: Sequence[int]) -> str | None:
    now = timezone.now()
    for sale_id in sale_ids:
        code = known_refusal(sale_id, now=now)
        if code is not None:
            return code
    return None


def _front_body(environ: WSGIEnvironment, *, gated: bool) -> bytes | None:
    """The body of a request the front may answer, read; None for any other (left unread)."""
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != ORDERS_PATH:
        return None
    if "HTTP_IDEMPOTENCY_KEY" in environ or not (gated or _snapshots):
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= MAX_FRONT_BODY:
        return None
    body: bytes = environ["wsgi.input"].read(length)
    return body


def front(app: WSGIApplication) -> WSGIApplication:
    """Answer POST /api/v1/orders naming a flash sale that is sold out or over with Django's
    own 409, before Django: during a flash sale most requests are those. With REDIS_URL the
    answer is the gate's (`_FRONT`: units left and the sale's end, in Redis), so a sold-out
    request never reaches Django's ORM and a unit given back to the gate is offered at once;
    without it, what this process last saw (at most SNAPSHOT_SECONDS ago). The whole checkout
    would be refused anyway (one refused line refuses the order). Anything else — and any
    request carrying an Idempotency-Key, whose stored answer must be replayed — goes to Django
    unchanged, the body handed on as read. (The member's limit is not answered here: who the
    member is takes the token look-up, the ORM; the gate answers it in `reserve`.)"""

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        gate = _the_gate()
        body = _front_body(environ, gated=gate is not None)
        if body is None:
            return app(environ, start_response)
        sale_ids = _flash_sale_ids(body)
        code = None
        if sale_ids:
            code = _gate_refusal(gate, sale_ids) if gate else _memory_refusal(sale_ids)
        if code is not None:
            answer = _refusal_body(code)
            start_response(
                "409 Conflict",
                [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))],
            )
            return [answer]
        environ["wsgi.input"] = io.BytesIO(body)
        return app(environ, start_response)

    return application
