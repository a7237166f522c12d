"""Comment rate limits under concurrency: a burst of one member's comments lets exactly one
through, and the rest are told to wait (PostgreSQL; SQLite queues writers anyway)."""

from __future__ import annotations

import pytest
from conftest import Api

from sharemall.core.errors import RateLimited
from sharemall.posts import services as posts
from sharemall.posts.models import PostComment
from tests.factories import MemberFactory, merchant, product
from tests.flows import buy_and_receive
from tests.races import all_at_once, postgres_only

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_burst_of_comments_lets_one_through(api: Api) -> None:
    postgres_only()
    shop = merchant()
    item = product(shop, price_fen=1000, stock=10)
    author = MemberFactory.create()
    line = buy_and_receive(api, author, item.skus.get(), shop.owner)["orders"][0]["lines"][0]
    post_id = api.call(
        "POST",
        "/posts",
        data={"order_line_id": line["id"], "text": "好用", "rating": 5},
        as_=author,
    ).body["id"]
    talker = MemberFactory.create()

    outcomes = all_at_once(
        [
            lambda i=i: posts.comment_create(author=talker, post_id=post_id, text=f"第{i}条")
            for i in range(8)
        ]
    )

    assert sum(isinstance(o, PostComment) for o in outcomes) == 1
    assert sum(isinstance(o, RateLimited) for o in outcomes) == 7
    assert PostComment.objects.filter(author=talker).count() == 1
