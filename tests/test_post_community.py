"""Posts under the community convention: muted members stay silent, rulings cite a convention
category, hidden posts and comments can be appealed, and comments are moderated like posts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.core.cache import cache
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.catalog.models import Product
from sharemall.community import services as community
from sharemall.community.models import Penalty
from sharemall.notifications.models import Notice
from sharemall.posts import rules
from sharemall.posts.models import (
    CommentEvent,
    CommentReport,
    ModerationEvent,
    PostComment,
    PostReport,
)
from tests.factories import MemberFactory, OperatorFactory, merchant, product
from tests.flows import buy_and_receive

pytestmark = pytest.mark.django_db

PLAN = {"share_budget_bp": 2000, "buyer_discount_bp": 500, "level_bp": [800, 400, 200]}


@pytest.fixture
def shop(api: Api) -> tuple[Product, Member]:
    m = merchant()
    p = product(m, price_fen=10000, stock=100)
    assert api.put(f"/merchants/{m.pk}/commission-plan", PLAN, as_=m.owner).status == 200
    return p, m.owner


def received_line(api: Api, shop: tuple[Product, Member], buyer: Member) -> int:
    p, owner = shop
    created = buy_and_receive(api, buyer, p.skus.get(), owner)
    return int(created["orders"][0]["lines"][0]["id"])


def write_post(api: Api, author: Member, line_id: int, text: str = "用了一周，很满意。") -> Any:
    data = {"order_line_id": line_id, "text": text, "rating": 5}
    return api.call("POST", "/posts", data=data, as_=author)


def mute(member: Member, operator: Member) -> Penalty:
    return Penalty.objects.create(
        member=member,
        level="mute_7d",
        rule="spam",
        actor=operator,
        ends_at=timezone.now() + timedelta(days=7),
    )


@pytest.fixture
def a_post(api: Api, shop: tuple[Product, Member]) -> tuple[Member, int]:
    author = MemberFactory.create()
    answer = write_post(api, author, received_line(api, shop, author))
    assert answer.status == 201, answer.body
    return author, answer.body["id"]


def comment(api: Api, who: Member, post_id: int, text: str = "请问尺码偏大吗？") -> Any:
    cache.delete(f"comment-gap:{who.pk}")  # each test comment is its own moment
    return api.post(f"/posts/{post_id}/comments", {"text": text}, as_=who)


def test_a_muted_member_can_neither_post_nor_comment(
    api: Api, shop: tuple[Product, Member], a_post: tuple[Member, int]
) -> None:
    _author, post_id = a_post
    operator = OperatorFactory.create()
    buyer = MemberFactory.create()
    line_id = received_line(api, shop, buyer)
    mute(buyer, operator)
    refused = write_post(api, buyer, line_id)
    assert (refused.status, refused.error_code) == (403, "muted")
    assert "until" in refused.body["error"]["message"] or refused.body["error"]["message"]
    said = comment(api, buyer, post_id)
    assert (said.status, said.error_code) == (403, "muted")
    # The mute overturned, they speak again.
    Penalty.objects.filter(member=buyer).update(status="overturned")
    assert write_post(api, buyer, line_id).status == 201


def test_rulings_cite_a_convention_category_and_old_rules_still_work(
    api: Api, shop: tuple[Product, Member], a_post: tuple[Member, int]
) -> None:
    author, post_id = a_post
    operator = OperatorFactory.create()
    reader = MemberFactory.create()
    assert api.post(f"/posts/{post_id}/report", {"category": "clickbait"}, as_=reader).status == 201
    [queued] = api.get("/platform/post-reports", as_=operator).body
    assert queued["reasons"] == {"clickbait": 1}
    assert (queued["category"], queued["category_label"]) == (
        "clickbait",
        str(rules.RULINGS["clickbait"]),
    )
    assert queued["categories"] == [
        {"code": "clickbait", "label": str(rules.RULINGS["clickbait"]), "count": 1}
    ]
    codes = [r["code"] for r in api.get("/posts-rules").body["hide_rules"]]
    assert codes == list(rules.RULINGS)

    hidden = api.post(f"/platform/posts/{post_id}/hide", {"rule": "vulgar"}, as_=operator)
    assert hidden.body["hidden_rule"] == "vulgar"
    mine = api.get(f"/posts/{post_id}", as_=author).body
    assert mine["hidden_rule_label"] == str(rules.RULINGS["vulgar"])
    notice = Notice.objects.filter(recipient=author).latest("pk")
    assert notice.params["reason"] == rules.RULINGS["vulgar"].message

    assert api.post(f"/platform/posts/{post_id}/restore", {}, as_=operator).status == 200
    legacy = api.post(f"/platform/posts/{post_id}/hide", {"rule": "privacy"}, as_=operator)
    assert legacy.body["hidden_rule"] == "privacy"


def test_a_hidden_post_is_an_appealable_decision_overturned_by_a_reviewer(
    api: Api, a_post: tuple[Member, int]
) -> None:
    author, post_id = a_post
    hider, reviewer = OperatorFactory.create(), OperatorFactory.create()
    handler = community.decision_type("post")
    assert handler is not None
    assert handler.decision(post_id) is None  # not hidden: nothing to appeal
    api.post(f"/platform/posts/{post_id}/hide", {"rule": "spam"}, as_=hider)
    decision = handler.decision(post_id)
    assert decision is not None
    assert (decision.subject_id, decision.decided_by_id) == (author.pk, hider.pk)
    assert decision.summary

    handler.overturn(post_id, reviewer=reviewer, note="申诉成立")
    assert api.get(f"/posts/{post_id}").body["status"] == "visible"
    last = ModerationEvent.objects.filter(post_id=post_id).latest("pk")
    assert (last.action, last.actor_id, last.note) == ("restore", reviewer.pk, "申诉成立")
    assert handler.decision(post_id) is None


def test_comments_are_public_moderated_reported_once_and_appealable(
    api: Api, a_post: tuple[Member, int]
) -> None:
    author, post_id = a_post
    reader, other = MemberFactory.create(), MemberFactory.create()
    operator, reviewer = OperatorFactory.create(), OperatorFactory.create()

    assert api.post(f"/posts/{post_id}/comments", {"text": "好"}).status == 401
    made = comment(api, reader, post_id)
    assert made.status == 201, made.body
    comment_id = made.body["id"]
    assert made.body["author_nickname"] == reader.nickname
    listed = api.get(f"/posts/{post_id}/comments").body
    assert [c["id"] for c in listed] == [comment_id]

    banned = comment(api, other, post_id, "加 微 信 领优惠")
    assert banned.error_code == "banned_words"
    assert comment(api, other, post_id, "").error_code == "invalid_post"
    assert comment(api, other, post_id, "长" * 501).status in (400, 422)

    # Reports: one per member per comment, not one's own.
    report = {"category": "unfriendly", "note": "阴阳怪气"}
    assert api.post(f"/comments/{comment_id}/report", report, as_=other).status == 201
    again = api.post(f"/comments/{comment_id}/report", report, as_=other)
    assert (again.status, again.error_code) == (409, "already_reported")
    assert api.post(f"/comments/{comment_id}/report", report, as_=reader).status == 400
    odd = api.post(f"/comments/{comment_id}/report", {"category": "ugly"}, as_=author)
    assert odd.error_code == "invalid_post"

    [queued] = api.get("/platform/comment-reports", as_=operator).body
    assert (queued["id"], queued["reasons"]) == (comment_id, {"unfriendly": 1})
    assert queued["category"] == "unfriendly"
    assert api.get("/platform/comment-reports", as_=reader).status == 403

    hidden = api.post(f"/platform/comments/{comment_id}/hide", {"rule": "unfriendly"}, as_=operator)
    assert hidden.body == {"id": comment_id, "status": "hidden", "hidden_rule": "unfriendly"}
    assert api.get(f"/posts/{post_id}/comments").body == []
    assert api.get("/platform/comment-reports", as_=operator).body == []
    notice = Notice.objects.filter(recipient=reader).latest("pk")
    assert notice.kind == "comment_hidden"

    handler = community.decision_type("comment")
    assert handler is not None
    decision = handler.decision(comment_id)
    assert decision is not None
    assert (decision.subject_id, decision.decided_by_id) == (reader.pk, operator.pk)
    handler.overturn(comment_id, reviewer=reviewer, note="误判")
    assert [c["id"] for c in api.get(f"/posts/{post_id}/comments").body] == [comment_id]
    last = CommentEvent.objects.filter(comment_id=comment_id).latest("pk")
    assert (last.action, last.actor_id) == ("restore", reviewer.pk)

    kept = api.post(f"/platform/comments/{comment_id}/keep", {}, as_=operator)
    assert kept.body["status"] == "visible"
    # Only its author deletes a comment.
    assert api.delete(f"/comments/{comment_id}", as_=other).status == 404
    assert api.delete(f"/comments/{comment_id}", as_=reader).status == 204
    assert api.get(f"/posts/{post_id}/comments").body == []


def test_post_and_comment_rulings_leave_the_same_trail(
    api: Api, a_post: tuple[Member, int]
) -> None:
    """Keep, hide and restore, on a post and on a comment: one event each (a keep from and to
    the same status), every open report answered, the author told of a hide under a key naming
    the ruling's event; an unknown id is 404 and writes nothing."""
    author, post_id = a_post
    reader, operator = MemberFactory.create(), OperatorFactory.create()
    comment_id = comment(api, reader, post_id).body["id"]
    report = {"reason": "spam", "category": "spam"}
    assert api.post(f"/posts/{post_id}/report", report, as_=reader).status == 201
    assert api.post(f"/comments/{comment_id}/report", report, as_=author).status == 201

    for kind, row_id, events, reports, who in (
        (
            "posts",
            post_id,
            ModerationEvent.objects.filter(post_id=post_id),
            PostReport.objects,
            author,
        ),
        (
            "comments",
            comment_id,
            CommentEvent.objects.filter(comment_id=comment_id),
            CommentReport.objects,
            reader,
        ),
    ):
        before = events.count()
        kept = api.post(f"/platform/{kind}/{row_id}/keep", {"note": "没问题"}, as_=operator)
        assert kept.body["status"] == "visible"
        keep = events.latest("pk")
        assert (keep.action, keep.from_status, keep.to_status, keep.note, keep.actor_id) == (
            "keep",
            "visible",
            "visible",
            "没问题",
            operator.pk,
        )
        assert not reports.filter(resolved_at__isnull=True).exists()

        api.post(f"/platform/{kind}/{row_id}/hide", {"rule": "spam"}, as_=operator)
        hide = events.latest("pk")
        assert (hide.action, hide.rule, hide.to_status) == ("hide", "spam", "hidden")
        notice = Notice.objects.filter(recipient=who).latest("pk")
        assert notice.key == f"{kind[:-1]}:{row_id}:hidden:{hide.pk}"

        api.post(f"/platform/{kind}/{row_id}/restore", {}, as_=operator)
        restore = events.latest("pk")
        assert (restore.action, restore.rule, restore.to_status) == ("restore", "", "visible")
        assert events.count() == before + 3
        assert Notice.objects.filter(recipient=who, key__contains=":hidden:").count() == 1

        missing = api.post(f"/platform/{kind}/987654/keep", {}, as_=operator)
        assert missing.status == 404
        assert events.count() == before + 3


def test_comments_on_a_hidden_post_are_gone_with_it(api: Api, a_post: tuple[Member, int]) -> None:
    _author, post_id = a_post
    reader, operator = MemberFactory.create(), OperatorFactory.create()
    assert comment(api, reader, post_id).status == 201
    api.post(f"/platform/posts/{post_id}/hide", {"rule": "spam"}, as_=operator)
    assert api.get(f"/posts/{post_id}/comments").status == 404
    assert comment(api, reader, post_id).status == 404


def test_comments_are_rate_limited_with_a_clear_message(
    api: Api, a_post: tuple[Member, int]
) -> None:
    _author, post_id = a_post
    reader = MemberFactory.create()
    assert comment(api, reader, post_id).status == 201
    fast = api.post(f"/posts/{post_id}/comments", {"text": "再问一句"}, as_=reader)
    assert (fast.status, fast.error_code) == (429, "rate_limited")
    assert str(rules.COMMENT_GAP_SECONDS) in fast.body["error"]["message"]

    # The day's allowance: earlier comments in the last 24 hours count, older ones do not.
    PostComment.objects.bulk_create(
        PostComment(post_id=post_id, author=reader, text=f"第{i}条")
        for i in range(rules.COMMENTS_PER_DAY - 1)
    )
    day = comment(api, reader, post_id)
    assert (day.status, day.error_code) == (429, "rate_limited")
    PostComment.objects.filter(author=reader).update(
        created_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    assert comment(api, reader, post_id).status == 201
