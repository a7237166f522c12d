"""Notices: written with their event (once per event), read in the message centre, and sent
out on the member's channels by the delivery job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import Api
from django.utils import timezone
from django.utils.translation import gettext

from sharemall.checkout import services as checkout
from sharemall.community.rules import CATEGORIES
from sharemall.core.errors import InvalidTransition
from sharemall.notifications import rules
from sharemall.notifications.models import Delivery, Notice, NotificationPreference
from sharemall.notifications.services import notifications_deliver, notify
from sharemall.orders import services as orders
from sharemall.orders.models import Order
from sharemall.sms.models import SandboxSms
from tests.factories import MemberFactory, merchant, product

pytestmark = pytest.mark.django_db

EXPRESS = checkout.Delivery("express", "440305", "科技园 1 号", "王小二", "13912345678")


def paid_order() -> Order:
    shop = merchant()
    sku = product(shop, price_fen=1000, stock=10).skus.get()
    created = checkout.order_create(
        buyer=MemberFactory.create(), items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS
    )
    checkout.sandbox_complete(created.payment)
    return Order.objects.select_related("merchant").get(pk=created.orders[0].pk)


def test_a_shipped_order_gives_the_buyer_exactly_one_message(api: Api) -> None:
    order = paid_order()
    orders.order_ship(order, actor=order.merchant.owner, carrier="SF", tracking_no="SF1")
    with pytest.raises(InvalidTransition):  # shipping twice is refused
        orders.order_ship(order, actor=order.merchant.owner, carrier="SF", tracking_no="SF1")
    assert Notice.objects.filter(recipient=order.buyer, kind=rules.ORDER_SHIPPED).count() == 1
    answer = api.get("/me/messages", as_=order.buyer)
    assert answer.status == 200
    shipped = [m for m in answer.body if m["kind"] == rules.ORDER_SHIPPED]
    assert len(shipped) == 1
    assert shipped[0]["title"] == f"您的订单 {order.order_no} 已发货"
    assert shipped[0]["read"] is False
    assert set(shipped[0]) == {"id", "kind", "title", "body", "created_at", "read"}


def test_a_paid_order_tells_the_merchant_owner() -> None:
    order = paid_order()
    notice = Notice.objects.get(kind=rules.ORDER_PAID, key=f"order:{order.pk}:paid")
    assert notice.recipient_id == order.merchant.owner_id
    assert not notice.deliveries.exists()  # in-app only by default


def test_an_event_told_twice_writes_one_notice() -> None:
    member = MemberFactory.create()
    assert notify(member.pk, rules.ORDER_SHIPPED, "order:1:shipped", order_no="1")
    assert notify(member.pk, rules.ORDER_SHIPPED, "order:1:shipped", order_no="1") is None
    assert Notice.objects.count() == 1
    assert Delivery.objects.count() == 2  # sms and wechat by default for shipped


def test_the_member_chooses_channels() -> None:
    member = MemberFactory.create()
    NotificationPreference.objects.create(
        member=member, kind=rules.ORDER_SHIPPED, channel=rules.SMS, enabled=False
    )
    NotificationPreference.objects.create(
        member=member, kind=rules.ORDER_PAID, channel=rules.SMS, enabled=True
    )
    shipped = notify(member.pk, rules.ORDER_SHIPPED, "a", order_no="1")
    paid = notify(member.pk, rules.ORDER_PAID, "b", order_no="1")
    assert shipped and paid
    assert list(shipped.deliveries.values_list("channel", flat=True)) == [rules.WECHAT]
    assert list(paid.deliveries.values_list("channel", flat=True)) == [rules.SMS]


def test_reading_messages_own_only(api: Api) -> None:
    member, other = MemberFactory.create(), MemberFactory.create()
    mine = notify(member.pk, rules.ORDER_SHIPPED, "m", order_no="1")
    theirs = notify(other.pk, rules.ORDER_SHIPPED, "t", order_no="2")
    assert mine and theirs
    assert api.post(f"/me/messages/{theirs.pk}/read", as_=member).status == 404
    answer = api.post(f"/me/messages/{mine.pk}/read", as_=member)
    assert answer.status == 200
    assert answer.body["read"] is True
    notify(member.pk, rules.ORDER_SHIPPED, "m2", order_no="3")
    assert api.post("/me/messages/read-all", as_=member).body == {"read": 1}
    assert all(m["read"] for m in api.get("/me/messages", as_=member).body)
    assert api.get("/me/messages").status == 401


def test_delivery_sends_sms_once_and_skips_wechat(settings: object) -> None:
    settings.SMS_BACKEND = "sandbox"  # type: ignore[attr-defined]
    member = MemberFactory.create()
    notice = notify(member.pk, rules.ORDER_SHIPPED, "order:9:shipped", order_no="SO9")
    assert notice
    now = timezone.now()
    assert notifications_deliver(now) == 1
    assert notifications_deliver(now + timedelta(hours=1)) == 0
    sms = SandboxSms.objects.get(phone=member.phone)
    assert sms.template == "notice_shipped"
    assert sms.params == {"order_no": "SO9"}
    statuses = dict(notice.deliveries.values_list("channel", "status"))
    assert statuses == {rules.SMS: rules.SENT, rules.WECHAT: rules.SKIPPED}


def test_failing_provider_retries_with_backoff_and_gives_up_only_after_days(
    settings: object,
) -> None:
    settings.SMS_BACKEND = None  # type: ignore[attr-defined]  # sms_unavailable on every try
    member = MemberFactory.create()
    notice = notify(member.pk, rules.ORDER_SHIPPED, "x", order_no="1")
    assert notice
    now = notice.created_at
    for hours in range(0, 60, 2):
        notifications_deliver(now + timedelta(hours=hours))
    sms = notice.deliveries.get(channel=rules.SMS)
    assert sms.status == rules.PENDING and sms.attempts > 5
    notifications_deliver(now + timedelta(days=3, hours=2))
    sms.refresh_from_db()
    assert sms.status == rules.FAILED


def test_backoff_doubles_with_jitter_and_a_cap() -> None:
    import random  # noqa: PLC0415

    rng = random.Random(1)
    first = rules.backoff(1, rng)
    assert timedelta(seconds=15) <= first <= timedelta(seconds=30)
    assert rules.backoff(30, rng) <= timedelta(hours=1)
    assert rules.backoff(30, rng) >= timedelta(minutes=30)


def test_notification_settings_change_the_channels(api: Api) -> None:
    member = MemberFactory.create()
    answer = api.get("/me/notification-settings", as_=member)
    assert answer.status == 200
    shipped = next(s for s in answer.body if s["kind"] == rules.ORDER_SHIPPED)
    assert shipped == {"kind": rules.ORDER_SHIPPED, "in_app": True, "sms": True, "wechat": True}
    paid = next(s for s in answer.body if s["kind"] == rules.ORDER_PAID)
    assert paid["sms"] is False
    answer = api.put(
        "/me/notification-settings",
        [{"kind": rules.ORDER_SHIPPED, "sms": False}, {"kind": rules.ORDER_PAID, "sms": True}],
        as_=member,
    )
    assert answer.status == 200
    shipped = next(s for s in answer.body if s["kind"] == rules.ORDER_SHIPPED)
    assert shipped["sms"] is False and shipped["wechat"] is True
    notice = notify(member.pk, rules.ORDER_SHIPPED, "k", order_no="1")
    assert notice
    assert list(notice.deliveries.values_list("channel", flat=True)) == [rules.WECHAT]
    bad = api.put("/me/notification-settings", [{"kind": "nope", "sms": True}], as_=member)
    assert bad.status == 400


def test_after_sales_tell_the_buyer() -> None:
    from sharemall.aftersales import services as aftersales  # noqa: PLC0415
    from tests.aftersales_support import ask, paid_order  # noqa: PLC0415

    order, buyer, owner = paid_order(units=2, price_fen=1000)
    refunded = aftersales.aftersale_approve(ask(order, buyer, 1), actor=owner)
    assert refunded.status == "refunded"
    notice = Notice.objects.get(recipient=buyer, kind=rules.REFUND_SUCCEEDED)
    assert notice.params == {"order_no": order.order_no, "amount": "10.00"}
    rejected = aftersales.aftersale_reject(ask(order, buyer, 1), actor=owner, reason="不符合")
    assert Notice.objects.filter(
        recipient=buyer, kind=rules.AFTERSALE_ANSWERED, key=f"aftersale:{rejected.pk}:rejected"
    ).exists()


def test_the_applicant_hears_each_decision_in_their_language() -> None:
    from sharemall.merchants import services as merchants  # noqa: PLC0415
    from tests.factories import OperatorFactory  # noqa: PLC0415

    operator = OperatorFactory.create()
    application = merchant(approved=False)
    merchants.merchant_reject(application, operator=operator, reason="营业执照不清晰")
    merchants.merchant_submit(application, actor=application.owner)
    approved = merchants.merchant_approve(application, operator=operator)
    merchants.merchant_suspend(approved, operator=operator, reason="核查")
    merchants.merchant_reinstate(approved, operator=operator)  # not a decision on the application
    told = Notice.objects.filter(
        recipient=application.owner, kind=rules.MERCHANT_APPLICATION_DECIDED
    ).order_by("pk")
    assert [n.params["decision"] for n in told] == ["rejected", "approved"]
    assert [rules.body(n.kind, n.params) for n in told] == [
        "您的开店申请已驳回。",
        "您的开店申请已通过。",
    ]
    # SMS by default: a shop owner waits for this one.
    assert set(told[1].deliveries.values_list("channel", flat=True)) == {rules.SMS, rules.WECHAT}
    sent = rules.sms_params(told[1].kind, told[1].params)
    assert sent["decision"] == "已通过"


def test_the_author_of_a_hidden_post_is_told_the_rule_once(api: Api) -> None:
    from sharemall.posts import services as posts  # noqa: PLC0415
    from tests.factories import OperatorFactory  # noqa: PLC0415
    from tests.flows import buy_and_receive  # noqa: PLC0415

    shop = merchant()
    item = product(shop, price_fen=1000, stock=10, title="保温杯")
    buyer = MemberFactory.create()
    line_id = buy_and_receive(api, buyer, item.skus.get(), shop.owner)["orders"][0]["lines"][0][
        "id"
    ]
    created = api.call(
        "POST", "/posts", data={"order_line_id": line_id, "text": "好用", "rating": 5}, as_=buyer
    )
    assert created.status in (200, 201), created.body
    operator = OperatorFactory.create()
    posts.post_hide(operator=operator, post_id=created.body["id"], rule="spam")
    posts.post_restore(operator=operator, post_id=created.body["id"])
    notice = Notice.objects.get(recipient=buyer, kind=rules.POST_HIDDEN)
    # The ruling cites the convention's category, named in the reader's language.
    label = gettext(CATEGORIES["spam"].message)
    assert rules.body(notice.kind, notice.params) == f"您的帖子「保温杯」已被隐藏：{label}"
