"""The console's group-buy and bargain pages: the owner sets one up and stops it; a refusal is
shown on the form; nobody else reaches them."""

from __future__ import annotations

import pytest
from tests.factories import MemberFactory, merchant, product

from sharemall.promotions.models import Bargain, GroupBuy
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
