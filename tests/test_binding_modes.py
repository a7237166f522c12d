"""Binding modes (PRODUCT §4.2): a signed-in member landing on a share, or buying through one,
is (re)bound as the mode allows; history is kept, ancestors follow, loops are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import Api
from django.test import Client
from django.utils import timezone

from sharemall.accounts.models import Binding, Member
from sharemall.checkout.services import Delivery, Item, order_create
from sharemall.sharing.selectors import code_from_cookie
from sharemall.sharing.services import click_record
from tests.factories import MemberFactory, OperatorFactory, merchant, product
from tests.flows import buy, register, share

pytestmark = pytest.mark.django_db


@pytest.fixture
def product_id() -> int:
    return int(product(merchant(), price_fen=5_000, stock=50).pk)


def _mode(api: Api, mode: str, **extra: object) -> None:
    answer = api.put(
        "/platform/settings", {"binding_mode": mode, **extra}, as_=OperatorFactory.create()
    )
    assert answer.status == 200, answer.body


def _member(member_id: int) -> Member:
    return Member.objects.get(pk=member_id)


def _history(member_id: int) -> list[tuple[int, int | None, str, str]]:
    return [
        (b.parent_id, b.previous_parent_id, b.mode, b.source.split(":")[0])
        for b in Binding.objects.filter(member_id=member_id).order_by("bound_at", "id")
    ]


def _land(member_id: int, code: str) -> int:
    """A signed-in member opens the share link in the browser (Django's landing view)."""
    browser = Client()
    browser.force_login(_member(member_id))
    return browser.get(f"/s/{code}").status_code


@pytest.fixture
def tree(api: Api, product_id: int) -> dict[str, int | str]:
    """G ← A ← M ← C ← D (each bound through the one before's share), and B ← H apart.
    M shares last; B's link is `b_code`."""
    ids: dict[str, int | str] = {}
    g_id, g = register(api, "13700100001")
    a_id, a = register(api, "13700100002", share(api, g, product_id))
    m_id, m = register(api, "13700100003", share(api, a, product_id))
    c_id, c = register(api, "13700100004", share(api, m, product_id))
    d_id, _d = register(api, "13700100005", share(api, c, product_id))
    h_id, h = register(api, "13700100006")
    b_id, b = register(api, "13700100007", share(api, h, product_id))
    ids.update(g=g_id, a=a_id, m=m_id, c=c_id, d=d_id, h=h_id, b=b_id, m_token=m)
    ids["b_code"] = share(api, b, product_id)
    ids["m_code"] = share(api, m, product_id)
    ids["d_code"] = share(api, _d, product_id)
    return ids


def test_last_touch_rebinds_a_signed_in_member_on_landing(api: Api, tree: dict) -> None:
    _mode(api, "last_touch")
    m, c, d = tree["m"], tree["c"], tree["d"]

    assert _land(m, tree["b_code"]) == 302

    moved = _member(m)
    assert (moved.parent_id, moved.grandparent_id, moved.great_grandparent_id) == (
        tree["b"],
        tree["h"],
        None,
    )
    # The team follows: C and D keep their parents, their stored ancestors change.
    assert (_member(c).grandparent_id, _member(c).great_grandparent_id) == (tree["b"], tree["h"])
    assert (_member(d).grandparent_id, _member(d).great_grandparent_id) == (m, tree["b"])
    assert _history(m) == [
        (tree["a"], None, "first_touch", "signup"),
        (tree["b"], tree["a"], "last_touch", "landing"),
    ]


def test_the_app_click_endpoint_rebinds_too(api: Api, tree: dict) -> None:
    _mode(api, "last_touch")

    answer = api.post(f"/shares/{tree['b_code']}/click", as_=tree["m_token"])

    assert answer.status == 200
    assert _member(tree["m"]).parent_id == tree["b"]


def test_last_touch_rebinds_at_checkout_through_a_share(
    api: Api, tree: dict, product_id: int
) -> None:
    _mode(api, "last_touch")
    sku_id = int(product(merchant(), price_fen=3_000, stock=5).skus.get().pk)

    buy(api, tree["m_token"], sku_id, share_code=tree["b_code"])

    assert _member(tree["m"]).parent_id == tree["b"]
    assert _member(tree["c"]).grandparent_id == tree["b"]
    assert _history(tree["m"])[-1] == (tree["b"], tree["a"], "last_touch", "checkout")
    # The binding names the share it came through.
    latest = Binding.objects.filter(member_id=tree["m"]).latest("bound_at", "id")
    assert latest.source == f"checkout:{tree['b_code']}"


def test_a_landing_cookie_remembered_by_the_browser_rebinds_at_checkout(
    api: Api, tree: dict
) -> None:
    _mode(api, "last_touch")
    sku = product(merchant(), price_fen=3_000, stock=5).skus.get()
    browser = Client()
    assert browser.get(f"/s/{tree['b_code']}").status_code == 302  # not signed in yet
    assert _member(tree["m"]).parent_id == tree["a"]
    browser.force_login(_member(tree["m"]))

    request = browser.get("/").wsgi_request
    order_create(
        buyer=_member(tree["m"]),
        items=[Item(sku_id=sku.pk, quantity=1)],
        delivery=Delivery(
            type="express",
            region_code="440305",
            address="科技园 1 号",
            receiver="王小二",
            phone="13912345678",
        ),
        share_code=code_from_cookie(request),
    )

    assert _member(tree["m"]).parent_id == tree["b"]


def test_permanent_first_touch_never_rebinds(api: Api, tree: dict) -> None:
    sku_id = int(product(merchant(), price_fen=3_000, stock=5).skus.get().pk)

    assert _land(tree["m"], tree["b_code"]) == 302
    buy(api, tree["m_token"], sku_id, share_code=tree["b_code"])

    assert _member(tree["m"]).parent_id == tree["a"]
    assert _member(tree["c"]).grandparent_id == tree["a"]
    assert _history(tree["m"]) == [(tree["a"], None, "first_touch", "signup")]


def test_first_touch_binds_a_member_who_has_no_parent_yet(
    api: Api, tree: dict, product_id: int
) -> None:
    loner_id, loner = register(api, "13700100099")
    kid_id, _kid = register(api, "13700100098", share(api, loner, product_id))

    assert _land(loner_id, tree["b_code"]) == 302

    assert (_member(loner_id).parent_id, _member(loner_id).grandparent_id) == (
        tree["b"],
        tree["h"],
    )
    # Their team was there before them: its ancestors follow too.
    kid = _member(kid_id)
    assert (kid.parent_id, kid.grandparent_id, kid.great_grandparent_id) == (
        loner_id,
        tree["b"],
        tree["h"],
    )
    assert _history(loner_id) == [(tree["b"], None, "first_touch", "landing")]


def test_time_limited_holds_until_it_expires_then_rebinds(api: Api, product_id: int) -> None:
    _mode(api, "time_limited", binding_days=30)
    a_id, a = register(api, "13700200001")
    m_id, _m = register(api, "13700200002", share(api, a, product_id))
    b_id, b = register(api, "13700200003")
    b_code = share(api, b, product_id)
    until = _member(m_id).bound_until
    assert until is not None
    m = _member(m_id)

    click_record(code=b_code, visitor_member=m, now=until - timedelta(seconds=1))
    assert _member(m_id).parent_id == a_id  # still bound

    later = until + timedelta(seconds=1)
    click_record(code=b_code, visitor_member=m, now=later)

    rebound = _member(m_id)
    assert (rebound.parent_id, rebound.bound_until) == (b_id, later + timedelta(days=30))
    assert _history(m_id) == [
        (a_id, None, "time_limited", "signup"),
        (b_id, a_id, "time_limited", "landing"),
    ]


def test_a_member_cannot_be_bound_under_their_own_downline(api: Api, tree: dict) -> None:
    _mode(api, "last_touch")
    before = _history(tree["m"])

    assert _land(tree["m"], tree["d_code"]) == 302  # D is M's grandchild

    m = _member(tree["m"])
    assert (m.parent_id, m.grandparent_id) == (tree["a"], tree["g"])
    assert _member(tree["d"]).grandparent_id == tree["m"]
    assert _history(tree["m"]) == before


def test_a_sharer_landing_on_their_own_link_changes_nothing(api: Api, tree: dict) -> None:
    _mode(api, "last_touch")

    _land(tree["m"], tree["m_code"])

    assert _member(tree["m"]).parent_id == tree["a"]
    assert len(_history(tree["m"])) == 1


def test_me_binding_shows_parent_mode_and_until_with_history(api: Api, product_id: int) -> None:
    _mode(api, "time_limited", binding_days=7)
    a_id, a = register(api, "13700300001")
    m_id, m = register(api, "13700300002", share(api, a, product_id))
    _mode(api, "last_touch")
    b_id, b = register(api, "13700300003")
    api.post(f"/shares/{share(api, b, product_id)}/click", as_=m)
    first_until = Binding.objects.filter(member_id=m_id).order_by("id")[0].bound_until

    answer = api.get("/me/binding", as_=m)

    assert answer.status == 200
    body = answer.body
    assert (body["parent_id"], body["parent_nickname"], body["mode"], body["bound_until"]) == (
        b_id,
        "0003",
        "last_touch",
        None,
    )
    assert body["bound_at"] is not None
    assert [
        (h["parent_id"], h["previous_parent_id"], h["mode"], h["source"].split(":")[0])
        for h in body["history"]
    ] == [(a_id, None, "time_limited", "signup"), (b_id, a_id, "last_touch", "landing")]
    assert body["history"][0]["bound_until"] is not None
    assert first_until is not None


def test_me_binding_of_an_unbound_member(api: Api) -> None:
    loner = MemberFactory.create()

    answer = api.get("/me/binding", as_=loner)

    assert answer.body == {
        "parent_id": None,
        "parent_nickname": None,
        "mode": None,
        "bound_at": None,
        "bound_until": None,
        "history": [],
    }
    assert api.get("/me/binding").status == 401


def test_an_expired_binding_reads_as_unbound(api: Api, product_id: int) -> None:
    _mode(api, "time_limited", binding_days=1)
    a_id, a = register(api, "13700400001")
    m_id, m = register(api, "13700400002", share(api, a, product_id))
    Member.objects.filter(pk=m_id).update(bound_until=timezone.now() - timedelta(minutes=1))

    body = api.get("/me/binding", as_=m).body

    assert (body["parent_id"], body["bound_until"]) == (None, None)
    assert [h["parent_id"] for h in body["history"]] == [a_id]
