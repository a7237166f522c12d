"""Self-purchase rebate (自购返佣): the buyer's own level-1 entry is not a fraud signal."""

from __future__ import annotations

import pytest
from conftest import Api
from tests.factories import MemberFactory, OperatorFactory, merchant, product
from tests.flows import ADDRESS, buy, pay, register, share

from sharemall.accounts.models import Member
from sharemall.catalog.models import Sku
from sharemall.distribution.models import CommissionEntry
from sharemall.platform.models import PlatformSettings

pytestmark = pytest.mark.django_db

PLAN = {"share_budget_bp": 2000, "buyer_discount_bp": 500, "level_bp": [800, 400, 0]}


@pytest.fixture
def sku_id(api: Api) -> int:
    m = merchant()
    p = product(m, price_fen=10_000, stock=100)
    assert api.put(f"/merchants/{m.pk}/commission-plan", PLAN, as_=m.owner).status == 200
    return int(p.skus.get().pk)


def _rebate_on(api: Api) -> None:
    answer = api.put(
        "/platform/settings", {"self_purchase_rebate": True}, as_=OperatorFactory.create()
    )
    assert answer.status == 200, answer.body
    assert PlatformSettings.objects.get().self_purchase_rebate


def test_a_distributors_own_purchase_earns_level_one_pending_not_held(
    api: Api, sku_id: int
) -> None:
    _rebate_on(api)
    parent = MemberFactory.create()
    buyer = MemberFactory.create(is_distributor=True, parent=parent)
    # Their own phone, paid by themself, from the device they signed up on: all theirs.
    Member.objects.filter(pk=buyer.pk).update(signup_device="dev-1")
    own = {**ADDRESS, "phone": buyer.phone}

    answer = api.post(
        "/orders",
        {"items": [{"sku_id": sku_id, "quantity": 1}], "delivery": own},
        as_=buyer,
        headers={"X-Device-Id": "dev-1"},
    )
    assert answer.status == 201, answer.body
    created = answer.body
    pay(api, buyer, created["payment_id"])

    entries = {
        e.level: (e.beneficiary_id, e.status, e.reason)
        for e in CommissionEntry.objects.filter(order_id=created["orders"][0]["id"])
    }
    assert entries == {1: (buyer.pk, "pending", ""), 2: (parent.pk, "pending", "")}


def test_the_signal_still_holds_a_sharer_who_paid_for_the_buyer_with_the_rebate_on(
    api: Api, sku_id: int
) -> None:
    _rebate_on(api)
    sharer_id, sharer = register(api, "13700009001")
    Member.objects.filter(pk=sharer_id).update(is_distributor=True)
    product_id = Sku.objects.get(pk=sku_id).product_id
    code = share(api, sharer, product_id)
    _b, buyer = register(api, "13600009001")
    created = buy(api, buyer, sku_id, share_code=code)
    link = api.post(f"/payments/{created['payment_id']}/pay-link", as_=buyer).body
    assert api.post(f"/pay-for-me/{link['token']}/sandbox-complete", as_=sharer).status == 200

    [entry] = CommissionEntry.objects.filter(beneficiary_id=sharer_id)
    assert entry.status == "held"
    assert "beneficiary paid for the order" in entry.reason
