"""The share landing page /s/<code>: count the visit, remember the share, redirect."""

from __future__ import annotations

import time

import pytest
from django.http import HttpRequest
from django.test import Client
from tests.factories import MemberFactory, merchant, product

from sharemall.accounts.models import Member
from sharemall.sharing import rules
from sharemall.sharing.models import ShareClick, ShareLink, ShareTouch
from sharemall.sharing.selectors import code_from_cookie
from sharemall.sharing.services import share_create
from sharemall.sharing.tests.support import distributor, offline_store, set_rules

pytestmark = pytest.mark.django_db

WEEK = 7 * 24 * 3600


def product_link(sharer: Member | None = None) -> ShareLink:
    return share_create(
        sharer=sharer or MemberFactory.create(), target_type="product", target_id=product().pk
    ).link


def request_with(client: Client) -> HttpRequest:
    request = HttpRequest()
    request.COOKIES = {name: morsel.value for name, morsel in client.cookies.items()}
    return request


def test_a_visit_counts_remembers_and_redirects_to_the_product() -> None:
    link = product_link()
    client = Client()

    response = client.get(f"/s/{link.code}")

    assert response.status_code == 302
    assert response["Location"] == f"/p/{link.target_id}"
    assert "no-cache" in response["Cache-Control"]
    share = response.cookies[rules.SHARE_COOKIE]
    assert share.value != link.code  # signed, not the bare code
    assert share["httponly"] is True
    assert share["samesite"] == "Lax"
    assert int(share["max-age"]) == WEEK
    visitor = response.cookies[rules.VISITOR_COOKIE]
    assert rules.is_visitor_id(visitor.value)
    assert visitor["httponly"] is True
    assert int(visitor["max-age"]) > 365 * 24 * 3600
    click = ShareClick.objects.get(link=link)
    assert (click.visitor_key, click.ip) == (f"v:{visitor.value}", "127.0.0.1")
    assert code_from_cookie(request_with(client)) == link.code


def test_the_same_browser_counts_once_a_day_and_keeps_its_visitor_id() -> None:
    link = product_link()
    client = Client()
    client.get(f"/s/{link.code}")

    again = client.get(f"/s/{link.code}")

    assert again.status_code == 302
    assert rules.VISITOR_COOKIE not in again.cookies  # the first id is kept, not replaced
    assert ShareClick.objects.filter(link=link).count() == 1
    assert Client().get(f"/s/{link.code}").status_code == 302  # another browser
    assert ShareClick.objects.filter(link=link).count() == 2


def test_the_cookie_lasts_the_attribution_window() -> None:
    set_rules(attribution_window_days=30)
    link = product_link()

    response = Client().get(f"/s/{link.code}")

    assert int(response.cookies[rules.SHARE_COOKIE]["max-age"]) == 30 * 24 * 3600


def test_a_signed_in_visitor_is_counted_as_the_member_and_touched(member: Member) -> None:
    link = product_link()
    client = Client()
    client.force_login(member)

    response = client.get(f"/s/{link.code}")

    assert response.status_code == 302
    # Counted as the member; the browser is still given its device id, as on every page.
    assert ShareClick.objects.get(link=link).visitor_key == f"m:{member.pk}"
    assert ShareTouch.objects.get(member=member).link_id == link.pk


def test_the_sharers_own_visit_counts_nothing_and_remembers_nothing(member: Member) -> None:
    link = product_link(member)
    client = Client()
    client.force_login(member)

    response = client.get(f"/s/{link.code}")

    assert response.status_code == 302
    assert rules.SHARE_COOKIE not in response.cookies
    assert not ShareClick.objects.exists()
    assert not ShareTouch.objects.exists()


def test_store_and_sub_store_links_lead_to_the_storefront(member: Member) -> None:
    store = offline_store(merchant())
    to_store = share_create(sharer=member, target_type="store", target_id=store.pk).link
    to_substore = share_create(
        sharer=distributor(member), target_type="substore", target_id=member.pk
    ).link

    assert Client().get(f"/s/{to_store.code}")["Location"] == f"/stores/{store.pk}"
    assert Client().get(f"/s/{to_substore.code}")["Location"] == f"/substores/{member.pk}"


@pytest.mark.parametrize("code", ["NOSUCHCODE", "x" * 200, "a.b"])
def test_an_unknown_code_shows_the_not_found_page(code: str) -> None:
    response = Client().get(f"/s/{code}")

    assert response.status_code == 404
    assert "web/not_found.html" in [t.name for t in response.templates]
    assert rules.SHARE_COOKIE not in response.cookies
    assert not ShareClick.objects.exists()


def test_a_forged_or_missing_share_cookie_reads_as_none() -> None:
    link = product_link()
    forged = HttpRequest()
    forged.COOKIES = {rules.SHARE_COOKIE: link.code}
    tampered = HttpRequest()
    tampered.COOKIES = {rules.SHARE_COOKIE: f"{link.code}:1abc:deadbeef"}

    assert code_from_cookie(HttpRequest()) is None
    assert code_from_cookie(forged) is None
    assert code_from_cookie(tampered) is None


def test_a_bad_visitor_cookie_is_replaced() -> None:
    link = product_link()
    client = Client()
    client.cookies[rules.VISITOR_COOKIE] = "not a valid id!"

    response = client.get(f"/s/{link.code}")

    fresh = response.cookies[rules.VISITOR_COOKIE].value
    assert rules.is_visitor_id(fresh)
    assert ShareClick.objects.get().visitor_key == f"v:{fresh}"


def test_a_share_cookie_older_than_the_window_reads_as_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    link = product_link()
    client = Client()
    eight_days_ago = time.time() - 8 * 24 * 3600
    with monkeypatch.context() as past:
        past.setattr("django.core.signing.time.time", lambda: eight_days_ago)
        client.get(f"/s/{link.code}")
    assert rules.SHARE_COOKIE in client.cookies

    assert code_from_cookie(request_with(client)) is None
    set_rules(attribution_window_days=9)
    assert code_from_cookie(request_with(client)) == link.code
