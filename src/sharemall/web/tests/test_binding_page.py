"""/me/distribution/binding: who the member is bound to, until when, and every binding before."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import MemberFactory, OperatorFactory

from sharemall.accounts.binding import bind
from sharemall.platform import services as platform

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


def test_an_unbound_member_is_told_so(client: Client) -> None:
    member = MemberFactory.create()
    client.force_login(member)

    page = client.get("/me/distribution/binding")

    assert page.status_code == 200
    assert b"binding-none" in page.content


def test_a_rebound_member_sees_the_new_referrer_and_the_history(client: Client) -> None:
    platform.settings_update({"binding_mode": "last_touch"}, actor=OperatorFactory.create())
    first = MemberFactory.create(nickname="AliceFirst")
    second = MemberFactory.create(nickname="BobSecond")
    member = MemberFactory.create()
    assert bind(member, first, source="signup:AAAA", newcomer=True)
    assert bind(member, second, source="landing:BBBB")
    client.force_login(member)

    page = client.get("/me/distribution/binding").content.decode()

    now_part, history_part = page.split('class="binding-history"')
    assert "BobSecond" in now_part and "AliceFirst" not in now_part
    assert "Last share wins" in now_part
    assert "No end" in now_part
    # Newest first: the rebinding, then the first binding through sign-up.
    assert history_part.index("BobSecond") < history_part.index("AliceFirst")
    assert "opened a share" in history_part and "signed up through a share" in history_part


def test_strangers_are_sent_to_log_in(client: Client) -> None:
    page = client.get("/me/distribution/binding")

    assert page.status_code == 302
    assert "/login/" in page["Location"]
