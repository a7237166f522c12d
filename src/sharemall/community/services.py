"""Writes of the community convention: penalties, appeals, convention versions.

Appeals reach decisions other apps take (a hidden post, a hidden comment) through the decision
registry: an app registers a `DecisionType` from its AppConfig.ready(), so community never
imports the apps above it. Community registers its own penalties the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from sharemall.accounts import services as accounts
from sharemall.accounts.models import Member
from sharemall.community import rules, selectors
from sharemall.community.models import Appeal, AppealEvent, ConventionVersion, Penalty, PenaltyEvent
from sharemall.core.errors import Conflict, InvalidTransition, NotFound
from sharemall.notifications import rules as notices
from sharemall.notifications.services import notify


class DecisionType(Protocol):
    """A kind of decision that can be appealed, registered by the app that takes it."""

    def decision(self, decision_id: int) -> rules.Decision | None:
        """The decision, or None when there is no such decision to appeal."""

    def overturn(self, decision_id: int, *, reviewer: Member, note: str) -> None:
        """Withdraw the decision after a successful appeal (e.g. show the post again)."""


_decision_types: dict[str, DecisionType] = {}


def register_decision_type(name: str, handler: DecisionType) -> None:
    _decision_types[name] = handler


def decision_type(name: str) -> DecisionType | None:
    return _decision_types.get(name)


def decision_types() -> tuple[str, ...]:
    return tuple(_decision_types)


def _local(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def ensure_can_speak(member: Member) -> None:
    """Refuse a post or a comment from a muted member, saying until when."""
    mute = selectors.active_mute(member.pk)
    if mute is None:
        return
    if mute.until is None:
        raise rules.Muted(_("You are muted for good under the community convention."))
    raise rules.Muted(
        _("You are muted under the community convention until %(until)s.")
        % {"until": _local(mute.until)},
        details={"until": mute.until.isoformat()},
    )


# --- the convention ----------------------------------------------------------------------------


def convention_publish(*, text: str, actor: Member) -> ConventionVersion:
    """A new version of the convention, in force from now; earlier ones stay as they were, as
    the penalties taken under them cite them."""
    text = rules.check_convention_text(text)
    latest = selectors.current_convention()
    try:
        with transaction.atomic():
            return ConventionVersion.objects.create(
                version=(latest.version if latest else 0) + 1, text=text, author=actor
            )
    except IntegrityError:
        raise Conflict(
            _("Someone published a new version at the same time."), code="version_taken"
        ) from None


# --- penalties ---------------------------------------------------------------------------------


def member_for_penalty(member_id: int) -> Member:
    """The member an operator may penalise: any member but an operator; 404 otherwise."""
    member = Member.objects.filter(pk=member_id, is_operator=False).first()
    if member is None:
        raise NotFound(_("No such member."))
    return member


def penalty_impose(
    *,
    member_id: int,
    actor: Member,
    level: str,
    rule: str,
    note: str = "",
    aggravations: Iterable[str] = (),
) -> Penalty:
    """One step of the ladder against a member, chosen by an operator (the suggestion is only
    advice). A mute runs from now for its days; closing the account shuts the member out but
    keeps their orders, ledger and earnings. The member is told, once."""
    level = rules.check_level(level)
    rule = rules.check_category(rule)
    heavier = rules.check_aggravations(aggravations)
    note = rules.check_note(note)
    member = member_for_penalty(member_id)
    now = timezone.now()
    current = selectors.current_convention()
    with transaction.atomic():
        penalty = Penalty.objects.create(
            member=member,
            level=level,
            rule=rule,
            aggravations=",".join(heavier),
            note=note,
            actor=actor,
            created_at=now,
            ends_at=rules.mute_ends(level, now),
            convention_version=current.version if current else None,
        )
        PenaltyEvent.objects.create(
            penalty=penalty, from_status="", to_status=rules.ACTIVE, actor=actor, note=note
        )
        if level == rules.CLOSE:
            accounts.member_suspend(member)
        _tell_penalised(penalty)
    return penalty


def _tell_penalised(penalty: Penalty) -> None:
    if penalty.ends_at is not None:
        until = _local(penalty.ends_at)
    else:
        until = notices.NO_MUTE if penalty.level == rules.WARNING else notices.NO_END
    notify(
        penalty.member_id,
        notices.PENALTY_IMPOSED,
        f"community:penalty:{penalty.pk}",
        level=rules.LEVELS[penalty.level].message,
        rule=rules.CATEGORIES[penalty.rule].message,
        until=until,
    )


def penalty_overturn(penalty: Penalty, *, reviewer: Member, note: str = "") -> Penalty:
    """Withdraw a penalty (its appeal succeeded): its mute lifts at once, and a closed account
    opens again unless another closing still stands."""
    rules.PENALTY.move(penalty, rules.OVERTURNED, actor=reviewer, note=note)
    if penalty.level == rules.CLOSE and not selectors.standing_close(penalty.member_id):
        accounts.member_reinstate(penalty.member)
    return penalty


class PenaltyDecisions:
    """Penalties as appealable decisions: the penalised member appeals, the operator who
    imposed it may not review it."""

    def decision(self, decision_id: int) -> rules.Decision | None:
        penalty = Penalty.objects.filter(pk=decision_id, status=rules.ACTIVE).first()
        if penalty is None:
            return None
        return rules.Decision(
            subject_id=penalty.member_id,
            decided_by_id=penalty.actor_id,
            decided_at=penalty.created_at,
            summary=f"{rules.LEVELS[penalty.level]} · {rules.CATEGORIES[penalty.rule]}",
        )

    def overturn(self, decision_id: int, *, reviewer: Member, note: str) -> None:
        penalty = Penalty.objects.select_related("member").get(pk=decision_id)
        penalty_overturn(penalty, reviewer=reviewer, note=note)


PENALTY_DECISION = "penalty"


# --- appeals -----------------------------------------------------------------------------------


def appeal_file(
    *, appellant: Member, decision_type: str, decision_id: int, statement: str
) -> Appeal:
    """The member a decision touched appeals it, once (the database keeps it once even when
    two appeals race). Another member's decision, or none at all, is 404."""
    handler = _decision_types.get(decision_type)
    if handler is None:
        raise rules.InvalidAppeal(
            _("A decision type is one of: %(types)s.") % {"types": ", ".join(_decision_types)}
        )
    statement = rules.check_statement(statement)
    decision = handler.decision(decision_id)
    if decision is None or decision.subject_id != appellant.pk:
        raise NotFound(_("No such decision of yours."))
    if Appeal.objects.filter(decision_type=decision_type, decision_id=decision_id).exists():
        raise _already_appealed()
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                appellant=appellant,
                decision_type=decision_type,
                decision_id=decision_id,
                decided_by_id=decision.decided_by_id,
                statement=statement,
            )
            AppealEvent.objects.create(
                appeal=appeal, from_status="", to_status=rules.PENDING, actor=appellant
            )
    except IntegrityError:  # a twin appeal landed first
        raise _already_appealed() from None
    return appeal


def _already_appealed() -> rules.AlreadyAppealed:
    return rules.AlreadyAppealed(_("This decision has already been appealed; once is the limit."))


def appeal_review(*, appeal_id: int, reviewer: Member, outcome: str, note: str = "") -> Appeal:
    """Another operator than the decider upholds or overturns; overturning withdraws the
    decision in the same transaction. The appellant is told the outcome."""
    outcome = rules.check_outcome(outcome)
    note = rules.check_note(note)
    appeal = Appeal.objects.filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound(_("No such appeal."))
    if appeal.decided_by_id is not None and appeal.decided_by_id == reviewer.pk:
        raise rules.SameReviewer(
            _("You took this decision: another operator must review its appeal.")
        )
    if appeal.status != rules.PENDING:
        raise rules.AlreadyReviewed(_("This appeal has already been reviewed."))
    handler = _decision_types.get(appeal.decision_type)
    with transaction.atomic():
        try:
            rules.APPEAL.move(
                appeal,
                outcome,
                actor=reviewer,
                note=note,
                reviewer=reviewer,
                outcome_note=note,
                reviewed_at=timezone.now(),
            )
        except InvalidTransition:
            raise rules.AlreadyReviewed(_("This appeal has already been reviewed.")) from None
        if outcome == rules.OVERTURNED and handler is not None:
            handler.overturn(appeal.decision_id, reviewer=reviewer, note=note)
        notify(
            appeal.appellant_id,
            notices.APPEAL_DECIDED,
            f"community:appeal:{appeal.pk}:decided",
            outcome=rules.OUTCOMES[outcome].message,
        )
    return appeal
