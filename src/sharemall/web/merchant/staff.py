"""The merchant's staff: adding and removing them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharemall.merchants import selectors as merchant_selectors
from sharemall.merchants import services as merchants
from sharemall.web.access import not_found
from sharemall.web.actions import run_action
from sharemall.web.merchant.console import Console, _back, _render, console_page, owner_page
from sharemall.web.merchant.forms import StaffForm


@console_page
@owner_page
def merchant_staff(request: HttpRequest, console: Console) -> HttpResponse:
    form = StaffForm(request.POST or None)
    if request.method == "POST":
        if not console.is_owner:
            return not_found(request)
        if form.is_valid() and run_action(
            request,
            lambda: merchants.staff_add(console.merchant, phone=form.cleaned_data["phone"]),
            _("The member now works for your shop."),
            form=form,
            field="phone",
        ):
            return _back("merchant_staff")
    return _render(
        request,
        console,
        "web/merchant/staff.html",
        {"staff": merchant_selectors.staff_of(console.merchant), "form": form},
    )


@require_POST
@console_page
@owner_page
def merchant_staff_remove(request: HttpRequest, console: Console, member_id: int) -> HttpResponse:
    run_action(
        request,
        lambda: merchants.staff_remove(console.merchant, member_id=member_id),
        _("The member no longer works for your shop."),
    )
    return _back("merchant_staff")
