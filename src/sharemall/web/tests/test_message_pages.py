"""The message centre page: unread marks, opening one reads it, the 我的 tab's unread badge."""

from __future__ import annotations

import re

import pytest
from tests.factories import MemberFactory

from sharemall.notifications import rules
from sharemall.notifications.models import Notice
from sharemall.notifications.services import notify
from sharemall.web.tests.support import browser, page

pytestmark = pytest.mark.django_db

BADGE = re.compile(r"data-unread-badge(?P<hidden> hidden)?>(?P<count>[^<]*)<")


def test_messages_are_listed_opened_and_counted() -> None:
    member, other = MemberFactory.create(), MemberFactory.create()
    first = notify(member.pk, rules.ORDER_SHIPPED, "a", order_no="SO1")
    notify(member.pk, rules.ORDER_SHIPPED, "b", order_no="SO2")
    theirs = notify(other.pk, rules.ORDER_SHIPPED, "c", order_no="SO3")
    assert first and theirs
    client = browser(member)
    html = page(client, "/me/messages")
    assert "Your order SO1 has shipped" in html and "SO3" not in html
    assert html.count("is-unread") == 2
    badge = BADGE.search(html)
    assert badge and not badge["hidden"] and badge["count"] == "2"
    opened = page(client, f"/me/messages/{first.pk}")
    assert "Your order SO1 is on its way." in opened
    assert Notice.objects.get(pk=first.pk).read_at is not None
    assert client.get(f"/me/messages/{theirs.pk}").status_code == 404
    assert BADGE.search(page(client, "/me"))["count"] == "1"  # type: ignore[index]
    assert client.post("/me/messages").status_code == 302
    badge = BADGE.search(page(client, "/me/messages"))
    assert badge and badge["hidden"]


def test_the_notification_settings_page_saves_the_channels() -> None:
    member = MemberFactory.create()
    client = browser(member)
    assert "/me/settings/notifications" in page(client, "/me/settings")
    html = page(client, "/me/settings/notifications")
    assert 'value="order_shipped:sms" aria-label="Order shipped · SMS" checked' in html
    answer = client.post("/me/settings/notifications", {"on": ["order_paid:sms"]})
    assert answer.status_code == 302
    html = page(client, "/me/settings/notifications")
    assert 'value="order_shipped:sms" aria-label="Order shipped · SMS">' in html
    assert 'value="order_paid:sms" aria-label="New orders (shop owners) · SMS" checked' in html
    shipped = notify(member.pk, rules.ORDER_SHIPPED, "s", order_no="1")
    assert shipped and not shipped.deliveries.exists()
