"""Checkout's fast paths on PostgreSQL: a cart placed in two round trips, and its capture in
one statement. They change only how rows are read and written; every rule is the general
path's own (pricing engine, plans, attribution, payment and order builders, ledger entries).

Placing (`order_create`), for any cart delivered by express:

1. One prepared SELECT reads the cart's SKUs with their products and merchants, the buyer's
   binding (parent and until when), and whether a share click within the attribution window
   exists. With a share code or such a click, pricing attributes the order as on the general
   path (the link and its sharer decide); without, the binding read here does.
2. `pricing.price(loaded=...)` prices it as the general path does, raising the same errors.
3. One prepared statement writes everything with data-modifying CTEs: the SKUs are locked in
   id order and their stock taken by conditional updates, the payment, orders, lines and first
   events are inserted, and the device sighting upserted. If any SKU's stock is short, a
   division by zero in the statement's last line aborts the whole statement (nothing is
   written) and the general path runs, answering exactly as it always does.
4. A cart with promotions (a flash sale's or a group's price, a spend tier's discount, the
   buyer's coupons) or that came through a share is written in one transaction instead: the
   statement without the stock, then `checkout.reservations.reserve`, the general path's own
   code in its order — the offers reserved with their tools, the coupons redeemed, the
   campaign rows, the buyer's binding to the sharer, and the stock last, so a flash sale's hot
   SKU row stays locked only until the commit. A refusal (sold out, over the limit, a coupon
   used meanwhile, stock short) rolls it all back and is the answer, the same exception from
   the same call.

Capturing (`capture`), once a notification is verified and its payment is found pending (read
in one prepared SELECT with its orders):

1. The ledger entries come from `orders.ledger.payment_captured_entries`, the merchant's
   notice channels from the notification rules.
2. One statement moves the payment (conditional on `pending`) and its orders (conditional on
   `pending_payment`), writes both event rows, the notices with their deliveries, the orders'
   receivable accounts, the ledger transaction (ON CONFLICT on its key) and its postings. Each
   part is conditioned on the payment's update, so a second delivery writes nothing; a part that
   did not happen as expected aborts the statement (division by zero) and the general path runs.
3. Orders whose lines carry a commission plan, or that hold a promotion reservation, get their
   commissions (`distribution.commissions_create`) and their tools' `paid` in the same
   transaction as the statement, through those services unchanged.

The general path runs on SQLite, and for pickup, a payment not pending or a provider
mismatch; it also gives every error answer but a refusal in `reservations.reserve`, which is
the same exception raised by the same call. Inside a caller's transaction (an
Idempotency-Key's, a test's) a fast statement runs in a savepoint. `tests/test_fast_checkout.py`
runs random carts through both paths and compares rows, events, notices, postings,
commissions, bindings, campaign rows, coupon redemptions and flash reservations.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import DataError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from sharemall.accounts.models import Member, MemberDevice
from sharemall.catalog.models import Product, Sku
from sharemall.checkout import pricing, reservations
from sharemall.core import sql
from sharemall.core.errors import DomainError
from sharemall.core.http import ip_or_none
from sharemall.distribution import services as distribution
from sharemall.merchants.models import Merchant
from sharemall.notifications import rules as notices
from sharemall.notifications.models import Delivery, Notice, NotificationPreference
from sharemall.notifications.services import deliveries_new, notice_new
from sharemall.orders import ledger
from sharemall.orders import rules as order_rules
from sharemall.orders import services as orders
from sharemall.orders.models import Order, OrderEvent, OrderLine
from sharemall.payments import services as payments
from sharemall.payments.models import Payment, PaymentEvent
from sharemall.payments.providers.base import InvalidNotification, Notification, PaymentProvider
from sharemall.payments.providers.registry import provider_for
from sharemall.promotions.models import CampaignOrder
from sharemall.promotions.services import offers as promotion_offers
from sharemall.sharing.models import ShareTouch
from sharemall.sharing.selectors import attribution_window
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet.models import Account, LedgerTransaction, Posting
from sharemall.wallet.rules import Entry


def _table(model: type[Any]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def eligible(*, items: Sequence[pricing.Item], delivery: pricing.Delivery) -> bool:
    """Whether a checkout request may take the fast path, from the request alone."""
    return (
        sql.is_postgres()
        and settings.CHECKOUT_FAST_PATH
        and delivery.type == order_rules.EXPRESS
        and bool(items)
    )


def _savepoint_if_in_transaction() -> AbstractContextManager[Any]:
    """A statement that aborts must not poison a transaction around it (an Idempotency-Key's,
    a test's): there it runs in a savepoint. On its own (autocommit) it is atomic anyway."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


# --- reading the cart ---------------------------------------------------------------------


@cache
def _read_sql() -> str:
    touch = _table(ShareTouch)
    return (
        f"SELECT {sql.select_list(Sku, 's')}, {sql.select_list(Product, 'p')}, "
        f"{sql.select_list(Merchant, 'm')}, b.parent_id, b.bound_until, "
        f"EXISTS (SELECT 1 FROM {touch} t WHERE t.member_id = %(buyer)s "
        "AND t.touched_at >= %(since)s AND t.touched_at <= %(now)s) "
        f"FROM {_table(Member)} b "
        f"LEFT JOIN {_table(Sku)} s ON s.id = ANY(%(sku_ids)s::bigint[]) "
        f"LEFT JOIN {_table(Product)} p ON p.id = s.product_id "
        f"LEFT JOIN {_table(Merchant)} m ON m.id = p.merchant_id "
        "WHERE b.id = %(buyer)s"
    )


def _load(
    buyer: Member, sku_ids: list[int], now: datetime, *, share_code: str | None
) -> pricing.Loaded | None:
    """The cart's SKUs and the attribution, in one statement. With a share code, or a share
    click within the window, the attribution is left to pricing (the link decides, as on the
    general path): only without either is it the buyer's binding, read here. None when the
    buyer's row is gone (deleted during the request): the general path answers."""
    with sql.prepared_cursor() as cursor:
        cursor.execute(
            _read_sql(),
            {
                "buyer": buyer.pk,
                "sku_ids": sku_ids,
                "since": now - attribution_window(),
                "now": now,
            },
        )
        rows = cursor.fetchall()
    if not rows:
        return None
    n_sku, n_product = len(Sku._meta.concrete_fields), len(Product._meta.concrete_fields)
    n_merchant = len(Merchant._meta.concrete_fields)
    skus: dict[int, Sku] = {}
    for row in rows:
        if row[0] is None:
            continue  # no SKU matched: pricing answers unknown_sku
        sku = sql.loaded(Sku, row[:n_sku])
        product = sql.loaded(Product, row[n_sku : n_sku + n_product])
        product.merchant = sql.loaded(
            Merchant, row[n_sku + n_product : n_sku + n_product + n_merchant]
        )
        sku.product = product
        skus[sku.pk] = sku
    if share_code or rows[0][-1]:
        return pricing.Loaded(skus, None)
    # The binding as it is now (the signed-in member object may be older than this request).
    fresh = Member(pk=buyer.pk, parent_id=rows[0][-3], bound_until=rows[0][-2])
    if fresh.parent_id is not None:
        # Only the parent's id is used when placing (the order's referrer).
        fresh.parent = Member(pk=fresh.parent_id)
    return pricing.Loaded(skus, distribution.attribution_of(fresh, None, now=now))


# --- writing the orders -------------------------------------------------------------------

_PAYMENT = sql.insert_fields(Payment)
_ORDER = sql.insert_fields(Order, without=["payment_id"])
_LINE = sql.insert_fields(OrderLine, without=["order_id"])
_EVENT = sql.insert_fields(OrderEvent, without=["order_id"])
# A line names its order by position (1-based) until the orders have ids.
_LINE_AT = sql.Fields((OrderLine._meta.get_field("order_id"), *_LINE))


@cache
def _write_sql(
    payment_values: str, orders_from: str, lines_from: str, event_values: str, *, stock: bool
) -> str:
    """The placing statement; with `stock` False it leaves the SKUs' stock to the caller."""
    sku, quote = _table(Sku), connection.ops.quote_name
    o_cols = ", ".join(f"o.c{i}" for i in range(len(_ORDER)))
    l_cols = ", ".join(f"l.c{i}" for i in range(1, len(_LINE) + 1))
    device = _table(MemberDevice)
    taking = f"""want AS (
  SELECT * FROM unnest(%(sku_ids)s::bigint[], %(units)s::integer[]) AS w(id, units)
), locked AS (
  SELECT s.id FROM {sku} s JOIN want ON want.id = s.id ORDER BY s.id FOR UPDATE OF s
), stock AS (
  UPDATE {sku} s SET {quote("stock")} = s.{quote("stock")} - want.units
  FROM want, locked
  WHERE s.id = want.id AND locked.id = want.id AND s.{quote("stock")} >= want.units
  RETURNING s.id
), """
    check = "1 / ((SELECT count(*) FROM stock) = %(n_skus)s)::integer" if stock else "1"
    return f"""
WITH {taking if stock else ""}pay AS (
  INSERT INTO {_table(Payment)} ({sql.column_list(_PAYMENT)})
  VALUES ({payment_values}) RETURNING id
), ord AS (
  INSERT INTO {_table(Order)} ({quote("payment_id")}, {sql.column_list(_ORDER)})
  SELECT pay.id, {o_cols} FROM pay, {orders_from} ORDER BY o.n
  RETURNING id
), ord_n AS (
  SELECT id, row_number() OVER (ORDER BY id) AS n FROM ord
), lin AS (
  INSERT INTO {_table(OrderLine)} ({quote("order_id")}, {sql.column_list(_LINE)})
  SELECT ord_n.id, {l_cols} FROM {lines_from} JOIN ord_n ON ord_n.n = l.c0 ORDER BY l.n
  RETURNING id
), ev AS (
  INSERT INTO {_table(OrderEvent)} ({quote("order_id")}, {sql.column_list(_EVENT)})
  SELECT ord.id, {event_values} FROM ord
), dev AS (
  -- what accounts.services.device_seen leaves: first seen kept, last seen and address moved
  INSERT INTO {device} (member_id, device_id, first_seen, last_seen, last_ip)
  SELECT %(buyer)s::bigint, %(device)s::varchar, %(now)s::timestamptz, %(now)s::timestamptz,
    %(ip)s::inet
  WHERE %(device)s::varchar <> ''
  ON CONFLICT (member_id, device_id)
  DO UPDATE SET last_seen = EXCLUDED.last_seen, last_ip = EXCLUDED.last_ip
)
SELECT (SELECT id FROM pay) AS payment_id, ARRAY(SELECT id FROM ord ORDER BY id) AS order_ids,
  ARRAY(SELECT id FROM lin ORDER BY id) AS line_ids,
  {check} AS checked
"""


class _StockShort(Exception):
    """A SKU's stock did not cover the cart (or the statement lost a deadlock): it wrote
    nothing."""


def _write(
    buyer: Member,
    priced: pricing.Priced,
    *,
    now: datetime,
    device_id: str,
    client_ip: str | None,
    stock: bool,
) -> tuple[Payment, orders.CreatedOrders]:
    """Write the placed cart in one statement, taking its stock unless `stock` is False."""
    payment = payments.payment_new(
        buyer=buyer,
        amount_fen=priced.total_fen,
        expires_at=now + timedelta(minutes=settings.ORDER_UNPAID_TIMEOUT_MINUTES),
    )
    made = orders.orders_new(buyer=buyer, payment=payment, drafts=priced.drafts, now=now)
    lines = [orders.lines_new(o, d) for o, d in zip(made, priced.drafts, strict=True)]
    flat = [line for group in lines for line in group]
    positions = [i for i, group in enumerate(lines, start=1) for _ in group]
    orders_from, order_params = sql.rows_params(made, _ORDER, prefix="o")
    lines_from, line_params = sql.rows_params(flat, _LINE_AT, prefix="l", first=positions)
    event_values, event_params = sql.scalar_params(
        orders.created_event(made[0], buyer=buyer, now=now), _EVENT, prefix="e"
    )
    payment_values, payment_params = sql.scalar_params(payment, _PAYMENT, prefix="p")
    statement = _write_sql(payment_values, orders_from, lines_from, event_values, stock=stock)
    params = {
        **order_params,
        **line_params,
        **event_params,
        **payment_params,
        "buyer": buyer.pk,
        "device": (device_id or "").strip()[:64],
        "now": now,
        "ip": ip_or_none(client_ip),
    }
    if stock:
        wanted = sorted(priced.wanted.items())
        params["sku_ids"] = [sku_id for sku_id, _ in wanted]
        params["units"] = [units for _, units in wanted]
        params["n_skus"] = len(wanted)
    try:
        with sql.prepared_cursor() as cursor:
            cursor.execute(statement, params)
            payment_id, order_ids, line_ids = cursor.fetchone()[:3]
    except DataError as exc:
        if "division by zero" not in str(exc):
            raise
        raise _StockShort from None
    except OperationalError as exc:
        # Two carts locking the same SKUs met in a deadlock PostgreSQL broke by aborting this
        # statement (nothing written): the general path, which takes stock in id order, retries.
        if getattr(exc.__cause__, "sqlstate", None) != "40P01":
            raise
        raise _StockShort from None
    payment.pk = payment_id
    payment._state.adding = False
    for order, pk in zip(made, order_ids, strict=True):
        order.pk, order.payment_id = pk, payment_id
        order._state.adding = False
    by_order: dict[int, list[OrderLine]] = {}
    for line, pk, position_ in zip(flat, line_ids, positions, strict=True):
        line.pk = pk
        line.order = made[position_ - 1]
        line._state.adding = False
        by_order.setdefault(line.order_id, []).append(line)
    return (payment, orders.CreatedOrders(made, by_order))


def order_create(
    *,
    buyer: Member,
    items: Sequence[pricing.Item],
    delivery: pricing.Delivery,
    client_ip: str | None,
    device_id: str,
    share_code: str | None = None,
    coupon_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> tuple[Payment, orders.CreatedOrders] | None:
    """Place a cart in two round trips (more with promotions or a share: the general path's
    own statements for them), or None when the general path must (a plain cart's SKU is
    short of stock, or the buyer's row is gone: its answer is the general path's)."""
    now = now or timezone.now()
    wants = pricing.merged(items)
    loaded = _load(buyer, sorted({w.sku_id for w in wants}), now, share_code=share_code)
    if loaded is None:
        return None
    priced = pricing.price(
        buyer=buyer,
        items=items,
        delivery=delivery,
        share_code=share_code,
        coupon_ids=coupon_ids,
        now=now,
        client_ip=client_ip,
        device_id=device_id,
        loaded=loaded,
    )
    beyond = reservations.beyond_stock(priced)
    try:
        # A plain cart is the statement alone. Promotions or a share add the general path's own
        # writes for them (`reservations.reserve`, the stock last) in one transaction with it.
        with transaction.atomic() if beyond else _savepoint_if_in_transaction():
            payment, created = _write(
                buyer, priced, now=now, device_id=device_id, client_ip=client_ip, stock=not beyond
            )
            if beyond:
                reservations.reserve(buyer, priced, created, payment, now=now)
    except _StockShort:
        return None
    return payment, created


# --- capturing the payment ----------------------------------------------------------------

_PAYMENT_EVENT = sql.insert_fields(PaymentEvent, without=["payment_id"])
_ORDER_EVENT = _EVENT
_NOTICE = sql.insert_fields(Notice)
_DELIVERY = sql.insert_fields(Delivery, without=["notice_id"])
_ACCOUNT = sql.insert_fields(Account)
# A delivery names its notice by key until the notices have ids.
_DELIVERY_AT = sql.Fields((Notice._meta.get_field("key"), *_DELIVERY))


@cache
def _capture_read_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT {sql.select_list(Payment, 'pay')}, {sql.select_list(Order, 'o')}, m.owner_id, "
        f"EXISTS (SELECT 1 FROM {_table(OrderLine)} l WHERE l.order_id = o.id "
        "AND l.plan IS NOT NULL), "
        f"EXISTS (SELECT 1 FROM {_table(CampaignOrder)} c WHERE c.order_id = o.id "
        "AND c.kind = ANY(%(reserving)s::text[])), "
        f"(SELECT coalesce(json_object_agg(np.channel, np.enabled), '{{}}') "
        f"FROM {_table(NotificationPreference)} np "
        "WHERE np.member_id = m.owner_id AND np.kind = %(kind)s), "
        f"(SELECT coalesce(json_object_agg(a.kind, a.id), '{{}}') FROM {_table(Account)} a "
        "WHERE a.owner_id IS NULL AND a.kind = ANY(%(platform_kinds)s::text[])) "
        f"FROM {_table(Payment)} pay "
        f"LEFT JOIN {_table(Order)} o ON o.payment_id = pay.id "
        f"LEFT JOIN {_table(Merchant)} m ON m.id = o.merchant_id "
        f"WHERE pay.{quote('payment_no')} = %(payment_no)s ORDER BY o.id"
    )


class _Capture:
    """What the capture statement needs, read in one statement: the payment, its orders with
    their merchants' owners and notice choices, and the platform's ledger accounts."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        n_pay, n_order = len(Payment._meta.concrete_fields), len(Order._meta.concrete_fields)
        self.payment = sql.loaded(Payment, rows[0][:n_pay])
        self.orders: list[Order] = []
        self.owners: list[int] = []
        self.choices: list[dict[str, bool]] = []
        self.complete = True
        self.with_plans = self.with_reservations = False
        for row in rows:
            if row[n_pay] is None:
                self.complete = False  # a payment without orders is not ours to move here
                continue
            self.orders.append(sql.loaded(Order, row[n_pay : n_pay + n_order]))
            owner, has_plan, reserved, choices = row[n_pay + n_order : n_pay + n_order + 4]
            self.owners.append(owner)
            self.choices.append(_json(choices))
            # No plan, no commission (distribution.commissions: a line's snapshotted plan is
            # what pays); a reservation needs its tool's `paid`. Either runs through its own
            # service in the capture's transaction.
            self.with_plans = self.with_plans or has_plan
            self.with_reservations = self.with_reservations or reserved
        self.platform_accounts: dict[str, int] = _json(rows[0][-1])


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


@cache
def _capture_sql(
    event_values: str,
    order_event_values: str,
    notices_from: str,
    deliveries_from: str,
    accounts_from: str,
) -> str:
    quote = connection.ops.quote_name
    status = quote("status")
    n_cols = ", ".join(f"nt.c{i}" for i in range(len(_NOTICE)))
    d_cols = ", ".join(f"d.c{i}" for i in range(1, len(_DELIVERY) + 1))
    a_cols = ", ".join(f"a.c{i}" for i in range(len(_ACCOUNT)))
    return f"""
WITH pay AS (
  UPDATE {_table(Payment)} SET {status} = %(paid)s, payer_id = coalesce(payer_id, buyer_id),
    provider = %(provider)s, provider_txn_id = %(txn)s, paid_at = %(now)s
  WHERE id = %(payment_id)s AND {status} = %(pending)s
  RETURNING id, payer_id
), pev AS (
  INSERT INTO {_table(PaymentEvent)} (payment_id, {sql.column_list(_PAYMENT_EVENT)})
  SELECT pay.id, {event_values} FROM pay
), ord AS (
  UPDATE {_table(Order)} o SET {status} = %(order_paid)s, paid_at = %(now)s FROM pay
  WHERE o.payment_id = pay.id AND o.{status} = %(pending_payment)s
  RETURNING o.id
), oev AS (
  INSERT INTO {_table(OrderEvent)} (order_id, {sql.column_list(_ORDER_EVENT)})
  SELECT ord.id, {order_event_values} FROM ord
), nt AS (
  INSERT INTO {_table(Notice)} ({sql.column_list(_NOTICE)})
  SELECT {n_cols} FROM {notices_from} WHERE EXISTS (SELECT 1 FROM pay) ORDER BY nt.n
  ON CONFLICT DO NOTHING RETURNING id, {quote("key")}
), dl AS (
  INSERT INTO {_table(Delivery)} (notice_id, {sql.column_list(_DELIVERY)})
  SELECT nt.id, {d_cols} FROM {deliveries_from} JOIN nt ON nt.{quote("key")} = d.c0
  ORDER BY d.n
), acct AS (
  INSERT INTO {_table(Account)} ({sql.column_list(_ACCOUNT)})
  SELECT {a_cols} FROM {accounts_from} WHERE EXISTS (SELECT 1 FROM pay) ORDER BY a.n
  ON CONFLICT DO NOTHING RETURNING id, owner_id
), tx AS (
  INSERT INTO {_table(LedgerTransaction)} ({quote("key")}, kind, memo, created_at)
  SELECT %(tx_key)s, %(tx_kind)s, %(tx_memo)s, %(now)s WHERE EXISTS (SELECT 1 FROM pay)
  ON CONFLICT ({quote("key")}) DO NOTHING RETURNING id
), post AS (
  INSERT INTO {_table(Posting)} (transaction_id, account_id, amount_fen)
  SELECT tx.id, coalesce(e.account_id, acct.id), e.amount_fen
  FROM tx, unnest(%(e_account)s::bigint[], %(e_order)s::bigint[], %(e_amount)s::bigint[])
    WITH ORDINALITY AS e(account_id, order_id, amount_fen, n)
  LEFT JOIN acct ON acct.owner_id = e.order_id
  ORDER BY e.n
  RETURNING id
)
SELECT (SELECT payer_id FROM pay) AS payer_id, (SELECT count(*) FROM pay) AS captured,
  CASE WHEN NOT EXISTS (SELECT 1 FROM pay) THEN 1 ELSE 1 / (
    (SELECT count(*) FROM ord) = %(n_orders)s
    AND (SELECT count(*) FROM acct) = %(n_orders)s
    AND (SELECT count(*) FROM tx) = 1
    AND (SELECT count(*) FROM post) = %(n_entries)s)::integer END AS checked
"""


@dataclass(frozen=True)
class Captured:
    payment: Payment
    notification: Notification
    provider: PaymentProvider
    refunds_due: list[promotion_offers.RefundDue]


def _verified(
    provider_name: str, headers: Mapping[str, str], body: bytes
) -> tuple[PaymentProvider, Notification] | None:
    try:
        provider = provider_for(provider_name)
        n = provider.parse_notification(headers, body)
    except (DomainError, InvalidNotification):
        return None  # the general path refuses it, and logs why
    return (provider, n) if n.paid else None


def _read_capture(payment_no: str) -> _Capture | None:
    with sql.prepared_cursor() as cursor:
        cursor.execute(
            _capture_read_sql(),
            {
                "payment_no": payment_no,
                "reserving": promotion_offers.reserving_kinds(),
                "kind": notices.ORDER_PAID,
                "platform_kinds": [ledger.PROVIDER_FUNDS, ledger.CLEARING, ledger.FEES],
            },
        )
        rows = cursor.fetchall()
    return _Capture(rows) if rows else None


def _ledger_accounts(entries: Sequence[Entry], found: _Capture) -> list[int | None] | None:
    """Each entry's account id, None for an order's receivable account (made by the statement);
    None overall when an entry needs the ledger's general writer."""
    accounts: list[int | None] = []
    for entry in entries:
        ref = entry.account
        if ref.tracks_balance or (ref.is_platform and ref.kind not in found.platform_accounts):
            # A balance to move, or a platform account the first capture ever makes.
            return None
        accounts.append(found.platform_accounts[ref.kind] if ref.is_platform else None)
    return accounts


def _capture_params(
    found: _Capture, provider: PaymentProvider, n: Notification, now: datetime
) -> tuple[str, dict[str, Any]] | None:
    payment = found.payment
    payment.status, payment.paid_at = Payment.Status.PAID, now
    payment.provider, payment.provider_txn_id = provider.name, n.provider_txn_id
    for order in found.orders:
        order.status, order.paid_at = order_rules.PAID, now
    entries = ledger.payment_captured_entries(payment, found.orders)
    wallet_rules.check_balanced(entries)
    accounts = _ledger_accounts(entries, found)
    if accounts is None:
        return None
    notices_made = [
        notice_new(owner, notices.ORDER_PAID, f"order:{o.pk}:paid", now=now, order_no=o.order_no)
        for o, owner in zip(found.orders, found.owners, strict=True)
    ]
    deliveries = [
        (notice.key, d)
        for notice, choices in zip(notices_made, found.choices, strict=True)
        for d in deliveries_new(notice, choices, now=now)
    ]
    notices_from, notice_params = sql.rows_params(notices_made, _NOTICE, prefix="nt")
    deliveries_from, delivery_params = sql.rows_params(
        [d for _, d in deliveries],
        _DELIVERY_AT,
        prefix="d",
        first=[key for key, _ in deliveries],
    )
    accounts_from, account_params = sql.rows_params(
        [
            Account(kind=ref.kind, owner_id=ref.owner_id, tracks_balance=False)
            for ref in (wallet_rules.order_receivable(o.pk) for o in found.orders)
        ],
        _ACCOUNT,
        prefix="a",
    )
    event_values, event_params = sql.scalar_params(
        PaymentEvent(
            from_status=Payment.Status.PENDING,
            to_status=Payment.Status.PAID,
            note=payments.capture_note(provider, n),
            created_at=now,
        ),
        _PAYMENT_EVENT,
        prefix="pe",
    )
    order_event_values, order_event_params = sql.scalar_params(
        OrderEvent(
            from_status=order_rules.PENDING_PAYMENT, to_status=order_rules.PAID, created_at=now
        ),
        _ORDER_EVENT,
        prefix="oe",
    )
    statement = _capture_sql(
        event_values, order_event_values, notices_from, deliveries_from, accounts_from
    )
    return statement, {
        **notice_params,
        **delivery_params,
        **account_params,
        **event_params,
        **order_event_params,
        "paid": Payment.Status.PAID,
        "pending": Payment.Status.PENDING,
        "order_paid": order_rules.PAID,
        "pending_payment": order_rules.PENDING_PAYMENT,
        "provider": provider.name,
        "txn": n.provider_txn_id,
        "now": now,
        "payment_id": payment.pk,
        "tx_key": ledger.payment_captured_key(payment),
        "tx_kind": ledger.PAYMENT_CAPTURED,
        "tx_memo": payment.payment_no,
        "e_account": accounts,
        "e_order": [None if e.account.is_platform else e.account.owner_id for e in entries],
        "e_amount": [e.amount_fen for e in entries],
        "n_orders": len(found.orders),
        "n_entries": len(entries),
    }


def _capture_transaction(found: _Capture) -> AbstractContextManager[Any]:
    """Where the statement runs: alone (atomic by itself) when it is the whole capture; in a
    transaction with the commissions' and promotions' own writes when the orders need them."""
    if found.with_plans or found.with_reservations:
        return transaction.atomic()
    return _savepoint_if_in_transaction()


def capture(provider_name: str, headers: Mapping[str, str], body: bytes) -> Captured | None:
    """Capture a verified notification's payment with its orders and ledger in one statement
    (and the commissions and promotion reservations through their services, in the same
    transaction); None when the general path must handle it (anything but a first capture)."""
    if not (sql.is_postgres() and settings.CHECKOUT_FAST_PATH):
        return None
    verified = _verified(provider_name, headers, body)
    found = _read_capture(verified[1].payment_no) if verified else None
    if verified is None or found is None:
        return None
    provider, n = verified
    first_capture = (
        found.complete
        and found.payment.status == Payment.Status.PENDING
        and payments.mismatch(provider, n, found.payment) is None
        and all(o.status == order_rules.PENDING_PAYMENT for o in found.orders)
    )
    prepared = _capture_params(found, provider, n, timezone.now()) if first_capture else None
    if prepared is None:
        return None
    refunds_due: list[promotion_offers.RefundDue] = []
    try:
        with _capture_transaction(found):
            with sql.prepared_cursor() as cursor:
                cursor.execute(*prepared)
                payer_id, captured = cursor.fetchone()[:2]
            if not captured:
                return None  # another delivery captured it first: the general path says so
            if found.with_plans:
                distribution.commissions_create(found.orders)
            if found.with_reservations:
                refunds_due = promotion_offers.paid(found.orders)
    except (DataError, IntegrityError):
        # A part did not happen as expected (division by zero), or the transaction id belongs
        # to another payment: nothing was written; the general path tells which case it is.
        return None
    found.payment.payer_id = payer_id
    return Captured(found.payment, n, provider, refunds_due)
