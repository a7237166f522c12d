"""Share tasks: defining and stopping them, and the job that rewards completed rounds.

`tasks_evaluate` is a `run-due-jobs` sweep. A round's reward is one transaction: the reward
row (unique per task, member and round) and the coupon claim it gives. A second run finds the
row and moves on; two runs at once race on the unique key and one of them rolls back, so a
round is rewarded exactly once. A reward coupon that ran out or was stopped leaves the round
unrewarded, and the next run tries again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.core.errors import Conflict
from sharemall.merchants.models import Merchant
from sharemall.promotions.models import Coupon, ShareTask, ShareTaskReward
from sharemall.promotions.rules import coupons as coupon_rules
from sharemall.promotions.rules import tasks as rules
from sharemall.promotions.selectors import tasks as selectors
from sharemall.promotions.services.coupons import coupon_claim

logger = logging.getLogger(__name__)


def task_create(
    *,
    merchant: Merchant | None,
    actor: Member,
    definition: rules.Definition,
    reward_coupon: Coupon,
) -> ShareTask:
    """A merchant's task (its own goods' sales count) or, with `merchant` None, the
    platform's. The reward is a coupon of the same issuer made for tasks (channel "task")."""
    rules.check_definition(
        definition,
        rules.Reward(
            merchant_id=reward_coupon.merchant_id,
            channel=reward_coupon.channel,
            per_member=reward_coupon.per_member,
            valid_to=reward_coupon.valid_to,
            stopped=reward_coupon.stopped_at is not None,
        ),
    )
    return ShareTask.objects.create(
        merchant=merchant,
        title=" ".join(definition.title.split()),
        posts_needed=definition.posts_needed,
        window_days=definition.window_days,
        reward_coupon=reward_coupon,
        max_completions=definition.max_completions,
        valid_from=definition.valid_from,
        valid_to=definition.valid_to,
        created_by=actor,
    )


def task_stop(task: ShareTask, *, now: datetime | None = None) -> ShareTask:
    """Posts published from now on no longer count; sales through earlier posts still complete
    their rounds."""
    ShareTask.objects.filter(pk=task.pk, stopped_at=None).update(stopped_at=now or timezone.now())
    task.refresh_from_db()
    return task


def _reward(task: ShareTask, member_id: int, round_no: int, post_ids: list[int]) -> bool:
    """Give one round's reward; False when it was given already or the coupon cannot be had."""
    try:
        with transaction.atomic():
            reward = ShareTaskReward.objects.create(
                task=task, member_id=member_id, round=round_no, post_ids=post_ids
            )
            member = Member.objects.get(pk=member_id)
            claim = coupon_claim(task.reward_coupon, member, channel=coupon_rules.TASK)
            reward.claim = claim
            reward.save(update_fields=["claim"])
    except IntegrityError:  # rewarded already, by this run's predecessor or a twin
        return False
    except Conflict as refused:  # the coupon ran out, was stopped or ended: try again later
        logger.warning(
            "share task %s: reward for member %s round %s not given: %s",
            task.pk,
            member_id,
            round_no,
            refused.code,
        )
        return False
    return True


def task_evaluate(task: ShareTask) -> int:
    """Reward every round of the task members completed and were not rewarded for yet."""
    given = 0
    for member_id, progress in selectors.task_progress(task).items():
        done = rules.completions(
            len(progress.counted_posts),
            posts_needed=task.posts_needed,
            max_completions=task.max_completions,
        )
        if not done:
            continue
        rewarded = selectors.rewarded_rounds(task, member_id)
        for round_no in range(1, done + 1):
            if round_no in rewarded:
                continue
            posts = rules.round_posts(
                progress.counted_posts, round_no, posts_needed=task.posts_needed
            )
            given += _reward(task, member_id, round_no, posts)
    return given


def tasks_evaluate(now: datetime) -> int:
    """Job: reward the rounds of share tasks completed by now. Returns rewards given."""
    return sum(task_evaluate(task) for task in selectors.tasks_to_evaluate(now))
