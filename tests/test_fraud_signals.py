"""Each fraud signal through the API as the pages and apps use it: sign up and order with an
X-Device-Id header from a public address, pay in the sandbox, and see what the sharer's
GET /commissions and the operator's queue say. Families and lone weak signals are not held.

The edges record the devices a member is seen on (accounts.device_seen); here the tests call it
where the edge does, beside each request."""

from __future__ import annotations

import json
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from conftest import Api
from django.utils import timezone, translation

from sharemall.accounts.models import Member
from sharemall.accounts.services import device_seen, token_issue
from sharemall.distribution import rules
from sharemall.distribution.models import CommissionEntry
from sharemall.orders.models import OrderLine
from tests.factories import PASSWORD, OperatorFactory, merchant, product

pytestmark = pytest.mark.django_db

PLAN = {"share_budget_bp": 2000, "buyer_discount_bp": 500, "level_bp": [800, 0, 0]}
_phones = count(1)


class Person:
    """One account on one phone: its device id and the public address it comes from."""

    def __init__(self, api: Api, device: str, ip: str, share_code: str | None = None) -> None:
        self.api, self.device, self.ip = api, device, ip
        self.phone = f"1391000{next(_phones):04d}"
        body: dict[str, Any] = {"phone": self.phone, "password": PASSWORD, "nickname": device}
        if share_code:
            body["share_code"] = share_code
        answer = self.call("POST", "/auth/register", body)
        assert answer[0] == 201, answer
        self.id, self.token = answer[1]["id"], answer[1]["token"]
        device_seen(self.id, device, ip)  # as the register edge does
        self.code = ""

    @property
    def member(self) -> Member:
        return Member.objects.get(pk=self.id)

    def call(
        self, method: str, path: str, body: Any = None, *, token: str | None = None
    ) -> tuple[int, Any]:
        headers = {"X-Device-Id": self.device}
        if token or getattr(self, "token", None):
            headers["Authorization"] = f"Bearer {token or self.token}"
        send = getattr(self.api.client, method.lower())
        if method == "GET":
            response = send("/api/v1" + path, headers=headers, REMOTE_ADDR=self.ip)
        else:
            response = send(
                "/api/v1" + path,
                data=json.dumps(body or {}),
                content_type="application/json",
                headers=headers,
                REMOTE_ADDR=self.ip,
            )
        return response.status_code, (response.json() if response.content else None)

    def share(self, product_id: int) -> str:
        status, body = self.call(
            "POST", "/shares", {"target_type": "product", "target_id": product_id}
        )
        assert status == 201, body
        self.code = body["code"]
        return self.code

    def buy(
        self,
        sku_id: int,
        via: Person | None,
        *,
        address: str | None = None,
        phone: str | None = None,
        coupon_ids: list[int] | None = None,
    ) -> int:
        """Order through `via`'s link and pay; the order id."""
        device_seen(self.id, self.device, self.ip)  # as the order page's edge does
        delivery = {
            "type": "express",
            "region_code": "440305",
            "address": address or f"科技园{self.id}号",
            "receiver": "收件人",
            "phone": phone or self.phone,
        }
        body = {
            "items": [{"sku_id": sku_id, "quantity": 1}],
            "delivery": delivery,
            "share_code": via.code if via else None,
            "coupon_ids": coupon_ids or [],
        }
        status, created = self.call("POST", "/orders", body)
        assert status == 201, created
        status, paid = self.call("POST", f"/payments/sandbox/{created['payment_id']}/complete")
        assert status == 200, paid
        return int(created["orders"][0]["id"])

    def refund(self, order_id: int, owner: Member) -> None:
        line = OrderLine.objects.filter(order_id=order_id).get()
        status, asked = self.call(
            "POST",
            f"/orders/{order_id}/aftersales",
            {"type": "refund", "lines": [{"line_id": line.pk, "quantity": 1}], "reason": "不要了"},
        )
        assert status == 201, asked
        status, done = self.call(
            "POST", f"/aftersales/{asked['id']}/approve", {}, token=token_issue(owner)
        )
        assert status == 200, done

    def commissions(self) -> list[dict[str, Any]]:
        status, body = self.call("GET", "/commissions")
        assert status == 200, body
        return [e for e in body if e["reversal_of"] is None]


@pytest.fixture
def shop(api: Api) -> tuple[int, int, Member]:
    m = merchant()
    p = product(m, price_fen=9999, stock=1000)
    answer = api.put(
        f"/merchants/{m.pk}/commission-plan", {**PLAN, "region_agent_bp": 0}, as_=m.owner
    )
    assert answer.status == 200, answer.body
    return p.pk, p.skus.get().pk, m.owner


def entry_of(order_id: int, beneficiary: Person) -> CommissionEntry:
    return CommissionEntry.objects.get(
        order_id=order_id, beneficiary_id=beneficiary.id, reversal_of=None
    )


def held_for(order_id: int, beneficiary: Person) -> list[str]:
    entry = entry_of(order_id, beneficiary)
    return entry.reason.split(rules.HOLD_REASON_SEPARATOR) if entry.status == "held" else []


def test_a_self_referral_from_the_same_device_is_held_and_the_operator_reads_why(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, _owner = shop
    sharer = Person(api, "phone-a", "36.1.1.1")
    sharer.share(product_id)
    alt = Person(api, "phone-a", "36.1.1.1", share_code=sharer.code)  # a second account

    order_id = alt.buy(sku_id, sharer)

    [entry] = sharer.commissions()
    assert (entry["status"], entry["order_id"]) == ("held", order_id)
    assert rules.HOLD_SAME_DEVICE in entry["reason"]
    queue = api.get("/platform/commission-holds", as_=OperatorFactory.create()).body
    assert [e["id"] for e in queue] == [entry["id"]]
    with translation.override("zh-hans"):
        assert "订单是在收益人的设备上下的" in rules.hold_reasons(entry["reason"])


def test_a_second_account_signed_up_on_the_sharers_phone_is_held_from_its_own(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, _owner = shop
    sharer = Person(api, "phone-b", "36.1.1.2")
    sharer.share(product_id)
    alt = Person(api, "phone-b", "36.1.1.2", share_code=sharer.code)
    alt.device, alt.ip = "phone-b2", "36.9.9.9"  # then orders from another phone and network

    order_id = alt.buy(sku_id, sharer)

    assert held_for(order_id, sharer) == [rules.HOLD_SHARED_DEVICE]


def test_the_sharers_phone_as_the_delivery_phone_is_held(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, _owner = shop
    sharer = Person(api, "phone-c", "36.1.1.3")
    sharer.share(product_id)
    buyer = Person(api, "phone-c2", "36.1.1.4")

    order_id = buyer.buy(sku_id, sharer, phone=sharer.phone)

    assert held_for(order_id, sharer) == [rules.HOLD_PHONE]


def test_a_device_with_many_accounts_behind_the_buyer_is_a_farm(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, _owner = shop
    sharer = Person(api, "phone-d", "36.1.1.5")
    sharer.share(product_id)
    farm = [Person(api, "farm-phone", f"36.2.2.{i}") for i in range(3)]

    order_id = farm[0].buy(sku_id, sharer)

    assert held_for(order_id, sharer) == [rules.HOLD_DEVICE_FARM]


def test_an_address_farm_holds_the_order_that_shows_it_and_the_ones_before(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, _owner = shop
    sharer = Person(api, "phone-e", "36.1.1.6")
    sharer.share(product_id)
    typed = [
        "幸福路8号2栋301室",
        "幸福路 8 号 2 栋 301 室",
        "幸福路８号，2栋301室",
        "幸福路8号2栋301室",
    ]
    orders = [
        Person(api, f"drop-{i}", f"36.3.3.{i}").buy(sku_id, sharer, address=typed[i])
        for i in range(4)
    ]

    assert all(held_for(o, sharer) == [rules.HOLD_ADDRESS_FARM] for o in orders)


def test_many_buyers_from_one_public_ip_through_one_sharer_are_held(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, _owner = shop
    sharer = Person(api, "phone-f", "36.1.1.7")
    sharer.share(product_id)
    orders = [Person(api, f"ipfarm-{i}", "36.4.4.4").buy(sku_id, sharer) for i in range(5)]

    assert all(rules.HOLD_IP_FARM in held_for(o, sharer) for o in orders)


def test_fresh_accounts_on_one_ip_using_coupons_through_one_sharer_are_held(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, owner = shop
    now = timezone.now()
    made = api.post(
        f"/merchants/{owner.owned_merchants.get().pk}/coupons",
        {
            "kind": "amount",
            "amount_fen": 500,
            "scope": "merchant",
            "total": 100,
            "per_member": 1,
            "valid_from": (now - timedelta(hours=1)).isoformat(),
            "valid_to": (now + timedelta(days=7)).isoformat(),
        },
        as_=owner,
    )
    assert made.status == 201, made.body
    sharer = Person(api, "phone-g", "36.1.1.8")
    sharer.share(product_id)
    orders = []
    for i in range(3):
        newcomer = Person(api, f"coupon-{i}", "36.5.5.5", share_code=sharer.code)
        status, claim = newcomer.call("POST", f"/coupons/{made.body['id']}/claim")
        assert status == 201, claim
        orders.append(newcomer.buy(sku_id, sharer, coupon_ids=[claim["id"]]))

    assert held_for(orders[0], sharer) == held_for(orders[2], sharer) == [rules.HOLD_COUPON_FARM]


def test_buying_through_each_others_links_and_refunding_is_a_ring(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, owner = shop
    a = Person(api, "ring-a", "36.6.6.1")
    b = Person(api, "ring-b", "36.6.6.2")
    a.share(product_id)
    b.share(product_id)
    kept = a.buy(sku_id, b)
    first = a.buy(sku_id, b)
    second = b.buy(sku_id, a)
    assert entry_of(kept, b).status == "pending"  # buying for each other alone holds nothing

    a.refund(first, owner)
    b.refund(second, owner)

    # The refunds show the ring: the order kept is held after the fact, and so is the next.
    assert rules.HOLD_RING in held_for(kept, b)
    assert rules.HOLD_RING in held_for(a.buy(sku_id, b), b)


def test_a_buyer_whose_shared_orders_are_mostly_refunded_is_held(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, owner = shop
    sharer = Person(api, "phone-h", "36.1.1.9")
    sharer.share(product_id)
    buyer = Person(api, "phone-h2", "36.7.7.7")
    for _ in range(3):
        buyer.refund(buyer.buy(sku_id, sharer), owner)

    assert held_for(buyer.buy(sku_id, sharer), sharer) == [rules.HOLD_REFUNDS]


def test_a_family_at_one_address_and_ip_buying_through_each_other_is_not_held(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, owner = shop
    home = ["和平里5号1单元602", "和平里 5 号 1 单元 602", "和平里５号1单元602"]
    mum, dad, kid = (Person(api, f"family-{n}", "36.8.8.8") for n in ("mum", "dad", "kid"))
    for person in (mum, dad, kid):
        person.share(product_id)
    orders = [
        (dad.buy(sku_id, mum, address=home[0]), mum),
        (kid.buy(sku_id, mum, address=home[1]), mum),
        (mum.buy(sku_id, dad, address=home[2]), dad),
        (kid.buy(sku_id, dad, address=home[0]), dad),
        (dad.buy(sku_id, kid, address=home[1]), kid),
    ]
    kid.refund(orders[1][0], owner)  # one thing did not fit
    orders.append((mum.buy(sku_id, kid, address=home[0]), kid))

    assert [entry_of(o, earner).status for o, earner in orders] == [
        "pending",
        "reversed",
        "pending",
        "pending",
        "pending",
        "pending",
    ]


def test_the_sharers_ip_or_address_alone_holds_nothing(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, _owner = shop
    sharer = Person(api, "phone-i", "36.9.1.1")
    sharer.share(product_id)
    sharer.buy(sku_id, None, address="长安街1号")  # the sharer's own order, to their home
    neighbour = Person(api, "phone-i2", "36.9.1.1")  # the same Wi-Fi

    order_id = neighbour.buy(sku_id, sharer, address="长安街 1 号")

    assert entry_of(order_id, sharer).status == "pending"


def test_orders_after_a_click_farm_on_the_link_are_held(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    from sharemall.sharing.services import click_record  # noqa: PLC0415

    product_id, sku_id, _owner = shop
    sharer = Person(api, "phone-j", "36.1.2.1")
    sharer.share(product_id)
    for i in range(10):  # cleared cookies: each a new visitor, all from one address
        click_record(code=sharer.code, visitor_key=f"farm-visit-{i}", ip="36.10.10.10")
    farm_account = Person(api, "phone-j2", "36.10.10.10")
    elsewhere = Person(api, "phone-j3", "36.10.10.11")

    assert held_for(farm_account.buy(sku_id, sharer), sharer) == [rules.HOLD_CLICK_FARM]
    assert entry_of(elsewhere.buy(sku_id, sharer), sharer).status == "pending"
