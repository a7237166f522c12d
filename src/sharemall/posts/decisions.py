"""Hidden posts and comments as appealable decisions (PRODUCT §14).

Registered with community from `PostsConfig.ready()`; community never imports posts. The
decision id is the post's (comment's) id, and the decision is its current hide: who it hides
(the author), which operator hid it and when. Overturning restores it, with an event naming the
reviewer.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.community.rules import Decision
from sharemall.posts import rules, services
from sharemall.posts.models import CommentEvent, ModerationEvent, Post, PostComment

POST, COMMENT = "post", "comment"


class PostDecisions:
    def decision(self, decision_id: int) -> Decision | None:
        post = Post.objects.filter(pk=decision_id, status=rules.HIDDEN).first()
        if post is None:
            return None
        hide = (
            ModerationEvent.objects.filter(post=post, action=ModerationEvent.HIDE)
            .order_by("-pk")
            .first()
        )
        return Decision(
            subject_id=post.author_id,
            decided_by_id=hide.actor_id if hide else None,
            decided_at=hide.created_at if hide else post.created_at,
            summary=_("Post %(id)s hidden: %(rule)s")
            % {"id": post.pk, "rule": post.hidden_rule_label},
        )

    def overturn(self, decision_id: int, *, reviewer: Member, note: str) -> None:
        services.post_restore(operator=reviewer, post_id=decision_id, note=note)


class CommentDecisions:
    def decision(self, decision_id: int) -> Decision | None:
        comment = PostComment.objects.filter(pk=decision_id, status=rules.HIDDEN).first()
        if comment is None:
            return None
        hide = (
            CommentEvent.objects.filter(comment=comment, action=CommentEvent.HIDE)
            .order_by("-pk")
            .first()
        )
        return Decision(
            subject_id=comment.author_id,
            decided_by_id=hide.actor_id if hide else None,
            decided_at=hide.created_at if hide else comment.created_at,
            summary=_("Comment %(id)s hidden: %(rule)s")
            % {"id": comment.pk, "rule": comment.hidden_rule_label},
        )

    def overturn(self, decision_id: int, *, reviewer: Member, note: str) -> None:
        services.comment_restore(operator=reviewer, comment_id=decision_id, note=note)
