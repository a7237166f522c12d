"""Reading share tasks and the sales members' posts brought.

Posts are a sibling feature: they are read here through sharing only. A post's own share link
is made with the post, in the post's transaction, before anyone can see it to share it; so the
first link to a post names its author (the link's sharer) and its publication (the link's
creation). The author's later links to their post (a reshare past a daily cap) count for the
post too; anybody else's link to it does not make it theirs. A post the platform hid or its
author deleted counts no more: sharing's target registry says whether a post may be seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from sharemall.core.errors import NotFound
from sharemall.orders.models import Order
from sharemall.promotions.models import ShareTask, ShareTaskReward
from sharemall.promotions.rules import tasks as rules
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing import targets
from sharemall.sharing.models import ShareLink


def _post_links() -> QuerySet[ShareLink]:
    return ShareLink.objects.filter(target_type=sharing_rules.POST)


def _first_post_links() -> QuerySet[ShareLink]:
    earlier = _post_links().filter(target_id=OuterRef("target_id"), pk__lt=OuterRef("pk"))
    return _post_links().filter(~Exists(earlier))


def _visible(post_ids: Iterable[int]) -> set[int]:
    """The posts anyone may still see (all of them where no post target is plugged in)."""
    target = targets.registered(sharing_rules.POST)
    ids = set(post_ids)
    if target is None:
        return ids
    visible = set()
    for post_id in ids:
        try:
            target.check_shareable(post_id)
        except NotFound:
            continue
        visible.add(post_id)
    return visible


def post_sales(task: ShareTask, *, author_id: int | None = None) -> list[rules.PostSale]:
    """Every paid order through the posts published while the task ran (of one author, when
    given): what rules.progress counts from."""
    published = _first_post_links().filter(
        created_at__gte=task.valid_from,
        created_at__lt=rules.task_end(task.valid_to, task.stopped_at),
    )
    if author_id is not None:
        published = published.filter(sharer_id=author_id)
    posts = {
        target_id: (sharer_id, created_at)
        for target_id, sharer_id, created_at in published.values_list(
            "target_id", "sharer_id", "created_at"
        )
    }
    if not posts:
        return []
    post_of_link = {
        link_id: target_id
        for link_id, target_id, sharer_id in _post_links()
        .filter(target_id__in=list(posts))
        .values_list("pk", "target_id", "sharer_id")
        if posts[target_id][0] == sharer_id
    }
    orders = Order.objects.filter(share_link_id__in=list(post_of_link), paid_at__isnull=False)
    if task.merchant_id is not None:
        orders = orders.filter(merchant_id=task.merchant_id)
    rows = list(
        orders.values_list(
            "pk",
            "share_link_id",
            "buyer_id",
            "merchant_id",
            "status",
            "paid_at",
            "total_fen",
            "refunded_fen",
        )
    )
    visible = _visible(post_of_link[row[1]] for row in rows if row[1] is not None)
    sales = []
    for row in rows:
        order_id, link_id, buyer_id, merchant_id, status, paid_at, total, refunded = row
        if link_id is None:  # not possible given the filter; for the type checker
            continue
        post_id = post_of_link[link_id]
        if post_id not in visible:
            continue
        author_id_, published_at = posts[post_id]
        sales.append(
            rules.PostSale(
                post_id=post_id,
                author_id=author_id_,
                published_at=published_at,
                order_id=order_id,
                buyer_id=buyer_id,
                merchant_id=merchant_id,
                status=status,
                paid_at=paid_at,
                total_fen=total,
                refunded_fen=refunded,
            )
        )
    return sales


def task_progress(task: ShareTask, *, author_id: int | None = None) -> dict[int, rules.Progress]:
    return rules.progress(
        post_sales(task, author_id=author_id),
        window_days=task.window_days,
        merchant_id=task.merchant_id,
    )


def tasks_to_evaluate(now: datetime) -> QuerySet[ShareTask]:
    """Tasks whose posts' sales may still complete: started, and ended no longer ago than the
    grace a sale takes to complete."""
    return (
        ShareTask.objects.filter(valid_from__lte=now, valid_to__gt=now - rules.EVALUATION_GRACE)
        .exclude(stopped_at__lte=now - rules.EVALUATION_GRACE)
        .select_related("reward_coupon")
        .order_by("pk")
    )


def running_tasks(now: datetime) -> QuerySet[ShareTask]:
    """Tasks members can work on now: started, not ended, not stopped."""
    return (
        ShareTask.objects.filter(valid_from__lte=now, valid_to__gt=now, stopped_at=None)
        .select_related("merchant", "reward_coupon")
        .order_by("-created_at", "-pk")
    )


def tasks_of_issuer(merchant_id: int | None) -> QuerySet[ShareTask]:
    qs = ShareTask.objects.select_related("merchant", "reward_coupon")
    qs = qs.filter(merchant_id=merchant_id) if merchant_id else qs.filter(merchant=None)
    return qs.order_by("-created_at", "-pk")


def task_of_issuer(merchant_id: int | None, task_id: int) -> ShareTask:
    found = tasks_of_issuer(merchant_id).filter(pk=task_id).first()
    if found is None:
        raise NotFound(_("No such share task."))
    return found


def rewards_of_member(task_ids: Iterable[int], member_id: int) -> dict[int, int]:
    """How many times the member completed (was rewarded for) each task."""
    counts: dict[int, int] = {}
    for task_id in ShareTaskReward.objects.filter(
        task_id__in=list(task_ids), member_id=member_id, claim__isnull=False
    ).values_list("task_id", flat=True):
        counts[task_id] = counts.get(task_id, 0) + 1
    return counts


def rewarded_rounds(task: ShareTask, member_id: int) -> set[int]:
    return set(
        ShareTaskReward.objects.filter(task=task, member_id=member_id).values_list(
            "round", flat=True
        )
    )


def completions_by_task(task_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Per task: rewards given, and members rewarded."""
    found: dict[int, tuple[int, int]] = {}
    members: dict[int, set[int]] = {}
    for task_id, member_id in ShareTaskReward.objects.filter(
        task_id__in=list(task_ids), claim__isnull=False
    ).values_list("task_id", "member_id"):
        given, _m = found.get(task_id, (0, 0))
        members.setdefault(task_id, set()).add(member_id)
        found[task_id] = (given + 1, len(members[task_id]))
    return found
