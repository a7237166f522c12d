"""The bargain (砍价) pages: a bargain to start, and a run's page — price, progress to the floor,
the friends who helped, the countdown, 帮砍一刀 for friends and 立即购买 for the starter."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sharemall.accounts.auth import caller
from sharemall.accounts.models import Member
from sharemall.addresses import selectors as address_book
from sharemall.checkout import services as checkout
from sharemall.checkout import services_promotions as checkout_promotions
from sharemall.core.devices import device_of
from sharemall.core.errors import NotFound
from sharemall.core.http import client_address
from sharemall.core.money import format_yuan
from sharemall.orders import rules as order_rules
from sharemall.promotions.models import BargainRun
from sharemall.promotions.rules import bargains as bargain_rules
from sharemall.promotions.selectors import bargains as selectors
from sharemall.promotions.services import bargains as services
from sharemall.web.access import member_page, not_found
from sharemall.web.actions import run_action
from sharemall.web.buyer.pay import _pay_url as pay_url


def _run_url(run_id: int) -> str:
    return reverse("web:buyer_bargain_run", args=[run_id])


def run_context(run: BargainRun, member: Member | None) -> dict[str, Any]:
    now = timezone.now()
    helps = list(selectors.helps_of(run))
    state = bargain_rules.run_state(run.status, run.expires_at, now)
    is_starter = member is not None and member.pk == run.starter_id
    has_helped = member is not None and any(h.helper_id == member.pk for h in helps)
    floor_reached = run.helps >= run.helpers_needed
    total_cut = run.start_price_fen - run.floor_price_fen
    return {
        "run": run,
        "helps": helps,
        "state": state,
        "product": run.sku.product,
        "sku": run.sku,
        "is_starter": is_starter,
        "has_helped": has_helped,
        "signed_in": member is not None,
        "floor_reached": floor_reached,
        "cut_so_far_fen": run.start_price_fen - run.current_price_fen,
        "left_to_cut_fen": run.current_price_fen - run.floor_price_fen,
        "progress_value": run.start_price_fen - run.current_price_fen,
        "progress_max": total_cut,
        "helpers_left": run.helpers_needed - run.helps,
        "can_help": member is not None
        and state == bargain_rules.OPEN
        and not floor_reached
        and not is_starter
        and not has_helped,
        "can_buy": is_starter and state == bargain_rules.OPEN,
        "seconds_left": (left := max(0, int((run.expires_at - now).total_seconds()))),
        "countdown": f"{left // 3600:02d}:{left % 3600 // 60:02d}:{left % 60:02d}",
        "run_url": _run_url(run.pk),
        "share_url": settings.PUBLIC_BASE_URL.rstrip("/") + _run_url(run.pk),
    }


@never_cache
def bargain_run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    """A run's page, open to anyone with the link (helpers show by display name only)."""
    try:
        run = selectors.run(run_id)
    except NotFound:
        return not_found(request)
    return render(request, "web/buyer/bargain.html", run_context(run, caller(request)))


@require_POST
@member_page
def bargain_help(request: HttpRequest, member: Member, run_id: int) -> HttpResponse:
    """帮砍一刀: the signed-in friend's help, recorded with this browser's device id."""
    run_action(
        request,
        lambda: services.run_help(
            run_id, helper=member, device_id=device_of(request), ip=client_address(request)
        ),
        lambda helped: (
            _("You cut %(amount)s off for your friend!") % {"amount": format_yuan(helped.cut_fen)}
        ),
    )
    return HttpResponseRedirect(_run_url(run_id))


@member_page
def bargain_start_page(request: HttpRequest, member: Member, bargain_id: int) -> HttpResponse:
    """A bargain: what it is, and 发起砍价 (or back to the member's own run)."""
    try:
        bargain = selectors.bargain(bargain_id)
    except NotFound:
        return not_found(request)
    if request.method == "POST":
        outcome = run_action(request, lambda: services.run_start(bargain_id, starter=member))
        if outcome.result is not None:
            return HttpResponseRedirect(_run_url(outcome.result.run.pk))
    return render(
        request,
        "web/buyer/bargain_start.html",
        {"bargain": bargain, "product": bargain.sku.product, "sku": bargain.sku},
    )


@require_POST
@member_page
def bargain_buy(request: HttpRequest, member: Member, run_id: int) -> HttpResponse:
    """立即购买: the starter's one unit at the current price, sent to their default address,
    then on to paying. Without a saved address, the address book first."""
    address = address_book.default_address(member)
    if address is None:
        messages.error(request, _("Add a delivery address first, then buy."))
        return HttpResponseRedirect(reverse("web:me_addresses"))
    outcome = run_action(
        request,
        lambda: checkout_promotions.bargain_buy(
            buyer=member,
            run_id=run_id,
            delivery=checkout.saved_delivery(member, order_rules.EXPRESS, address.pk),
            client_ip=client_address(request),
            device_id=device_of(request),
        ),
    )
    if outcome.result is not None:
        return HttpResponseRedirect(pay_url(outcome.result.payment))
    return HttpResponseRedirect(_run_url(run_id))
