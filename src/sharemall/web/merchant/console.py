"""Which merchant the console shows, who may open its pages, and how they render.

Every page of the merchant console mirrors the permission check of the API endpoint doing the
same thing (staff of the merchant, or its owner where the API asks for the owner) and calls the
same service; objects of another merchant answer with the 404 page, as the API answers 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import wraps
from typing import Any, Concatenate

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.accounts.models import Member
from sharemall.aftersales import rules as aftersale_rules
from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.core.errors import Forbidden, NotFound
from sharemall.merchants import selectors as merchant_selectors
from sharemall.merchants.models import Merchant
from sharemall.orders import rules as order_rules
from sharemall.orders import selectors as order_selectors
from sharemall.orders.models import Order
from sharemall.web.access import member_page, not_found
from sharemall.web.common import _int_param

PAGE_SIZE = 20


SESSION_MERCHANT = "merchant_console_id"


AFTERSALE_STATUS_LABELS = {
    aftersale_rules.REQUESTED: gettext_lazy("waiting for your answer"),
    aftersale_rules.AWAITING_RETURN: gettext_lazy("waiting for the buyer to send it back"),
    aftersale_rules.RETURN_SHIPPED: gettext_lazy("returned parcel on its way"),
    aftersale_rules.REFUNDING: gettext_lazy("refund in progress"),
    aftersale_rules.REFUNDED: gettext_lazy("refunded"),
    aftersale_rules.REJECTED: gettext_lazy("rejected"),
    aftersale_rules.DISPUTED: gettext_lazy("disputed with the platform"),
    aftersale_rules.CANCELLED: gettext_lazy("cancelled by the buyer"),
}


ORDER_STATUS_LABELS = dict(Order.Status.choices)


# Which tab of the console's menu a page belongs to, by words in its URL name (first match).
SECTIONS = (
    ("coupon", "coupons"),
    ("flash", "flash_sales"),
    ("group_buy", "group_buys"),
    ("bargain", "bargains"),
    ("share_task", "share_tasks"),
    ("promotions", "promotions"),
    ("tiers", "promotions"),
    ("wechat", "wechat"),
    ("freight", "freight"),
    ("withdrawal", "withdrawals"),
    ("settlement", "settlement"),
    ("plan", "plan"),
    ("import", "import"),
    ("propagation", "propagation"),
    ("campaign", "campaigns"),
    ("product", "products"),
    ("sku", "products"),
    ("order", "orders"),
    ("pickup", "pickups"),
    ("aftersale", "aftersales"),
    ("quality", "quality"),
    ("store", "stores"),
    ("region", "stores"),
    ("return_address", "stores"),
    ("staff", "staff"),
    ("certification", "certification"),
    ("licence", "certification"),
    ("application", "certification"),
)


@dataclass(frozen=True)
class Console:
    """The signed-in member and the merchant they are working on (one of theirs)."""

    member: Member
    merchant: Merchant
    merchants: tuple[Merchant, ...]
    is_owner: bool
    # Each merchant's online shop name: what the console calls it (the legal name is for the
    # certification page and the licence).
    shop_names: Mapping[int, str] = field(default_factory=dict)

    @property
    def shop_name(self) -> str:
        return self.shop_names.get(self.merchant.pk) or self.merchant.legal_name

    @property
    def shop_choices(self) -> list[tuple[int, str]]:
        """The merchants the member may switch between, by shop name."""
        return [(m.pk, self.shop_names.get(m.pk) or m.legal_name) for m in self.merchants]

    def at(self, request: HttpRequest, merchant_id: int) -> Console:
        """The console switched to the merchant of an object the member may open."""
        if merchant_id == self.merchant.pk:
            return self
        merchant = next(m for m in self.merchants if m.pk == merchant_id)
        request.session[SESSION_MERCHANT] = merchant.pk
        return replace(self, merchant=merchant, is_owner=_owns(self.member, merchant.pk))


ConsoleView = Callable[Concatenate[HttpRequest, Console, ...], HttpResponse]


def _owns(member: Member, merchant_id: int) -> bool:
    return merchant_selectors.is_owner(member, merchant_id)


def _console(request: HttpRequest, member: Member) -> Console | None:
    """The merchant chosen with ?merchant=id (only one of the member's own, else NotFound),
    else the one chosen before in this session, else the member's first."""
    merchants = tuple(merchant_selectors.merchants_of(member))
    if not merchants:
        return None
    by_id = {m.pk: m for m in merchants}
    if "merchant" in request.GET:
        wanted = _int_param(request.GET.get("merchant"))
        if wanted not in by_id:
            raise NotFound(_("No such merchant."))
        request.session[SESSION_MERCHANT] = wanted
    remembered = request.session.get(SESSION_MERCHANT)
    merchant = by_id.get(remembered) if isinstance(remembered, int) else None
    merchant = merchant or merchants[0]
    names = {pk: shop.name for pk, shop in merchant_selectors.shops(by_id).items()}
    return Console(member, merchant, merchants, _owns(member, merchant.pk), names)


def console_page(view: ConsoleView) -> Callable[..., HttpResponse]:
    """A console page: members without a merchant are sent to apply; objects the member may not
    see (lookups raising NotFound) answer with the 404 page."""

    @member_page
    @wraps(view)
    def wrapper(request: HttpRequest, member: Member, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            console = _console(request, member)
            if console is None:
                return HttpResponseRedirect(reverse("web:merchant_home"))
            return view(request, console, *args, **kwargs)
        except (NotFound, Forbidden):  # Forbidden: a clerk at an owner-only object
            return not_found(request)

    return wrapper


def owner_page(view: ConsoleView) -> Callable[..., HttpResponse]:
    """Where the API asks for the merchant's owner, anyone else gets the 404 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, console: Console, *args: Any, **kwargs: Any) -> HttpResponse:
        if not console.is_owner:
            return not_found(request)
        return view(request, console, *args, **kwargs)

    return wrapper


def _render(
    request: HttpRequest, console: Console | None, template: str, context: dict[str, Any]
) -> HttpResponse:
    match = request.resolver_match
    name = match.url_name if match and match.url_name else ""
    section = next((s for word, s in SECTIONS if word in name), "home")
    nav_counts = todo_counts(console.merchant) if console and console.merchant.is_approved else {}
    return render(
        request,
        template,
        {"console": console, "section": section, "nav_counts": nav_counts, **context},
    )


def todo_counts(merchant: Merchant) -> dict[str, int]:
    """What waits for the shop: the menu's badges and the dashboard's to-do list."""
    return {
        "to_ship": order_selectors.orders_of_merchant(merchant.pk, status=order_rules.PAID).count(),
        "awaiting_pickup": order_selectors.orders_of_merchant(
            merchant.pk, status=order_rules.READY_FOR_PICKUP
        ).count(),
        "open_aftersales": aftersale_selectors.aftersales_of_merchant(
            merchant.pk, status=aftersale_rules.OPEN_FILTER
        ).count(),
    }


def _back(name: str, *args: object, query: str = "") -> HttpResponseRedirect:
    url = reverse(f"web:{name}", args=args)
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


def _trail(
    events: Iterable[dict[str, Any]],
    labels: Mapping[str, Any],
    note_text: Callable[[str], str] = str,
) -> list[dict[str, Any]]:
    """State changes as the trail partial shows them: statuses and the system's notes in words,
    newest last."""
    return [
        {
            **event,
            "from": labels.get(event["from"], event["from"]) if event["from"] else "",
            "to": labels.get(event["to"], event["to"]),
            "note": note_text(event["note"]) if event.get("note") else "",
        }
        for event in events
    ]


def status_trail(
    events: QuerySet[Any], labels: Mapping[str, Any], note_text: Callable[[str], str]
) -> list[dict[str, Any]]:
    """An order's or a request's own state changes (their event rows read alike)."""
    return _trail(
        (
            {"from": e.from_status, "to": e.to_status, "note": e.note, "at": e.created_at}
            for e in events.order_by("created_at", "id")
        ),
        labels,
        note_text,
    )


def order_trail(order: Order) -> list[dict[str, Any]]:
    """The order's history, on its own page and under an after-sales request on it."""
    return status_trail(order.events.all(), ORDER_STATUS_LABELS, order_rules.note_text)
