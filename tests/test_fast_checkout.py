"""Checkout's fast path (checkout/fast.py) against the general path, on PostgreSQL.

The differential test runs random carts — several merchants, 满减 tiers, a flash sale within
or over its limit, a shop coupon, a share code or a share click, a commission plan or none, a
buyer bound to a parent or not, stock that may run short, a device or none — through both
paths from the same database state, and asserts the same answers, rows, events, notices,
postings, bindings, campaign rows, coupon redemptions and flash reservations (ids, numbers and
instants aside). The race tests repeat the commerce races on the fast path: 30 buyers for 5
units, 16 concurrent deliveries of one capture.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, models, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharemall.accounts.binding import bind
from sharemall.accounts.models import Binding, Member, MemberDevice
from sharemall.accounts.services import token_issue
from sharemall.catalog.models import Sku
from sharemall.checkout import fast
from sharemall.checkout import services as checkout
from sharemall.core.errors import DomainError
from sharemall.distribution import rules as distribution_rules
from sharemall.distribution.models import CommissionEntry
from sharemall.distribution.services import plans as plan_services
from sharemall.notifications.models import Delivery, Notice
from sharemall.orders.models import Order, OrderEvent, OrderLine
from sharemall.payments.models import Payment, PaymentEvent
from sharemall.payments.providers.sandbox import SandboxProvider
from sharemall.promotions.models import (
    CampaignOrder,
    CouponClaim,
    CouponRedemption,
    FlashPurchase,
    FlashQuota,
    FlashSale,
)
from sharemall.promotions.rules import coupons as coupon_rules
from sharemall.promotions.services import coupons, flash
from sharemall.promotions.tests.flash_support import forget_snapshots
from sharemall.sharing import services as sharing
from sharemall.sharing.models import ShareTouch
from sharemall.wallet.models import Account, LedgerTransaction, Posting
from sharemall.wallet.services import ledger_check
from tests.factories import MemberFactory, merchant, product
from tests.races import all_at_once

pytestmark = [pytest.mark.postgres]

EXPRESS = checkout.Delivery("express", "440305", "科技园 1 号", "王小二", "13912345678")


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the fast path is PostgreSQL's")


class Uses:
    """How often each fast path really wrote (so a test cannot pass by always falling back)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.placed = self.captured = 0
        write, capture = fast._write, fast.capture

        def counted_write(*args: Any, **kwargs: Any) -> Any:
            result = write(*args, **kwargs)
            self.placed += 1
            return result

        def counted_capture(*args: Any, **kwargs: Any) -> Any:
            result = capture(*args, **kwargs)
            self.captured += result is not None
            return result

        monkeypatch.setattr(fast, "_write", counted_write)
        monkeypatch.setattr(fast, "capture", counted_capture)


@pytest.fixture
def uses(monkeypatch: pytest.MonkeyPatch) -> Uses:
    return Uses(monkeypatch)


# --- the differential test ----------------------------------------------------------------

VOLATILE = {"id", "order_no", "payment_no", "pay_token", "provider_txn_id", "key", "memo"}


def _row(obj: models.Model, *drop: str) -> dict[str, Any]:
    """A row's columns, less ids, random numbers and instants (each path has its own)."""
    out = {}
    for f in obj._meta.concrete_fields:
        if f.attname in VOLATILE or f.attname in drop:
            continue
        value = getattr(obj, f.attname)
        out[f.attname] = value is not None if isinstance(f, models.DateTimeField) else value
    return out


def _snapshot(buyer: Member, skus: list[Sku]) -> dict[str, Any]:
    orders = list(Order.objects.filter(buyer=buyer).order_by("pk"))
    position = {o.pk: i for i, o in enumerate(orders)}
    payments = list(Payment.objects.filter(buyer=buyer).order_by("pk"))
    notices = list(Notice.objects.filter(key__in=[f"order:{o.pk}:paid" for o in orders]))
    accounts = {a.pk: a for a in Account.objects.all()}

    def account(pk: int) -> tuple[str, Any]:
        a = accounts[pk]
        owner = position.get(a.owner_id) if a.kind == "order_receivable" else a.owner_id
        return (a.kind, owner)

    transactions = LedgerTransaction.objects.filter(
        key__in=[f"payment:{p.pk}:captured" for p in payments]
    )
    return {
        "payments": [_row(p, "payer_id") | {"payer": p.payer_id} for p in payments],
        "payment_events": sorted(
            (e.from_status, e.to_status, e.actor_id, e.note.split()[0])
            for e in PaymentEvent.objects.filter(payment__in=payments)
        ),
        "orders": [_row(o, "payment_id") for o in orders],
        "lines": sorted(
            (position[line.order_id], *_row(line, "order_id").items())
            for line in OrderLine.objects.filter(order__in=orders)
        ),
        "order_events": sorted(
            (position[e.order_id], e.from_status, e.to_status, e.actor_id, e.note)
            for e in OrderEvent.objects.filter(order__in=orders)
        ),
        "notices": sorted((n.recipient_id, n.kind, sorted(n.params)) for n in notices),
        "deliveries": sorted(
            (d.channel, d.status, d.attempts) for d in Delivery.objects.filter(notice__in=notices)
        ),
        "ledger": sorted(
            (t.kind, sorted((*account(p.account_id), p.amount_fen) for p in t.postings.all()))
            for t in transactions
        ),
        "receivables": sorted(
            (position[a.owner_id], a.tracks_balance, a.balance_fen)
            for a in accounts.values()
            if a.kind == "order_receivable" and a.owner_id in position
        ),
        "commissions": sorted(
            (position[c.order_id], c.beneficiary_id, *_row(c, "order_id", "order_line_id").items())
            for c in CommissionEntry.objects.filter(order__in=orders)
        ),
        "campaigns": sorted(
            (position[c.order_id], c.kind, c.campaign_id, c.cost_fen)
            for c in CampaignOrder.objects.filter(order__in=orders)
        ),
        "coupon_claims": sorted(
            (c.coupon_id, c.used_at is not None, c.used_payment_id in {p.pk for p in payments})
            for c in CouponClaim.objects.filter(member=buyer)
        ),
        "coupon_redemptions": sorted(
            (position[r.order_id], r.taken_fen, r.funded_by)
            for r in CouponRedemption.objects.filter(order__in=orders)
        ),
        "flash": sorted(
            (position[f.order_id], f.sale_id, f.quantity, f.status)
            for f in FlashPurchase.objects.filter(order__in=orders)
        ),
        "flash_sold": sorted(FlashSale.objects.values_list("pk", "sold")),
        "flash_quota": sorted(
            FlashQuota.objects.filter(member=buyer).values_list("sale_id", "bought")
        ),
        "parent": Member.objects.values_list("parent_id", flat=True).get(pk=buyer.pk),
        "bindings": sorted(
            (b.parent_id, b.previous_parent_id, b.mode, b.source, b.bound_until is not None)
            for b in Binding.objects.filter(member=buyer)
        ),
        "stock": [Sku.objects.get(pk=s.pk).stock for s in skus],
        "devices": sorted(
            (d.device_id, d.last_ip) for d in MemberDevice.objects.filter(member=buyer)
        ),
    }


@contextmanager
def _rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _run(
    buyer: Member,
    items: list[checkout.Item],
    skus: list[Sku],
    device: str,
    *,
    fast_path: bool,
    coupon_ids: tuple[int, ...] = (),
    share_code: str | None = None,
) -> dict[str, Any]:
    forget_snapshots()  # the other run's sales were rolled back with it
    with override_settings(CHECKOUT_FAST_PATH=fast_path), _rolled_back():
        try:
            placed = checkout.order_create(
                buyer=buyer,
                items=items,
                delivery=EXPRESS,
                client_ip="58.1.2.3",
                device_id=device,
                coupon_ids=coupon_ids,
                share_code=share_code,
            )
        except DomainError as exc:
            return {"error": exc.code, **_snapshot(buyer, skus)}
        checkout.sandbox_complete(placed.payment)
        return {"answer": len(placed.orders), **_snapshot(buyer, skus)}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cart=st.lists(
        st.tuples(
            st.integers(0, 1),
            st.integers(1, 90_000),
            st.sampled_from([0, 4, 6, 9, 12]),  # stock: one SKU in five has none
            st.integers(1, 3),
        ),
        min_size=1,
        max_size=4,
    ),
    tier=st.one_of(st.none(), st.tuples(st.integers(2, 100_000), st.integers(1, 99_999))),
    # A flash sale of the first item's SKU: its units, its limit per member, and whether the
    # cart asks for more than the limit.
    sale=st.one_of(st.none(), st.tuples(st.integers(1, 4), st.integers(1, 3), st.booleans())),
    # A coupon of the first merchant's, claimed by the buyer: its amount and threshold.
    coupon=st.one_of(st.none(), st.tuples(st.integers(1, 5_000), st.integers(0, 60_000))),
    # The order through a share of the first item's product: its code sent with the order,
    # or the buyer's click on it within the attribution window.
    share=st.sampled_from([None, "code", "click"]),
    with_plan=st.booleans(),
    with_parent=st.booleans(),
    device=st.sampled_from(["", "dev-1"]),
)
@pytest.mark.django_db
def test_random_carts_write_the_same_rows_through_both_paths(
    uses: Uses,
    *,
    cart: list[tuple[int, int, int, int]],
    tier: tuple[int, int] | None,
    sale: tuple[int, int, bool] | None,
    coupon: tuple[int, int] | None,
    share: str | None,
    with_plan: bool,
    with_parent: bool,
    device: str,
) -> None:
    merchants = [merchant(), merchant()]
    skus = [
        product(merchants[m], price_fen=price, stock=stock).skus.get()
        for m, price, stock, _q in cart
    ]
    items = [checkout.Item(s.pk, q) for s, (_m, _p, _s, q) in zip(skus, cart, strict=True)]
    now = timezone.now()
    if sale is not None and skus[0].price_fen > 1:
        units, per_member, over_limit = sale
        per_member = min(per_member, units)
        made = flash.sale_create(
            merchants[cart[0][0]],
            sku_id=skus[0].pk,
            price_fen=skus[0].price_fen // 2,
            stock=units,
            per_member=per_member,
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=1),
        )
        quantity = per_member + 1 if over_limit else min(items[0].quantity, per_member)
        items[0] = checkout.Item(skus[0].pk, quantity, flash_sale_id=made.pk)
    if tier is not None and min(tier) < max(tier):
        coupons.tiers_create(
            merchants[0],
            actor=merchants[0].owner,
            tiers=[coupon_rules.SpendTier(max(tier), min(tier))],
            valid_from=now - timedelta(hours=1),
            valid_to=now + timedelta(days=1),
        )
    if with_plan:
        plan = distribution_rules.plan_parse(
            distribution_rules.BP, share_budget=3000, buyer_discount=0, levels=[1000, 500, 200]
        )
        plan_services.plan_set(merchants[0], actor=merchants[0].owner, plan=plan)
    buyer = MemberFactory.create()
    if with_parent:
        bind(buyer, MemberFactory.create(), source="test", now=now)
        buyer.refresh_from_db()
    # The platform's ledger accounts exist once any payment was captured.
    warm = product(merchants[1], price_fen=100, stock=1).skus.get()
    warmed = checkout.order_create(
        buyer=MemberFactory.create(), items=[checkout.Item(warm.pk, 1)], delivery=EXPRESS
    )
    checkout.sandbox_complete(warmed.payment)

    claims: tuple[int, ...] = ()
    if coupon is not None:
        amount, threshold = coupon
        made_coupon = coupons.coupon_create(
            merchant=merchants[0],
            actor=merchants[0].owner,
            title="",
            definition=coupon_rules.Definition(
                coupon_rules.Coupon(
                    key="",
                    kind=coupon_rules.AMOUNT,
                    amount_fen=amount,
                    threshold_fen=threshold if threshold > amount else 0,
                    scope=coupon_rules.SCOPE_MERCHANT,
                    scope_ids=frozenset({merchants[0].pk}),
                ),
                total=10,
                per_member=1,
                valid_from=now - timedelta(hours=1),
                valid_to=now + timedelta(days=1),
            ),
        )
        claims = (coupons.coupon_claim(made_coupon, buyer, now=now).pk,)

    code = None
    if share is not None:
        link = sharing.share_create(
            sharer=MemberFactory.create(), target_type="product", target_id=skus[0].product_id
        ).link
        if share == "code":
            code = link.code
        else:
            ShareTouch.objects.create(member=buyer, link=link, touched_at=now)

    def run(fast_path: bool) -> dict[str, Any]:
        return _run(
            buyer, items, skus, device, fast_path=fast_path, coupon_ids=claims, share_code=code
        )

    general = run(False)
    placed_before, captured_before = uses.placed, uses.captured
    quick = run(True)
    assert quick == general
    if "answer" in general:  # the fast paths placed and captured it (not a fallback)
        assert (uses.placed, uses.captured) == (placed_before + 1, captured_before + 1)


def test_a_flash_sale_cart_is_placed_on_the_fast_path_with_its_reservation(
    uses: Uses, db: None
) -> None:
    sku = product(price_fen=9900, stock=50).skus.get()
    now = timezone.now()
    sale = flash.sale_create(
        sku.product.merchant,
        sku_id=sku.pk,
        price_fen=990,
        stock=10,
        per_member=1,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
    )
    forget_snapshots()
    buyer = MemberFactory.create()
    api = _api(token_issue(buyer))

    def place(item: dict[str, int]) -> Any:
        body = {"items": [item], "delivery": EXPRESS.__dict__}
        return api.post("/api/v1/orders", body, content_type="application/json")

    # Warm: the process's cached rules (settings, plans, tiers) and the sale's picture.
    assert place({"sku_id": sku.pk, "quantity": 1}).status_code == 201
    flash_item = {"sku_id": sku.pk, "quantity": 1, "flash_sale_id": sale.pk}
    with CaptureQueriesContext(connection) as placing:
        answer = place(flash_item)
    assert answer.status_code == 201, answer.json()
    assert uses.placed == 2
    order = Order.objects.get(pk=answer.json()["orders"][0]["id"])
    assert order.goods_fen == 9900 and order.discount_fen == 9900 - 990
    purchase = FlashPurchase.objects.get(order=order)
    assert (purchase.sale_id, purchase.quantity, purchase.status) == (sale.pk, 1, "reserved")
    assert list(CampaignOrder.objects.filter(order=order).values_list("kind", "cost_fen")) == [
        ("flash", 9900 - 990)
    ]
    assert Sku.objects.get(pk=sku.pk).stock == 48
    # Authentication, the cart's read, the sale's picture (read at most once a second by a
    # process), the write, the flash reservation, the campaign row and last the stock: the
    # general path takes eleven.
    statements = [q["sql"] for q in placing.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 7, "\n".join(x[:70] for x in statements)
    assert statements[-1].startswith('UPDATE "catalog_sku"'), statements[-1]
    # A second unit is over the limit: the general path's refusal, and nothing written.
    refused = place(flash_item)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "flash_limit")
    assert Order.objects.filter(buyer=buyer).count() == 2
    assert Sku.objects.get(pk=sku.pk).stock == 48
    checkout.sandbox_complete(Payment.objects.get(pk=order.payment_id))
    assert FlashPurchase.objects.get(order=order).status == "paid"
    assert ledger_check() == []


def test_a_plain_cart_costs_two_statements_to_capture(uses: Uses, db: None) -> None:
    sku = product(price_fen=1999, stock=5).skus.get()
    buyer = MemberFactory.create()
    warmed = checkout.order_create(buyer=buyer, items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS)
    checkout.sandbox_complete(warmed.payment)
    placed = checkout.order_create(buyer=buyer, items=[checkout.Item(sku.pk, 2)], delivery=EXPRESS)
    with CaptureQueriesContext(connection) as create_and_pay:
        result = checkout.sandbox_complete(placed.payment)
    assert result.captured
    # The first capture ever makes the platform's ledger accounts, on the general path.
    assert (uses.placed, uses.captured) == (2, 1)
    # In a test's transaction each fast statement sits in a savepoint (two statements more).
    statements = [q["sql"] for q in create_and_pay.captured_queries]
    assert len([s for s in statements if "SAVEPOINT" not in s]) == 2, statements
    assert ledger_check() == []


# --- races on the fast path ----------------------------------------------------------------


def _api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.django_db(transaction=True)
def test_thirty_buyers_for_five_units_make_five_orders(uses: Uses) -> None:
    sku = product(stock=5, price_fen=990).skus.get()
    tokens = [token_issue(MemberFactory.create()) for _ in range(30)]
    body = {"items": [{"sku_id": sku.pk, "quantity": 1}], "delivery": EXPRESS.__dict__}

    def attempt(token: str) -> Callable[[], int]:
        return lambda: (
            _api(token).post("/api/v1/orders", body, content_type="application/json").status_code
        )

    statuses = all_at_once([attempt(t) for t in tokens])
    assert sorted(statuses).count(201) == 5
    assert set(statuses) == {201, 409}
    assert Order.objects.count() == 5
    assert Sku.objects.get(pk=sku.pk).stock == 0
    assert uses.placed == 5


@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_deliveries_capture_once(uses: Uses) -> None:
    sku = product(stock=5, price_fen=1999).skus.get()
    buyer = MemberFactory.create()
    warm = checkout.order_create(buyer=buyer, items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS)
    checkout.sandbox_complete(warm.payment)
    payment = checkout.order_create(
        buyer=buyer, items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS
    ).payment
    sandbox = SandboxProvider()
    headers, body = sandbox.signed_notification(
        payment_no=payment.payment_no, amount_fen=payment.amount_fen, txn_id="TXN-ONCE"
    )
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    lock = threading.Lock()
    captured_before = uses.captured

    def deliver() -> int:
        with lock:
            client = Client()
        return client.post(
            "/api/v1/payments/notify/sandbox", data=body, content_type="application/json", **meta
        ).status_code

    statuses = all_at_once([deliver for _ in range(16)])
    assert statuses == [200] * 16
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert PaymentEvent.objects.filter(payment=payment, to_status="paid").count() == 1
    assert OrderEvent.objects.filter(order__payment=payment, to_status="paid").count() == 1
    assert LedgerTransaction.objects.filter(key=f"payment:{payment.pk}:captured").count() == 1
    assert Posting.objects.filter(transaction__key=f"payment:{payment.pk}:captured").count() == 6
    assert uses.captured == captured_before + 1
    assert ledger_check() == []


@pytest.mark.django_db(transaction=True)
def test_carts_of_the_same_skus_in_opposite_orders_all_go_through() -> None:
    """Stock is taken on rows locked in id order, so crossing carts queue instead of failing."""
    first, second = (product(stock=100, price_fen=500).skus.get() for _ in range(2))
    buyers = [MemberFactory.create() for _ in range(20)]

    def attempt(i: int) -> Callable[[], Any]:
        pair = (first, second) if i % 2 else (second, first)
        return lambda: checkout.order_create(
            buyer=buyers[i],
            items=[checkout.Item(pair[0].pk, 2), checkout.Item(pair[1].pk, 1)],
            delivery=EXPRESS,
        )

    outcomes = all_at_once([attempt(i) for i in range(20)])
    assert all(isinstance(o, checkout.CheckoutResult) for o in outcomes), outcomes
    assert Sku.objects.get(pk=first.pk).stock + Sku.objects.get(pk=second.pk).stock == 200 - 60
