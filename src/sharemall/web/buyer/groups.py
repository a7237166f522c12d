"""Group-buy pages (拼团): a group's page — the product, the group price beside the list price,
its seats (the members who paid, empty seats as empty seats, never anyone made up), the time
left, a 参团 button for others and the share link for its leader — and the short checkout that
opens or joins a group and sends the member to the usual pay page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from sharemall.accounts.auth import caller
from sharemall.accounts.models import Member
from sharemall.addresses import selectors as address_book
from sharemall.catalog.selectors import cover_urls
from sharemall.checkout import services as checkout
from sharemall.checkout import services_promotions
from sharemall.core.devices import device_of
from sharemall.core.errors import DomainError, NotFound
from sharemall.core.http import client_address
from sharemall.promotions.models import Group, GroupBuy
from sharemall.promotions.rules import groups as group_rules
from sharemall.promotions.selectors import groups as group_selectors
from sharemall.web.access import member_page, not_found
from sharemall.web.buyer.pay import _pay_url


def _time_left(group: Group) -> tuple[int, int]:
    """(hours, minutes) until the group's deadline, never negative."""
    seconds = max(0, int((group.expires_at - timezone.now()).total_seconds()))
    return seconds // 3600, seconds % 3600 // 60


def group_page(request: HttpRequest, group_id: int) -> HttpResponse:
    try:
        group = group_selectors.group(group_id)
    except NotFound:
        return not_found(request)
    viewer = caller(request)
    seats = group_selectors.paid_seats(group)
    own = group_selectors.seat_of(group, viewer) if viewer else None
    forming = group.status == group_rules.FORMING and group.expires_at > timezone.now()
    sku = group.group_buy.sku
    hours, minutes = _time_left(group)
    return render(
        request,
        "web/buyer/group.html",
        {
            "group": group,
            "sku": sku,
            "product": sku.product,
            "cover": cover_urls([sku.product_id]).get(sku.product_id, ""),
            "seats": seats,
            "empty_seats": range(group_rules.seats_left(group.size, group.paid_count)),
            "own": own,
            "own_pending": own is not None and own.status == group_rules.PENDING,
            "is_leader": viewer is not None and viewer.pk == group.leader_id,
            "can_join": forming and own is None,
            "forming": forming,
            "hours_left": hours,
            "minutes_left": minutes,
            "share_url": request.build_absolute_uri(request.path),
        },
    )


def _delivery(request: HttpRequest, member: Member) -> checkout.Delivery:
    address_id = request.POST.get("address_id", "")
    if address_id.isdigit():
        return checkout.saved_delivery(member, "express", int(address_id))
    return checkout.Delivery(
        "express",
        request.POST.get("region_code", "").strip(),
        request.POST.get("address", "").strip(),
        request.POST.get("receiver", "").strip(),
        request.POST.get("phone", "").strip(),
    )


def _checkout_page(
    request: HttpRequest,
    member: Member,
    *,
    group_buy: GroupBuy,
    group: Group | None,
    error: str = "",
) -> HttpResponse:
    sku = group_buy.sku
    return render(
        request,
        "web/buyer/group_checkout.html",
        {
            "group_buy": group_buy,
            "group": group,
            "sku": sku,
            "product": sku.product,
            "price_fen": group.price_fen if group else group_buy.price_fen,
            "addresses": list(address_book.addresses_of(member)),
            "error": error,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=400 if error else 200,
    )


@member_page
def group_join(request: HttpRequest, member: Member, group_id: int) -> HttpResponse:
    """参团: choose or enter the address, then pay on the pay page."""
    try:
        group = group_selectors.group(group_id)
    except NotFound:
        return not_found(request)
    if request.method != "POST":
        return _checkout_page(request, member, group_buy=group.group_buy, group=group)
    try:
        result = services_promotions.group_join(
            member=member,
            group_id=group.pk,
            delivery=_delivery(request, member),
            client_ip=client_address(request),
            device_id=device_of(request),
        )
    except DomainError as exc:
        return _checkout_page(
            request, member, group_buy=group.group_buy, group=group, error=exc.message
        )
    return HttpResponseRedirect(_pay_url(result.payment))


@member_page
def group_open(request: HttpRequest, member: Member, group_buy_id: int) -> HttpResponse:
    """发起拼团: the leader's address, then pay; the group opens to others once paid."""
    try:
        group_buy = group_selectors.group_buy(group_buy_id)
    except NotFound:
        return not_found(request)
    if request.method != "POST":
        return _checkout_page(request, member, group_buy=group_buy, group=None)
    try:
        _group, result = services_promotions.group_open(
            leader=member,
            group_buy_id=group_buy.pk,
            delivery=_delivery(request, member),
            client_ip=client_address(request),
            device_id=device_of(request),
        )
    except DomainError as exc:
        return _checkout_page(request, member, group_buy=group_buy, group=None, error=exc.message)
    return HttpResponseRedirect(_pay_url(result.payment))


def group_buys_on_product(product_id: int) -> list[dict[str, Any]]:
    """The product page's 发起拼团 offers: each active group-buy of its SKUs."""
    return [
        {"id": gb.pk, "price_fen": gb.price_fen, "size": gb.size}
        for gb in group_selectors.active_group_buys_of_product(product_id)[:3]
    ]
