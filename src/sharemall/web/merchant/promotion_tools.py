"""The merchant's promotion tools in the console: flash sales (秒杀), group-buys (拼团),
bargains (砍价) and share tasks (任务). Each page lists the shop's, sets a new one up and stops
one; every rule is checked by promotions through the services the JSON API calls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sharemall.catalog.models import Sku
from sharemall.merchants.models import Merchant
from sharemall.promotions.rules import coupons as coupon_rules
from sharemall.promotions.rules import tasks as task_rules
from sharemall.promotions.selectors import bargains as bargain_selectors
from sharemall.promotions.selectors import coupons as coupon_selectors
from sharemall.promotions.selectors import flash as flash_selectors
from sharemall.promotions.selectors import groups as group_selectors
from sharemall.promotions.selectors import tasks as task_selectors
from sharemall.promotions.services import bargains, flash, groups, tasks
from sharemall.web.actions import run_action
from sharemall.web.forms import PageForm, YuanField
from sharemall.web.merchant.console import Console, _back, _render, console_page, owner_page
from sharemall.web.promotion_forms import DATETIME_INPUT, window_initial
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


class FlashSaleForm(ToolForm):
    price = YuanField(label=gettext_lazy("Flash price (¥)"))
    stock = forms.IntegerField(label=gettext_lazy("Flash stock"), min_value=1, initial=50)
    per_member = forms.IntegerField(
        label=gettext_lazy("Each member buys at most"), min_value=1, initial=1
    )
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts"), widget=DATETIME_INPUT)
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends"), widget=DATETIME_INPUT)


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


class ShareTaskForm(PageForm):
    title = forms.CharField(label=gettext_lazy("Task name"), max_length=60)
    posts_needed = forms.IntegerField(
        label=gettext_lazy("Posts that must each bring a sale"),
        min_value=1,
        max_value=20,
        initial=3,
    )
    window_days = forms.IntegerField(
        label=gettext_lazy("Days a post has to bring its sale"),
        min_value=1,
        max_value=30,
        initial=7,
    )
    reward = forms.TypedChoiceField(label=gettext_lazy("Reward coupon"), coerce=int, choices=())
    max_completions = forms.IntegerField(
        label=gettext_lazy("Times a member may complete it"), min_value=1, max_value=10, initial=1
    )
    valid_from = forms.DateTimeField(label=gettext_lazy("Starts"), widget=DATETIME_INPUT)
    valid_to = forms.DateTimeField(label=gettext_lazy("Ends"), widget=DATETIME_INPUT)

    def __init__(self, *args: Any, merchant: Merchant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reward = self.fields["reward"]
        assert isinstance(reward, forms.TypedChoiceField)
        reward.choices = [
            (c.pk, c.title)
            for c in coupon_selectors.coupons_of_issuer(merchant.pk).filter(
                channel=coupon_rules.TASK, stopped_at=None, valid_to__gt=timezone.now()
            )
        ]


def _product(obj: Any) -> str:
    return f"{obj.sku.product.title} · {obj.sku.name}"


def _status(obj: Any) -> str:
    return str(STATUS_LABELS["stopped" if obj.stopped_at else "active"])


def _flash_status(sale: Any) -> str:
    if sale.stopped_at is not None:
        return str(STATUS_LABELS["stopped"])
    now = timezone.now()
    if sale.sold >= sale.units:
        return _("Sold out")
    if now < sale.starts_at:
        return _("Not started")
    return _("Ended") if now >= sale.ends_at else str(STATUS_LABELS["active"])


FLASH_SALES = TableSpec(
    columns=(
        Column("product", gettext_lazy("Product"), value=_product),
        Column("price_fen", gettext_lazy("Flash price"), kind=MONEY),
        Column("sku.price_fen", gettext_lazy("List price"), kind=MONEY),
        Column("sold", gettext_lazy("Sold"), value=lambda s: f"{s.sold} / {s.units}"),
        Column("per_member", gettext_lazy("Per member"), kind=NUMBER),
        Column("starts_at", gettext_lazy("Starts"), kind=DATETIME, sortable=True),
        Column("ends_at", gettext_lazy("Ends"), kind=DATETIME, sortable=True),
        Column("state", gettext_lazy("Status"), value=_flash_status),
    ),
    default_sort="-starts_at",
    export_name="flash-sales",
    empty=gettext_lazy("No flash sales yet."),
    row_actions="web/merchant/promotion_tool.html#stop",
)


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
    form: PageForm,
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
def merchant_flash_sales(request: HttpRequest, console: Console) -> HttpResponse:
    merchant = console.merchant
    return _tool_page(
        request,
        console,
        spec=FLASH_SALES,
        rows=flash_selectors.sales_of(merchant).select_related("sku__product"),
        form=FlashSaleForm(request.POST or None, merchant=merchant, initial=_flash_window()),
        create=lambda d: flash.sale_create(
            merchant,
            sku_id=d["sku"],
            price_fen=d["price"],
            stock=d["stock"],
            per_member=d["per_member"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
        ),
        texts={
            "title": _("Flash sales"),
            "lead": _(
                "A flash price for a few units in a time window, never oversold: each member buys "
                "at most the limit, and unpaid orders give their units back when they time out. "
                "Buyers see a countdown on the sale's page."
            ),
            "new": _("New flash sale"),
            "created": _("The flash sale is set: its page counts down to the start."),
            "confirm_stop": _("Stop this flash sale? Orders already placed stand."),
        },
        stop_url="web:merchant_flash_sale_stop",
        back="merchant_flash_sales",
    )


def _flash_window() -> dict[str, Any]:
    start = timezone.localtime().replace(second=0, microsecond=0) + timedelta(hours=1)
    return {"starts_at": start, "ends_at": start + timedelta(hours=2)}


@require_POST
@console_page
@owner_page
def merchant_flash_sale_stop(request: HttpRequest, console: Console, sale_id: int) -> HttpResponse:
    sale = flash_selectors.sale_of(console.merchant, sale_id)
    run_action(
        request,
        lambda: flash.sale_stop(sale, now=timezone.now()),
        _("The flash sale was stopped."),
    )
    return _back("merchant_flash_sales")


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


SHARE_TASKS = TableSpec(
    columns=(
        Column("title", gettext_lazy("Task")),
        Column("posts_needed", gettext_lazy("Posts"), kind=NUMBER),
        Column("window_days", gettext_lazy("Days per post"), kind=NUMBER),
        Column("reward_coupon.title", gettext_lazy("Reward coupon")),
        Column("valid_from", gettext_lazy("Starts"), kind=DATETIME, sortable=True),
        Column("valid_to", gettext_lazy("Ends"), kind=DATETIME, sortable=True),
        Column("state", gettext_lazy("Status"), value=_status),
    ),
    default_sort="-valid_to",
    export_name="share-tasks",
    empty=gettext_lazy("No share tasks yet."),
    row_actions="web/merchant/promotion_tool.html#stop",
)


@console_page
@owner_page
def merchant_share_tasks(request: HttpRequest, console: Console) -> HttpResponse:
    merchant = console.merchant
    form = ShareTaskForm(request.POST or None, merchant=merchant, initial=window_initial(30))
    return _tool_page(
        request,
        console,
        spec=SHARE_TASKS,
        rows=task_selectors.tasks_of_issuer(merchant.pk).select_related("reward_coupon"),
        form=form,
        create=lambda d: tasks.task_create(
            merchant=merchant,
            actor=console.member,
            definition=task_rules.Definition(
                merchant_id=merchant.pk,
                title=d["title"],
                posts_needed=d["posts_needed"],
                window_days=d["window_days"],
                max_completions=d["max_completions"],
                valid_from=d["valid_from"],
                valid_to=d["valid_to"],
            ),
            reward_coupon=coupon_selectors.coupon_of_issuer(merchant.pk, d["reward"]),
        ),
        texts={
            "title": _("Share tasks"),
            "lead": _(
                "Reward members whose posts sell: when enough of a member's posts each bring a "
                "completed sale of your goods within the days you set, they get the reward coupon. "
                "Only real, completed sales count — never clicks or sign-ups. The reward is one of "
                "your coupons made for tasks (Coupons → members get it: share task reward)."
            ),
            "new": _("New share task"),
            "created": _("The share task is on."),
            "confirm_stop": _("Stop this share task? Posts published from now on no longer count."),
        },
        stop_url="web:merchant_share_task_stop",
        back="merchant_share_tasks",
    )


@require_POST
@console_page
@owner_page
def merchant_share_task_stop(request: HttpRequest, console: Console, task_id: int) -> HttpResponse:
    task = task_selectors.task_of_issuer(console.merchant.pk, task_id)
    run_action(request, lambda: tasks.task_stop(task), _("The share task was stopped."))
    return _back("merchant_share_tasks")


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
