"""我的: the member's own page, and the small pages it leads to."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sharemall.accounts.models import Member
from sharemall.addresses import rules as address_rules
from sharemall.addresses import selectors as address_book
from sharemall.addresses import services as addresses
from sharemall.addresses.models import Address
from sharemall.community import rules as community_rules
from sharemall.community import selectors as community
from sharemall.core.errors import NotFound
from sharemall.legal import selectors as legal_selectors
from sharemall.merchants import selectors as merchant_selectors
from sharemall.notifications import rules as notice_rules
from sharemall.notifications import selectors as notice_selectors
from sharemall.notifications import services as notices
from sharemall.notifications.schemas import message_out
from sharemall.orders import rules as order_rules
from sharemall.orders import selectors as order_selectors
from sharemall.wallet import services_withdrawals as withdrawals
from sharemall.web.access import member_page
from sharemall.web.actions import run_action
from sharemall.web.buyer.checkout import address_initial, form_region_picker
from sharemall.web.buyer.forms import AddressForm
from sharemall.web.mute import mute_notice
from sharemall.web.wechat_browser import oauth_start_url
from sharemall.wechat import oauth as wechat_oauth

MESSAGES_SHOWN = 50


@dataclass(frozen=True)
class Shortcut:
    key: str  # the /orders?status= value, and the icon's name
    label: str | Promise
    count: int


# The order tabs' names as the 我的 page shows them, in the buyer's order of things.
SHORTCUT_LABELS: dict[str, str | Promise] = {
    order_rules.UNPAID: _("Waiting to pay"),
    order_rules.TO_SHIP: _("To ship"),
    order_rules.TO_RECEIVE: _("To receive"),
    order_rules.TO_REVIEW: _("To review"),
    order_rules.AFTERSALES: _("After-sales"),
}


def _latest_appeal_outcome(member: Member) -> str:
    """The outcome of the member's latest appeal, for the 我的 page's 处罚与申诉 row."""
    latest = community.appeals_of(member).first()
    if latest is None:
        return ""
    if latest.status == community_rules.PENDING:
        return gettext("Appeal waiting for review")
    return str(community_rules.OUTCOMES.get(latest.status, latest.status))


def _masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 11 else phone


@member_page
def me(request: HttpRequest, member: Member) -> HttpResponse:
    counts = order_selectors.buyer_status_counts(member.pk)
    return render(
        request,
        "web/me.html",
        {
            "member": member,
            "phone": _masked(member.phone),
            "shortcuts": [
                Shortcut(key, SHORTCUT_LABELS[key], counts[key]) for key in order_rules.BUYER_TABS
            ],
            "wallet": withdrawals.wallet_summary(member.pk),
            "is_merchant": bool(merchant_selectors.merchant_ids_of(member)),
            "outdated_terms": legal_selectors.outdated_for(member),
            "mute_notice": mute_notice(member),
            "appeal_outcome": _latest_appeal_outcome(member),
        },
    )


# Which address-form field an address book refusal belongs to, by its domain code.
ADDRESS_ERROR_FIELDS = {
    "invalid_region": "district",
    "invalid_phone": "phone",
    "invalid_address": "address",
    "too_many_addresses": None,
}


@dataclass(frozen=True)
class SavedAddress:
    address: Address
    region_name: str


def _save_address(member: Member, form: AddressForm) -> Address:
    data = form.cleaned_data
    fields = address_rules.address_fields(
        region_code=form.region_code(),
        address=data["address"],
        receiver=data["receiver"],
        phone=data["phone"],
    )
    if data.get("id"):
        return addresses.address_update(
            member, data["id"], fields, is_default=data.get("is_default", False)
        )
    return addresses.address_create(member, fields, is_default=data.get("is_default", False))


def _addresses_url() -> str:
    return reverse("web:me_addresses")


@member_page
def me_addresses(request: HttpRequest, member: Member) -> HttpResponse:
    """The address book: the saved addresses (the default first), and the form that adds one
    or, with ?edit=<id>, changes one. Checkout fills its address from the default."""
    saved = list(address_book.addresses_of(member))
    if request.method == "POST":
        form = AddressForm(request.POST)
        if form.is_valid() and run_action(
            request,
            lambda: _save_address(member, form),
            gettext("Address saved."),
            form=form,
            error_fields=ADDRESS_ERROR_FIELDS,
        ):
            return HttpResponseRedirect(_addresses_url())
    else:
        editing = next((a for a in saved if str(a.pk) == request.GET.get("edit")), None)
        initial: dict[str, object] = {"is_default": not saved}
        if editing is not None:
            initial = {
                **address_initial(editing),
                "id": editing.pk,
                "is_default": editing.is_default,
            }
        form = AddressForm(initial=initial)
    return render(
        request,
        "web/buyer/addresses.html",
        {
            "addresses": [SavedAddress(a, address_rules.region_name(a.region_code)) for a in saved],
            "form": form,
            "editing": bool(form["id"].value()),
            "full": len(saved) >= address_rules.MAX_ADDRESSES,
            "regions": form_region_picker(form),
        },
    )


@require_POST
@member_page
def me_address_default(request: HttpRequest, member: Member, address_id: int) -> HttpResponse:
    run_action(
        request,
        lambda: addresses.address_make_default(member, address_id),
        gettext("This is now your default address."),
    )
    return HttpResponseRedirect(_addresses_url())


@require_POST
@member_page
def me_address_delete(request: HttpRequest, member: Member, address_id: int) -> HttpResponse:
    run_action(
        request,
        lambda: addresses.address_delete(member, address_id),
        gettext("Address deleted."),
    )
    return HttpResponseRedirect(_addresses_url())


@member_page
def me_messages(request: HttpRequest, member: Member) -> HttpResponse:
    """The message centre: the newest notices, unread ones marked; 全部已读 on POST."""
    if request.method == "POST":
        notices.messages_read_all(member)
        return redirect("web:me_messages")
    found = notice_selectors.messages_of(member)[:MESSAGES_SHOWN]
    return render(
        request, "web/me_messages.html", {"messages_list": [message_out(n) for n in found]}
    )


@member_page
def me_message(request: HttpRequest, member: Member, message_id: int) -> HttpResponse:
    """One message, marked read by opening it; someone else's is a 404."""
    try:
        notice = notices.message_read(member, message_id)
    except NotFound as missing:
        raise Http404 from missing
    return render(request, "web/me_message.html", {"message": message_out(notice)})


@member_page
def me_settings(request: HttpRequest, member: Member) -> HttpResponse:
    """Language, and the account's details (with the linked WeChat account); signing out."""
    return render(
        request,
        "web/me_settings.html",
        {
            "member": member,
            "phone": _masked(member.phone),
            "wechat_linked": bool(wechat_oauth.linked_openid(member)),
            "wechat_link_url": (
                oauth_start_url(reverse("web:me_settings")) if wechat_oauth.available() else ""
            ),
        },
    )


@member_page
def me_notification_settings(request: HttpRequest, member: Member) -> HttpResponse:
    """Which kinds of notice also come by SMS or WeChat (in-app always); saved on POST."""
    if request.method == "POST":
        ticked = set(request.POST.getlist("on"))
        notices.settings_set(
            member,
            [
                (kind, channel, f"{kind}:{channel}" in ticked)
                for kind in notice_rules.KINDS
                for channel in notice_rules.OUTBOUND
            ],
        )
        return redirect("web:me_notification_settings")
    rows = [
        {**row, "label": notice_rules.KIND_LABELS[str(row["kind"])]}
        for row in notice_selectors.settings_of(member)
    ]
    return render(request, "web/me_notification_settings.html", {"rows": rows})
