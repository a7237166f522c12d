"""Writes for posts: posting with photos, near-duplicate holds, reporting, comments, the
platform's moderation, banned words.

Photos are decoded, checked and re-encoded before anything is written; the post, its photos
and its share link land in one transaction, and stored files of a failed post are removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.community.services import ensure_can_speak
from sharemall.core.errors import NotFound, RateLimited
from sharemall.core.images import clean_photos, stored_photos
from sharemall.notifications import rules as notices
from sharemall.notifications.services import notify
from sharemall.posts import rules, selectors, similarity
from sharemall.posts.models import (
    BannedWord,
    CommentEvent,
    CommentReport,
    ModerationEvent,
    Post,
    PostBand,
    PostComment,
    PostCopy,
    PostFingerprint,
    PostImage,
    PostReport,
)
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing import services as sharing

POST_SHARE_CHANNEL = "post"


def post_create(
    *, author: Member, order_line_id: int, text: str, rating: int, images: Sequence[bytes]
) -> Post:
    """PRODUCT §6.1: the buyer of a received line posts once about it; the post carries the
    author's share link so readers who buy through it give the author the sale. A near-copy of
    another author's post is held for review instead (同质化, PRODUCT §14): no share link until
    an operator approves it."""
    ensure_can_speak(author)
    text = rules.clean_text(text)
    rating = rules.check_rating(rating)
    line = selectors.line_for_post(author, order_line_id)
    _refuse_banned_words(text, _("The post contains words the platform does not allow: %(words)s"))
    rules.check_image_count(len(images))
    photos = clean_photos(images, thumbnail_side=rules.THUMBNAIL_SIDE)
    fingerprint = similarity.fingerprint(text)
    # A post that fails takes its stored files away with it.
    with stored_photos(photos, "posts") as stored, transaction.atomic():
        try:
            with transaction.atomic():
                post = Post.objects.create(
                    author=author,
                    order_line=line,
                    product_id=line.product_id,
                    text=text,
                    rating=rating,
                )
        except IntegrityError:  # a twin request posted about the line first
            raise rules.NotEligible(_("You have already posted about this order line.")) from None
        PostImage.objects.bulk_create(
            PostImage(post=post, position=position, **asdict(photo))
            for position, photo in enumerate(stored)
        )
        if fingerprint is not None and _hold_if_copied(post, fingerprint):
            return post
        _give_share_link(post)
    return post


def _hold_if_copied(post: Post, fingerprint: similarity.Fingerprint) -> bool:
    """Keep the post's fingerprint; hold the post if it nearly copies another author's post.
    The first post of a text stays up, later copies wait. Two copies landing at the same
    instant may both miss each other: the next copy still finds them both."""
    originals = selectors.copied_posts(fingerprint, author_id=post.author_id)
    PostFingerprint.objects.create(post=post, signature=fingerprint.signature)
    PostBand.objects.bulk_create(
        PostBand(post=post, band=band, key=key) for band, key in enumerate(fingerprint.bands)
    )
    if not originals:
        return False
    PostCopy.objects.bulk_create(
        PostCopy(post=post, original_id=original_id, similarity=score)
        for original_id, score in originals
    )
    Post.objects.filter(pk=post.pk).update(status=rules.HELD)
    post.status = rules.HELD
    ModerationEvent.objects.create(
        post=post,
        actor=post.author,
        action=ModerationEvent.HOLD,
        from_status="",
        to_status=rules.HELD,
    )
    return True


def _give_share_link(post: Post) -> None:
    """A public post carries its author's share link (a held one gets it once approved)."""
    if post.share_link_id is not None:
        return
    post.share_link = sharing.share_create(
        sharer=post.author,
        target_type=sharing_rules.POST,
        target_id=post.pk,
        channel=POST_SHARE_CHANNEL,
    ).link
    post.save(update_fields=["share_link"])


def _refuse_banned_words(text: str, message: str) -> None:
    banned = rules.banned_words_in(text, selectors.banned_words())
    if banned:
        raise rules.BannedWords(message % {"words": "、".join(banned)}, details={"words": banned})


def post_delete(*, author: Member, post_id: int) -> None:
    """The author takes their own post down. Nobody else deletes posts, merchants least of all."""
    post = Post.objects.filter(pk=post_id, author=author).exclude(status=rules.DELETED).first()
    if post is None:
        raise NotFound(_("No such post."))
    rules.POST.move(post, rules.DELETED, actor=author, event={"action": ModerationEvent.DELETE})


def post_report(*, reporter: Member, post_id: int, reason: str, note: str = "") -> PostReport:
    reason = rules.check_report_reason(reason)
    note = rules.clean_note(note, limit=rules.REPORT_NOTE_MAX_LENGTH)
    post = selectors.public_posts().filter(pk=post_id).first()
    if post is None:
        raise NotFound(_("No such post."))
    if post.author_id == reporter.pk:
        raise rules.InvalidPost(_("You cannot report your own post."))
    try:
        with transaction.atomic():
            return PostReport.objects.create(post=post, reporter=reporter, reason=reason, note=note)
    except IntegrityError:
        raise rules.AlreadyReported(_("You have already reported this post.")) from None


def _moderate(
    operator: Member, post: Post, *, action: str, target: str | None, rule: str, note: str
) -> Post:
    with transaction.atomic():
        if target is not None:
            rules.POST.move(
                post,
                target,
                actor=operator,
                note=note,
                event={"action": action, "rule": rule},
                hidden_rule=rule,
            )
            if action == ModerationEvent.HIDE:
                _tell_hidden(post, rule)
            if target == rules.VISIBLE:
                _give_share_link(post)
        else:  # a ruling that keeps the post as it is
            ModerationEvent.objects.create(
                post=post,
                actor=operator,
                action=action,
                rule=rule,
                note=note,
                from_status=post.status,
                to_status=post.status,
            )
        # A ruling answers every report open on the post, whichever way it went.
        PostReport.objects.filter(post=post, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
    post.refresh_from_db()
    return post


def _tell_hidden(post: Post, rule: str) -> None:
    """The author hears why, in the ruling's transaction; keyed by the ruling's event row."""
    event_id = ModerationEvent.objects.filter(post=post).latest("pk").pk
    notify(
        post.author_id,
        notices.POST_HIDDEN,
        f"post:{post.pk}:hidden:{event_id}",
        title=post.product.title,
        reason=rules.rule_msgid(rule),
    )


def _post(post_id: int) -> Post:
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        raise NotFound(_("No such post."))
    return post


def post_hide(*, operator: Member, post_id: int, rule: str, note: str = "") -> Post:
    """The platform hides a post, citing the convention category it breaks (PRODUCT §6.2, §14);
    a held post may be hidden too."""
    rule = rules.check_hide_rule(rule)
    note = rules.clean_note(note, limit=rules.MODERATION_NOTE_MAX_LENGTH)
    return _moderate(
        operator,
        _post(post_id),
        action=ModerationEvent.HIDE,
        target=rules.HIDDEN,
        rule=rule,
        note=note,
    )


def post_restore(*, operator: Member, post_id: int, note: str = "") -> Post:
    note = rules.clean_note(note, limit=rules.MODERATION_NOTE_MAX_LENGTH)
    return _moderate(
        operator,
        _post(post_id),
        action=ModerationEvent.RESTORE,
        target=rules.VISIBLE,
        rule="",
        note=note,
    )


def post_approve(*, operator: Member, post_id: int, note: str = "") -> Post:
    """A held post is not a copy after all (or the copy is the author's right): it goes up."""
    note = rules.clean_note(note, limit=rules.MODERATION_NOTE_MAX_LENGTH)
    return _moderate(
        operator,
        _post(post_id),
        action=ModerationEvent.APPROVE,
        target=rules.VISIBLE,
        rule="",
        note=note,
    )


def post_keep(*, operator: Member, post_id: int, note: str = "") -> Post:
    """The platform reviewed the reports and the post stays: they leave the queue."""
    note = rules.clean_note(note, limit=rules.MODERATION_NOTE_MAX_LENGTH)
    return _moderate(
        operator, _post(post_id), action=ModerationEvent.KEEP, target=None, rule="", note=note
    )


def banned_word_add(word: str) -> BannedWord:
    word = rules.clean_banned_word(word)
    record, _created = BannedWord.objects.get_or_create(word=word)
    return record


def banned_word_remove(word_id: int) -> None:
    if not BannedWord.objects.filter(pk=word_id).delete()[0]:
        raise NotFound(_("No such banned word."))


# --- comments ----------------------------------------------------------------------------------


def comment_create(*, author: Member, post_id: int, text: str) -> PostComment:
    """A member comments on a visible post: not while muted, no banned words, and within the
    rate limits (rules.COMMENT_GAP_SECONDS apart, rules.COMMENTS_PER_DAY a day)."""
    ensure_can_speak(author)
    text = rules.clean_comment(text)
    if not selectors.post_is_public(post_id):
        raise NotFound(_("No such post."))
    _refuse_banned_words(
        text, _("The comment contains words the platform does not allow: %(words)s")
    )
    _take_comment_slot(author)
    return PostComment.objects.create(post_id=post_id, author=author, text=text)


def _take_comment_slot(author: Member) -> None:
    """The gap is an atomic add in the cache (Redis in production): of two comments sent at
    once, one gets the slot. As it lets one comment through per gap, the daily count read
    after it cannot be raced by the member's own twin requests."""
    if not cache.add(f"comment-gap:{author.pk}", 1, timeout=rules.COMMENT_GAP_SECONDS):
        raise RateLimited(
            _("You are commenting too fast: wait %(n)d seconds between comments.")
            % {"n": rules.COMMENT_GAP_SECONDS},
            details={"retry_after": rules.COMMENT_GAP_SECONDS},
        )
    since = timezone.now() - timedelta(days=1)
    if selectors.comments_since(author, since) >= rules.COMMENTS_PER_DAY:
        raise RateLimited(
            _("You have written %(n)d comments in the last 24 hours, the most allowed.")
            % {"n": rules.COMMENTS_PER_DAY}
        )


def comment_delete(*, author: Member, comment_id: int) -> None:
    comment = (
        PostComment.objects.filter(pk=comment_id, author=author)
        .exclude(status=rules.DELETED)
        .first()
    )
    if comment is None:
        raise NotFound(_("No such comment."))
    rules.COMMENT.move(comment, rules.DELETED, actor=author, event={"action": CommentEvent.DELETE})


def comment_report(
    *, reporter: Member, comment_id: int, category: str, note: str = ""
) -> CommentReport:
    category = rules.check_report_reason(category)
    note = rules.clean_note(note, limit=rules.REPORT_NOTE_MAX_LENGTH)
    comment = selectors.public_comments().filter(pk=comment_id).first()
    if comment is None:
        raise NotFound(_("No such comment."))
    if comment.author_id == reporter.pk:
        raise rules.InvalidPost(_("You cannot report your own comment."))
    try:
        with transaction.atomic():
            return CommentReport.objects.create(
                comment=comment, reporter=reporter, category=category, note=note
            )
    except IntegrityError:
        raise rules.AlreadyReported(_("You have already reported this comment.")) from None


def _comment(comment_id: int) -> PostComment:
    comment = PostComment.objects.filter(pk=comment_id).select_related("post__product").first()
    if comment is None:
        raise NotFound(_("No such comment."))
    return comment


def _moderate_comment(
    operator: Member, comment: PostComment, *, action: str, target: str | None, rule: str, note: str
) -> PostComment:
    with transaction.atomic():
        if target is not None:
            rules.COMMENT.move(
                comment,
                target,
                actor=operator,
                note=note,
                event={"action": action, "rule": rule},
                hidden_rule=rule,
            )
            if action == CommentEvent.HIDE:
                event_id = CommentEvent.objects.filter(comment=comment).latest("pk").pk
                notify(
                    comment.author_id,
                    notices.COMMENT_HIDDEN,
                    f"comment:{comment.pk}:hidden:{event_id}",
                    title=comment.post.product.title,
                    reason=rules.rule_msgid(rule),
                )
        else:
            CommentEvent.objects.create(
                comment=comment,
                actor=operator,
                action=action,
                rule=rule,
                note=note,
                from_status=comment.status,
                to_status=comment.status,
            )
        CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
    comment.refresh_from_db()
    return comment


def comment_hide(*, operator: Member, comment_id: int, rule: str, note: str = "") -> PostComment:
    """The platform hides a comment citing a convention category; its author is told why."""
    rule = rules.check_hide_rule(rule)
    note = rules.clean_note(note, limit=rules.MODERATION_NOTE_MAX_LENGTH)
    return _moderate_comment(
        operator,
        _comment(comment_id),
        action=CommentEvent.HIDE,
        target=rules.HIDDEN,
        rule=rule,
        note=note,
    )


def comment_restore(*, operator: Member, comment_id: int, note: str = "") -> PostComment:
    note = rules.clean_note(note, limit=rules.MODERATION_NOTE_MAX_LENGTH)
    return _moderate_comment(
        operator,
        _comment(comment_id),
        action=CommentEvent.RESTORE,
        target=rules.VISIBLE,
        rule="",
        note=note,
    )


def comment_keep(*, operator: Member, comment_id: int, note: str = "") -> PostComment:
    note = rules.clean_note(note, limit=rules.MODERATION_NOTE_MAX_LENGTH)
    return _moderate_comment(
        operator,
        _comment(comment_id),
        action=CommentEvent.KEEP,
        target=None,
        rule="",
        note=note,
    )
