"""Share task rewards on PostgreSQL: however many evaluation runs race, each completed round is
rewarded exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sharemall.config.jobs import run_due_jobs
from sharemall.promotions.models import CouponClaim, ShareTask, ShareTaskReward
from sharemall.promotions.rules import tasks as task_rules
from sharemall.promotions.services import tasks as services
from tests.factories import MemberFactory, merchant, product
from tests.races import all_at_once, postgres_only
from tests.test_share_tasks import LATER, _post, _reward_coupon, _sale

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    postgres_only()


def test_twelve_evaluations_at_once_reward_each_round_once() -> None:
    m = merchant()
    sku = product(m, stock=100, price_fen=5000).skus.get()
    now = timezone.now()
    task = services.task_create(
        merchant=m,
        actor=m.owner,
        reward_coupon=_reward_coupon(m, m.owner, per_member=2),
        definition=task_rules.Definition(
            merchant_id=m.pk,
            title="两篇晒单得券",
            posts_needed=1,
            window_days=7,
            max_completions=2,
            valid_from=now - timedelta(days=1),
            valid_to=now + timedelta(days=10),
        ),
    )
    authors = [MemberFactory.create() for _ in range(3)]
    for author in authors:
        for _ in range(2):
            _sale(MemberFactory.create(), sku, _post(author, sku, m.owner)[1], m.owner)
    later = timezone.now() + LATER
    run_due_jobs(later)  # completes the orders (and rewards them: undo that to race it)
    ShareTaskReward.objects.all().delete()
    CouponClaim.objects.filter(coupon_id=task.reward_coupon_id).delete()
    type(task.reward_coupon).objects.filter(pk=task.reward_coupon_id).update(claimed=0)

    fresh = ShareTask.objects.get(pk=task.pk)
    outcomes = all_at_once([lambda: services.tasks_evaluate(later) for _ in range(12)])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(outcomes) == 6  # three authors, two rounds each
    assert ShareTaskReward.objects.filter(task=fresh).count() == 6
    for author in authors:
        assert (
            CouponClaim.objects.filter(member=author, coupon_id=task.reward_coupon_id).count() == 2
        )
