"""The community convention's JSON edge: the convention, penalties and appeals."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from sharemall.accounts.auth import member_auth, require_member, require_operator
from sharemall.community import rules, selectors, services
from sharemall.community.models import Appeal, ConventionVersion, Penalty
from sharemall.community.schemas import (
    AppealIn,
    AppealOut,
    AppealQueueQuery,
    ConventionIn,
    ConventionOut,
    ConventionVersionOut,
    MemberPenaltiesOut,
    MyPenaltyOut,
    PenaltiesQuery,
    PenaltyIn,
    PenaltyOut,
    QueuedAppealOut,
    ReviewIn,
)
from sharemall.core.errors import NotFound
from sharemall.core.schemas import Id, PageQuery

router = Router(tags=["community"])


def _labels(labels: dict[str, Any]) -> list[dict[str, str]]:
    return [{"code": code, "label": str(label)} for code, label in labels.items()]


def penalty_out(penalty: Penalty) -> dict[str, Any]:
    return {
        "id": penalty.pk,
        "member_id": penalty.member_id,
        "level": penalty.level,
        "rule": penalty.rule,
        "aggravations": [a for a in penalty.aggravations.split(",") if a],
        "note": penalty.note,
        "actor_id": penalty.actor_id,
        "created_at": penalty.created_at,
        "ends_at": penalty.ends_at,
        "status": penalty.status,
    }


@router.get("/convention", response=ConventionOut, auth=None)
def convention(request: HttpRequest) -> dict[str, Any]:
    """The convention in force, with the categories rulings cite and the penalty ladder."""
    current = selectors.current_convention()
    if current is None:
        raise NotFound(_("No convention has been published yet."))
    return {
        "version": current.version,
        "text": current.text,
        "published_at": current.published_at,
        "categories": _labels(rules.CATEGORIES),
        "levels": _labels(rules.LEVELS),
    }


@router.get("/convention/versions", response=list[ConventionVersionOut], auth=None)
def convention_versions(request: HttpRequest, q: Query[PageQuery]) -> list[ConventionVersion]:
    """Every published version, newest first: rulings cite the version in force then."""
    return list(selectors.convention_versions()[q.offset : q.offset + q.limit])


@router.post("/platform/convention", response={201: ConventionVersionOut}, auth=member_auth)
def convention_publish(request: HttpRequest, payload: ConventionIn) -> Status[ConventionVersion]:
    """Operators publish a new version (the next number); an empty text → 400
    `invalid_convention`."""
    version = services.convention_publish(text=payload.text, actor=require_operator(request))
    return Status(201, version)


@router.post(
    "/platform/members/{member_id}/penalties", response={201: PenaltyOut}, auth=member_auth
)
def penalty_impose(
    request: HttpRequest, member_id: Id, payload: PenaltyIn
) -> Status[dict[str, Any]]:
    """An operator takes a step of the ladder against a member, citing a convention category;
    a bad level, rule or aggravation → 400 `invalid_penalty`."""
    penalty = services.penalty_impose(
        member_id=member_id,
        actor=require_operator(request),
        level=payload.level,
        rule=payload.rule,
        note=payload.note,
        aggravations=payload.aggravations,
    )
    return Status(201, penalty_out(penalty))


@router.get(
    "/platform/members/{member_id}/penalties", response=MemberPenaltiesOut, auth=member_auth
)
def member_penalties(
    request: HttpRequest, member_id: Id, q: Query[PenaltiesQuery]
) -> dict[str, Any]:
    """The member's penalties, the standing mute, and the suggested next step (raised by
    `?aggravations=multi_account,minors`)."""
    require_operator(request)
    aggravations = rules.check_aggravations(q.aggravations.split(","))
    member = services.member_for_penalty(member_id)
    mute = selectors.active_mute(member.pk)
    return {
        "member_id": member.pk,
        "suggested_level": selectors.suggestion(member.pk, aggravations),
        "mute": {"until": mute.until} if mute else None,
        "penalties": [penalty_out(p) for p in selectors.penalties_of(member.pk)],
    }


@router.get("/me/penalties", response=list[MyPenaltyOut], auth=member_auth)
def my_penalties(request: HttpRequest, q: Query[PageQuery]) -> list[dict[str, Any]]:
    """The caller's penalties with until when, and the appeal of each if filed."""
    member = require_member(request)
    penalties = list(selectors.penalties_of(member.pk)[q.offset : q.offset + q.limit])
    appeals = selectors.appeals_by_decision(services.PENALTY_DECISION, [p.pk for p in penalties])
    out = []
    for penalty in penalties:
        appeal = appeals.get(penalty.pk)
        out.append(
            {
                "id": penalty.pk,
                "level": penalty.level,
                "level_label": str(rules.LEVELS[penalty.level]),
                "rule": penalty.rule,
                "rule_label": str(rules.CATEGORIES[penalty.rule]),
                "created_at": penalty.created_at,
                "until": penalty.ends_at,
                "status": penalty.status,
                "appeal_id": appeal.pk if appeal else None,
                "appeal_status": appeal.status if appeal else None,
            }
        )
    return out


@router.post("/appeals", response={201: AppealOut}, auth=member_auth)
def appeal_file(request: HttpRequest, payload: AppealIn) -> Status[Appeal]:
    """The member a decision touched appeals it once (`decision_type`: penalty, post, comment);
    a second appeal → 409 `already_appealed`; another's or an unknown decision → 404."""
    appeal = services.appeal_file(
        appellant=require_member(request),
        decision_type=payload.decision_type,
        decision_id=payload.decision_id,
        statement=payload.statement,
    )
    return Status(201, appeal)


@router.get("/me/appeals", response=list[AppealOut], auth=member_auth)
def my_appeals(request: HttpRequest, q: Query[PageQuery]) -> list[Appeal]:
    return list(selectors.appeals_of(require_member(request))[q.offset : q.offset + q.limit])


@router.get("/platform/appeals", response=list[QueuedAppealOut], auth=member_auth)
def appeal_queue(request: HttpRequest, q: Query[AppealQueueQuery]) -> list[Appeal]:
    """Operators' queue: pending appeals, first filed first (`?status=` for the others)."""
    require_operator(request)
    return list(selectors.appeal_queue(q.status or None)[q.offset : q.offset + q.limit])


@router.post("/platform/appeals/{appeal_id}/review", response=QueuedAppealOut, auth=member_auth)
def appeal_review(request: HttpRequest, appeal_id: Id, payload: ReviewIn) -> Appeal:
    """Another operator than the decider rules: `upheld` or `overturned`; the decider → 403
    `same_reviewer`; an appeal already reviewed → 409 `already_reviewed`."""
    return services.appeal_review(
        appeal_id=appeal_id,
        reviewer=require_operator(request),
        outcome=payload.outcome,
        note=payload.note,
    )
