"""A member's personal data as one JSON document (PIPL art. 45: the right to a copy).

Read straight from the apps privacy sits above, the address book included."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sharemall.accounts.models import Binding, Member, WechatIdentity
from sharemall.addresses import selectors as address_book
from sharemall.addresses.rules import region_name
from sharemall.distribution.models import CommissionEntry
from sharemall.legal.selectors import consents_of
from sharemall.orders.models import Order, OrderLine
from sharemall.posts.models import Post
from sharemall.sharing.models import ShareLink
from sharemall.wallet.models import Withdrawal

FORMAT_VERSION = 1

# What each section holds, by column (the document's keys are the columns' names).
PROFILE_COLUMNS = (
    "id",
    "phone",
    "nickname",
    "is_distributor",
    "date_joined",
    "last_login",
    "signup_ip",
    "signup_device",
)
BINDING_COLUMNS = (
    "parent_id",
    "previous_parent_id",
    "mode",
    "source",
    "bound_at",
    "bound_until",
)
ORDER_COLUMNS = (
    "order_no",
    "merchant_id",
    "status",
    "created_at",
    "delivery",
    "region_code",
    "address",
    "receiver",
    "phone",
    "goods_fen",
    "discount_fen",
    "shipping_fen",
    "total_fen",
    "refunded_fen",
)
LINE_COLUMNS = ("title", "sku_name", "unit_price_fen", "quantity", "paid_fen", "refunded_fen")
COMMISSION_COLUMNS = ("id", "order_id", "kind", "level", "amount_fen", "status", "reversal_of")
WITHDRAWAL_COLUMNS = ("id", "merchant_id", "amount_fen", "fee_fen", "channel", "payee", "status")
POST_COLUMNS = ("id", "product_id", "text", "rating", "status", "created_at")
SHARE_LINK_COLUMNS = ("code", "target_type", "target_id", "channel", "created_at")
WECHAT_COLUMNS = ("app_id", "openid", "unionid", "created_at")
ADDRESS_COLUMNS = ("region_code", "address", "receiver", "phone", "is_default", "created_at")


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def mask(account: str) -> str:
    """A payee account with all but its last four characters hidden."""
    if len(account) <= 4:
        return "*" * len(account)
    return "*" * (len(account) - 4) + account[-4:]


def _rows(
    queryset: QuerySet[Any], columns: Sequence[str], **shown: Callable[[Any], Any]
) -> list[dict[str, Any]]:
    """Each row of `queryset` as `{column: value}`, in id order: a date as ISO text, a column
    named in `shown` through its function (a masked payee, a region's name)."""
    rows = []
    for values in queryset.order_by("pk").values(*columns):
        for column, value in values.items():
            if column in shown:
                values[column] = shown[column](value)
            elif isinstance(value, datetime):
                values[column] = value.isoformat()
        rows.append(values)
    return rows


def _orders(member: Member) -> list[dict[str, Any]]:
    orders = Order.objects.filter(buyer=member)
    lines: dict[int, list[dict[str, Any]]] = {}
    for line in _rows(OrderLine.objects.filter(order__in=orders), ("order_id", *LINE_COLUMNS)):
        lines.setdefault(line.pop("order_id"), []).append(line)
    return [
        {**order, "lines": lines.get(order.pop("id"), [])}
        for order in _rows(orders, ("id", *ORDER_COLUMNS))
    ]


def member_export(member: Member) -> dict[str, Any]:
    """Everything kept about the member that identifies them or that they made."""
    return {
        "format": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "profile": _rows(Member.objects.filter(pk=member.pk), PROFILE_COLUMNS)[0],
        "consents": consents_of(member),
        "binding": {
            "parent_id": member.parent_id,
            "bound_until": _when(member.bound_until),
            "history": _rows(Binding.objects.filter(member=member), BINDING_COLUMNS),
        },
        "orders": _orders(member),
        "commissions": _rows(
            CommissionEntry.objects.filter(beneficiary=member), COMMISSION_COLUMNS
        ),
        "withdrawals": _rows(
            Withdrawal.objects.filter(member=member), WITHDRAWAL_COLUMNS, payee=mask
        ),
        "posts": _rows(Post.objects.filter(author=member), POST_COLUMNS),
        "share_links": _rows(ShareLink.objects.filter(sharer=member), SHARE_LINK_COLUMNS),
        # The WeChat accounts linked to the member (an openid per app, the unionid).
        "wechat": _rows(WechatIdentity.objects.filter(member=member), WECHAT_COLUMNS),
        "addresses": [
            {**row, "region_name": region_name(row["region_code"])}
            for row in _rows(address_book.addresses_of(member), ADDRESS_COLUMNS)
        ],
    }
