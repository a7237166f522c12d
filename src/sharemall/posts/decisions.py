"""Hidden posts and comments as appealable decisions (PRODUCT §14).

Registered with community from `PostsConfig.ready()`; community never imports posts. The
decision id is the post's (comment's) id, and the decision is its current hide: who it hides
(the author), which operator hid it and when. Overturning restores it, with an event naming the
reviewer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sharemall.accounts.models import Member
from sharemall.community.rules import Decision
from sharemall.posts import rules, services
from sharemall.posts.models import CommentEvent, ModerationEvent, Post, PostComment

POST, COMMENT = "post", "comment"


@dataclass(frozen=True)
class HiddenDecisions:
    """One kind of hidden row (posts, comments) as decisions. `name` is the foreign key of its
    event rows; `summary` takes the row's id and the rule it broke."""

    model: type[Post] | type[PostComment]
    event_model: type[ModerationEvent] | type[CommentEvent]
    name: str
    summary: Promise
    restore: Callable[[Member, int, str], object]

    def decision(self, decision_id: int) -> Decision | None:
        row = self.model._default_manager.filter(pk=decision_id, status=rules.HIDDEN).first()
        if row is None:
            return None
        hide = (
            self.event_model._default_manager.filter(
                **{self.name: row}, action=self.event_model.HIDE
            )
            .order_by("-pk")
            .first()
        )
        return Decision(
            subject_id=row.author_id,
            decided_by_id=hide.actor_id if hide else None,
            decided_at=hide.created_at if hide else row.created_at,
            summary=str(self.summary) % {"id": row.pk, "rule": row.hidden_rule_label},
        )

    def overturn(self, decision_id: int, *, reviewer: Member, note: str) -> None:
        self.restore(reviewer, decision_id, note)


POST_DECISIONS = HiddenDecisions(
    model=Post,
    event_model=ModerationEvent,
    name="post",
    summary=_("Post %(id)s hidden: %(rule)s"),
    restore=lambda reviewer, row_id, note: services.post_restore(
        operator=reviewer, post_id=row_id, note=note
    ),
)
COMMENT_DECISIONS = HiddenDecisions(
    model=PostComment,
    event_model=CommentEvent,
    name="comment",
    summary=_("Comment %(id)s hidden: %(rule)s"),
    restore=lambda reviewer, row_id, note: services.comment_restore(
        operator=reviewer, comment_id=row_id, note=note
    ),
)
