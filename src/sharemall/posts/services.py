"""Writes for posts: posting with photos, reporting, the platform's moderation, banned words.

Photos are decoded, checked and re-encoded before anything is written; the post, its photos
and its share link land in one transaction, and stored files of a failed post are removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.core.images import clean_photos, stored_photos
from sharemall.notifications import rules as notices
from sharemall.notifications.services import notify
from sharemall.posts import rules, selectors
from sharemall.posts.models import BannedWord, ModerationEvent, Post, PostImage, PostReport
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing import services as sharing

POST_SHARE_CHANNEL = "post"


def post_create(
    *, author: Member, order_line_id: int, text: str, rating: int, images: Sequence[bytes]
) -> Post:
    """PRODUCT §6.1: the buyer of a received line posts once about it; the post carries the
    author's share link so readers who buy through it give the author the sale."""
    text = rules.clean_text(text)
    rating = rules.check_rating(rating)
    line = selectors.line_for_post(author, order_line_id)
    banned = rules.banned_words_in(text, selectors.banned_words())
    if banned:
        raise rules.BannedWords(
            _("The post contains words the platform does not allow: %(words)s")
            % {"words": "、".join(banned)},
            details={"words": banned},
        )
    rules.check_image_count(len(images))
    photos = clean_photos(images, thumbnail_side=rules.THUMBNAIL_SIDE)
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
        post.share_link = sharing.share_create(
            sharer=author,
            target_type=sharing_rules.POST,
            target_id=post.pk,
            channel=POST_SHARE_CHANNEL,
        ).link
        post.save(update_fields=["share_link"])
    return post


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
        reason=rules.HIDE_RULES[rule].message,
    )


def _post(post_id: int) -> Post:
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        raise NotFound(_("No such post."))
    return post


def post_hide(*, operator: Member, post_id: int, rule: str, note: str = "") -> Post:
    """The platform hides a post, citing the rule it breaks (PRODUCT §6.2)."""
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
