"""The coupon centre (领券中心) and the member's coupons (我的优惠券)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharemall.accounts.auth import caller
from sharemall.accounts.models import Member
from sharemall.core.devices import device_of
from sharemall.promotions.rules import coupons as rules
from sharemall.promotions.selectors import coupons as selectors
from sharemall.promotions.services import coupons as services
from sharemall.web.access import member_page
from sharemall.web.actions import run_action
from sharemall.web.common import _int_param
from sharemall.web.promotion_forms import coupon_summary

CENTRE_SIZE = 60
TABS = (rules.UNUSED, rules.USED, rules.EXPIRED)


def coupon_centre(request: HttpRequest) -> HttpResponse:
    """Coupons to claim now; `?merchant=` one shop's. A signed-in member sees what they hold."""
    raw = request.GET.get("merchant")
    merchant_id = 0 if raw == "0" else _int_param(raw)
    coupons = list(
        selectors.claimable_coupons(timezone.now(), merchant_id=merchant_id)[:CENTRE_SIZE]
    )
    member = caller(request)
    held = selectors.claim_counts(member, [c.pk for c in coupons]) if member else {}
    cards = [
        {
            "coupon": c,
            "summary": coupon_summary(c),
            "held": held.get(c.pk, 0),
            "can_claim": held.get(c.pk, 0) < c.per_member and c.claimed < c.total,
        }
        for c in coupons
    ]
    return render(request, "web/buyer/coupon_centre.html", {"cards": cards})


@require_POST
@member_page
def coupon_claim(request: HttpRequest, member: Member, coupon_id: int) -> HttpResponse:
    run_action(
        request,
        lambda: services.coupon_claim(
            selectors.coupon(coupon_id), member, device=device_of(request)
        ),
        _("The coupon is yours: it is in My coupons."),
    )
    return redirect(request.POST.get("next") or "web:buyer_coupon_centre")


@member_page
def my_coupons(request: HttpRequest, member: Member) -> HttpResponse:
    tab = request.GET.get("tab", rules.UNUSED)
    tab = tab if tab in TABS else rules.UNUSED
    now = timezone.now()
    cards = []
    counts = dict.fromkeys(TABS, 0)
    for claim in selectors.claims_of(member)[:500]:
        status = rules.claim_status(
            used=claim.used_at is not None, valid_to=claim.coupon.valid_to, now=now
        )
        counts[status] += 1
        if status == tab:
            cards.append(
                {"claim": claim, "coupon": claim.coupon, "summary": coupon_summary(claim.coupon)}
            )
    return render(
        request,
        "web/buyer/my_coupons.html",
        {"cards": cards, "tab": tab, "counts": counts},
    )
