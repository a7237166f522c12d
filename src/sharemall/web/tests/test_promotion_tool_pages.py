"""The console's group-buy and bargain pages: the owner sets one up and stops it; a refusal is
shown on the form; nobody else reaches them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.factories import MemberFactory, merchant, product

from sharemall.promotions.models import Bargain, Coupon, FlashSale, GroupBuy, ShareTask
from sharemall.web.tests.support import browser, page

pytestmark = pytest.mark.django_db


def test_the_owner_sets_up_and_stops_a_group_buy() -> None:
    m = merchant()
    sku = product(m, price_fen=9900, title="保温杯").skus.get()
    owner = browser(m.owner)
    assert "保温杯" in page(owner, "/merchant/group-buys")
    answer = owner.post(
        "/merchant/group-buys", {"sku": sku.pk, "price": "69", "size": "3", "hours": "24"}
    )
    assert answer.status_code == 302
    group_buy = GroupBuy.objects.get(merchant=m)
    assert (group_buy.price_fen, group_buy.size) == (6900, 3)
    assert owner.post(f"/merchant/group-buys/{group_buy.pk}/stop").status_code == 302
    group_buy.refresh_from_db()
    assert group_buy.status == "stopped"


def test_a_group_price_above_the_list_price_is_refused_on_the_form() -> None:
    m = merchant()
    sku = product(m, price_fen=9900).skus.get()
    answer = browser(m.owner).post(
        "/merchant/group-buys", {"sku": sku.pk, "price": "199", "size": "3", "hours": "24"}
    )
    assert answer.status_code == 200
    assert not GroupBuy.objects.exists()


def test_the_owner_sets_up_a_bargain_and_strangers_are_kept_out() -> None:
    m = merchant()
    sku = product(m, price_fen=9900).skus.get()
    owner = browser(m.owner)
    answer = owner.post(
        "/merchant/bargains", {"sku": sku.pk, "floor": "49", "helpers": "5", "hours": "24"}
    )
    assert answer.status_code == 302
    bargain = Bargain.objects.get(merchant=m)
    assert (bargain.start_price_fen, bargain.floor_price_fen, bargain.helpers_needed) == (
        9900,
        4900,
        5,
    )
    stranger = browser(MemberFactory.create())
    assert stranger.post(f"/merchant/bargains/{bargain.pk}/stop").status_code in (302, 404)
    bargain.refresh_from_db()
    assert bargain.status == "active"


def test_the_owner_sets_up_and_stops_a_flash_sale() -> None:
    m = merchant()
    sku = product(m, price_fen=9900).skus.get()
    owner = browser(m.owner)
    start = timezone.localtime() + timedelta(hours=1)
    answer = owner.post(
        "/merchant/flash-sales",
        {
            "sku": sku.pk,
            "price": "59",
            "stock": "20",
            "per_member": "2",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert answer.status_code == 302
    sale = FlashSale.objects.get(merchant=m)
    assert (sale.price_fen, sale.units, sale.per_member) == (5900, 20, 2)
    assert "Not started" in page(owner, "/merchant/flash-sales")
    assert owner.post(f"/merchant/flash-sales/{sale.pk}/stop").status_code == 302
    sale.refresh_from_db()
    assert sale.stopped_at is not None


def test_the_owner_sets_up_a_share_task_rewarding_a_task_coupon() -> None:
    m = merchant()
    owner = browser(m.owner)
    now = timezone.localtime()
    window = {
        "valid_from": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "valid_to": (now + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
    }
    made = owner.post(
        "/merchant/coupons/new",
        {
            "title": "晒单奖励券",
            "kind": "amount",
            "threshold": "0",
            "amount": "10",
            "scope": "merchant",
            "total": "100",
            "per_member": "1",
            "channel": "task",
            **window,
        },
    )
    assert made.status_code == 302
    reward = Coupon.objects.get(merchant=m)
    assert "晒单奖励券" in page(owner, "/merchant/share-tasks")
    answer = owner.post(
        "/merchant/share-tasks",
        {
            "title": "三篇体验帖带来成交",
            "posts_needed": "3",
            "window_days": "7",
            "reward": reward.pk,
            "max_completions": "1",
            **window,
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    task = ShareTask.objects.get(merchant=m)
    assert (task.posts_needed, task.window_days, task.reward_coupon_id) == (3, 7, reward.pk)
    assert owner.post(f"/merchant/share-tasks/{task.pk}/stop").status_code == 302
    task.refresh_from_db()
    assert task.stopped_at is not None
