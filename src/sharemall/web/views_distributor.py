"""The distributor centre, /me/distribution: the sub-store link, shares, wallet and earnings,
the team, commissions, the sub-store editor and withdrawals.

Every page is for any signed-in member, as the API's endpoints are (in the default 人人分销 mode
every member earns on their own shares, so anyone may have commissions to withdraw). Each view
calls the service or selector its API endpoint calls, and shows that service's refusals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sharemall.accounts import services as accounts
from sharemall.accounts.models import Member
from sharemall.catalog import selectors as catalog
from sharemall.core.errors import DomainError
from sharemall.core.money import BP_WHOLE, MoneyError, format_yuan, parse_yuan
from sharemall.distribution import rules as distribution_rules
from sharemall.distribution import selectors as distribution_selectors
from sharemall.distribution import services as distribution
from sharemall.distribution.models import CommissionEntry
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing import selectors as sharing_selectors
from sharemall.sharing import services as sharing
from sharemall.sharing.models import ShareLink
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet import selectors as wallet_selectors
from sharemall.wallet import services_withdrawals as withdrawals
from sharemall.wallet.models import Withdrawal
from sharemall.wallet.schemas import MAX_AMOUNT_FEN
from sharemall.web.access import member_page
from sharemall.web.charts import Chart, grouped_bars
from sharemall.web.forms import PageForm

PAGE_SIZE = 20
RECENT_LINKS = 10
CHART_DAYS = 30
CHART_LABEL_EVERY = 7
SUBSTORE_CHOICES_SHOWN = 30
QUERY_MAX = 100
# The API's own limits, so a page never sends what the endpoint would refuse at its edge.
SUBSTORE_TITLE_MAX = 80
SUBSTORE_TITLE_KEPT = 40
SUBSTORE_IDS_MAX = 500
MAX_ID = 2**63 - 1
API = "/api/v1"
# A held commission is credited to the pending balance until reviewed, so the chart counts it
# there too: its pending bars then add up to what the wallet shows as pending.
UNSETTLED = (CommissionEntry.Status.PENDING, CommissionEntry.Status.HELD)
_YUAN = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# Which field of the withdrawal form a refusal of the service belongs to, by its code.
WITHDRAW_ERROR_FIELDS = {
    "invalid_amount": "amount",
    "below_minimum": "amount",
    "daily_cap_exceeded": "amount",
    "insufficient_balance": "amount",
    "invalid_channel": "channel",
    "invalid_payee": "payee",
}


# --- forms ------------------------------------------------------------------------------------


def fen_from_yuan(text: str) -> int:
    """What a member typed, in yuan, as whole fen: decimal arithmetic only, never a float."""
    cleaned = "".join(text.replace("¥", "").replace("￥", "").replace(",", "").split())
    if not _YUAN.fullmatch(cleaned):
        raise ValidationError(_("Enter an amount in yuan, such as 12.50."), code="invalid")
    if "." in cleaned and len(cleaned.split(".")[1]) > 2:
        raise ValidationError(
            _("Amounts go down to the fen: at most two decimal places."), code="precision"
        )
    try:
        fen = parse_yuan(cleaned)
    except MoneyError:
        fen = MAX_AMOUNT_FEN + 1
    if fen > MAX_AMOUNT_FEN:
        raise ValidationError(_("That amount is too large."), code="too_large")
    return fen


class WithdrawForm(PageForm):
    amount = forms.CharField(
        label=gettext_lazy("Amount (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Pay to"),
        choices=Withdrawal.Channel.choices,
        initial=wallet_rules.CHANNEL_WECHAT,
        widget=forms.RadioSelect,
    )
    payee = forms.CharField(
        label=gettext_lazy("Account"),
        max_length=128,
        required=False,
        help_text=gettext_lazy(
            "Your Alipay account or bank card number; for WeChat Pay, your WeChat account."
        ),
    )
    payee_name = forms.CharField(
        label=gettext_lazy("Real name of the account holder"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The fee preview follows the amount as it is typed (htmx; no script of ours).
        self.fields["amount"].widget.attrs.update(
            {
                "hx-get": reverse("web:distributor_withdraw_fee"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#fee-preview",
                # The answer is the whole <p id="fee-preview">: it replaces the old one
                # (swapped inside it, the id would be doubled and the text nested).
                "hx-swap": "outerHTML",
                "aria-describedby": "fee-preview",
            }
        )

    def clean_amount(self) -> int:
        return fen_from_yuan(self.cleaned_data["amount"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A bank card is paid by an operator, by hand: without the card and its holder they
        # could only fail it, so ask for both now.
        if data.get("channel") == wallet_rules.CHANNEL_BANK:
            if not (data.get("payee") or "").strip():
                self.add_error("payee", _("Enter the bank card number."))
            if not (data.get("payee_name") or "").strip():
                self.add_error("payee_name", _("Enter the name on the bank card."))
        return data


class ProductIdsField(forms.Field):
    """The ids of the ticked products: whole numbers that could name a row, at most the API's
    limit."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if not isinstance(value, list | tuple) or len(value) > SUBSTORE_IDS_MAX:
            raise ValidationError(_("Choose products from the list."), code="invalid")
        ids: list[int] = []
        for raw in value:
            try:
                number = int(str(raw))
            except ValueError:
                raise ValidationError(_("Choose products from the list."), code="invalid") from None
            if not 0 < number <= MAX_ID:
                raise ValidationError(_("Choose products from the list."), code="invalid")
            ids.append(number)
        return ids


class SubstoreForm(PageForm):
    title = forms.CharField(
        label=gettext_lazy("Name of your sub-store"),
        max_length=SUBSTORE_TITLE_MAX,
        required=False,
        help_text=gettext_lazy("Up to 40 characters, e.g. “Lily's tea picks”."),
    )
    product = ProductIdsField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The API takes up to 80 characters and the service keeps the first 40 (spaces
        # collapsed); the browser stops at 40 so nothing typed is silently cut.
        self.fields["title"].widget.attrs["maxlength"] = SUBSTORE_TITLE_KEPT


# --- shared pieces -----------------------------------------------------------------------------


def _redirect(name: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(name))


def _share_addresses(code: str) -> dict[str, str]:
    """The link to copy, and the QR and poster as paths on this site (the CSP allows our own
    images only, whatever the public address is)."""
    return {
        "url": sharing_rules.share_url(settings.PUBLIC_BASE_URL, code),
        "qr": f"{API}/shares/{code}/qr.png",
        "poster": f"{API}/shares/{code}/poster.png",
    }


def _substore_link(member: Member) -> ShareLink | None:
    return sharing_selectors.links_of(member).filter(target_type=sharing_rules.SUBSTORE).first()


def _create_substore_link(request: HttpRequest, member: Member) -> None:
    """Share the member's sub-store (POST /shares with target `substore`); the service's
    message says whether the link earns, or why it could not be made."""
    try:
        result = sharing.share_create(
            sharer=member, target_type=sharing_rules.SUBSTORE, target_id=member.pk
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return
    if result.rewarded:
        messages.success(request, result.message)
    else:
        messages.warning(request, result.message)


@dataclass(frozen=True)
class LinkRow:
    link: ShareLink
    title: str
    target: str
    clicks: int
    url: str


def _link_title(link: ShareLink, product_titles: dict[int, str]) -> str:
    if link.target_type == sharing_rules.SUBSTORE:
        return _("My sub-store")
    if link.target_type == sharing_rules.PRODUCT and link.target_id in product_titles:
        return product_titles[link.target_id]
    # A post, a store, or a product no longer on sale: its kind and number.
    return f"{link.get_target_type_display()} #{link.target_id}"


def _recent_links(member: Member) -> list[LinkRow]:
    links = list(sharing_selectors.links_of(member)[:RECENT_LINKS])
    clicks = sharing_selectors.click_counts(link.pk for link in links)
    product_ids = [link.target_id for link in links if link.target_type == sharing_rules.PRODUCT]
    titles = dict(
        catalog.visible_products(None).filter(pk__in=product_ids).values_list("pk", "title")
    )
    rows = []
    for link in links:
        rows.append(
            LinkRow(
                link=link,
                title=_link_title(link, titles),
                target=sharing.target_url(link),
                clicks=clicks.get(link.pk, 0),
                url=sharing_rules.share_url(settings.PUBLIC_BASE_URL, link.code),
            )
        )
    return rows


def _daily_totals(entries: QuerySet[CommissionEntry], moment: str) -> dict[date, int]:
    rows = (
        entries.order_by()
        .annotate(day=TruncDate(moment))
        .values("day")
        .annotate(total=Sum("amount_fen"))
        .values_list("day", "total")
    )
    return {day: int(total or 0) for day, total in rows}


@dataclass(frozen=True)
class Earnings:
    chart: Chart
    settled_fen: int
    pending_fen: int
    days: int


def _earnings(member: Member, today: date) -> Earnings:
    """Commission settled (by the day it settled) and still pending (by the day it was
    earned), per day over the last CHART_DAYS days, in the site's time zone."""
    first = today - timedelta(days=CHART_DAYS - 1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    mine = distribution_selectors.commissions_of(member)
    settled = _daily_totals(
        mine.filter(status=CommissionEntry.Status.SETTLED, settled_at__gte=since), "settled_at"
    )
    pending = _daily_totals(mine.filter(status__in=UNSETTLED, created_at__gte=since), "created_at")
    days = [first + timedelta(days=n) for n in range(CHART_DAYS)]
    chart = grouped_bars(
        [(day.strftime("%m-%d"), (settled.get(day, 0), pending.get(day, 0))) for day in days],
        label_every=CHART_LABEL_EVERY,
    )
    return Earnings(
        chart=chart,
        settled_fen=sum(settled.values()),
        pending_fen=sum(pending.values()),
        days=CHART_DAYS,
    )


# --- overview ----------------------------------------------------------------------------------


@member_page
def overview(request: HttpRequest, member: Member) -> HttpResponse:
    substore_link = _substore_link(member) if member.is_distributor else None
    return render(
        request,
        "web/distributor/overview.html",
        {
            "member": member,
            "substore_link": substore_link,
            "substore": _share_addresses(substore_link.code) if substore_link else None,
            "links": _recent_links(member),
            "wallet": withdrawals.wallet_summary(member.pk),
            "earnings": _earnings(member, timezone.localdate()),
            "section": "overview",
        },
    )


@member_page
@require_POST
def enable(request: HttpRequest, member: Member) -> HttpResponse:
    """POST /me/distributor, then the sub-store link the member will share."""
    was_enabled = member.is_distributor
    accounts.distributor_enable(member)
    if not was_enabled:
        messages.success(request, _("Distribution is on. Your sub-store is open; share it below."))
    if _substore_link(member) is None:
        _create_substore_link(request, member)
    return _redirect("web:distributor_overview")


@member_page
@require_POST
def substore_link(request: HttpRequest, member: Member) -> HttpResponse:
    """A fresh sub-store link: for when the last one was made past a daily cap and earns
    nothing."""
    _create_substore_link(request, member)
    return _redirect("web:distributor_overview")


# --- team and commissions ----------------------------------------------------------------------


@member_page
def team(request: HttpRequest, member: Member) -> HttpResponse:
    found = distribution_selectors.team(member)
    ids = [row["id"] for row in found["direct"]]
    joined = dict(Member.objects.filter(pk__in=ids).values_list("pk", "date_joined"))
    direct = [{**row, "date_joined": joined.get(row["id"])} for row in found["direct"]]
    return render(
        request,
        "web/distributor/team.html",
        {
            "counts": found["counts"],
            "direct": direct,
            "shown_max": distribution_selectors.TEAM_DIRECT_SHOWN,
            "section": "team",
        },
    )


def bp_text(bp: int) -> str:
    """Basis points as a percentage, by integer maths: 800 → "8.00%", 10 → "0.10%"."""
    whole, part = divmod(bp, BP_WHOLE // 100)
    return f"{whole}.{part:02d}%"


def rate_text(entry: CommissionEntry) -> str:
    """A commission's rate: a percentage of the base, or a fixed amount per unit."""
    if entry.unit == distribution_rules.BP:
        return bp_text(entry.rate)
    return _("%(amount)s per unit") % {"amount": format_yuan(entry.rate)}


@dataclass(frozen=True)
class CommissionRow:
    entry: CommissionEntry
    rate: str


@member_page
def commissions(request: HttpRequest, member: Member) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in CommissionEntry.Status.values:
        status = ""
    entries = distribution_selectors.commissions_of(member, status=status or None)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/distributor/commissions.html",
        {
            "page": page,
            "rows": [CommissionRow(entry=e, rate=rate_text(e)) for e in page.object_list],
            "status": status,
            "statuses": CommissionEntry.Status.choices,
            "section": "commissions",
        },
    )


# --- the sub-store editor ----------------------------------------------------------------------


def _substore_context(
    member: Member, query: str, form: SubstoreForm, chosen: list[int] | None
) -> dict[str, Any]:
    """The products now in the sub-store (those still on sale, as anyone sees it) and products
    on sale matching the search, to tick."""
    public = distribution_selectors.substore_public(member.pk)
    current = public["products"] if public else []
    current_ids = [p["id"] for p in current]
    results = list(
        catalog.storefront_products(query=query).exclude(pk__in=current_ids)[
            :SUBSTORE_CHOICES_SHOWN
        ]
    )
    return {
        "form": form,
        "query": query,
        "current": current,
        "results": results,
        "chosen": set(current_ids if chosen is None else chosen),
        "is_distributor": member.is_distributor,
        "substore_title": public["title"] if public else "",
        "section": "substore",
    }


@member_page
def substore(request: HttpRequest, member: Member) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    chosen: list[int] | None = None
    if request.method == "POST":
        form = SubstoreForm(request.POST)
        if form.is_valid():
            chosen = form.cleaned_data["product"]
            try:
                distribution.substore_set(
                    member, product_ids=chosen, title=form.cleaned_data["title"]
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your sub-store is saved."))
                return _redirect("web:distributor_substore")
    else:
        public = distribution_selectors.substore_public(member.pk)
        form = SubstoreForm(initial={"title": public["title"] if public else ""})
    context = _substore_context(member, query, form, chosen)
    # A search answers htmx with the results alone; restoring history needs the whole page.
    htmx = getattr(request, "htmx", None)  # django-htmx's middleware sets it
    if htmx and not htmx.history_restore_request and request.method == "GET":
        return render(request, "web/distributor/substore.html#results", context)
    return render(request, "web/distributor/substore.html", context)


# --- withdrawals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WithdrawalRow:
    withdrawal: Withdrawal
    payee: str


def _left_today(member: Member, policy: wallet_rules.WithdrawalPolicy) -> int:
    asked = wallet_selectors.requested_today(member, timezone.now())
    return max(0, policy.daily_cap_fen - asked)


def _fee_preview(raw: str, policy: wallet_rules.WithdrawalPolicy) -> dict[str, int] | None:
    """The fee the service will charge for what was typed, by the policy's own rule."""
    try:
        amount = fen_from_yuan(raw)
    except ValidationError:
        return None
    fee = policy.fee_for(amount)
    return {"amount_fen": amount, "fee_fen": fee, "payout_fen": amount - fee}


@member_page
def withdraw(request: HttpRequest, member: Member) -> HttpResponse:
    policy = withdrawals.withdrawal_policy()
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = withdrawals.withdrawal_request(
                    member=member,
                    amount_fen=data["amount"],
                    channel=data["channel"],
                    payee=data["payee"],
                    payee_name=data["payee_name"],
                )
            except DomainError as exc:
                form.add_error(WITHDRAW_ERROR_FIELDS.get(exc.code), exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "You asked to withdraw %(amount)s. The money is held until it is paid "
                        "to you."
                    )
                    % {"amount": format_yuan(made.amount_fen)},
                )
                return _redirect("web:distributor_withdraw")
    else:
        form = WithdrawForm()
    page = Paginator(wallet_selectors.withdrawals_of(member), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "web/distributor/withdraw.html",
        {
            "form": form,
            "policy": policy,
            "fee_rate": bp_text(policy.fee_bp),
            "left_today_fen": _left_today(member, policy),
            "wallet": withdrawals.wallet_summary(member.pk),
            "preview": _fee_preview(request.POST.get("amount", ""), policy)
            if request.method == "POST"
            else None,
            "page": page,
            "rows": [
                WithdrawalRow(withdrawal=w, payee=wallet_rules.mask_payee(w.channel, w.payee))
                for w in page.object_list
            ],
            "section": "withdraw",
        },
    )


@member_page
def withdraw_fee(request: HttpRequest, member: Member) -> HttpResponse:
    """The fee preview under the amount field, refreshed by htmx as the member types."""
    policy = withdrawals.withdrawal_policy()
    return render(
        request,
        "web/distributor/withdraw.html#fee",
        {"preview": _fee_preview(request.GET.get("amount", ""), policy)},
    )
