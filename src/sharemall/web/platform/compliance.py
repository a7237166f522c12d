"""The compliance report for operators (PRODUCT section 5.2)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from sharemall.accounts.auth import caller
from sharemall.distribution import services as distribution
from sharemall.web.platform.common import _render, setting_rows
from sharemall.web.wechat_browser import login_redirect


@never_cache
def compliance(request: HttpRequest) -> HttpResponse:
    """The compliance report for operators (PRODUCT §5.2): rules, levels paid, no sign-up pay."""
    member = caller(request)
    if member is None:
        return login_redirect(request, request.get_full_path())
    if not member.is_operator:
        return render(request, "web/not_found.html", status=404)
    report = distribution.compliance_report()
    return _render(
        request,
        "web/compliance.html",
        {"report": report, "settings": setting_rows(report["settings"])},
    )
