"""The back office's dashboard: the queues waiting for an operator."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.distribution import selectors as distribution_selectors
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants import selectors as merchant_selectors
from sharemall.platform import rules as platform_rules
from sharemall.platform import services as platform
from sharemall.posts import selectors as post_selectors
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet import selectors as wallet_selectors
from sharemall.web.access import operator_page


@dataclass(frozen=True)
class Queue:
    title: str
    waiting: int
    url: str


@operator_page
def dashboard(request: HttpRequest, member: Member) -> HttpResponse:
    withdrawals_url = reverse("web:platform_withdrawals")
    queues = [
        Queue(
            _("Merchant applications"),
            merchant_selectors.merchant_review_queue(merchant_rules.SUBMITTED).count(),
            reverse("web:platform_merchants"),
        ),
        Queue(
            _("Disputes"),
            aftersale_selectors.disputes_open().count(),
            reverse("web:platform_disputes"),
        ),
        Queue(
            _("Held commissions"),
            distribution_selectors.held_commissions().count(),
            reverse("web:platform_holds"),
        ),
        Queue(
            _("Withdrawals to approve"),
            wallet_selectors.withdrawal_queue(wallet_rules.WITHDRAWAL_REQUESTED).count(),
            withdrawals_url,
        ),
        Queue(
            _("Bank transfers to make"),
            wallet_selectors.withdrawal_queue(wallet_rules.WITHDRAWAL_APPROVED)
            .filter(channel=wallet_rules.CHANNEL_BANK)
            .count(),
            f"{withdrawals_url}?status={wallet_rules.WITHDRAWAL_APPROVED}",
        ),
        Queue(
            _("Reported posts"),
            post_selectors.report_queue().count(),
            reverse("web:platform_posts"),
        ),
    ]
    return render(
        request,
        "web/platform/dashboard.html",
        {
            "queues": queues,
            "warnings": platform_rules.warnings(platform.as_dict(platform.current())),
        },
    )
