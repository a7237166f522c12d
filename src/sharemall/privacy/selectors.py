"""A member's personal data as one JSON document (PIPL art. 45: the right to a copy).

Read straight from the apps privacy sits above, the address book included."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sharemall.accounts.models import Binding, Member
from sharemall.addresses import selectors as address_book
from sharemall.addresses.rules import region_name
from sharemall.distribution.models import CommissionEntry
from sharemall.legal.selectors import consents_of
from sharemall.orders.models import Order
from sharemall.posts.models import Post
from sharemall.sharing.models import ShareLink
from sharemall.wallet.models import Withdrawal

FORMAT_VERSION = 1


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def mask(account: str) -> str:
    """A payee account with all but its last four characters hidden."""
    if len(account) <= 4:
        return "*" * len(account)
    return "*" * (len(account) - 4) + account[-4:]


def _profile(member: Member) -> dict[str, Any]:
    return {
        "id": member.pk,
        "phone": member.phone,
        "nickname": member.nickname,
        "is_distributor": member.is_distributor,
        "date_joined": _when(member.date_joined),
        "last_login": _when(member.last_login),
        "signup_ip": member.signup_ip,
        "signup_device": member.signup_device,
    }


def _binding(member: Member) -> dict[str, Any]:
    history = Binding.objects.filter(member=member).order_by("bound_at", "id")
    return {
        "parent_id": member.parent_id,
        "bound_until": _when(member.bound_until),
        "history": [
            {
                "parent_id": b.parent_id,
                "previous_parent_id": b.previous_parent_id,
                "mode": b.mode,
                "source": b.source,
                "bound_at": _when(b.bound_at),
                "bound_until": _when(b.bound_until),
            }
            for b in history
        ],
    }


def _orders(member: Member) -> list[dict[str, Any]]:
    orders = Order.objects.filter(buyer=member).prefetch_related("lines").order_by("id")
    return [
        {
            "order_no": o.order_no,
            "merchant_id": o.merchant_id,
            "status": o.status,
            "created_at": _when(o.created_at),
            "delivery": o.delivery,
            "region_code": o.region_code,
            "address": o.address,
            "receiver": o.receiver,
            "phone": o.phone,
            "goods_fen": o.goods_fen,
            "discount_fen": o.discount_fen,
            "shipping_fen": o.shipping_fen,
            "total_fen": o.total_fen,
            "refunded_fen": o.refunded_fen,
            "lines": [
                {
                    "title": line.title,
                    "sku_name": line.sku_name,
                    "unit_price_fen": line.unit_price_fen,
                    "quantity": line.quantity,
                    "paid_fen": line.paid_fen,
                    "refunded_fen": line.refunded_fen,
                }
                for line in o.lines.all()
            ],
        }
        for o in orders
    ]


def _commissions(member: Member) -> list[dict[str, Any]]:
    rows = CommissionEntry.objects.filter(beneficiary=member).order_by("id")
    return [
        {
            "id": c.pk,
            "order_id": c.order_id,
            "kind": c.kind,
            "level": c.level,
            "amount_fen": c.amount_fen,
            "status": c.status,
            "reversal_of": c.reversal_of_id,
        }
        for c in rows
    ]


def _withdrawals(member: Member) -> list[dict[str, Any]]:
    rows = Withdrawal.objects.filter(member=member).order_by("id")
    return [
        {
            "id": w.pk,
            "merchant_id": w.merchant_id,
            "amount_fen": w.amount_fen,
            "fee_fen": w.fee_fen,
            "channel": w.channel,
            "payee": mask(w.payee),
            "status": w.status,
        }
        for w in rows
    ]


def _posts(member: Member) -> list[dict[str, Any]]:
    rows = Post.objects.filter(author=member).order_by("id")
    return [
        {
            "id": p.pk,
            "product_id": p.product_id,
            "text": p.text,
            "rating": p.rating,
            "status": p.status,
            "created_at": _when(p.created_at),
        }
        for p in rows
    ]


def _share_links(member: Member) -> list[dict[str, Any]]:
    rows = ShareLink.objects.filter(sharer=member).order_by("id")
    return [
        {
            "code": s.code,
            "target_type": s.target_type,
            "target_id": s.target_id,
            "channel": s.channel,
            "created_at": _when(s.created_at),
        }
        for s in rows
    ]


def member_export(member: Member) -> dict[str, Any]:
    """Everything kept about the member that identifies them or that they made."""
    document: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "profile": _profile(member),
        "consents": consents_of(member),
        "binding": _binding(member),
        "orders": _orders(member),
        "commissions": _commissions(member),
        "withdrawals": _withdrawals(member),
        "posts": _posts(member),
        "share_links": _share_links(member),
        "addresses": [
            {
                "region_code": a.region_code,
                "region_name": region_name(a.region_code),
                "address": a.address,
                "receiver": a.receiver,
                "phone": a.phone,
                "is_default": a.is_default,
                "created_at": a.created_at.isoformat(),
            }
            for a in address_book.addresses_of(member).order_by("pk")
        ],
    }
    return document
