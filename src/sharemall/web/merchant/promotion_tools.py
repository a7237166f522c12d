"""The merchant's promotion tools in the console: group-buys (拼团) and bargains (砍价) — and
flash sales (秒杀). Each page lists the shop's, sets a new one up and stops one; every rule is
checked by promotions through the services the JSON API calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sharemall.catalog.models import Sku
from sharemall.merchants.models import Merchant
from sharemall.promotions.selectors import bargains as bargain_selectors
from sharemall.promotions.selectors import groups as group_selectors
from sharemall.promotions.services import bargains, groups
from sharemall.web.actions import run_action
from sharemall.web.forms import PageForm, YuanField
from sharemall.web.merchant.console import Console, _back, _render, console_page, owner_page
from sharemall.web.tables import DATETIME, MONEY, NUMBER, Column, TableSpec

STATUS_LABELS = {"active": gettext_lazy("Running"), "stopped": gettext_lazy("Stopped")}


def sku_choices(merchant: Merchant) -> list[tuple[int, str]]:
    """The shop's SKUs as a merchant picks one: product, option and list price."""
    skus = (
        Sku.objects.filter(product__merchant=merchant)
        .select_related("product")
        .order_by("product__title", "pk")[:500]
    )
    return [(s.pk, f"{s.product.title} · {s.name} · ¥{s.price_fen / 100:.2f}") for s in skus]


class ToolForm(PageForm):
    sku = forms.TypedChoiceField(label=gettext_lazy("Product option"), coerce=int, choices=())

    def __init__(self, *args: Any, merchant: Merchant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sku = self.fields["sku"]
        assert isinstance(sku, forms.TypedChoiceField)
        sku.choices = sku_choices(merchant)


class GroupBuyForm(ToolForm):
    price = YuanField(label=gettext_lazy("Group price (¥)"))
    size = forms.IntegerField(
        label=gettext_lazy("Group size"), min_value=2, max_value=50, initial=3
    )
    hours = forms.IntegerField(
        label=gettext_lazy("Hours to fill a group"), min_value=1, max_value=72, initial=24
    )


class BargainForm(ToolForm):
    floor = YuanField(label=gettext_lazy("Floor price (¥)"))
    helpers = forms.IntegerField(
        label=gettext_lazy("Friends' helps to reach the floor"),
        min_value=1,
        max_value=100,
        initial=5,
    )
    hours = forms.IntegerField(
        label=gettext_lazy("Hours a starter has"), min_value=1, max_value=168, initial=24
    )


def _product(obj: Any) -> str:
    return f"{obj.sku.product.title} · {obj.sku.name}"


def _status(obj: Any) -> str:
    return str(STATUS_LABELS.get(obj.status, obj.status))


GROUP_BUYS = TableSpec(
    columns=(
        Column("product", gettext_lazy("Product"), value=_product),
        Column("price_fen", gettext_lazy("Group price"), kind=MONEY),
        Column("sku.price_fen", gettext_lazy("List price"), kind=MONEY),
        Column("size", gettext_lazy("Group size"), kind=NUMBER),
        Column("hours", gettext_lazy("Hours"), kind=NUMBER),
        Column("created_at", gettext_lazy("Created"), kind=DATETIME, sortable=True),
        Column("state", gettext_lazy("Status"), value=_status),
    ),
    default_sort="-created_at",
    export_name="group-buys",
    empty=gettext_lazy("No group-buys yet."),
    row_actions="web/merchant/promotion_tool.html#stop",
)

BARGAINS = TableSpec(
    columns=(
        Column("product", gettext_lazy("Product"), value=_product),
        Column("start_price_fen", gettext_lazy("Start price"), kind=MONEY),
        Column("floor_price_fen", gettext_lazy("Floor price"), kind=MONEY),
        Column("helpers_needed", gettext_lazy("Helps needed"), kind=NUMBER),
        Column("hours", gettext_lazy("Hours"), kind=NUMBER),
        Column("created_at", gettext_lazy("Created"), kind=DATETIME, sortable=True),
        Column("state", gettext_lazy("Status"), value=_status),
    ),
    default_sort="-created_at",
    export_name="bargains",
    empty=gettext_lazy("No bargains yet."),
    row_actions="web/merchant/promotion_tool.html#stop",
)


def _tool_page(
    request: HttpRequest,
    console: Console,
    *,
    spec: TableSpec,
    rows: QuerySet[Any],
    form: ToolForm,
    create: Callable[[dict[str, Any]], object],
    texts: dict[str, str],
    stop_url: str,
    back: str,
) -> HttpResponse:
    """One tool's page: its table, and the form that sets a new one up."""
    posted = request.method == "POST" and form.is_valid()
    if posted and run_action(
        request, lambda: create(form.cleaned_data), texts["created"], form=form
    ):
        return _back(back)
    table = spec.bind(request, rows)
    if table.wants_csv:
        return table.csv_response()
    return _render(
        request,
        console,
        "web/merchant/promotion_tool.html",
        {"table": table, "form": form, "texts": texts, "stop_url": stop_url},
    )


@console_page
@owner_page
def merchant_group_buys(request: HttpRequest, console: Console) -> HttpResponse:
    merchant = console.merchant
    return _tool_page(
        request,
        console,
        spec=GROUP_BUYS,
        rows=group_selectors.group_buys_of(merchant).select_related("sku__product"),
        form=GroupBuyForm(request.POST or None, merchant=merchant),
        create=lambda d: groups.group_buy_create(
            merchant, sku_id=d["sku"], price_fen=d["price"], size=d["size"], hours=d["hours"]
        ),
        texts={
            "title": _("Group-buys"),
            "lead": _(
                "A leader opens a group by paying; friends join through the leader's link. The "
                "group succeeds when its last seat is paid, and only then do its orders ship; a "
                "group that does not fill in time refunds everyone."
            ),
            "new": _("New group-buy"),
            "created": _("The group-buy is on: buyers see 发起拼团 on the product page."),
            "confirm_stop": _("Stop this group-buy? Groups already forming go on to their end."),
        },
        stop_url="web:merchant_group_buy_stop",
        back="merchant_group_buys",
    )


@console_page
@owner_page
def merchant_bargains(request: HttpRequest, console: Console) -> HttpResponse:
    merchant = console.merchant
    return _tool_page(
        request,
        console,
        spec=BARGAINS,
        rows=bargain_selectors.bargains_of(merchant).select_related("sku__product"),
        form=BargainForm(request.POST or None, merchant=merchant),
        create=lambda d: bargains.bargain_create(
            merchant,
            sku_id=d["sku"],
            floor_price_fen=d["floor"],
            helpers_needed=d["helpers"],
            hours=d["hours"],
        ),
        texts={
            "title": _("Bargains"),
            "lead": _(
                "A buyer starts a bargain and shares it; each friend who signs in may help once, "
                "and the price reaches the floor exactly at the last help. The starter buys at "
                "the price reached before the time is up."
            ),
            "new": _("New bargain"),
            "created": _("The bargain is on."),
            "confirm_stop": _("Stop this bargain? Bargains already started keep their time."),
        },
        stop_url="web:merchant_bargain_stop",
        back="merchant_bargains",
    )


@require_POST
@console_page
@owner_page
def merchant_group_buy_stop(
    request: HttpRequest, console: Console, group_buy_id: int
) -> HttpResponse:
    group_buy = group_selectors.group_buy_of(console.merchant, group_buy_id)
    run_action(request, lambda: groups.group_buy_stop(group_buy), _("The group-buy was stopped."))
    return _back("merchant_group_buys")


@require_POST
@console_page
@owner_page
def merchant_bargain_stop(request: HttpRequest, console: Console, bargain_id: int) -> HttpResponse:
    bargain = bargain_selectors.bargain_of(console.merchant, bargain_id)
    run_action(request, lambda: bargains.bargain_stop(bargain), _("The bargain was stopped."))
    return _back("merchant_bargains")
