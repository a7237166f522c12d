"""Builders the flash-sale tests share: a live sale, buyers in bulk, bare orders to hold units."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from tests.factories import product

from sharemall.accounts.models import Member
from sharemall.catalog.models import Sku
from sharemall.orders.models import Order
from sharemall.payments import services as payments
from sharemall.promotions.models.flash import FlashSale
from sharemall.promotions.services import flash


def live_sale(
    *, stock: int = 5, per_member: int = 1, price_fen: int = 990, sku_stock: int = 10_000, **kw: Any
) -> FlashSale:
    sku = product(price_fen=9900, stock=sku_stock).skus.get()
    now = timezone.now()
    return flash.sale_create(
        sku.product.merchant,
        sku_id=sku.pk,
        price_fen=price_fen,
        stock=stock,
        per_member=per_member,
        starts_at=kw.get("starts_at", now - timedelta(minutes=5)),
        ends_at=kw.get("ends_at", now + timedelta(hours=1)),
    )


def members(n: int, prefix: str = "1371") -> list[Member]:
    """`n` buyers in one statement (no password hashing each)."""
    unusable = make_password(None)
    return Member.objects.bulk_create(
        Member(phone=f"{prefix}{i:07d}", nickname=f"b{i}", password=unusable) for i in range(n)
    )


def bare_orders(buyers: list[Member], sku: Sku) -> list[Order]:
    """One pending order per buyer under one payment: what reserve holds units against."""
    payment = payments.payment_create(
        buyer=buyers[0], amount_fen=990, expires_at=timezone.now() + timedelta(minutes=30)
    )
    merchant_id = sku.product.merchant_id
    return Order.objects.bulk_create(
        Order(
            buyer=b,
            merchant_id=merchant_id,
            payment=payment,
            delivery="express",
            goods_fen=990,
            total_fen=990,
            platform_fee_bp=500,
        )
        for b in buyers
    )


def forget_snapshots() -> None:
    # Each test starts from what the database says, not a snapshot an earlier test left.
    flash._snapshots.clear()
    flash._front_refusals.clear()
    flash._front_gate_away_until[0] = 0.0
