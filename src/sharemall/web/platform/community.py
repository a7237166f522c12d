"""The community convention in the back office: finding a member, their penalties and the
penalty form, the appeal queue with its review form, and publishing the convention."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.accounts.models import Member
from sharemall.community import rules
from sharemall.community import selectors as community
from sharemall.community import services as community_services
from sharemall.community.models import Appeal, Penalty
from sharemall.core.errors import NotFound
from sharemall.web.access import not_found, operator_page
from sharemall.web.actions import run_action, run_form_action
from sharemall.web.platform.common import _back, _names, _post_only, _render
from sharemall.web.tables import DATETIME, NUMBER, Column, TableSpec

# --- forms -------------------------------------------------------------------------------------


def _choices(labels: dict[str, Any]) -> list[tuple[str, Any]]:
    return list(labels.items())


class PenaltyForm(forms.Form):
    level = forms.ChoiceField(
        label=gettext_lazy("Level"), choices=_choices(rules.LEVELS), widget=forms.RadioSelect
    )
    rule = forms.ChoiceField(label=gettext_lazy("Rule broken"), choices=_choices(rules.CATEGORIES))
    aggravations = forms.MultipleChoiceField(
        label=gettext_lazy("Heavier because of"),
        choices=_choices(rules.AGGRAVATIONS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Why (the member sees the rule; this note stays on record)"),
        max_length=rules.NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=_choices(rules.OUTCOMES), widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the member"),
        max_length=rules.NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConventionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=rules.CONVENTION_MAX_LENGTH,
        help_text=gettext_lazy("Plain text; a blank line starts a new paragraph."),
        widget=forms.Textarea(attrs={"rows": 24}),
    )


APPEAL_TABS = (
    (rules.PENDING, gettext_lazy("Waiting for review")),
    (rules.UPHELD, gettext_lazy("Upheld")),
    (rules.OVERTURNED, gettext_lazy("Overturned")),
)


# --- members -----------------------------------------------------------------------------------


def _member_link(member: Member) -> str:
    return reverse("web:platform_member", args=[member.pk])


def _standing(member: Member) -> str:
    return _("In good standing") if member.is_active else str(rules.LEVELS[rules.CLOSE])


MEMBERS = TableSpec(
    columns=[
        Column("id", gettext_lazy("ID"), sortable=True, kind=NUMBER),
        Column("nickname", gettext_lazy("Nickname"), sortable=True, link=_member_link),
        Column("phone", gettext_lazy("Mobile number")),
        Column("standing", gettext_lazy("Account"), value=_standing),
        Column("date_joined", gettext_lazy("Joined"), sortable=True, kind=DATETIME),
    ],
    default_sort="-date_joined",
    search=("phone", "nickname"),
    search_label=gettext_lazy("Phone, nickname or ID"),
    export_name="members",
    empty=gettext_lazy("No member matches."),
    row_id="member",
)


@operator_page
def members(request: HttpRequest, member: Member) -> HttpResponseBase:
    """Find a member by phone, nickname or id (an id that names a member opens their page)."""
    q = (request.GET.get("q") or "").strip()
    if q.isdigit() and len(q) < 10 and community.member_search("").filter(pk=int(q)).exists():
        return HttpResponseRedirect(reverse("web:platform_member", args=[int(q)]))
    return MEMBERS.respond(
        request,
        community.member_search(""),
        lambda table: _render(request, "web/platform/members.html", {"table": table}),
    )


def _penalty_rows(penalties: list[Penalty]) -> list[dict[str, Any]]:
    appeals = community.appeals_by_decision(
        community_services.PENALTY_DECISION, [p.pk for p in penalties]
    )
    return [
        {
            "penalty": p,
            "level": rules.LEVELS[p.level],
            "rule": rules.CATEGORIES[p.rule],
            "aggravations": [rules.AGGRAVATIONS[a] for a in p.aggravations.split(",") if a],
            "appeal": appeals.get(p.pk),
            "appeal_label": _appeal_label(appeals.get(p.pk)),
        }
        for p in penalties
    ]


def _appeal_label(appeal: Appeal | None) -> str:
    if appeal is None:
        return ""
    return str(dict(APPEAL_TABS).get(appeal.status, appeal.status))


@operator_page
def member_page(request: HttpRequest, operator: Member, member_id: int) -> HttpResponse:
    try:
        target = community_services.member_for_penalty(member_id)
    except NotFound:
        return not_found(request)
    penalties = list(community.penalties_of(target.pk)[:100])
    suggested = community.suggestion(target.pk)
    form = PenaltyForm(auto_id="penalty_%s", initial={"level": suggested})
    return _render(
        request,
        "web/platform/member.html",
        {
            "target": target,
            "mute": community.active_mute(target.pk),
            "suggested": suggested,
            "suggested_label": rules.LEVELS[suggested],
            # With each aggravation ticked, what the suggestion becomes (shown beside the boxes).
            "aggravated": [
                (rules.AGGRAVATIONS[code], rules.LEVELS[community.suggestion(target.pk, [code])])
                for code in rules.AGGRAVATIONS
            ],
            "rows": _penalty_rows(penalties),
            "form": form,
        },
    )


@operator_page
@_post_only
def member_penalise(request: HttpRequest, operator: Member, member_id: int) -> HttpResponse:
    back = reverse("web:platform_member", args=[member_id])
    run_form_action(
        request,
        PenaltyForm(request.POST),
        lambda data: community_services.penalty_impose(
            member_id=member_id,
            actor=operator,
            level=data["level"],
            rule=data["rule"],
            note=data["note"],
            aggravations=data["aggravations"],
        ),
        lambda penalty: (
            _("%(level)s imposed; the member has been told.")
            % {"level": rules.LEVELS[penalty.level]}
        ),
    )
    return _back(request, back)


# --- appeals -----------------------------------------------------------------------------------


def _decision_summary(appeal: Appeal) -> str:
    handler = community_services.decision_type(appeal.decision_type)
    decision = handler.decision(appeal.decision_id) if handler is not None else None
    return decision.summary if decision is not None else ""


@operator_page
def appeals(request: HttpRequest, operator: Member) -> HttpResponse:
    status = request.GET.get("status", rules.PENDING)
    if status not in dict(APPEAL_TABS):
        status = rules.PENDING
    queue = list(community.appeal_queue(status)[:100])
    rows = [
        {
            "appeal": appeal,
            "summary": _decision_summary(appeal),
            "kind": rules.DECISION_LABELS.get(appeal.decision_type, appeal.decision_type),
            "own": appeal.decided_by_id == operator.pk,
            "form": ReviewForm(auto_id=f"review-{appeal.pk}-%s"),
            "outcome": rules.OUTCOMES.get(appeal.status, ""),
        }
        for appeal in queue
    ]
    return _render(
        request,
        "web/platform/appeals.html",
        {"rows": rows, "tabs": APPEAL_TABS, "status": status},
    )


@operator_page
@_post_only
def appeal_review(request: HttpRequest, operator: Member, appeal_id: int) -> HttpResponse:
    run_form_action(
        request,
        ReviewForm(request.POST),
        lambda data: community_services.appeal_review(
            appeal_id=appeal_id, reviewer=operator, outcome=data["outcome"], note=data["note"]
        ),
        lambda appeal: (
            _("Appeal reviewed: %(outcome)s") % {"outcome": rules.OUTCOMES[appeal.status]}
        ),
    )
    return _back(request, reverse("web:platform_appeals"))


# --- the convention ----------------------------------------------------------------------------


@operator_page
def convention(request: HttpRequest, operator: Member) -> HttpResponse:
    current = community.current_convention()
    form = ConventionForm(request.POST or None, initial={"text": current.text if current else ""})
    if request.method == "POST" and form.is_valid():
        outcome = run_action(
            request,
            lambda: community_services.convention_publish(
                text=form.cleaned_data["text"], actor=operator
            ),
            form=form,
            field="text",
        )
        if outcome:
            messages.success(
                request, _("Version %(version)d is published.") % {"version": outcome.value.version}
            )
            return HttpResponseRedirect(reverse("web:platform_convention"))
    versions = list(community.convention_versions()[:50])
    return _render(
        request,
        "web/platform/convention.html",
        {
            "current": current,
            "form": form,
            "versions": versions,
            "authors": _names(v.author_id for v in versions),
        },
    )
