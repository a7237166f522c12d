"""我的 → 处罚与申诉: the member's penalties with until when, an appeal form for each decision
not yet appealed, and the outcome of every appeal."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.accounts.models import Member
from sharemall.community import rules
from sharemall.community import selectors as community
from sharemall.community import services as community_services
from sharemall.community.models import Appeal, Penalty
from sharemall.web.access import member_page
from sharemall.web.actions import run_action
from sharemall.web.forms import PageForm
from sharemall.web.mute import mute_notice

ID_MAX = 2**63 - 1


class AppealForm(PageForm):
    """One appeal of one decision: a penalty here, a hidden post or comment from their pages
    (they post to the same address with their decision_type)."""

    decision_type = forms.CharField(max_length=20, widget=forms.HiddenInput)
    decision_id = forms.IntegerField(min_value=1, max_value=ID_MAX, widget=forms.HiddenInput)
    statement = forms.CharField(
        label=gettext_lazy("Why should this decision be withdrawn?"),
        max_length=rules.STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@dataclass(frozen=True)
class PenaltyRow:
    penalty: Penalty
    level: str
    rule: str
    appeal: Appeal | None
    outcome: str
    form: AppealForm | None  # None once appealed, or when overturned


@dataclass(frozen=True)
class AppealRow:
    appeal: Appeal
    kind: str
    outcome: str  # "" while pending


def _outcome(appeal: Appeal | None) -> str:
    if appeal is None or appeal.status == rules.PENDING:
        return ""
    return str(rules.OUTCOMES.get(appeal.status, appeal.status))


def _rows(member: Member, bound: AppealForm | None) -> list[PenaltyRow]:
    penalties = list(community.penalties_of(member.pk)[:50])
    appeals = community.appeals_by_decision(
        community_services.PENALTY_DECISION, [p.pk for p in penalties]
    )
    rows = []
    for penalty in penalties:
        appeal = appeals.get(penalty.pk)
        form = None
        if appeal is None and penalty.status == rules.ACTIVE:
            mine = bound is not None and bound.data.get("decision_id") == str(penalty.pk)
            form = (
                bound
                if mine and bound is not None
                else AppealForm(
                    auto_id=f"appeal-{penalty.pk}-%s",
                    initial={
                        "decision_type": community_services.PENALTY_DECISION,
                        "decision_id": penalty.pk,
                    },
                )
            )
        rows.append(
            PenaltyRow(
                penalty=penalty,
                level=str(rules.LEVELS[penalty.level]),
                rule=str(rules.CATEGORIES[penalty.rule]),
                appeal=appeal,
                outcome=_outcome(appeal),
                form=form,
            )
        )
    return rows


@member_page
def me_community(request: HttpRequest, member: Member) -> HttpResponse:
    bound: AppealForm | None = None
    if request.method == "POST":
        bound = AppealForm(request.POST)
        if bound.is_valid():
            data = bound.cleaned_data
            outcome = run_action(
                request,
                lambda: community_services.appeal_file(
                    appellant=member,
                    decision_type=data["decision_type"],
                    decision_id=data["decision_id"],
                    statement=data["statement"],
                ),
                _("Your appeal is filed. Another operator will review it."),
                form=bound,
                field="statement",
            )
            if outcome:
                return HttpResponseRedirect(reverse("web:me_community"))
    appeals = [
        AppealRow(
            appeal=appeal,
            kind=str(rules.DECISION_LABELS.get(appeal.decision_type, appeal.decision_type)),
            outcome=_outcome(appeal),
        )
        for appeal in community.appeals_of(member)[:50]
    ]
    return render(
        request,
        "web/me_community.html",
        {
            "mute_notice": mute_notice(member),
            "rows": _rows(member, bound),
            "appeals": appeals,
            # A refused appeal of another kind of decision (sent from a post's page) shows here.
            "other_errors": bound.errors.get("statement", []) + bound.non_field_errors()
            if bound is not None
            and bound.data.get("decision_type") != community_services.PENALTY_DECISION
            else [],
        },
    )
