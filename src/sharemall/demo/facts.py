"""Ids in the seeded demo that pages are opened by: the screenshot gallery and the browser tests
read them (through `sharemall shell`) to open an order, a dispute or an application."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sharemall.accounts.models import Member
from sharemall.aftersales.models import AfterSale, Dispute
from sharemall.demo import data
from sharemall.merchants.models import Merchant, Store
from sharemall.notifications.models import Notice
from sharemall.orders.models import Order
from sharemall.posts.models import PostComment
from sharemall.promotions.models import BargainRun, FlashSale, Group


def demo_facts() -> dict[str, int]:
    """Each fact is 0 when the demo does not hold it (an empty or older database)."""
    member = data.MEMBER_PHONES[0]
    shop = data.MARKER.uscc

    def first(ids: QuerySet[Any, Any]) -> int:
        return int(ids.first() or 0)

    return {
        # The demo member's parcel on its way: an order page with tracking.
        "order_id": first(
            Order.objects.filter(buyer__phone=member, status="shipped").values_list("pk", flat=True)
        ),
        # The first shop's order waiting to be shipped.
        "merchant_order_id": first(
            Order.objects.filter(merchant__uscc=shop, status="paid")
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "aftersale_id": first(
            AfterSale.objects.filter(order__merchant__uscc=shop, status="requested").values_list(
                "pk", flat=True
            )
        ),
        # The demo member's own after-sales request, on its page.
        "member_aftersale_id": first(
            AfterSale.objects.filter(order__buyer__phone=member)
            .order_by("-pk")
            .values_list("pk", flat=True)
        ),
        # The demo member's order that has arrived: where an after-sales request starts.
        "received_order_id": first(
            Order.objects.filter(buyer__phone=member, status="received")
            .order_by("-pk")
            .values_list("pk", flat=True)
        ),
        # A comment someone else wrote, which the demo member may report.
        "comment_id": first(
            PostComment.objects.filter(status="visible")
            .exclude(author__phone=member)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "dispute_id": first(Dispute.objects.filter(ruling="").values_list("pk", flat=True)),
        "applicant_id": first(
            Merchant.objects.filter(uscc=data.APPLICANT.uscc).values_list("pk", flat=True)
        ),
        "store_id": first(
            Store.objects.filter(merchant__uscc=shop, kind=Store.Kind.OFFLINE)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        # A message in the demo member's message centre (the oldest: opening it marks it read).
        "message_id": first(
            Notice.objects.filter(recipient__phone=member)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        # The campaigns the demo runs: its flash sale, its forming group, its bargain run.
        "flash_sale_id": first(FlashSale.objects.order_by("pk").values_list("pk", flat=True)),
        "group_id": first(Group.objects.order_by("pk").values_list("pk", flat=True)),
        "bargain_run_id": first(BargainRun.objects.order_by("pk").values_list("pk", flat=True)),
        # The demo member the convention's penalties and appeal are about (seed.community).
        "penalised_member_id": first(
            Member.objects.filter(phone=data.MEMBER_PHONES[-1]).values_list("pk", flat=True)
        ),
        # A distributor's sub-store is opened by their member id.
        "substore_id": first(
            Order.objects.filter(referrer__phone=member).values_list("referrer_id", flat=True)
        ),
    }
