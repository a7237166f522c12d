"""The platform's own coupons, kept by operators: list, create, stop. The platform funds them:
the merchant is owed the discount as if the buyer had paid it, from platform fees."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.accounts.models import Member
from sharemall.promotions.selectors import coupons as selectors
from sharemall.promotions.services import coupons as services
from sharemall.web.access import operator_page
from sharemall.web.actions import run_action
from sharemall.web.platform.common import _post_only, _render
from sharemall.web.promotion_forms import (
    COUPON_ERROR_FIELDS,
    CouponForm,
    coupon_table,
    window_initial,
)

COUPONS = coupon_table(
    export_name="platform-coupons",
    empty=gettext_lazy("No platform coupons yet."),
    row_actions="web/platform/coupons.html#stop",
)


@operator_page
def coupons(request: HttpRequest, member: Member) -> HttpResponse:
    form = CouponForm(request.POST or None, initial=window_initial(), platform=True)
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            lambda: services.coupon_create(
                merchant=None,
                actor=member,
                title=form.cleaned_data["title"],
                definition=form.definition(merchant_id=None),
                channel=form.cleaned_data["channel"],
            ),
            _("The platform coupon was created."),
            form=form,
            error_fields=COUPON_ERROR_FIELDS,
        )
        if done:
            return HttpResponseRedirect(reverse("web:platform_coupons"))
    table = COUPONS.bind(request, selectors.coupons_of_issuer(None))
    if table.wants_csv:
        return table.csv_response()
    return _render(request, "web/platform/coupons.html", {"table": table, "form": form})


@operator_page
@_post_only
def coupon_stop(request: HttpRequest, member: Member, coupon_id: int) -> HttpResponse:
    coupon = selectors.coupon_of_issuer(None, coupon_id)
    run_action(request, lambda: services.coupon_stop(coupon), _("The coupon was stopped."))
    return HttpResponseRedirect(reverse("web:platform_coupons"))
