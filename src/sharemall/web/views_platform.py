"""The platform back office (/platform/): the operators' queues and the platform rules.

Every page is for operators only (`@operator_page`, like the API's `require_operator`) and every
decision goes through the same service the API calls, so a page can never allow what the API
refuses. A refused decision comes back as a message on the page it was made from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.accounts.models import Member
from sharemall.accounts.rules import normalize_phone
from sharemall.aftersales import rules as aftersale_rules
from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.aftersales import services as aftersale_services
from sharemall.aftersales.models import Dispute
from sharemall.core.errors import DomainError, NotFound
from sharemall.distribution import selectors as distribution_selectors
from sharemall.distribution import services as distribution_services
from sharemall.distribution.models import CommissionEntry, Partner, RegionAgent
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants import selectors as merchant_selectors
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order
from sharemall.platform import rules as platform_rules
from sharemall.platform import services as platform
from sharemall.platform.models import SettingsChange
from sharemall.posts import rules as post_rules
from sharemall.posts import selectors as post_selectors
from sharemall.posts import services as post_services
from sharemall.posts.models import Post
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing.models import ShareLink
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet import selectors as wallet_selectors
from sharemall.wallet import services_withdrawals as withdrawals
from sharemall.wallet.models import Withdrawal
from sharemall.web.access import MemberView, not_found, operator_page
from sharemall.web.forms_platform import (
    AgentForm,
    BannedWordForm,
    CommissionRejectForm,
    CommissionReleaseForm,
    HideForm,
    MerchantNoteForm,
    MerchantReasonForm,
    ModerationNoteForm,
    PartnerForm,
    ReferenceForm,
    RulingForm,
    SettingsForm,
    WithdrawalReasonForm,
)

PAGE_SIZE = 20
HISTORY_SIZE = 50
HIDDEN_POSTS_SHOWN = 20
ALL = "all"
MERCHANT_FILTERS = (
    merchant_rules.SUBMITTED,
    merchant_rules.APPROVED,
    merchant_rules.REJECTED,
    merchant_rules.SUSPENDED,
    merchant_rules.DRAFT,
)
WITHDRAWAL_FILTERS = (
    wallet_rules.WITHDRAWAL_REQUESTED,
    wallet_rules.WITHDRAWAL_APPROVED,
    wallet_rules.WITHDRAWAL_FAILED,
    wallet_rules.WITHDRAWAL_PAID,
    wallet_rules.WITHDRAWAL_REJECTED,
)
# After-sales states have no model choices; the trail shows them in words.
AFTERSALE_STATUSES = {
    aftersale_rules.REQUESTED: gettext_lazy("requested"),
    aftersale_rules.AWAITING_RETURN: gettext_lazy("awaiting the return"),
    aftersale_rules.RETURN_SHIPPED: gettext_lazy("return shipped"),
    aftersale_rules.REFUNDING: gettext_lazy("refunding"),
    aftersale_rules.REFUNDED: gettext_lazy("refunded"),
    aftersale_rules.REJECTED: gettext_lazy("rejected"),
    aftersale_rules.DISPUTED: gettext_lazy("disputed"),
    aftersale_rules.CANCELLED: gettext_lazy("cancelled"),
}


# --- helpers ---------------------------------------------------------------------------------


def _post_only(view: MemberView) -> MemberView:
    @wraps(view)
    def wrapper(request: HttpRequest, member: Member, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(request, member, *args, **kwargs)

    return wrapper


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Back to the back-office page the form was on (its filter and page kept), never elsewhere."""
    target = request.POST.get("next", "")
    if target.startswith("/platform/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


def _attempt(request: HttpRequest, action: Callable[[], object], done: str) -> bool:
    """Run one decision; the rules' refusal becomes an error message, as the API's 4xx would."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, done)
    return True


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _status_filter(request: HttpRequest, known: tuple[str, ...]) -> str:
    chosen = request.GET.get("status", known[0])
    return chosen if chosen in (*known, ALL) else known[0]


def _choices_label(choices: Iterable[tuple[Any, Any]], value: Any) -> str:
    return str(dict(choices).get(value, value))


@dataclass(frozen=True)
class Step:
    """One line of a trail: a state change, who made it and why."""

    at: datetime
    source: str
    target: str
    who: str
    note: str


def _names(member_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {pk for pk in member_ids if pk is not None}
    return dict(Member.objects.filter(pk__in=wanted).values_list("pk", "nickname"))


def _who(names: dict[int, str], member_id: int | None) -> str:
    if member_id is None:
        return _("the system")
    return names.get(member_id, f"#{member_id}")


def _steps(
    events: list[dict[str, Any]], labels: Iterable[tuple[Any, Any]], names: dict[int, str]
) -> list[Step]:
    choices = list(labels)
    return [
        Step(
            at=e["at"],
            source=_choices_label(choices, e["from"]) if e["from"] else "",
            target=_choices_label(choices, e["to"]),
            who=_who(names, e["actor_id"]),
            note=e.get("reason") or e.get("note") or "",
        )
        for e in events
    ]


def _found[M: Model](lookup: Callable[[], M | None]) -> M | None:
    """The object a page is about; None when it does not exist (the 404 page is shown)."""
    try:
        return lookup()
    except NotFound:
        return None


# --- dashboard -------------------------------------------------------------------------------


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


# --- merchants -------------------------------------------------------------------------------


@operator_page
def merchants(request: HttpRequest, member: Member) -> HttpResponse:
    status = _status_filter(request, MERCHANT_FILTERS)
    queue = merchant_selectors.merchant_review_queue(None if status == ALL else status)
    return render(
        request,
        "web/platform/merchants.html",
        {
            "page": _page(request, queue.select_related("owner")),
            "status": status,
            "filters": [(s, _choices_label(Merchant.Status.choices, s)) for s in MERCHANT_FILTERS],
        },
    )


def _merchant(member: Member, merchant_id: int) -> Merchant | None:
    return _found(lambda: merchant_selectors.merchant_for_viewer(member, merchant_id))


@operator_page
def merchant(request: HttpRequest, member: Member, merchant_id: int) -> HttpResponse:
    found = _merchant(member, merchant_id)
    if found is None:
        return not_found(request)
    targets = merchant_rules.APPLICATION.transitions.get(found.status, frozenset())
    steps = [
        Step(
            at=e.created_at,
            source=_choices_label(Merchant.Status.choices, e.from_status) if e.from_status else "",
            target=_choices_label(Merchant.Status.choices, e.to_status),
            who=e.actor.nickname if e.actor else _("the system"),
            note=e.reason,
        )
        for e in merchant_selectors.merchant_events(found)
    ]
    return render(
        request,
        "web/platform/merchant.html",
        {
            "merchant": found,
            "steps": steps,
            "can_approve": found.status == merchant_rules.SUBMITTED,
            "can_reject": merchant_rules.REJECTED in targets,
            "can_suspend": merchant_rules.SUSPENDED in targets,
            "can_reinstate": found.status == merchant_rules.SUSPENDED,
            "reject_form": MerchantReasonForm(auto_id="reject_%s"),
            "suspend_form": MerchantReasonForm(auto_id="suspend_%s"),
            "reinstate_form": MerchantNoteForm(auto_id="reinstate_%s"),
        },
    )


def _merchant_decision(
    request: HttpRequest,
    member: Member,
    merchant_id: int,
    *,
    form_class: type[forms.Form] | None,
    decide: Callable[[Merchant, str], object],
    done: str,
) -> HttpResponse:
    found = _merchant(member, merchant_id)
    if found is None:
        return not_found(request)
    form = form_class(request.POST) if form_class is not None else None
    if form is not None and not form.is_valid():
        _form_errors(request, form)
    else:
        reason = form.cleaned_data["reason"] if form is not None else ""
        _attempt(request, lambda: decide(found, reason), done)
    return HttpResponseRedirect(reverse("web:platform_merchant", args=[found.pk]))


@operator_page
@_post_only
def merchant_approve(request: HttpRequest, member: Member, merchant_id: int) -> HttpResponse:
    return _merchant_decision(
        request,
        member,
        merchant_id,
        form_class=None,
        decide=lambda m, _reason: merchant_services.merchant_approve(m, operator=member),
        done=_("The merchant is approved."),
    )


@operator_page
@_post_only
def merchant_reject(request: HttpRequest, member: Member, merchant_id: int) -> HttpResponse:
    return _merchant_decision(
        request,
        member,
        merchant_id,
        form_class=MerchantReasonForm,
        decide=lambda m, reason: merchant_services.merchant_reject(
            m, operator=member, reason=reason
        ),
        done=_("The application is rejected."),
    )


@operator_page
@_post_only
def merchant_suspend(request: HttpRequest, member: Member, merchant_id: int) -> HttpResponse:
    return _merchant_decision(
        request,
        member,
        merchant_id,
        form_class=MerchantReasonForm,
        decide=lambda m, reason: merchant_services.merchant_suspend(
            m, operator=member, reason=reason
        ),
        done=_("The merchant is suspended."),
    )


@operator_page
@_post_only
def merchant_reinstate(request: HttpRequest, member: Member, merchant_id: int) -> HttpResponse:
    return _merchant_decision(
        request,
        member,
        merchant_id,
        form_class=MerchantNoteForm,
        decide=lambda m, reason: merchant_services.merchant_reinstate(
            m, operator=member, reason=reason
        ),
        done=_("The merchant is reinstated."),
    )


# --- disputes --------------------------------------------------------------------------------


@operator_page
def disputes(request: HttpRequest, member: Member) -> HttpResponse:
    queue = aftersale_selectors.disputes_open().select_related(
        "aftersale__order__merchant", "aftersale__buyer"
    )
    return render(request, "web/platform/disputes.html", {"page": _page(request, queue)})


@dataclass(frozen=True)
class Attribution:
    """How the buyer came to the order: the referrer, the share link and the post behind it,
    and who is paid commission on it."""

    referrer: Member | None
    how: str
    link: ShareLink | None
    degree: int | None
    post_id: int | None
    commissions: list[CommissionEntry]


ATTRIBUTIONS = {
    "share": gettext_lazy("a share link"),
    "parent": gettext_lazy("the buyer's binding to a parent"),
}


def _attribution(order: Order) -> Attribution:
    link = ShareLink.objects.filter(pk=order.share_link_id).first() if order.share_link_id else None
    on_post = link is not None and link.target_type == sharing_rules.POST
    return Attribution(
        referrer=order.referrer,
        how=str(ATTRIBUTIONS.get(order.attribution, order.attribution)),
        link=link,
        degree=order.degree,
        post_id=link.target_id if link is not None and on_post else None,
        commissions=list(
            CommissionEntry.objects.filter(order=order, reversal_of__isnull=True)
            .select_related("beneficiary")
            .order_by("kind", "level", "id")
        ),
    )


def _dispute(dispute_id: int) -> Dispute | None:
    return _found(lambda: aftersale_selectors.dispute_for_operator(dispute_id))


@operator_page
def dispute(request: HttpRequest, member: Member, dispute_id: int) -> HttpResponse:
    found = _dispute(dispute_id)
    if found is None:
        return not_found(request)
    trail = aftersale_selectors.responsibility_trail(found.aftersale)
    merchant_events = trail["merchant"]["certification"]
    order_events = trail["order"]["events"]
    aftersale_events = trail["aftersale"]["events"]
    names = _names(
        [e["actor_id"] for e in (*merchant_events, *order_events, *aftersale_events)]
        + [trail["payment"]["payer_id"], found.ruled_by_id]
    )
    return render(
        request,
        "web/platform/dispute.html",
        {
            "dispute": found,
            "aftersale": found.aftersale,
            "trail": trail,
            "payer": _who(names, trail["payment"]["payer_id"]),
            "ruled_by": _who(names, found.ruled_by_id) if found.ruled_by_id else "",
            "merchant_status": _choices_label(Merchant.Status.choices, trail["merchant"]["status"]),
            "order_status": _choices_label(Order.Status.choices, trail["order"]["status"]),
            "aftersale_status": _choices_label(
                AFTERSALE_STATUSES.items(), trail["aftersale"]["status"]
            ),
            "merchant_steps": _steps(merchant_events, Merchant.Status.choices, names),
            "order_steps": _steps(order_events, Order.Status.choices, names),
            "aftersale_steps": _steps(aftersale_events, AFTERSALE_STATUSES.items(), names),
            "attribution": aftersale_selectors.order_attribution(found.aftersale.order),
            "form": RulingForm(),
        },
    )


@operator_page
@_post_only
def dispute_rule(request: HttpRequest, member: Member, dispute_id: int) -> HttpResponse:
    found = _dispute(dispute_id)
    if found is None:
        return not_found(request)
    form = RulingForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: aftersale_services.dispute_rule(
                found,
                operator=member,
                ruling=form.cleaned_data["ruling"],
                note=form.cleaned_data["note"],
            ),
            _("The ruling is recorded."),
        )
    return HttpResponseRedirect(reverse("web:platform_dispute", args=[found.pk]))


# --- commission holds (the fraud queue) ------------------------------------------------------


@operator_page
def holds(request: HttpRequest, member: Member) -> HttpResponse:
    queue = distribution_selectors.held_commissions().select_related(
        "order__buyer", "order__merchant"
    )
    return render(
        request,
        "web/platform/holds.html",
        {
            "page": _page(request, queue),
            "release_form": CommissionReleaseForm(auto_id=False),
            "reject_form": CommissionRejectForm(auto_id=False),
        },
    )


def _hold_decision(
    request: HttpRequest,
    entry_id: int,
    form: forms.Form,
    decide: Callable[[CommissionEntry, str], object],
    done: str,
) -> HttpResponse:
    entry = distribution_selectors.commission_for_operator(entry_id)
    if entry is None:
        return not_found(request)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(request, lambda: decide(entry, form.cleaned_data["reason"]), done)
    return _back(request, reverse("web:platform_holds"))


@operator_page
@_post_only
def hold_release(request: HttpRequest, member: Member, entry_id: int) -> HttpResponse:
    return _hold_decision(
        request,
        entry_id,
        CommissionReleaseForm(request.POST),
        lambda e, note: distribution_services.hold_release(e, operator=member, note=note),
        _("The commission is released."),
    )


@operator_page
@_post_only
def hold_reject(request: HttpRequest, member: Member, entry_id: int) -> HttpResponse:
    return _hold_decision(
        request,
        entry_id,
        CommissionRejectForm(request.POST),
        lambda e, reason: distribution_services.hold_reject(e, operator=member, reason=reason),
        _("The commission is rejected."),
    )


# --- withdrawals -----------------------------------------------------------------------------


@operator_page
def withdrawal_queue(request: HttpRequest, member: Member) -> HttpResponse:
    status = _status_filter(request, WITHDRAWAL_FILTERS)
    queue = wallet_selectors.withdrawal_queue(None if status == ALL else status)
    return render(
        request,
        "web/platform/withdrawals.html",
        {
            "page": _page(request, queue.select_related("member")),
            "status": status,
            "filters": [
                (s, _choices_label(Withdrawal.Status.choices, s)) for s in WITHDRAWAL_FILTERS
            ],
            "bank": wallet_rules.CHANNEL_BANK,
            "reason_form": WithdrawalReasonForm(auto_id=False),
            "reference_form": ReferenceForm(auto_id=False),
        },
    )


def _withdrawal_decision(
    request: HttpRequest,
    withdrawal_id: int,
    form: forms.Form | None,
    decide: Callable[[Withdrawal, dict[str, Any]], Withdrawal],
) -> HttpResponse:
    found = _found(lambda: wallet_selectors.withdrawal_by_id(withdrawal_id))
    if found is None:
        return not_found(request)
    if form is not None and not form.is_valid():
        _form_errors(request, form)
        return _back(request, reverse("web:platform_withdrawals"))
    data = form.cleaned_data if form is not None else {}
    try:
        after = decide(found, data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Withdrawal %(id)s is now %(status)s.")
            % {"id": after.pk, "status": after.get_status_display()},
        )
    return _back(request, reverse("web:platform_withdrawals"))


@operator_page
@_post_only
def withdrawal_approve(request: HttpRequest, member: Member, withdrawal_id: int) -> HttpResponse:
    return _withdrawal_decision(
        request,
        withdrawal_id,
        None,
        lambda w, _data: withdrawals.withdrawal_approve(w, operator=member),
    )


@operator_page
@_post_only
def withdrawal_reject(request: HttpRequest, member: Member, withdrawal_id: int) -> HttpResponse:
    return _withdrawal_decision(
        request,
        withdrawal_id,
        WithdrawalReasonForm(request.POST),
        lambda w, data: withdrawals.withdrawal_reject(w, operator=member, reason=data["reason"]),
    )


@operator_page
@_post_only
def withdrawal_mark_paid(request: HttpRequest, member: Member, withdrawal_id: int) -> HttpResponse:
    return _withdrawal_decision(
        request,
        withdrawal_id,
        ReferenceForm(request.POST),
        lambda w, data: withdrawals.withdrawal_mark_paid(
            w, operator=member, reference=data["reference"]
        ),
    )


@operator_page
@_post_only
def withdrawal_mark_failed(
    request: HttpRequest, member: Member, withdrawal_id: int
) -> HttpResponse:
    return _withdrawal_decision(
        request,
        withdrawal_id,
        WithdrawalReasonForm(request.POST),
        lambda w, data: withdrawals.withdrawal_mark_failed(
            w, operator=member, reason=data["reason"]
        ),
    )


@operator_page
@_post_only
def withdrawal_retry(request: HttpRequest, member: Member, withdrawal_id: int) -> HttpResponse:
    return _withdrawal_decision(
        request,
        withdrawal_id,
        None,
        lambda w, _data: withdrawals.withdrawal_retry(w, operator=member),
    )


# --- settings --------------------------------------------------------------------------------


def _setting_text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    field = SettingsForm.base_fields.get(name)
    if isinstance(field, forms.ChoiceField):
        return _choices_label(field.choices, value)  # type: ignore[arg-type]
    return str(value)


@dataclass(frozen=True)
class Change:
    at: datetime
    who: str
    fields: list[tuple[str, str, str]]  # label, before, after


def _history() -> list[Change]:
    rows = SettingsChange.objects.select_related("changed_by")[:HISTORY_SIZE]
    labels = {name: str(field.label) for name, field in SettingsForm.base_fields.items()}
    return [
        Change(
            at=row.created_at,
            who=row.changed_by.nickname if row.changed_by else _("the system"),
            fields=[
                (labels.get(name, name), _setting_text(name, old), _setting_text(name, new))
                for name, (old, new) in row.changes.items()
            ],
        )
        for row in rows
    ]


def _settings_saved(form: SettingsForm, current: dict[str, Any], member: Member) -> bool:
    """Save through the platform service; a newly risky choice needs the operator's consent."""
    values = form.values()
    after = {**current, **values}
    try:
        platform_rules.check(after)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return False
    before_warnings = platform_rules.warnings(current)
    new_risks = [w for w in platform_rules.warnings(after) if w not in before_warnings]
    if new_risks and not form.cleaned_data["accept_risk"]:
        form.add_error("accept_risk", _("Read the warning and tick this box to save."))
        return False
    try:
        platform.settings_update(values, actor=member)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return False
    return True


def _risk_preview(form: SettingsForm, current: dict[str, Any]) -> list[str]:
    """What the API would warn if the levels were set to three, with the rest as chosen."""
    preview = dict(current)
    if form.is_bound and hasattr(form, "cleaned_data"):  # what passed the form's checks
        preview.update(form.values())
    preview["max_levels"] = platform_rules.LEVELS_HARD_LIMIT
    return platform_rules.warnings(preview)


def _risk_shown(form: SettingsForm, current: dict[str, Any]) -> bool:
    """The consent box shows when three levels are being chosen (not when already in force,
    where the page warns at the top), and whenever the consent is what stopped the save."""
    risky = platform_rules.LEVELS_HARD_LIMIT
    choosing = str(form["max_levels"].value()) == str(risky) and current["max_levels"] != risky
    return choosing or bool(form.errors.get("accept_risk"))


@operator_page
def settings_page(request: HttpRequest, member: Member) -> HttpResponse:
    current = platform.as_dict(platform.current())
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid() and _settings_saved(form, current, member):
            messages.success(request, _("The platform settings are saved."))
            return HttpResponseRedirect(reverse("web:platform_settings"))
    else:
        form = SettingsForm(initial=current)
    return render(
        request,
        "web/platform/settings.html",
        {
            "form": form,
            "in_force": platform_rules.warnings(current),
            "risks": _risk_preview(form, current),
            "risky_levels": platform_rules.LEVELS_HARD_LIMIT,
            "current_levels": current["max_levels"],
            "risk_shown": _risk_shown(form, current),
            "history": _history(),
        },
    )


# --- posts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reported:
    post: Post
    reasons: list[tuple[str, int]]


@operator_page
def posts(request: HttpRequest, member: Member) -> HttpResponse:
    page = _page(request, post_selectors.report_queue().select_related("product"))
    counts = post_selectors.open_report_reasons([post.pk for post in page])
    reported = [
        Reported(
            post,
            [
                (str(post_rules.REPORT_REASONS.get(code, code)), n)
                for code, n in sorted(counts.get(post.pk, {}).items())
            ],
        )
        for post in page
    ]
    # Hiding a post answers its reports, so hidden posts are listed apart, to be restored.
    hidden = post_selectors.hidden_posts()[:HIDDEN_POSTS_SHOWN]
    return render(
        request,
        "web/platform/posts.html",
        {
            "page": page,
            "reported": reported,
            "hidden": hidden,
            "hide_form": HideForm(auto_id=False),
            "note_form": ModerationNoteForm(auto_id=False),
        },
    )


def _moderation(
    request: HttpRequest, form: forms.Form, act: Callable[[dict[str, Any]], object], done: str
) -> HttpResponse:
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(request, lambda: act(form.cleaned_data), done)
    return _back(request, reverse("web:platform_posts"))


@operator_page
@_post_only
def post_hide(request: HttpRequest, member: Member, post_id: int) -> HttpResponse:
    return _moderation(
        request,
        HideForm(request.POST),
        lambda data: post_services.post_hide(
            operator=member, post_id=post_id, rule=data["rule"], note=data["note"]
        ),
        _("The post is hidden."),
    )


@operator_page
@_post_only
def post_keep(request: HttpRequest, member: Member, post_id: int) -> HttpResponse:
    return _moderation(
        request,
        ModerationNoteForm(request.POST),
        lambda data: post_services.post_keep(operator=member, post_id=post_id, note=data["note"]),
        _("The post stays up; its reports are closed."),
    )


@operator_page
@_post_only
def post_restore(request: HttpRequest, member: Member, post_id: int) -> HttpResponse:
    return _moderation(
        request,
        ModerationNoteForm(request.POST),
        lambda data: post_services.post_restore(
            operator=member, post_id=post_id, note=data["note"]
        ),
        _("The post is visible again."),
    )


@operator_page
def banned_words(request: HttpRequest, member: Member) -> HttpResponse:
    if request.method == "POST":
        form = BannedWordForm(request.POST)
        if form.is_valid() and _attempt(
            request,
            lambda: post_services.banned_word_add(form.cleaned_data["word"]),
            _("The word is banned."),
        ):
            return HttpResponseRedirect(reverse("web:platform_banned_words"))
    else:
        form = BannedWordForm()
    return render(
        request,
        "web/platform/banned_words.html",
        {
            "form": form,
            "built_in": post_rules.DEFAULT_BANNED_WORDS,
            "kept": post_selectors.kept_banned_words(),
        },
    )


@operator_page
@_post_only
def banned_word_remove(request: HttpRequest, member: Member, word_id: int) -> HttpResponse:
    _attempt(
        request,
        lambda: post_services.banned_word_remove(word_id),
        _("The word is allowed again."),
    )
    return HttpResponseRedirect(reverse("web:platform_banned_words"))


# --- regional agents and partners ------------------------------------------------------------


def _member_by_phone(raw: str) -> Member:
    member = Member.objects.filter(phone=normalize_phone(raw), is_active=True).first()
    if member is None:
        raise NotFound(_("No member has this mobile number."))
    return member


@operator_page
def agents(request: HttpRequest, member: Member) -> HttpResponse:
    region_agents = RegionAgent.objects.select_related("member").order_by(
        "-is_active", "region_code", "id"
    )
    partners = Partner.objects.select_related("member").order_by("-is_active", "id")
    return render(
        request,
        "web/platform/agents.html",
        {
            "agents": [(a, _region_name(a.region_code)) for a in region_agents[:1000]],
            "partners": partners[:1000],
            "agent_form": AgentForm(auto_id="agent_%s"),
            "partner_form": PartnerForm(auto_id="partner_%s"),
        },
    )


def _region_name(code: str) -> str:
    try:
        return merchant_rules.region(code).full_name
    except DomainError:
        return code


@operator_page
@_post_only
def agent_appoint(request: HttpRequest, member: Member) -> HttpResponse:
    form = AgentForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: distribution_services.region_agent_appoint(
                member_id=_member_by_phone(form.cleaned_data["phone"]).pk,
                region_code=form.cleaned_data["region_code"],
            ),
            _("The regional agent is appointed."),
        )
    return HttpResponseRedirect(reverse("web:platform_agents"))


@operator_page
@_post_only
def agent_end(request: HttpRequest, member: Member, agent_id: int) -> HttpResponse:
    agent = RegionAgent.objects.filter(pk=agent_id).first()
    if agent is None:
        return not_found(request)
    distribution_services.region_agent_end(agent)
    messages.success(request, _("The regional agent's term is ended."))
    return HttpResponseRedirect(reverse("web:platform_agents"))


@operator_page
@_post_only
def partner_add(request: HttpRequest, member: Member) -> HttpResponse:
    form = PartnerForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: distribution_services.partner_add(
                member_id=_member_by_phone(form.cleaned_data["phone"]).pk
            ),
            _("The member is a partner."),
        )
    return HttpResponseRedirect(reverse("web:platform_agents"))
