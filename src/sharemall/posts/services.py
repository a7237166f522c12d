"""Writes for posts: posting with photos, near-duplicate holds, reporting, comments, the
platform's moderation, banned words.

Photos are decoded, checked and re-encoded before anything is written; the post, its photos
and its share link land in one transaction, and stored files of a failed post are removed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.community.services import ensure_can_speak
from sharemall.core.errors import NotFound, RateLimited
from sharemall.core.images import clean_photos, stored_photos
from sharemall.core.transitions import StateMachine
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


@dataclass(frozen=True)
class _Moderated[T: Post | PostComment]:
    """What the platform's rulings on posts and on comments differ in. `name` is the foreign key
    of their event and report rows ("post", "comment") and starts a hidden notice's key."""

    name: str
    machine: StateMachine
    event_model: type[ModerationEvent] | type[CommentEvent]
    report_model: type[PostReport] | type[CommentReport]
    hidden_notice: str
    load: Callable[[int], T]
    title: Callable[[T], str]  # of the product, for the author's notice
    on_visible: Callable[[T], None] | None = None  # once the ruling put it up


def _moderate[T: Post | PostComment](
    kind: _Moderated[T],
    operator: Member,
    row_id: int,
    *,
    action: str,
    target: str | None,
    rule: str = "",
    note: str = "",
) -> T:
    """An operator's ruling: `target` the status it moves to (None: kept as it is), recorded as
    an event with `action`, `rule` and `note`; a hide tells the author. A ruling answers every
    report open on it, whichever way it went."""
    note = rules.clean_note(note, limit=rules.MODERATION_NOTE_MAX_LENGTH)
    row = kind.load(row_id)
    with transaction.atomic():
        if target is not None:
            kind.machine.move(
                row,
                target,
                actor=operator,
                note=note,
                event={"action": action, "rule": rule},
                hidden_rule=rule,
            )
            if action == kind.event_model.HIDE:
                _tell_hidden(kind, row, rule)
            if target == rules.VISIBLE and kind.on_visible is not None:
                kind.on_visible(row)
        else:  # a ruling that keeps it as it is
            kind.event_model._default_manager.create(
                **{kind.name: row},
                actor=operator,
                action=action,
                rule=rule,
                note=note,
                from_status=row.status,
                to_status=row.status,
            )
        kind.report_model._default_manager.filter(
            **{kind.name: row}, resolved_at__isnull=True
        ).update(resolved_at=timezone.now())
    row.refresh_from_db()
    return row


def _tell_hidden[T: Post | PostComment](kind: _Moderated[T], row: T, rule: str) -> None:
    """The author hears why, in the ruling's transaction; keyed by the ruling's event row."""
    event_id = kind.event_model._default_manager.filter(**{kind.name: row}).latest("pk").pk
    notify(
        row.author_id,
        kind.hidden_notice,
        f"{kind.name}:{row.pk}:hidden:{event_id}",
        title=kind.title(row),
        reason=rules.rule_msgid(rule),
    )


def _post(post_id: int) -> Post:
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        raise NotFound(_("No such post."))
    return post


_POSTS = _Moderated[Post](
    name="post",
    machine=rules.POST,
    event_model=ModerationEvent,
    report_model=PostReport,
    hidden_notice=notices.POST_HIDDEN,
    load=_post,
    title=lambda post: post.product.title,
    on_visible=_give_share_link,
)


def post_hide(*, operator: Member, post_id: int, rule: str, note: str = "") -> Post:
    """The platform hides a post, citing the convention category it breaks (PRODUCT §6.2, §14);
    a held post may be hidden too."""
    rule = rules.check_hide_rule(rule)
    return _moderate(
        _POSTS,
        operator,
        post_id,
        action=ModerationEvent.HIDE,
        target=rules.HIDDEN,
        rule=rule,
        note=note,
    )


def post_restore(*, operator: Member, post_id: int, note: str = "") -> Post:
    return _moderate(
        _POSTS, operator, post_id, action=ModerationEvent.RESTORE, target=rules.VISIBLE, note=note
    )


def post_approve(*, operator: Member, post_id: int, note: str = "") -> Post:
    """A held post is not a copy after all (or the copy is the author's right): it goes up."""
    return _moderate(
        _POSTS, operator, post_id, action=ModerationEvent.APPROVE, target=rules.VISIBLE, note=note
    )


def post_keep(*, operator: Member, post_id: int, note: str = "") -> Post:
    """The platform reviewed the reports and the post stays: they leave the queue."""
    return _moderate(_POSTS, operator, post_id, action=ModerationEvent.KEEP, target=None, note=note)


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


_COMMENTS = _Moderated[PostComment](
    name="comment",
    machine=rules.COMMENT,
    event_model=CommentEvent,
    report_model=CommentReport,
    hidden_notice=notices.COMMENT_HIDDEN,
    load=_comment,
    title=lambda comment: comment.post.product.title,
)


def comment_hide(*, operator: Member, comment_id: int, rule: str, note: str = "") -> PostComment:
    """The platform hides a comment citing a convention category; its author is told why."""
    rule = rules.check_hide_rule(rule)
    return _moderate(
        _COMMENTS,
        operator,
        comment_id,
        action=CommentEvent.HIDE,
        target=rules.HIDDEN,
        rule=rule,
        note=note,
    )


def comment_restore(*, operator: Member, comment_id: int, note: str = "") -> PostComment:
    return _moderate(
        _COMMENTS,
        operator,
        comment_id,
        action=CommentEvent.RESTORE,
        target=rules.VISIBLE,
        note=note,
    )


def comment_keep(*, operator: Member, comment_id: int, note: str = "") -> PostComment:
    return _moderate(
        _COMMENTS, operator, comment_id, action=CommentEvent.KEEP, target=None, note=note
    )
