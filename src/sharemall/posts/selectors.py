"""Reads for posts: what the public sees, what a member may post about, the moderation queue."""

from __future__ import annotations

from django.db.models import Avg, Count, Min, Q, QuerySet
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.orders import rules as order_rules
from sharemall.orders.models import OrderLine
from sharemall.posts import rules
from sharemall.posts.models import BannedWord, Post, PostReport


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
    """A visible post for anyone; a hidden one only for its author and operators, who see the
    rule it broke. Deleted posts are gone for everyone but operators."""
    post = _with_images(Post.objects.filter(pk=post_id)).first()
    if post is None:
        raise NotFound(_no_such_post())
    if post.status == rules.VISIBLE or (viewer is not None and viewer.is_operator):
        return post
    if post.status == rules.HIDDEN and viewer is not None and viewer.pk == post.author_id:
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


def _no_such_post() -> str:
    return _("No such post.")
