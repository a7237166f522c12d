"""The bargain pages: a run's page open to anyone with the link, 帮砍一刀 for signed-in friends,
立即购买 for the starter, and starting a bargain."""

from __future__ import annotations

import pytest
from tests.factories import MemberFactory, merchant, product

from sharemall.accounts.models import Member
from sharemall.promotions.models import Bargain, BargainHelp, BargainRun
from sharemall.promotions.services import bargains as services
from sharemall.sharing import rules as sharing_rules
from sharemall.web.tests.support import browser, page

pytestmark = pytest.mark.django_db


def a_run(k: int = 2) -> tuple[Bargain, BargainRun, Member]:
    m = merchant()
    sku = product(m, price_fen=5000, title="好茶").skus.get()
    bargain = services.bargain_create(
        m, sku_id=sku.pk, floor_price_fen=1000, helpers_needed=k, hours=24
    )
    starter = MemberFactory.create(nickname="发起人")
    return bargain, services.run_start(bargain.pk, starter=starter).run, starter


def test_a_stranger_sees_the_run_and_is_asked_to_sign_in() -> None:
    _bargain, run, _starter = a_run()
    client = browser()
    response = client.get(f"/bargain/{run.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "好茶" in html
    assert "¥50.00" in html
    assert 'id="bargain-login"' in html
    assert 'id="bargain-help"' not in html
    assert 'id="bargain-buy"' not in html
    assert 'data-countdown="' in html
    assert '<progress class="bargain-progress"' in html
    assert sharing_rules.VISITOR_COOKIE in response.cookies


def test_friends_help_until_the_floor_and_each_only_once() -> None:
    _bargain, run, starter = a_run(k=2)
    first, second = MemberFactory.create(nickname="小王"), MemberFactory.create(nickname="小李")
    for friend in (first, second):
        client = browser(friend)
        assert 'id="bargain-help"' in page(client, f"/bargain/{run.pk}")
        response = client.post(f"/bargain/{run.pk}/help", follow=True)
        assert response.status_code == 200
        html = response.content.decode()
        assert "You cut" in html
        assert 'id="bargain-help"' not in html
    again = browser(first).post(f"/bargain/{run.pk}/help", follow=True).content.decode()
    assert "You have already helped this bargain." in again
    run.refresh_from_db()
    assert (run.helps, run.current_price_fen) == (2, 1000)
    # Each help carries the browser's visitor id as its device.
    assert all(h.device_id for h in BargainHelp.objects.filter(run=run))
    starter_view = page(browser(starter), f"/bargain/{run.pk}")
    assert "The lowest price is reached!" in starter_view
    assert "小王" in starter_view and "小李" in starter_view
    assert 'id="bargain-buy"' in starter_view
    assert "¥10.00" in starter_view


def test_the_starter_cannot_help_themselves() -> None:
    _bargain, run, starter = a_run()
    client = browser(starter)
    html = page(client, f"/bargain/{run.pk}")
    assert 'id="bargain-help"' not in html
    refused = client.post(f"/bargain/{run.pk}/help", follow=True).content.decode()
    assert "You cannot help your own bargain" in refused
    assert BargainRun.objects.get(pk=run.pk).helps == 0


def test_starting_a_bargain_from_its_page_goes_to_the_run() -> None:
    bargain, _run, _starter = a_run()
    member = MemberFactory.create()
    client = browser(member)
    assert 'id="bargain-start"' in page(client, f"/bargains/{bargain.pk}")
    response = client.post(f"/bargains/{bargain.pk}")
    mine = BargainRun.objects.get(bargain=bargain, starter=member)
    assert response.status_code == 302
    assert response["Location"] == f"/bargain/{mine.pk}"
    # Again: the same run.
    assert client.post(f"/bargains/{bargain.pk}")["Location"] == f"/bargain/{mine.pk}"


def test_a_missing_run_is_the_404_page() -> None:
    assert browser().get("/bargain/999999").status_code == 404


def test_helping_needs_a_sign_in() -> None:
    _bargain, run, _starter = a_run()
    response = browser().post(f"/bargain/{run.pk}/help")
    assert response.status_code == 302
    assert "/login" in response["Location"]
    assert BargainRun.objects.get(pk=run.pk).helps == 0
