from datetime import datetime

from ninja import Field, Schema

from sharemall.community import rules
from sharemall.core.schemas import Id, PageQuery


class CodeLabel(Schema):
    code: str
    label: str


class ConventionOut(Schema):
    version: int
    text: str
    published_at: datetime
    categories: list[CodeLabel]
    levels: list[CodeLabel]


class ConventionVersionOut(Schema):
    version: int
    text: str
    published_at: datetime
    author_id: int | None


class ConventionIn(Schema):
    text: str = Field(max_length=rules.CONVENTION_MAX_LENGTH)


class PenaltyIn(Schema):
    level: str = Field(max_length=20)
    rule: str = Field(max_length=20)
    note: str = Field(default="", max_length=rules.NOTE_MAX_LENGTH)
    aggravations: list[str] = Field(default_factory=list, max_length=len(rules.AGGRAVATIONS) * 2)


class PenaltyOut(Schema):
    id: int
    member_id: int
    level: str
    rule: str
    aggravations: list[str]
    note: str
    actor_id: int
    created_at: datetime
    ends_at: datetime | None
    status: str


class MuteOut(Schema):
    until: datetime | None


class MemberPenaltiesOut(Schema):
    member_id: int
    suggested_level: str
    mute: MuteOut | None
    penalties: list[PenaltyOut]


class MyPenaltyOut(Schema):
    id: int
    level: str
    level_label: str
    rule: str
    rule_label: str
    created_at: datetime
    # When the mute ends; null for a warning, a permanent mute or a closed account.
    until: datetime | None
    status: str
    appeal_id: int | None
    appeal_status: str | None


class AppealIn(Schema):
    decision_type: str = Field(max_length=20)
    decision_id: Id
    statement: str = Field(max_length=rules.STATEMENT_MAX_LENGTH)


class AppealOut(Schema):
    id: int
    decision_type: str
    decision_id: int
    status: str
    statement: str
    created_at: datetime
    outcome_note: str
    reviewed_at: datetime | None


class QueuedAppealOut(AppealOut):
    appellant_id: int
    decided_by_id: int | None
    reviewer_id: int | None


class ReviewIn(Schema):
    outcome: str = Field(max_length=20)
    note: str = Field(default="", max_length=rules.NOTE_MAX_LENGTH)


class AppealQueueQuery(PageQuery):
    """`status`: pending (the default), upheld, overturned, or empty for every appeal."""

    status: str = Field(default=rules.PENDING, max_length=20)


class PenaltiesQuery(Schema):
    """`aggravations`: comma-separated, e.g. `multi_account,minors`; each raises the suggestion."""

    aggravations: str = Field(default="", max_length=60)
