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
from sharemall.posts import selectors as post_selectors
from sharemall.posts.decisions import COMMENT, POST
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
class HiddenRow:
    """One of the member's posts or comments the platform hid: a decision they may appeal."""

    decision_type: str
    decision_id: int
    what: str  # the product the post or comment is about
    text: str
    rule: str
    appeal: Appeal | None
    outcome: str
    form: AppealForm | None  # None once appealed


@dataclass(frozen=True)
class AppealRow:
    appeal: Appeal
    kind: str
    outcome: str  # "" while pending


def _outcome(appeal: Appeal | None) -> str:
    if appeal is None or appeal.status == rules.PENDING:
        return ""
    return str(rules.OUTCOMES.get(appeal.status, appeal.status))


def _appeal_form(decision_type: str, decision_id: int, bound: AppealForm | None) -> AppealForm:
    """The bound form again for the decision it was sent for (to show its errors), else a
    fresh one."""
    if (
        bound is not None
        and bound.data.get("decision_type") == decision_type
        and bound.data.get("decision_id") == str(decision_id)
    ):
        return bound
    return AppealForm(
        auto_id=f"appeal-{decision_type}-{decision_id}-%s",
        initial={"decision_type": decision_type, "decision_id": decision_id},
    )


def _hidden_rows(member: Member, bound: AppealForm | None) -> list[HiddenRow]:
    posts = list(post_selectors.hidden_posts_of(member).order_by("-id")[:20])
    comments = list(post_selectors.hidden_comments_of(member).order_by("-id")[:20])
    items = [
        (POST, post.pk, post.product.title, post.text, post.hidden_rule_label) for post in posts
    ] + [(COMMENT, c.pk, c.post.product.title, c.text, c.hidden_rule_label) for c in comments]
    appeals = {
        **{
            (POST, k): v
            for k, v in community.appeals_by_decision(POST, [p.pk for p in posts]).items()
        },
        **{
            (COMMENT, k): v
            for k, v in community.appeals_by_decision(COMMENT, [c.pk for c in comments]).items()
        },
    }
    rows = []
    for decision_type, decision_id, what, text, rule in items:
        appeal = appeals.get((decision_type, decision_id))
        rows.append(
            HiddenRow(
                decision_type=decision_type,
                decision_id=decision_id,
                what=what,
                text=text,
                rule=rule,
                appeal=appeal,
                outcome=_outcome(appeal),
                form=None if appeal else _appeal_form(decision_type, decision_id, bound),
            )
        )
    return rows


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
            "hidden": _hidden_rows(member, bound),
            "appeals": appeals,
            # A refused appeal of a decision this page does not list shows at the top.
            "other_errors": bound.errors.get("statement", []) + bound.non_field_errors()
            if bound is not None
            and bound.data.get("decision_type")
            not in (community_services.PENALTY_DECISION, POST, COMMENT)
            else [],
        },
    )
