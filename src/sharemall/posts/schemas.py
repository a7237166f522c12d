from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from sharemall.posts import rules


class PostCreatedOut(Schema):
    id: int
    share_code: str
    share_url: str


class PostOut(Schema):
    id: int
    author_id: int
    author_nickname: str
    product_id: int
    order_line_id: int
    text: str
    rating: int
    images: list[str]
    thumbnails: list[str]
    share_code: str | None
    share_url: str | None
    created_at: datetime


class MyPostOut(PostOut):
    status: str
    hidden_rule: str
    hidden_rule_label: str


class PostableLineOut(Schema):
    order_line_id: int
    order_id: int
    product_id: int
    title: str
    sku_name: str
    received_at: datetime | None


class ReportIn(Schema):
    """`category` is a convention category code (GET /posts-rules lists them); `reason` is its
    older name, still accepted."""

    category: str | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, max_length=20)
    note: str = Field(default="", max_length=rules.REPORT_NOTE_MAX_LENGTH)

    @property
    def chosen(self) -> str:
        return self.category or self.reason or ""


class ReportOut(Schema):
    id: int
    post_id: int
    category: str
    reason: str
    created_at: datetime

    @staticmethod
    def resolve_category(report: Any) -> str:
        return str(report.reason)


class HideIn(Schema):
    rule: str = Field(max_length=20)
    note: str = Field(default="", max_length=rules.MODERATION_NOTE_MAX_LENGTH)


class NoteIn(Schema):
    note: str = Field(default="", max_length=rules.MODERATION_NOTE_MAX_LENGTH)


class ModerationOut(Schema):
    id: int
    status: str
    hidden_rule: str


class ReportedCategoryOut(Schema):
    code: str
    label: str
    count: int


class ReportedPostOut(PostOut):
    """`reasons` counts open reports by category code; `category` is the most reported one and
    `categories` lists them all with their labels, most reported first."""

    status: str
    open_reports: int
    first_reported_at: datetime
    reasons: dict[str, int]
    category: str
    category_label: str
    categories: list[ReportedCategoryOut]


class RuleOut(Schema):
    code: str
    label: str


class PostRulesOut(Schema):
    hide_rules: list[RuleOut]
    report_reasons: list[RuleOut]


class BannedWordIn(Schema):
    word: str = Field(max_length=rules.BANNED_WORD_MAX_LENGTH)


class BannedWordOut(Schema):
    id: int | None
    word: str
    built_in: bool


class HeldPostCopyOut(Schema):
    original_id: int
    original_author_nickname: str
    original_text: str
    similarity: float


class HeldPostOut(PostOut):
    status: str
    copies: list[HeldPostCopyOut]


class CommentIn(Schema):
    text: str = Field(max_length=rules.COMMENT_MAX_LENGTH)


class CommentOut(Schema):
    id: int
    post_id: int
    author_id: int
    author_nickname: str
    text: str
    created_at: datetime


class CommentReportIn(Schema):
    """`category` is a convention category code (GET /posts-rules lists them)."""

    category: str = Field(max_length=20)
    note: str = Field(default="", max_length=rules.REPORT_NOTE_MAX_LENGTH)


class CommentReportOut(Schema):
    id: int
    comment_id: int
    category: str
    created_at: datetime


class ReportedCommentOut(CommentOut):
    status: str
    open_reports: int
    first_reported_at: datetime
    reasons: dict[str, int]
    category: str
    category_label: str
    categories: list[ReportedCategoryOut]


class CommentModerationOut(Schema):
    id: int
    status: str
    hidden_rule: str
