"""The back office's overview: the queues waiting for an operator, and the platform's KPIs."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.platform import rules as platform_rules
from sharemall.platform import services as platform
from sharemall.wallet import rules as wallet_rules
from sharemall.web.access import operator_page
from sharemall.web.dashboards import dashboard_context
from sharemall.web.platform import queues
from sharemall.web.platform.common import _render


@dataclass(frozen=True)
class Queue:
    title: str
    waiting: int
    url: str


@operator_page
def dashboard(request: HttpRequest, member: Member) -> HttpResponse:
    waiting = queues.waiting()
    withdrawals_url = reverse("web:platform_withdrawals")
    todo = [
        Queue(_("Merchant applications"), waiting.merchants, reverse("web:platform_merchants")),
        Queue(_("Withdrawals to approve"), waiting.withdrawals, withdrawals_url),
        Queue(
            _("Bank transfers to make"),
            waiting.bank_transfers,
            f"{withdrawals_url}?status={wallet_rules.WITHDRAWAL_APPROVED}",
        ),
        Queue(_("Held commissions"), waiting.holds, reverse("web:platform_holds")),
        Queue(_("Disputes"), waiting.disputes, reverse("web:platform_disputes")),
        Queue(_("Reported posts"), waiting.posts, reverse("web:platform_posts")),
        Queue(_("Appeals to review"), waiting.appeals, reverse("web:platform_appeals")),
    ]
    return _render(
        request,
        "web/platform/dashboard.html",
        {
            "queues": todo,
            "warnings": platform_rules.warnings(platform.as_dict(platform.current())),
            # Platform-wide KPIs and charts for the chosen period (?days=7|30|90).
            **dashboard_context(request, None),
        },
    )
