"""Share tasks (任务): what a merchant or the platform asks of members' posts, and each reward
given for a completed round.

A reward is given exactly once per (task, member, round): the unique key makes a second run
of the evaluation job, or two running at once, a no-op.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.merchants.models import Merchant
from sharemall.promotions.models.coupons import Coupon, CouponClaim
from sharemall.promotions.rules import tasks as rules


class ShareTask(models.Model):
    # None: the platform's task (its posts may bring sales of any shop).
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="share_tasks"
    )
    title = models.CharField(_("title"), max_length=rules.TITLE_MAX_LENGTH)
    posts_needed = models.PositiveSmallIntegerField(_("posts needed"))
    window_days = models.PositiveSmallIntegerField(_("days for a post to bring a sale"))
    reward_coupon = models.ForeignKey(
        Coupon, on_delete=models.PROTECT, related_name="share_tasks", verbose_name=_("reward")
    )
    max_completions = models.PositiveSmallIntegerField(_("completions per member"), default=1)
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"))
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("share task")
        verbose_name_plural = _("share tasks")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gt=F("valid_from")), name="share_task_valid_window"
            ),
            models.CheckConstraint(
                condition=Q(posts_needed__gte=rules.POSTS_NEEDED_MIN)
                & Q(posts_needed__lte=rules.POSTS_NEEDED_MAX),
                name="share_task_posts_needed_range",
            ),
            models.CheckConstraint(
                condition=Q(window_days__gte=rules.WINDOW_DAYS_MIN)
                & Q(window_days__lte=rules.WINDOW_DAYS_MAX),
                name="share_task_window_days_range",
            ),
        ]
        indexes = [models.Index(fields=["merchant", "valid_to"])]

    def __str__(self) -> str:
        return self.title


class ShareTaskReward(models.Model):
    """One completed round of a task by a member, and the coupon it gave them."""

    task = models.ForeignKey(ShareTask, on_delete=models.PROTECT, related_name="rewards")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField()
    # The posts that made the round, as counted then.
    post_ids = models.JSONField(default=list)
    # Set in the same transaction that inserts the row: committed rows always have it.
    claim = models.OneToOneField(
        CouponClaim, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("share task reward")
        verbose_name_plural = _("share task rewards")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "member", "round"], name="share_task_reward_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.member_id}#{self.round}"
