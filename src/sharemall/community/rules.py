"""Pure rules of the community convention (PRODUCT §14): its categories, the penalty ladder and
the appeal of a decision.

The nine categories follow the convention built on the 网络信息内容生态治理规定. Reports cite one,
and so do rulings (hiding a post or a comment) and penalties.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sharemall.core.errors import Conflict, DomainError, Forbidden
from sharemall.core.i18n import gettext as _
from sharemall.core.i18n import gettext_lazy
from sharemall.core.transitions import StateMachine

CATEGORIES = {
    "illegal": gettext_lazy("Illegal content"),
    "unfriendly": gettext_lazy(
        "Unfriendly conduct: contempt, defamation, mockery, abuse, discrimination, threats"
    ),
    "spam": gettext_lazy("Spam advertising: repeated ads, coordinated accounts, disguised ads"),
    "vulgar": gettext_lazy("Vulgar content"),
    "false_info": gettext_lazy("False information or impersonation"),
    "superstition": gettext_lazy("Superstition"),
    "clickbait": gettext_lazy("Clickbait"),
    "fandom": gettext_lazy(
        "Fan-circle disorder: fund-raising from minors, brigading, doxxing, bought interaction"
    ),
    "other_harm": gettext_lazy("Other harm, including harm to minors"),
}

# The ladder, lightest first. Each step is a decision an operator takes; the next suggested one
# follows the member's standing penalties (PRODUCT §14).
WARNING, MUTE_1D, MUTE_7D, MUTE_15D, MUTE_FOREVER, CLOSE = (
    "warning",
    "mute_1d",
    "mute_7d",
    "mute_15d",
    "mute_forever",
    "close",
)
LADDER = (WARNING, MUTE_1D, MUTE_7D, MUTE_15D, MUTE_FOREVER, CLOSE)
LEVELS = {
    WARNING: gettext_lazy("Warning"),
    MUTE_1D: gettext_lazy("Muted for 1 day"),
    MUTE_7D: gettext_lazy("Muted for 7 days"),
    MUTE_15D: gettext_lazy("Muted for 15 days"),
    MUTE_FOREVER: gettext_lazy("Muted for good"),
    CLOSE: gettext_lazy("Account closed"),
}
MUTE_DAYS = {MUTE_1D: 1, MUTE_7D: 7, MUTE_15D: 15}
MUTES = (MUTE_1D, MUTE_7D, MUTE_15D, MUTE_FOREVER)

# What makes a breach heavier: abuse through several accounts, harm to minors. Each moves the
# suggestion this many steps up the ladder.
MULTI_ACCOUNT, MINORS = "multi_account", "minors"
AGGRAVATIONS = {
    MULTI_ACCOUNT: gettext_lazy("Abuse through several accounts"),
    MINORS: gettext_lazy("Harm to minors"),
}
AGGRAVATION_STEPS = {MULTI_ACCOUNT: 2, MINORS: 2}

ACTIVE, OVERTURNED = "active", "overturned"
PENALTY = StateMachine(
    "penalty",
    {ACTIVE: {OVERTURNED}},
    event_model="community.PenaltyEvent",
    event_fk="penalty",
)

PENDING, UPHELD = "pending", "upheld"
APPEAL = StateMachine(
    "appeal",
    {PENDING: {UPHELD, OVERTURNED}},
    event_model="community.AppealEvent",
    event_fk="appeal",
)
OUTCOMES = {
    UPHELD: gettext_lazy("Upheld: the decision stands"),
    OVERTURNED: gettext_lazy("Overturned: the decision is withdrawn"),
}

# What each kind of appealable decision is called on the pages ("penalty" is community's own;
# posts registers "post" and "comment").
DECISION_LABELS = {
    "penalty": gettext_lazy("Penalty"),
    "post": gettext_lazy("Hidden post"),
    "comment": gettext_lazy("Hidden comment"),
}

NOTE_MAX_LENGTH = 500
STATEMENT_MAX_LENGTH = 1000
CONVENTION_MAX_LENGTH = 50_000


class InvalidPenalty(DomainError):
    code = "invalid_penalty"


class InvalidAppeal(DomainError):
    code = "invalid_appeal"


class InvalidConvention(DomainError):
    code = "invalid_convention"


class AlreadyReviewed(Conflict):
    code = "already_reviewed"


class AlreadyAppealed(Conflict):
    code = "already_appealed"


class SameReviewer(Forbidden):
    code = "same_reviewer"


class Muted(Forbidden):
    """A muted member tried to speak (post or comment). Buying and being paid are untouched."""

    code = "muted"


def check_category(code: str) -> str:
    if code not in CATEGORIES:
        raise InvalidPenalty(
            _("Cite one of the convention's categories: %(codes)s.")
            % {"codes": ", ".join(CATEGORIES)}
        )
    return code


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise InvalidPenalty(_("The level is one of: %(levels)s.") % {"levels": ", ".join(LADDER)})
    return level


def check_aggravations(codes: Iterable[str]) -> tuple[str, ...]:
    """The aggravations named, each once, in the ladder's own order; an unknown one is refused."""
    wanted = {code.strip() for code in codes if code.strip()}
    unknown = wanted - set(AGGRAVATIONS)
    if unknown:
        raise InvalidPenalty(
            _("An aggravation is one of: %(codes)s.") % {"codes": ", ".join(AGGRAVATIONS)}
        )
    return tuple(code for code in AGGRAVATIONS if code in wanted)


def check_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidPenalty(
            _("Keep the note under %(n)d characters.") % {"n": NOTE_MAX_LENGTH + 1}
        )
    return note


def check_statement(statement: str) -> str:
    """An appeal says why the decision was wrong: not empty, not a book."""
    statement = statement.strip()
    if not statement or len(statement) > STATEMENT_MAX_LENGTH:
        raise InvalidAppeal(
            _("Say in at most %(n)d characters why the decision should be withdrawn.")
            % {"n": STATEMENT_MAX_LENGTH}
        )
    return statement


def check_outcome(outcome: str) -> str:
    if outcome not in OUTCOMES:
        raise InvalidAppeal(_("The outcome is one of: %(codes)s.") % {"codes": ", ".join(OUTCOMES)})
    return outcome


def check_convention_text(text: str) -> str:
    text = text.strip()
    if not text or len(text) > CONVENTION_MAX_LENGTH:
        raise InvalidConvention(_("The convention text is empty or too long."))
    return text


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs: a blank line starts a new one."""
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


def mute_ends(level: str, start: datetime) -> datetime | None:
    """When a mute of this level, starting at start, ends; None for a permanent one or for
    levels that mute nobody."""
    days = MUTE_DAYS.get(level)
    return start + timedelta(days=days) if days else None


def suggested_level(standing: Iterable[str], aggravations: Iterable[str] = ()) -> str:
    """The next step of the ladder: one above the heaviest standing penalty (a warning for a
    first breach), moved up for each aggravation, never past closing the account."""
    heaviest = max((LADDER.index(level) for level in standing if level in LADDER), default=-1)
    step = heaviest + 1 + sum(AGGRAVATION_STEPS.get(a, 0) for a in set(aggravations))
    return LADDER[min(step, len(LADDER) - 1)]


@dataclass(frozen=True)
class Decision:
    """A decision a member may appeal: whom it touched, which operator took it and when."""

    subject_id: int
    decided_by_id: int | None
    decided_at: datetime
    summary: str
