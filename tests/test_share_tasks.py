"""Share tasks (任务): "N of your posts each bring a completed sale within the window → a coupon".

Real flows: the author buys, receives and posts; other buyers buy through the post's share
code; the sale is paid, shipped, received and completed by `run-due-jobs`, whose share-task
sweep then gives the reward. Only completed sales to someone else count — never clicks,
sign-ups, self-purchases, unpaid, cancelled or refunded orders, or sales outside the window —
and each post counts once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import Api
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.aftersales import services as aftersales
from sharemall.catalog.models import Sku
from sharemall.checkout import services as checkout
from sharemall.checkout.pricing import Delivery, Item
from sharemall.config.jobs import run_due_jobs
from sharemall.merchants.models import Merchant
from sharemall.orders import services as order_services
from sharemall.orders.models import Order
from sharemall.posts import services as post_services
from sharemall.posts.models import Post
from sharemall.promotions.models import CouponClaim, ShareTask, ShareTaskReward
from sharemall.promotions.rules import coupons as coupon_rules
from sharemall.promotions.services import coupons
from sharemall.promotions.services.tasks import tasks_evaluate
from sharemall.sharing import services as sharing
from sharemall.sharing.models import ShareLink
from tests.factories import MemberFactory, OperatorFactory, merchant, product
from tests.flows import register

pytestmark = pytest.mark.django_db

EXPRESS = Delivery("express", "440305", "路 1 号", "收件人", "13912345678")
# Far enough ahead that every received order's after-sales window has closed.
LATER = timedelta(days=40)


def _reward_coupon(m: Merchant | None, actor: Member, *, per_member: int = 1) -> Any:
    now = timezone.now()
    return coupons.coupon_create(
        merchant=m,
        actor=actor,
        title="任务奖励 5 元",
        channel=coupon_rules.TASK,
        definition=coupon_rules.Definition(
            coupon_rules.Coupon(
                "new",
                coupon_rules.AMOUNT,
                amount_fen=500,
                scope=coupon_rules.SCOPE_MERCHANT if m else coupon_rules.SCOPE_PLATFORM,
                scope_ids=frozenset({m.pk}) if m else frozenset(),
                funded_by=coupon_rules.FUNDED_BY_MERCHANT if m else coupon_rules.FUNDED_BY_PLATFORM,
                merchant_id=m.pk if m else None,
            ),
            total=100,
            per_member=per_member,
            valid_from=now - timedelta(days=30),
            valid_to=now + timedelta(days=90),
        ),
    )


def _task_body(coupon_id: int, **fields: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "title": "晒单带货三单得券",
        "posts_needed": 3,
        "window_days": 7,
        "reward_coupon_id": coupon_id,
        "valid_from": (now - timedelta(days=20)).isoformat(),
        "valid_to": (now + timedelta(days=20)).isoformat(),
        **fields,
    }


def _create_task(api: Api, m: Merchant, **fields: Any) -> ShareTask:
    coupon = _reward_coupon(m, m.owner, per_member=fields.pop("per_member", 1))
    answer = api.post(
        f"/merchants/{m.pk}/share-tasks", _task_body(coupon.pk, **fields), as_=m.owner
    )
    assert answer.status == 201, answer.body
    return ShareTask.objects.get(pk=answer.body["id"])


def _paid_order(buyer: Member, sku: Sku, share_code: str | None = None) -> Order:
    made = checkout.order_create(
        buyer=buyer, items=[Item(sku.pk, 1)], delivery=EXPRESS, share_code=share_code
    )
    checkout.sandbox_complete(made.payment)
    order = made.orders[0]
    order.refresh_from_db()
    return order


def _received(order: Order, owner: Member) -> Order:
    order_services.order_ship(order, actor=owner, no_logistics=True)
    order.refresh_from_db()
    order_services.order_confirm_receipt(order, actor=order.buyer)
    order.refresh_from_db()
    return order


def _post(author: Member, sku: Sku, owner: Member) -> tuple[Post, str]:
    """The author buys, receives and posts about it: the post and its share code."""
    order = _received(_paid_order(author, sku), owner)
    post = post_services.post_create(
        author=author, order_line_id=order.lines.get().pk, text="好用", rating=5, images=[]
    )
    assert post.share_link is not None
    return post, post.share_link.code


def _sale(buyer: Member, sku: Sku, code: str, owner: Member) -> Order:
    """A sale through a post's code, paid, shipped and received (completed by the jobs)."""
    order = _received(_paid_order(buyer, sku, code), owner)
    assert order.share_link_id is not None
    return order


def _my_task(api: Api, member: Member, task: ShareTask) -> dict[str, Any]:
    answer = api.get("/me/tasks", as_=member)
    assert answer.status == 200, answer.body
    return next(t for t in answer.body if t["task_id"] == task.pk)


def _rewards(task: ShareTask, member: Member) -> list[ShareTaskReward]:
    return list(ShareTaskReward.objects.filter(task=task, member=member))


@pytest.fixture
def shop() -> tuple[Merchant, Sku]:
    m = merchant()
    return m, product(m, stock=200, price_fen=5000).skus.get()


def test_three_posts_each_with_a_completed_sale_earn_the_coupon_once(
    api: Api, shop: tuple[Merchant, Sku]
) -> None:
    m, sku = shop
    task = _create_task(api, m)
    author = MemberFactory.create()
    codes = [_post(author, sku, m.owner)[1] for _ in range(3)]
    for code in codes:
        _sale(MemberFactory.create(), sku, code, m.owner)

    progress = _my_task(api, author, task)
    assert (progress["counted_posts"], progress["pending_posts"]) == (0, 3)  # not completed yet
    assert progress["completed_times"] == 0

    moved = run_due_jobs(timezone.now() + LATER)
    assert moved["share_tasks_evaluate"] == 1
    assert run_due_jobs(timezone.now() + LATER)["share_tasks_evaluate"] == 0
    assert tasks_evaluate(timezone.now() + LATER) == 0

    [reward] = _rewards(task, author)
    assert reward.round == 1 and len(reward.post_ids) == 3
    claims = CouponClaim.objects.filter(member=author, coupon=task.reward_coupon)
    assert claims.count() == 1
    assert claims.get().channel == coupon_rules.TASK
    assert reward.claim_id == claims.get().pk
    progress = _my_task(api, author, task)
    assert progress["counted_posts"] == 3
    assert progress["completed_times"] == 1
    assert progress["reward"]["coupon_id"] == task.reward_coupon_id
    assert progress["reward"]["amount_fen"] == 500
    mine = api.get("/me/coupons", as_=author).body
    assert [c["coupon_id"] for c in mine] == [task.reward_coupon_id]
    listed = api.get(f"/merchants/{m.pk}/share-tasks", as_=m.owner).body
    assert (listed[0]["rewards_given"], listed[0]["members_rewarded"]) == (1, 1)


def test_clicks_signups_self_purchases_and_undone_orders_do_not_count(
    api: Api, shop: tuple[Merchant, Sku]
) -> None:
    m, sku = shop
    task = _create_task(api, m, posts_needed=1)
    author = MemberFactory.create()
    # Clicks and a sign-up through the post: no sale.
    _post_a, clicked = _post(author, sku, m.owner)
    for _ in range(5):
        sharing.click_record(code=clicked, visitor_member=MemberFactory.create())
    register(api, "13700000001", share_code=clicked)
    # The author buying through their own post: attribution ignores the own link; even an
    # order that names it (by any path) never counts.
    _post_b, own = _post(author, sku, m.owner)
    bought_self = _received(_paid_order(author, sku, own), m.owner)
    Order.objects.filter(pk=bought_self.pk).update(
        share_link_id=ShareLink.objects.get(code=own).pk, attribution="share", degree=1
    )
    # Unpaid, cancelled at the unpaid timeout, and refunded in full.
    _post_c, undone = _post(author, sku, m.owner)
    checkout.order_create(
        buyer=MemberFactory.create(), items=[Item(sku.pk, 1)], delivery=EXPRESS, share_code=undone
    )
    refunded = _paid_order(MemberFactory.create(), sku, undone)
    aftersales.order_refund_whole(refunded, reason="测试全额退款")
    refunded.refresh_from_db()
    assert refunded.status == "closed"

    run_due_jobs(timezone.now() + LATER)  # cancels the unpaid order, completes what it can
    assert Order.objects.filter(share_link_id__isnull=False, status="cancelled").count() == 1
    assert _rewards(task, author) == []
    progress = _my_task(api, author, task)
    assert (progress["counted_posts"], progress["pending_posts"]) == (0, 0)


def test_a_sale_outside_the_window_or_of_another_shop_does_not_count_and_a_post_counts_once(
    api: Api, shop: tuple[Merchant, Sku]
) -> None:
    m, sku = shop
    other_sku = product(merchant(), stock=50).skus.get()
    task = _create_task(api, m, posts_needed=2, window_days=3)
    author = MemberFactory.create()
    # Published 4 days ago (inside the task, outside a 3-day window for a sale now).
    _late, late = _post(author, sku, m.owner)
    ShareLink.objects.filter(code=late).update(created_at=timezone.now() - timedelta(days=4))
    _sale(MemberFactory.create(), sku, late, m.owner)
    # Another shop's goods bought through the post: not this merchant's sale.
    _elsewhere, elsewhere = _post(author, sku, m.owner)
    _sale(MemberFactory.create(), other_sku, elsewhere, other_sku.product.merchant.owner)
    # Two sales through one post: one post.
    _twice, twice = _post(author, sku, m.owner)
    _sale(MemberFactory.create(), sku, twice, m.owner)
    _sale(MemberFactory.create(), sku, twice, m.owner)

    run_due_jobs(timezone.now() + LATER)
    assert _rewards(task, author) == []
    assert _my_task(api, author, task)["counted_posts"] == 1
    # One more post with a sale inside its window completes the round.
    _last, last = _post(author, sku, m.owner)
    _sale(MemberFactory.create(), sku, last, m.owner)
    run_due_jobs(timezone.now() + LATER)
    [reward] = _rewards(task, author)
    assert sorted(reward.post_ids) == sorted([_twice.pk, _last.pk])


def test_a_post_published_before_the_task_does_not_count(
    api: Api, shop: tuple[Merchant, Sku]
) -> None:
    m, sku = shop
    author = MemberFactory.create()
    _old, old = _post(author, sku, m.owner)
    now = timezone.now()
    task = _create_task(
        api,
        m,
        posts_needed=1,
        valid_from=(now + timedelta(seconds=1)).isoformat(),
        valid_to=(now + timedelta(days=5)).isoformat(),
    )
    _sale(MemberFactory.create(), sku, old, m.owner)
    tasks_evaluate(now + timedelta(days=1))
    run_due_jobs(now + LATER)
    assert _rewards(task, author) == []


def test_a_task_completes_as_many_rounds_as_allowed(api: Api, shop: tuple[Merchant, Sku]) -> None:
    m, sku = shop
    task = _create_task(api, m, posts_needed=1, max_completions=2, per_member=2)
    author = MemberFactory.create()
    for _ in range(3):
        _sale(MemberFactory.create(), sku, _post(author, sku, m.owner)[1], m.owner)
    run_due_jobs(timezone.now() + LATER)
    run_due_jobs(timezone.now() + LATER)
    assert sorted(r.round for r in _rewards(task, author)) == [1, 2]
    assert CouponClaim.objects.filter(member=author, coupon=task.reward_coupon).count() == 2
    assert _my_task(api, author, task)["completed_times"] == 2


def test_a_platform_task_counts_any_shop_and_pays_a_platform_coupon(
    api: Api, shop: tuple[Merchant, Sku]
) -> None:
    m, sku = shop
    operator = OperatorFactory.create()
    coupon = _reward_coupon(None, operator)
    answer = api.post("/platform/share-tasks", _task_body(coupon.pk, posts_needed=1), as_=operator)
    assert answer.status == 201, answer.body
    task = ShareTask.objects.get(pk=answer.body["id"])
    assert [t["id"] for t in api.get("/tasks").body] == [task.pk]
    author = MemberFactory.create()
    _sale(MemberFactory.create(), sku, _post(author, sku, m.owner)[1], m.owner)
    run_due_jobs(timezone.now() + LATER)
    assert len(_rewards(task, author)) == 1
    assert api.get("/platform/share-tasks", as_=operator).body[0]["rewards_given"] == 1


def test_task_definitions_are_checked(api: Api, shop: tuple[Merchant, Sku]) -> None:
    m, _sku = shop
    claimable = coupons.coupon_create(
        merchant=m,
        actor=m.owner,
        title="领券",
        definition=coupon_rules.Definition(
            coupon_rules.Coupon(
                "new",
                coupon_rules.AMOUNT,
                amount_fen=500,
                scope=coupon_rules.SCOPE_MERCHANT,
                scope_ids=frozenset({m.pk}),
                funded_by=coupon_rules.FUNDED_BY_MERCHANT,
                merchant_id=m.pk,
            ),
            total=10,
            per_member=1,
            valid_from=timezone.now(),
            valid_to=timezone.now() + timedelta(days=9),
        ),
    )
    refused = api.post(f"/merchants/{m.pk}/share-tasks", _task_body(claimable.pk), as_=m.owner)
    assert (refused.status, refused.error_code) == (400, "invalid_reward")
    task_coupon = _reward_coupon(m, m.owner)
    for fields, code in (
        ({"posts_needed": 0}, None),
        ({"posts_needed": 21}, None),
        ({"window_days": 31}, None),
        ({"max_completions": 2}, "invalid_reward"),  # the coupon allows one per member
        ({"valid_to": _ago(30)}, "invalid_window"),
    ):
        answer = api.post(
            f"/merchants/{m.pk}/share-tasks", _task_body(task_coupon.pk, **fields), as_=m.owner
        )
        assert answer.status in (400, 422), (fields, answer.body)
        if code:
            assert answer.error_code == code
    # Another shop's coupon is no coupon at all.
    theirs = _reward_coupon(merchant(), MemberFactory.create())
    answer = api.post(f"/merchants/{m.pk}/share-tasks", _task_body(theirs.pk), as_=m.owner)
    assert answer.status == 404


def _ago(days: int) -> str:
    moment: datetime = timezone.now() - timedelta(days=days)
    return moment.isoformat()


def test_a_task_in_campaign_analytics_sold_its_sales_and_cost_its_rewards_use(
    api: Api, shop: tuple[Merchant, Sku]
) -> None:
    m, sku = shop
    task = _create_task(api, m, posts_needed=2)
    author = MemberFactory.create()
    sales = [
        _sale(MemberFactory.create(), sku, _post(author, sku, m.owner)[1], m.owner)
        for _ in range(2)
    ]
    run_due_jobs(timezone.now() + LATER)
    claim = CouponClaim.objects.get(member=author, coupon=task.reward_coupon)
    # The author spends the reward: ¥5 off their next order of the shop.
    made = checkout.order_create(
        buyer=author, items=[Item(sku.pk, 1)], delivery=EXPRESS, coupon_ids=[claim.pk]
    )
    checkout.sandbox_complete(made.payment)
    rows = {
        (r["kind"], r["campaign_id"]): r
        for r in api.get(f"/merchants/{m.pk}/campaigns", as_=m.owner).body
    }
    row = rows[("task", task.pk)]
    assert (row["orders"], row["buyers"]) == (2, 2)
    assert row["gmv_fen"] == sum(s.total_fen for s in sales) == 10000
    assert (row["cost_fen"], row["cost_ratio_bp"]) == (500, 500)
    assert row["by_degree"] == {"1": 2, "2": 0, "3+": 0, "direct": 0}
    assert rows[("coupon", task.reward_coupon_id)]["cost_fen"] == 500


def test_a_stopped_task_counts_no_post_published_after_it_stopped(
    api: Api, shop: tuple[Merchant, Sku]
) -> None:
    m, sku = shop
    task = _create_task(api, m, posts_needed=2)
    author = MemberFactory.create()
    _sale(MemberFactory.create(), sku, _post(author, sku, m.owner)[1], m.owner)
    stopped = api.post(f"/merchants/{m.pk}/share-tasks/{task.pk}/stop", as_=m.owner)
    assert (stopped.status, stopped.body["stopped"]) == (200, True)
    assert api.get("/tasks").body == []  # no longer running
    _sale(MemberFactory.create(), sku, _post(author, sku, m.owner)[1], m.owner)
    run_due_jobs(timezone.now() + LATER)
    assert _rewards(task, author) == []
    # Another shop's owner cannot stop it.
    other = merchant()
    assert (
        api.post(f"/merchants/{other.pk}/share-tasks/{task.pk}/stop", as_=other.owner).status == 404
    )


def test_a_deleted_post_counts_no_more(api: Api, shop: tuple[Merchant, Sku]) -> None:
    m, sku = shop
    task = _create_task(api, m, posts_needed=1)
    author = MemberFactory.create()
    post, code = _post(author, sku, m.owner)
    _sale(MemberFactory.create(), sku, code, m.owner)
    post_services.post_delete(author=author, post_id=post.pk)
    run_due_jobs(timezone.now() + LATER)
    assert _rewards(task, author) == []
    assert _my_task(api, author, task)["counted_posts"] == 0
