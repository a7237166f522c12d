"""Share tasks (任务): "three of your posts each bring a completed sale within 7 days → a coupon".

Pure: what a task definition must hold, which sales through a member's posts count, and how
many times a member completed a task. A task rewards only real sales, never clicks or
sign-ups: a post counts when an order through it

- was bought by someone other than the post's author (self-purchases never count),
- was paid within `window_days` of the post's publication,
- is of the task's merchant (a merchant's task; the platform's counts every shop),
- and is completed: the after-sales window closed and not everything was refunded.

Each post counts once, however many orders it brought; the posts counted for a member are
taken in the order their first counting sale was paid, `posts_needed` to a round.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _

POSTS_NEEDED_MIN, POSTS_NEEDED_MAX = 1, 20
WINDOW_DAYS_MIN, WINDOW_DAYS_MAX = 1, 30
MAX_COMPLETIONS = 10
TITLE_MAX_LENGTH = 60
# How long after a task ends its sales may still complete (shipping, receipt, the after-sales
# window) and be rewarded: the evaluation job keeps looking at a task this much longer.
EVALUATION_GRACE = timedelta(days=60)

# orders.rules' states, restated: rules import no other app's rules.
COMPLETED, CLOSED = "completed", "closed"


class InvalidTask(DomainError):
    code = "invalid_task"


@dataclass(frozen=True)
class Definition:
    """A task as its issuer defines it. `merchant_id` None: the platform's task."""

    merchant_id: int | None
    title: str
    posts_needed: int
    window_days: int
    max_completions: int
    valid_from: datetime
    valid_to: datetime


@dataclass(frozen=True)
class Reward:
    """The reward coupon as a task definition checks it."""

    merchant_id: int | None
    channel: str
    per_member: int
    valid_to: datetime
    stopped: bool


TASK_CHANNEL = "task"  # coupons.rules.TASK


def check_definition(d: Definition, reward: Reward) -> None:
    if not d.title.strip():
        raise InvalidTask(_("A task needs a title."))
    if len(d.title) > TITLE_MAX_LENGTH:
        raise InvalidTask(
            _("A task's title is at most %(n)d characters.") % {"n": TITLE_MAX_LENGTH}
        )
    if not POSTS_NEEDED_MIN <= d.posts_needed <= POSTS_NEEDED_MAX:
        raise InvalidTask(
            _("A task needs between %(lo)d and %(hi)d posts.")
            % {"lo": POSTS_NEEDED_MIN, "hi": POSTS_NEEDED_MAX}
        )
    if not WINDOW_DAYS_MIN <= d.window_days <= WINDOW_DAYS_MAX:
        raise InvalidTask(
            _("A post's window is between %(lo)d and %(hi)d days.")
            % {"lo": WINDOW_DAYS_MIN, "hi": WINDOW_DAYS_MAX}
        )
    if not 1 <= d.max_completions <= MAX_COMPLETIONS:
        raise InvalidTask(
            _("A member completes a task between 1 and %(n)d times.") % {"n": MAX_COMPLETIONS}
        )
    if d.valid_to <= d.valid_from:
        raise InvalidTask(_("The end comes after the start."), code="invalid_window")
    if reward.merchant_id != d.merchant_id:
        raise InvalidTask(
            _("The reward is a coupon of the task's own issuer."), code="invalid_reward"
        )
    if reward.channel != TASK_CHANNEL:
        raise InvalidTask(_("The reward is a coupon made for share tasks."), code="invalid_reward")
    if reward.stopped or reward.valid_to <= d.valid_from:
        raise InvalidTask(_("The reward coupon is no longer available."), code="invalid_reward")
    if reward.per_member < d.max_completions:
        raise InvalidTask(
            _("The reward coupon lets a member hold fewer than the task's completions."),
            code="invalid_reward",
        )


@dataclass(frozen=True)
class PostSale:
    """One order through one of a member's posts (through the post's share link)."""

    post_id: int
    author_id: int
    published_at: datetime
    order_id: int
    buyer_id: int
    merchant_id: int
    status: str
    paid_at: datetime | None
    total_fen: int
    refunded_fen: int


def sale_in_window(sale: PostSale, *, window_days: int, merchant_id: int | None) -> bool:
    """A paid sale by someone else, of the task's merchant, within the post's window (it may
    still be waiting to complete)."""
    if sale.paid_at is None or sale.buyer_id == sale.author_id:
        return False
    if merchant_id is not None and sale.merchant_id != merchant_id:
        return False
    return sale.published_at <= sale.paid_at <= sale.published_at + timedelta(days=window_days)


def sale_counts(sale: PostSale, *, window_days: int, merchant_id: int | None) -> bool:
    """A sale in the window that completed and was not refunded in full."""
    return (
        sale_in_window(sale, window_days=window_days, merchant_id=merchant_id)
        and sale.status == COMPLETED
        and sale.refunded_fen < sale.total_fen
    )


@dataclass(frozen=True)
class Progress:
    counted_posts: list[int]  # in the order they counted
    pending_posts: list[int]  # a sale in the window that has not completed yet


def progress(
    sales: Iterable[PostSale], *, window_days: int, merchant_id: int | None
) -> dict[int, Progress]:
    """Each author's posts that count (once each, earliest counting sale first) and those
    still waiting for a sale to complete."""
    counted_at: dict[int, dict[int, tuple[datetime, int]]] = {}
    waiting: dict[int, set[int]] = {}
    for sale in sales:
        if sale_counts(sale, window_days=window_days, merchant_id=merchant_id):
            assert sale.paid_at is not None
            posts = counted_at.setdefault(sale.author_id, {})
            key = (sale.paid_at, sale.order_id)
            if sale.post_id not in posts or key < posts[sale.post_id]:
                posts[sale.post_id] = key
        elif sale.status not in (COMPLETED, CLOSED) and sale_in_window(
            sale, window_days=window_days, merchant_id=merchant_id
        ):
            waiting.setdefault(sale.author_id, set()).add(sale.post_id)
    found: dict[int, Progress] = {}
    for author in set(counted_at) | set(waiting):
        posts = counted_at.get(author, {})
        ordered = sorted(posts, key=lambda p: (posts[p], p))
        found[author] = Progress(
            counted_posts=ordered,
            pending_posts=sorted(waiting.get(author, set()) - set(posts)),
        )
    return found


def completions(counted_posts: int, *, posts_needed: int, max_completions: int) -> int:
    """How many rounds `counted_posts` posts complete, up to the task's limit."""
    return min(counted_posts // posts_needed, max_completions)


def round_posts(counted: list[int], round_no: int, *, posts_needed: int) -> list[int]:
    """The posts that made up round `round_no` (1-based)."""
    return counted[(round_no - 1) * posts_needed : round_no * posts_needed]


def task_end(valid_to: datetime, stopped_at: datetime | None) -> datetime:
    """Stopping a task ends it then: posts published after that no longer count."""
    return valid_to if stopped_at is None else min(valid_to, stopped_at)
