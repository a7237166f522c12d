"""The post page's comments, the comment report page, and the back office's moderation tabs for
reported comments and posts held as near-copies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.community.models import Penalty
from sharemall.posts import services as posts
from sharemall.posts.models import CommentReport, PostComment
from tests.factories import MemberFactory, OperatorFactory, merchant, product
from tests.flows import buy_and_receive
from tests.test_post_duplicates import BRAND, COPIES

pytestmark = pytest.mark.django_db


def client_for(member: Member | None) -> Client:
    client = Client(headers={"accept-language": "en"})
    if member is not None:
        client.force_login(member)
    return client


def body(response: Any) -> str:
    return str(response.content.decode())


def write(api: Api, text: str = "用了一周，很满意。") -> tuple[Member, int]:
    shop = merchant()
    item = product(shop, price_fen=1000, stock=10)
    author = MemberFactory.create()
    line = buy_and_receive(api, author, item.skus.get(), shop.owner)["orders"][0]["lines"][0]
    data = {"order_line_id": line["id"], "text": text, "rating": 5}
    answer = api.call("POST", "/posts", data=data, as_=author)
    assert answer.status == 201, answer.body
    return author, answer.body["id"]


def test_members_comment_from_the_post_page_and_report_a_comment(api: Api) -> None:
    author, post_id = write(api)
    reader, other = MemberFactory.create(), MemberFactory.create()

    visitor = body(client_for(None).get(f"/posts/{post_id}"))
    assert 'id="comments"' in visitor and "Log in to comment" in visitor

    page = client_for(reader)
    sent = page.post(f"/posts/{post_id}/comments", {"text": "发货快吗？"})
    assert sent.status_code == 302
    [comment] = PostComment.objects.filter(post_id=post_id)
    assert sent["Location"].endswith(f"#comment-{comment.pk}")
    mine = body(page.get(f"/posts/{post_id}"))
    assert "发货快吗？" in mine and f"/comments/{comment.pk}/delete" in mine

    # A refused comment comes back with what was typed and why.
    cache.clear()
    refused = page.post(f"/posts/{post_id}/comments", {"text": "加微信领红包"})
    assert refused.status_code == 400
    assert "加微信领红包" in body(refused)

    reporting = client_for(other)
    theirs = body(reporting.get(f"/posts/{post_id}"))
    assert f"/comments/{comment.pk}/report" in theirs
    form = reporting.get(f"/comments/{comment.pk}/report")
    assert form.status_code == 200 and "Report this comment" in body(form)
    done = reporting.post(f"/comments/{comment.pk}/report", {"category": "spam", "note": "引流"})
    assert done.status_code == 302
    assert CommentReport.objects.filter(comment=comment, reporter=other).count() == 1
    assert "Reported" in body(reporting.get(f"/posts/{post_id}"))

    deleted = page.post(f"/comments/{comment.pk}/delete")
    assert deleted.status_code == 302
    assert "发货快吗？" not in body(client_for(None).get(f"/posts/{post_id}"))
    assert author.pk != reader.pk


def test_a_muted_member_sees_until_when_instead_of_the_form(api: Api) -> None:
    _author, post_id = write(api)
    reader, operator = MemberFactory.create(), OperatorFactory.create()
    until = timezone.now() + timedelta(days=7)
    Penalty.objects.create(
        member=reader, level="mute_7d", rule="spam", actor=operator, ends_at=until
    )
    html = body(client_for(reader).get(f"/posts/{post_id}"))
    assert 'id="comment-form"' not in html
    assert "You are muted under the community convention until" in html
    assert timezone.localtime(until).strftime("%Y-%m-%d") in html


def test_the_back_office_moderates_comments_and_held_copies(api: Api) -> None:
    _author, post_id = write(api, BRAND)
    copier, held_id = write(api, COPIES[0])
    assert "Under review" in body(client_for(copier).get(f"/posts/{held_id}"))
    reader, other = MemberFactory.create(), MemberFactory.create()
    comment = posts.comment_create(author=reader, post_id=post_id, text="阴阳怪气的评论")
    posts.comment_report(reporter=other, comment_id=comment.pk, category="unfriendly")
    desk = client_for(OperatorFactory.create())

    held = body(desk.get("/platform/posts?status=held"))
    assert f"/platform/posts/{held_id}/approve" in held
    assert f"like post {post_id}" in held
    reported = body(desk.get("/platform/posts?status=comments"))
    assert "阴阳怪气的评论" in reported
    assert "Unfriendly conduct" in reported

    desk.post(f"/platform/comments/{comment.pk}/hide", {"rule": "unfriendly", "note": ""})
    comment.refresh_from_db()
    assert (comment.status, comment.hidden_rule) == ("hidden", "unfriendly")
    hidden = body(desk.get("/platform/posts?status=hidden_comments"))
    assert f"/platform/comments/{comment.pk}/restore" in hidden
    desk.post(f"/platform/comments/{comment.pk}/restore", {"note": ""})
    comment.refresh_from_db()
    assert comment.status == "visible"

    desk.post(f"/platform/posts/{held_id}/approve", {"note": "品牌授权"})
    assert client_for(None).get(f"/posts/{held_id}").status_code == 200
