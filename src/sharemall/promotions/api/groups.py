"""Group-buy (拼团): a merchant sets up group-buys; anyone reads a group-buy's open groups and
a group's paid members. Opening and joining a group create orders: checkout/api_promotions.py."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from sharemall.accounts.auth import member_auth, require_member
from sharemall.merchants.selectors import merchant_for_staff
from sharemall.promotions.models import Group, GroupBuy
from sharemall.promotions.rules import groups as rules
from sharemall.promotions.schemas.groups import (
    GroupBuyIn,
    GroupBuyOut,
    GroupBuyPublicOut,
    GroupOut,
)
from sharemall.promotions.selectors import groups as selectors
from sharemall.promotions.services import groups as services

router = Router(tags=["group-buy"])


def group_buy_out(group_buy: GroupBuy) -> dict[str, Any]:
    sku = group_buy.sku
    return {
        "id": group_buy.pk,
        "merchant_id": group_buy.merchant_id,
        "sku_id": sku.pk,
        "product_id": sku.product_id,
        "title": sku.product.title,
        "sku_name": sku.name,
        "list_price_fen": sku.price_fen,
        "price_fen": group_buy.price_fen,
        "size": group_buy.size,
        "hours": group_buy.hours,
        "status": group_buy.status,
        "created_at": group_buy.created_at.isoformat(),
    }


def group_url(group: Group) -> str:
    return f"{settings.PUBLIC_BASE_URL}/group/{group.pk}"


def group_out(group: Group) -> dict[str, Any]:
    sku = group.group_buy.sku
    seats = selectors.paid_seats(group)
    return {
        "id": group.pk,
        "status": group.status,
        "size": group.size,
        "members": [
            {
                "member_id": seat.member_id,
                "paid": True,
                "is_leader": seat.is_leader,
                "nickname": seat.member.nickname,
            }
            for seat in seats
        ],
        "expires_at": group.expires_at.isoformat(),
        "group_buy_id": group.group_buy_id,
        "sku_id": sku.pk,
        "product_id": sku.product_id,
        "title": sku.product.title,
        "price_fen": group.price_fen,
        "list_price_fen": sku.price_fen,
        "leader_id": group.leader_id,
        "paid_count": group.paid_count,
        "seats_left": rules.seats_left(group.size, group.paid_count),
        "share_url": group_url(group),
    }


@router.post("/merchants/{merchant_id}/group-buys", response={201: GroupBuyOut}, auth=member_auth)
def group_buy_create(
    request: HttpRequest, merchant_id: int, payload: GroupBuyIn
) -> Status[dict[str, Any]]:
    """A group-buy of one of the shop's SKUs (owner only): `size` 2–50 paying members within
    `hours` 1–72 of the leader opening a group, at `price_fen` (at least 1, below the SKU's
    price). Bad input: 400 `invalid_group_buy` or `unknown_sku`."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    created = services.group_buy_create(
        merchant,
        sku_id=payload.sku_id,
        price_fen=payload.price_fen,
        size=payload.size,
        hours=payload.hours,
    )
    return Status(201, group_buy_out(selectors.group_buy(created.pk)))


@router.get("/merchants/{merchant_id}/group-buys", response=list[GroupBuyOut], auth=member_auth)
def group_buy_list(request: HttpRequest, merchant_id: int) -> list[dict[str, Any]]:
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return [group_buy_out(g) for g in selectors.group_buys_of(merchant)[:200]]


@router.post(
    "/merchants/{merchant_id}/group-buys/{group_buy_id}/stop",
    response=GroupBuyOut,
    auth=member_auth,
)
def group_buy_stop(request: HttpRequest, merchant_id: int, group_buy_id: int) -> dict[str, Any]:
    """No new groups open; groups already forming go on until they fill or expire."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    stopped = services.group_buy_stop(selectors.group_buy_of(merchant, group_buy_id))
    return group_buy_out(stopped)


@router.get("/group-buys/{group_buy_id}", response=GroupBuyPublicOut, auth=None)
def group_buy_detail(request: HttpRequest, group_buy_id: int) -> dict[str, Any]:
    """A group-buy and the groups one can join now (forming, their leader paid)."""
    group_buy = selectors.group_buy(group_buy_id)
    return {
        **group_buy_out(group_buy),
        "open_groups": [
            {
                "id": g.pk,
                "leader_id": g.leader_id,
                "paid_count": g.paid_count,
                "size": g.size,
                "expires_at": g.expires_at.isoformat(),
            }
            for g in selectors.open_groups(group_buy, timezone.now())
        ],
    }


@router.get("/groups/{group_id}", response=GroupOut, auth=None)
def group_detail(request: HttpRequest, group_id: int) -> dict[str, Any]:
    """A group: its status and its members — only members who paid, never anyone else."""
    return group_out(selectors.group(group_id))
