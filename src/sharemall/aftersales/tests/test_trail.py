"""The responsibility trail shows how the buyer came: the share chain and the post, on the API
as on the operator's dispute page (one selector serves both)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Api
from django.test import Client
from tests.factories import MemberFactory, OperatorFactory, merchant, product
from tests.flows import ADDRESS, buy, buy_and_receive, pay

from sharemall.accounts.models import Member
from sharemall.posts.models import Post

pytestmark = pytest.mark.django_db

PLAN = {"share_budget_bp": 2000, "buyer_discount_bp": 500, "level_bp": [800, 400, 0]}


@pytest.fixture
def disputed(api: Api) -> dict[str, Any]:
    """An order bought through a post whose author is bound under a parent, then disputed."""
    m = merchant()
    p = product(m, price_fen=10_000, stock=20)
    sku_id = p.skus.get().pk
    assert api.put(f"/merchants/{m.pk}/commission-plan", PLAN, as_=m.owner).status == 200
    parent = MemberFactory.create(nickname="上级")
    author = MemberFactory.create(nickname="作者", parent=parent)
    first = buy_and_receive(api, author, sku_id, m.owner)
    posted = api.call(
        "POST",
        "/posts",
        as_=author,
        data={
            "order_line_id": str(first["orders"][0]["lines"][0]["id"]),
            "text": "很好用，推荐",
            "rating": "5",
        },
    )
    assert posted.status == 201, posted.body
    buyer = MemberFactory.create()
    elsewhere = {**ADDRESS, "address": "南山大道 2 号"}  # not the author's address
    created = buy(api, buyer, sku_id, share_code=posted.body["share_code"], delivery=elsewhere)
    pay(api, buyer, created["payment_id"])
    order = created["orders"][0]
    asked = api.post(
        f"/orders/{order['id']}/aftersales",
        {
            "type": "refund",
            "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}],
            "reason": "坏了",
        },
        as_=buyer,
    )
    assert asked.status == 201, asked.body
    assert (
        api.post(f"/aftersales/{asked.body['id']}/reject", {"reason": "不同意"}, as_=m.owner).status
        == 200
    )
    dispute = api.post(f"/aftersales/{asked.body['id']}/escalate", {"statement": "破损"}, as_=buyer)
    assert dispute.status == 201, dispute.body
    return {
        "aftersale_id": asked.body["id"],
        "dispute_id": dispute.body["id"],
        "post_id": posted.body["id"],
        "share_code": posted.body["share_code"],
        "author": author,
        "parent": parent,
        "buyer": buyer,
    }


def test_the_trail_api_shows_the_share_chain_and_the_post(
    api: Api, disputed: dict[str, Any]
) -> None:
    trail = api.get(f"/aftersales/{disputed['aftersale_id']}/trail", as_=OperatorFactory.create())

    assert trail.status == 200, trail.body
    assert [(e["from"], e["to"]) for e in trail.body["aftersale"]["events"]] == [
        ("", "requested"),
        ("requested", "rejected"),
        ("rejected", "disputed"),
    ]
    author: Member = disputed["author"]
    parent: Member = disputed["parent"]
    assert trail.body["referral"] == {
        "how": "share",
        "referrer_id": author.pk,
        "referrer_nickname": "作者",
        "share_code": disputed["share_code"],
        "target_type": "post",
        "target_id": disputed["post_id"],
        "degree": 1,  # the author found the product on their own
    }
    assert [
        (s["level"], s["kind"], s["member_id"], s["nickname"], s["status"])
        for s in trail.body["share_chain"]
    ] == [(1, "level", author.pk, "作者", "pending"), (2, "level", parent.pk, "上级", "pending")]
    post = Post.objects.get(pk=disputed["post_id"])
    assert trail.body["post"] == {
        "id": post.pk,
        "author_id": author.pk,
        "product_id": post.product_id,
        "rating": 5,
        "status": post.status,
        "created_at": trail.body["post"]["created_at"],
    }


def test_the_buyer_sees_the_same_trail(api: Api, disputed: dict[str, Any]) -> None:
    trail = api.get(f"/aftersales/{disputed['aftersale_id']}/trail", as_=disputed["buyer"])

    assert trail.status == 200
    assert trail.body["post"]["id"] == disputed["post_id"]
    assert len(trail.body["share_chain"]) == 2


def test_the_dispute_page_shows_them_from_the_same_selector(
    client: Client, disputed: dict[str, Any]
) -> None:
    client.force_login(OperatorFactory.create())

    html = client.get(f"/platform/disputes/{disputed['dispute_id']}").content.decode()

    assert disputed["share_code"] in html
    assert f"/posts/{disputed['post_id']}" in html
    assert "上级" in html


def test_an_order_nobody_brought_has_an_empty_chain(api: Api) -> None:
    m = merchant()
    sku_id = product(m, price_fen=5_000, stock=5).skus.get().pk
    buyer = MemberFactory.create()
    created = buy(api, buyer, sku_id)
    pay(api, buyer, created["payment_id"])
    order = created["orders"][0]
    asked = api.post(
        f"/orders/{order['id']}/aftersales",
        {
            "type": "refund",
            "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}],
            "reason": "坏了",
        },
        as_=buyer,
    ).body

    trail = api.get(f"/aftersales/{asked['id']}/trail", as_=buyer).body

    assert (trail["referral"], trail["share_chain"], trail["post"]) == (None, [], None)
