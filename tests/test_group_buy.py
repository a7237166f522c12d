"""Group-buy (拼团) through the API: a merchant sets one up, a leader opens a group, members
join through it and pay; the group fills and its orders ship, or it expires and everyone who
paid is refunded through the provider, once. Only paid members ever count or show."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.aftersales import services as aftersales_services
from sharemall.aftersales.models import AfterSale
from sharemall.checkout import services as checkout
from sharemall.checkout.services_promotions import groups_expire
from sharemall.config.jobs import run_due_jobs
from sharemall.core.errors import DomainError
from sharemall.notifications.models import Notice
from sharemall.orders.models import Order
from sharemall.payments.models import Refund
from sharemall.promotions.models import Group, GroupEvent, GroupMember
from sharemall.promotions.services import groups as group_services
from sharemall.web.tests.support import browser, page
from tests.factories import MemberFactory
from tests.flows import ADDRESS
from tests.group_buy_support import GROUP_FEN, LIST_FEN, group_buy

pytestmark = pytest.mark.django_db


def _open(api: Api, gb_id: int, leader: Member) -> dict[str, Any]:
    answer = api.post(f"/group-buys/{gb_id}/groups", {"delivery": ADDRESS}, as_=leader)
    assert answer.status == 201, answer.body
    return dict(answer.body)


def _join(api: Api, group_id: int, member: Member) -> dict[str, Any]:
    answer = api.post(f"/groups/{group_id}/join", {"delivery": ADDRESS}, as_=member)
    assert answer.status == 201, answer.body
    return dict(answer.body)


def _pay(api: Api, who: Member, payment_id: int) -> None:
    answer = api.post(f"/payments/sandbox/{payment_id}/complete", as_=who)
    assert answer.status == 200, answer.body


def _order(payment_id: int) -> Order:
    return Order.objects.get(payment_id=payment_id)


def _refunds(order: Order) -> list[Refund]:
    return list(Refund.objects.filter(payment_id=order.payment_id))


def test_a_merchant_sets_up_a_group_buy_within_the_limits(api: Api) -> None:
    gb = group_buy()
    owner, sku = gb.merchant.owner, gb.sku
    path = f"/merchants/{gb.merchant_id}/group-buys"
    good = {"sku_id": sku.pk, "price_fen": 5000, "size": 2, "hours": 72}
    for bad in (
        {"size": 1},
        {"size": 51},
        {"hours": 0},
        {"hours": 73},
        {"price_fen": 0},
        {"price_fen": LIST_FEN},
    ):
        answer = api.post(path, {**good, **bad}, as_=owner)
        assert (answer.status, answer.error_code) == (400, "invalid_group_buy"), bad
    other_sku = group_buy().sku
    assert api.post(path, {**good, "sku_id": other_sku.pk}, as_=owner).error_code == "unknown_sku"
    assert api.post(path, good, as_=MemberFactory.create()).status == 404
    created = api.post(path, good, as_=owner)
    assert created.status == 201 and created.body["id"] > 0
    assert created.body["price_fen"] == 5000 and created.body["status"] == "active"
    listed = api.get(path, as_=owner)
    assert {g["id"] for g in listed.body} == {gb.pk, created.body["id"]}

    stopped = api.post(f"{path}/{created.body['id']}/stop", as_=owner)
    assert stopped.body["status"] == "stopped"
    refused = api.post(
        f"/group-buys/{created.body['id']}/groups",
        {"delivery": ADDRESS},
        as_=MemberFactory.create(),
    )
    assert (refused.status, refused.error_code) == (409, "group_buy_ended")


def test_a_group_of_three_fills_and_only_then_ships(api: Api) -> None:
    gb = group_buy(size=3)
    owner = gb.merchant.owner
    leader, second, third = (MemberFactory.create() for _ in range(3))

    opened = _open(api, gb.pk, leader)
    assert opened["amount_fen"] == GROUP_FEN
    group_id = opened["group_id"]
    # Nobody joins before the leader has paid.
    early = api.post(f"/groups/{group_id}/join", {"delivery": ADDRESS}, as_=second)
    assert (early.status, early.error_code) == (409, "group_not_open")
    _pay(api, leader, opened["payment_id"])

    page = api.get(f"/groups/{group_id}").body
    assert page["status"] == "forming" and page["size"] == 3 and page["paid_count"] == 1
    assert page["members"] == [
        {"member_id": leader.pk, "paid": True, "is_leader": True, "nickname": leader.nickname}
    ]
    assert page["price_fen"] == GROUP_FEN and page["list_price_fen"] == LIST_FEN
    assert page["share_url"].endswith(f"/group/{group_id}")
    assert page["expires_at"] == Group.objects.get(pk=group_id).expires_at.isoformat()

    leader_order = _order(opened["payment_id"])
    assert leader_order.status == "paid" and leader_order.on_hold
    held = api.post(
        f"/orders/{leader_order.pk}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=owner
    )
    assert (held.status, held.error_code) == (409, "order_on_hold")

    joined = _join(api, group_id, second)
    assert joined["amount_fen"] == GROUP_FEN
    again = api.post(f"/groups/{group_id}/join", {"delivery": ADDRESS}, as_=second)
    assert (again.status, again.error_code) == (409, "already_in_group")
    # Joined but unpaid: holds nothing and is not shown.
    assert api.get(f"/groups/{group_id}").body["paid_count"] == 1
    assert len(api.get(f"/groups/{group_id}").body["members"]) == 1
    _pay(api, second, joined["payment_id"])
    again = api.post(f"/groups/{group_id}/join", {"delivery": ADDRESS}, as_=second)
    assert (again.status, again.error_code) == (409, "already_in_group")

    last = _join(api, group_id, third)
    _pay(api, third, last["payment_id"])
    page = api.get(f"/groups/{group_id}").body
    assert page["status"] == "succeeded" and page["paid_count"] == 3 and page["seats_left"] == 0
    assert [m["member_id"] for m in page["members"]] == [leader.pk, second.pk, third.pk]
    assert list(
        GroupEvent.objects.filter(group_id=group_id).values_list("to_status", flat=True)
    ) == ["succeeded"]

    for payment_id in (opened["payment_id"], joined["payment_id"], last["payment_id"]):
        order = _order(payment_id)
        assert order.status == "paid" and not order.on_hold and order.total_fen == GROUP_FEN
        shipped = api.post(
            f"/orders/{order.pk}/ship", {"carrier": "SF", "tracking_no": f"SF{order.pk}"}, as_=owner
        )
        assert shipped.status == 200, shipped.body
    assert Refund.objects.count() == 0
    assert set(
        Notice.objects.filter(kind="group_succeeded").values_list("recipient_id", flat=True)
    ) == {leader.pk, second.pk, third.pk}
    closed = api.post(f"/groups/{group_id}/join", {"delivery": ADDRESS}, as_=MemberFactory.create())
    assert (closed.status, closed.error_code) == (409, "group_closed")


def test_the_payer_after_the_last_seat_is_refunded_at_once_and_told_why(api: Api) -> None:
    gb = group_buy(size=2)
    leader, second, third = (MemberFactory.create() for _ in range(3))
    opened = _open(api, gb.pk, leader)
    _pay(api, leader, opened["payment_id"])
    # Both may start paying: a join holds nothing until it is paid.
    a = _join(api, opened["group_id"], second)
    b = _join(api, opened["group_id"], third)
    _pay(api, second, a["payment_id"])
    _pay(api, third, b["payment_id"])

    group = Group.objects.get(pk=opened["group_id"])
    assert (group.status, group.paid_count) == ("succeeded", 2)
    late = _order(b["payment_id"])
    assert late.status == "closed" and late.refunded_fen == GROUP_FEN
    [refund] = _refunds(late)
    assert (refund.amount_fen, refund.status) == (GROUP_FEN, Refund.Status.SUCCEEDED)
    assert AfterSale.objects.get(order=late).reason == group_services.reason_full()
    assert GroupMember.objects.get(order=late).status == "refused"
    page = api.get(f"/groups/{group.pk}").body
    assert [m["member_id"] for m in page["members"]] == [leader.pk, second.pk]
    # The seated orders were not touched.
    assert not _refunds(_order(a["payment_id"]))
    # A replayed capture of the refused payment changes nothing.
    assert _refunds(late) == [refund]


def test_a_group_that_expires_refunds_every_paid_member_once(api: Api) -> None:
    gb = group_buy(size=3, hours=2)
    leader, second, unpaid = (MemberFactory.create() for _ in range(3))
    opened = _open(api, gb.pk, leader)
    _pay(api, leader, opened["payment_id"])
    joined = _join(api, opened["group_id"], second)
    _pay(api, second, joined["payment_id"])
    pending = _join(api, opened["group_id"], unpaid)
    group = Group.objects.get(pk=opened["group_id"])

    assert groups_expire(group.expires_at - timedelta(seconds=1)) == 0
    assert run_due_jobs(group.expires_at + timedelta(minutes=1))["group_buy_expiry"] == 3
    group.refresh_from_db()
    assert group.status == "failed"
    for payment_id in (opened["payment_id"], joined["payment_id"]):
        order = _order(payment_id)
        assert order.status == "closed" and order.refunded_fen == GROUP_FEN
        [refund] = _refunds(order)
        assert (refund.amount_fen, refund.status) == (GROUP_FEN, Refund.Status.SUCCEEDED)
        assert AfterSale.objects.get(order=order).reason == group_services.reason_expired()
        assert GroupMember.objects.get(order=order).status == "refunded"
    # The unpaid join was never charged: its order waits for the usual timeout.
    assert _order(pending["payment_id"]).status in ("pending_payment", "cancelled")
    assert not _refunds(_order(pending["payment_id"]))
    # Again, later: nothing more.
    assert groups_expire(group.expires_at + timedelta(hours=1)) == 0
    assert Refund.objects.count() == 2
    assert list(GroupEvent.objects.filter(group=group).values_list("to_status", flat=True)) == [
        "failed"
    ]
    page = api.get(f"/groups/{group.pk}").body
    assert page["status"] == "failed" and len(page["members"]) == 2
    assert set(
        Notice.objects.filter(kind="group_failed").values_list("recipient_id", flat=True)
    ) == {leader.pk, second.pk}
    assert api.post(f"/groups/{group.pk}/join", {"delivery": ADDRESS}, as_=unpaid).status == 409


def test_a_join_never_paid_holds_no_seat_and_frees_the_member(api: Api) -> None:
    gb = group_buy(size=2)
    leader, drifter = MemberFactory.create(), MemberFactory.create()
    opened = _open(api, gb.pk, leader)
    _pay(api, leader, opened["payment_id"])
    joined = _join(api, opened["group_id"], drifter)
    payment = _order(joined["payment_id"]).payment
    checkout.unpaid_timeout(payment.expires_at + timedelta(seconds=1))
    assert GroupMember.objects.get(order__payment=payment).status == "cancelled"
    group = Group.objects.get(pk=opened["group_id"])
    assert (group.status, group.paid_count) == ("forming", 1)
    # The member may join again, and pay this time.
    again = _join(api, group.pk, drifter)
    _pay(api, drifter, again["payment_id"])
    assert Group.objects.get(pk=group.pk).status == "succeeded"


def test_a_leader_who_never_pays_fails_the_group_with_no_one_to_refund(api: Api) -> None:
    gb = group_buy(size=2)
    leader = MemberFactory.create()
    opened = _open(api, gb.pk, leader)
    payment = _order(opened["payment_id"]).payment
    checkout.unpaid_timeout(payment.expires_at + timedelta(seconds=1))
    group = Group.objects.get(pk=opened["group_id"])
    assert (group.status, group.paid_count) == ("failed", 0)
    assert Refund.objects.count() == 0
    assert groups_expire(group.expires_at + timedelta(minutes=1)) == 0


def test_the_group_buy_page_lists_groups_one_can_join(api: Api) -> None:
    gb = group_buy(size=3)
    paid_leader, unpaid_leader = MemberFactory.create(), MemberFactory.create()
    opened = _open(api, gb.pk, paid_leader)
    _pay(api, paid_leader, opened["payment_id"])
    _open(api, gb.pk, unpaid_leader)
    page = api.get(f"/group-buys/{gb.pk}")
    assert page.status == 200
    assert page.body["price_fen"] == GROUP_FEN and page.body["list_price_fen"] == LIST_FEN
    assert [g["id"] for g in page.body["open_groups"]] == [opened["group_id"]]
    assert api.get("/groups/999999").status == 404
    assert timezone.now() < Group.objects.get(pk=opened["group_id"]).expires_at


def test_the_group_page_shows_paid_members_and_empty_seats_and_joins_through_checkout(
    api: Api,
) -> None:
    gb = group_buy(size=3)
    leader, visitor = MemberFactory.create(), MemberFactory.create()
    opened = _open(api, gb.pk, leader)
    _pay(api, leader, opened["payment_id"])
    _join(api, opened["group_id"], MemberFactory.create())  # joined, never paid: not shown
    url = f"/group/{opened['group_id']}"

    body = page(browser(), url)
    assert body.count("seat seat-paid") == 1 and body.count("seat seat-empty") == 2
    assert leader.nickname in body and 'id="group-join"' in body
    assert 'id="group-share-link"' in page(browser(leader), url)
    assert 'id="group-join"' not in page(browser(leader), url)
    assert f"/group-buys/{gb.pk}/open" in page(browser(), f"/p/{gb.sku.product_id}")

    client = browser(visitor)
    form = client.get(f"{url}/join")
    assert form.status_code == 200
    answer = client.post(
        f"{url}/join",
        {
            "region_code": ADDRESS["region_code"],
            "address": ADDRESS["address"],
            "receiver": ADDRESS["receiver"],
            "phone": ADDRESS["phone"],
        },
    )
    assert answer.status_code == 302, answer.content[:500]
    seat = GroupMember.objects.get(group_id=opened["group_id"], member=visitor)
    assert seat.order.payment.payment_no in answer["Location"]
    again = client.post(f"{url}/join", {"address_id": ""})
    assert again.status_code == 400 and 'id="group-error"' in again.content.decode()


def test_a_refused_payer_whose_refund_could_not_start_is_refunded_by_the_job(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    gb = group_buy(size=2)
    leader, second, third = (MemberFactory.create() for _ in range(3))
    opened = _open(api, gb.pk, leader)
    _pay(api, leader, opened["payment_id"])
    a = _join(api, opened["group_id"], second)
    b = _join(api, opened["group_id"], third)
    _pay(api, second, a["payment_id"])

    def provider_down(order: Order, *, reason: str) -> None:
        raise DomainError("provider down", code="provider_error")

    with monkeypatch.context() as patched:
        patched.setattr(aftersales_services, "order_refund_whole", provider_down)
        _pay(api, third, b["payment_id"])
    late = _order(b["payment_id"])
    assert (late.status, _refunds(late)) == ("paid", [])

    assert groups_expire(timezone.now()) == 1
    late.refresh_from_db()
    assert late.status == "closed" and len(_refunds(late)) == 1
    assert AfterSale.objects.get(order=late).reason == group_services.reason_full()
    assert groups_expire(timezone.now()) == 0
    assert len(_refunds(late)) == 1
