"""Reads for posts and comments: what the public sees, what a member may post about, near-copies,
the moderation queues."""

from __future__ import annotations

from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import Avg, Count, Min, Q, QuerySet
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.orders import rules as order_rules
from sharemall.orders.models import OrderLine
from sharemall.posts import rules, similarity
from sharemall.posts.models import (
    BannedWord,
    CommentReport,
    Post,
    PostBand,
    PostComment,
    PostCopy,
    PostFingerprint,
    PostReport,
)

# How many band-sharing candidates are scored in full, most shared bands first: a text pasted
# by hundreds of accounts needs only a few originals named to be held.
MAX_CANDIDATES = 20


def _with_images(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.select_related("author", "share_link").prefetch_related("images")


def public_posts() -> QuerySet[Post]:
    return Post.objects.filter(status=rules.VISIBLE)


def product_posts(product_id: int) -> QuerySet[Post]:
    """A product's visible posts, newest first: negative ones included, merchants cannot pick."""
    return _with_images(public_posts().filter(product_id=product_id)).order_by("-created_at", "-id")


def product_rating(product_id: int) -> tuple[int, float | None]:
    """How many visible posts a product has and their average rating (None without posts)."""
    row = public_posts().filter(product_id=product_id).aggregate(n=Count("id"), avg=Avg("rating"))
    return row["n"], row["avg"]


def reported_by(member: Member | None, post_ids: list[int]) -> set[int]:
    """Which of these posts the member has reported already: their report button says so."""
    if member is None or not post_ids:
        return set()
    return set(
        PostReport.objects.filter(reporter=member, post_id__in=post_ids).values_list(
            "post_id", flat=True
        )
    )


def post_is_public(post_id: int) -> bool:
    return public_posts().filter(pk=post_id).exists()


def post_for_viewer(post_id: int, viewer: Member | None) -> Post:
    """A visible post for anyone; a hidden or held one only for its author and operators (the
    author sees the rule it broke, or that it is under review). Deleted posts are gone for
    everyone but operators."""
    post = _with_images(Post.objects.filter(pk=post_id)).first()
    if post is None:
        raise NotFound(_no_such_post())
    if post.status == rules.VISIBLE or (viewer is not None and viewer.is_operator):
        return post
    if (
        post.status in (rules.HIDDEN, rules.HELD)
        and viewer is not None
        and viewer.pk == post.author_id
    ):
        return post
    raise NotFound(_no_such_post())


def posts_of(author: Member) -> QuerySet[Post]:
    return _with_images(Post.objects.filter(author=author).exclude(status=rules.DELETED)).order_by(
        "-created_at", "-id"
    )


def postable_lines(buyer: Member) -> QuerySet[OrderLine]:
    """The buyer's received lines without a post yet: what the composer offers."""
    return (
        OrderLine.objects.filter(
            order__buyer=buyer,
            order__status__in=order_rules.RECEIVED_STATUSES,
            post__isnull=True,
        )
        .select_related("order")
        .order_by("-order__received_at", "-id")
    )


def line_for_post(buyer: Member, line_id: int) -> OrderLine:
    """The line a post would be about, or `not_eligible` saying why not."""
    line = OrderLine.objects.filter(pk=line_id, order__buyer=buyer).select_related("order").first()
    if line is None:
        raise rules.NotEligible(_("Only the buyer of an order line may post about it."))
    if line.order.status not in order_rules.RECEIVED_STATUSES:
        raise rules.NotEligible(_("You can post once you have received the order."))
    if Post.objects.filter(order_line_id=line.pk).exists():
        raise rules.NotEligible(_("You have already posted about this order line."))
    return line


def banned_words() -> list[str]:
    return [*rules.DEFAULT_BANNED_WORDS, *BannedWord.objects.values_list("word", flat=True)]


def kept_banned_words() -> QuerySet[BannedWord]:
    """The words operators added to the built-in list."""
    return BannedWord.objects.order_by("word")


def open_report_reasons(post_ids: list[int]) -> dict[int, dict[str, int]]:
    """Open reports per post, counted by reason."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        PostReport.objects.filter(post_id__in=post_ids, resolved_at__isnull=True)
        .values_list("post_id", "reason")
        .annotate(n=Count("id"))
    )
    for post_id, reason, n in rows:
        counts.setdefault(post_id, {})[reason] = n
    return counts


def open_report_notes(post_ids: list[int], *, per_post: int = 5) -> dict[int, list[str]]:
    """What readers wrote with their open reports (the notes they left), newest first, a few
    per post: enough for an operator to see what the report is about."""
    notes: dict[int, list[str]] = {}
    rows = (
        PostReport.objects.filter(post_id__in=post_ids, resolved_at__isnull=True)
        .exclude(note="")
        .order_by("-created_at", "-id")
        .values_list("post_id", "note")
    )
    for post_id, note in rows:
        kept = notes.setdefault(post_id, [])
        if len(kept) < per_post:
            kept.append(note)
    return notes


def report_queue() -> QuerySet[Post]:
    """Posts with reports no operator has ruled on yet, most reported first."""
    return (
        _with_images(
            Post.objects.filter(
                pk__in=PostReport.objects.filter(resolved_at__isnull=True).values("post_id")
            )
        )
        .annotate(
            open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)),
            first_reported_at=Min("reports__created_at"),
        )
        .order_by("-open_reports", "first_reported_at", "id")
    )


def hidden_posts() -> QuerySet[Post]:
    """Posts operators hid, newest first: hiding answers their reports, so the moderation page
    lists them apart, to be restored."""
    return (
        Post.objects.filter(status=rules.HIDDEN).select_related("author", "product").order_by("-id")
    )


def held_posts() -> QuerySet[Post]:
    """Posts held as near-copies, oldest first: the operator approves or hides each."""
    return (
        Post.objects.filter(status=rules.HELD)
        .select_related("author", "product")
        .prefetch_related("images")
        .order_by("created_at", "id")
    )


def copies_for(post_ids: list[int]) -> dict[int, list[PostCopy]]:
    """The earlier posts each held post nearly copies, most similar first."""
    copies: dict[int, list[PostCopy]] = {}
    rows = (
        PostCopy.objects.filter(post_id__in=post_ids)
        .select_related("original__author")
        .order_by("-similarity", "original_id")
    )
    for row in rows:
        copies.setdefault(row.post_id, []).append(row)
    return copies


def copied_posts(fingerprint: similarity.Fingerprint, *, author_id: int) -> list[tuple[int, float]]:
    """Other authors' posts this text nearly copies, with their estimated similarity: the
    candidates sharing an LSH band come from one query on the (band, key) index, then each is
    scored on its full signature. The author's own earlier posts never count: repeating one's
    own words about two purchases is not copying."""
    match = reduce(or_, (Q(band=band, key=key) for band, key in enumerate(fingerprint.bands)))
    candidates = list(
        PostBand.objects.filter(match)
        .exclude(post__author_id=author_id)
        .values("post_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "post_id")
        .values_list("post_id", flat=True)[:MAX_CANDIDATES]
    )
    if not candidates:
        return []
    scored = [
        (post_id, similarity.similarity(fingerprint.signature, bytes(signature)))
        for post_id, signature in PostFingerprint.objects.filter(
            post_id__in=candidates
        ).values_list("post_id", "signature")
    ]
    return sorted(
        ((pk, score) for pk, score in scored if similarity.is_copy(score)),
        key=lambda item: (-item[1], item[0]),
    )


# --- comments ----------------------------------------------------------------------------------


def public_comments() -> QuerySet[PostComment]:
    """Visible comments on visible posts."""
    return PostComment.objects.filter(status=rules.VISIBLE, post__status=rules.VISIBLE)


def post_comments(post_id: int) -> QuerySet[PostComment]:
    """A post's visible comments, oldest first (a conversation reads down)."""
    return (
        public_comments()
        .filter(post_id=post_id)
        .select_related("author")
        .order_by("created_at", "id")
    )


def comments_since(author: Member, since: datetime) -> int:
    """How many comments the member wrote since then, deleted or hidden ones included."""
    return PostComment.objects.filter(author=author, created_at__gte=since).count()


def comments_reported_by(member: Member | None, comment_ids: list[int]) -> set[int]:
    if member is None or not comment_ids:
        return set()
    return set(
        CommentReport.objects.filter(reporter=member, comment_id__in=comment_ids).values_list(
            "comment_id", flat=True
        )
    )


def comment_for_viewer(comment_id: int) -> PostComment:
    comment = public_comments().filter(pk=comment_id).select_related("author", "post").first()
    if comment is None:
        raise NotFound(_("No such comment."))
    return comment


def own_comment(author: Member, comment_id: int) -> PostComment | None:
    """The member's own comment, unless deleted."""
    return (
        PostComment.objects.filter(pk=comment_id, author=author)
        .exclude(status=rules.DELETED)
        .first()
    )


def comment_report_queue() -> QuerySet[PostComment]:
    """Comments with reports no operator has ruled on yet, most reported first."""
    return (
        PostComment.objects.filter(
            pk__in=CommentReport.objects.filter(resolved_at__isnull=True).values("comment_id")
        )
        .select_related("author", "post__product")
        .annotate(
            open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)),
            first_reported_at=Min("reports__created_at"),
        )
        .order_by("-open_reports", "first_reported_at", "id")
    )


def open_comment_report_reasons(comment_ids: list[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    rows = (
        CommentReport.objects.filter(comment_id__in=comment_ids, resolved_at__isnull=True)
        .values_list("comment_id", "category")
        .annotate(n=Count("id"))
    )
    for comment_id, category, n in rows:
        counts.setdefault(comment_id, {})[category] = n
    return counts


def hidden_comments() -> QuerySet[PostComment]:
    return (
        PostComment.objects.filter(status=rules.HIDDEN)
        .select_related("author", "post__product")
        .order_by("-id")
    )


def _no_such_post() -> str:
    return _("No such post.")


def hidden_posts_of(author: Member) -> QuerySet[Post]:
    """The author's posts the platform hid, newest first: each a decision they may appeal."""
    return Post.objects.filter(author=author, status=rules.HIDDEN).select_related("product")


def hidden_comments_of(author: Member) -> QuerySet[PostComment]:
    return PostComment.objects.filter(author=author, status=rules.HIDDEN).select_related(
        "post__product"
    )
