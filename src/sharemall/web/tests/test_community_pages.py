"""The community convention's pages: the public convention, 我的 → 处罚与申诉 with its appeal
form and the mute notice, and the back office's members, penalties, appeals and convention."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import MemberFactory, OperatorFactory

from sharemall.accounts.models import Member
from sharemall.community import rules, services
from sharemall.community.models import Appeal, ConventionVersion, Penalty
from sharemall.web.tests.support import browser, page

pytestmark = pytest.mark.django_db


def _penalise(member: Member, operator: Member, level: str = rules.MUTE_7D) -> Penalty:
    return services.penalty_impose(
        member_id=member.pk, actor=operator, level=level, rule="spam", note="刷广告"
    )


def test_the_convention_is_public_in_chinese_with_its_versions() -> None:
    html = page(Client(headers={"accept-language": "zh-hans"}), "/convention")
    assert "分享商城社区公约" in html
    assert "禁言15天" in html
    assert "另一位运营人员复核" in html
    ConventionVersion.objects.create(version=2, text="第二版")
    assert "第二版" in page(Client(), "/convention")
    earlier = page(Client(), "/convention?version=1")
    assert "分享商城社区公约" in earlier
    assert Client().get("/convention?version=9").status_code == 404


def test_the_convention_is_linked_from_settings_and_the_report_page() -> None:
    member = MemberFactory.create()
    assert 'href="/convention"' in page(browser(member), "/me/settings")


def test_a_muted_member_sees_until_when_and_appeals_once() -> None:
    member, operator = MemberFactory.create(), OperatorFactory.create()
    penalty = _penalise(member, operator)
    client = browser(member)
    me = page(client, "/me")
    assert "You are muted until" in me
    assert 'href="/me/community"' in me
    html = page(client, "/me/community")
    assert "Muted for 7 days" in html
    assert f'id="penalty-{penalty.pk}"' in html
    assert 'name="statement"' in html

    sent = client.post(
        "/me/community",
        {"decision_type": "penalty", "decision_id": penalty.pk, "statement": "我没有发广告"},
    )
    assert sent.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.appellant_id, appeal.decided_by_id) == (member.pk, operator.pk)
    html = page(client, "/me/community")
    assert "Waiting for review" in html
    assert 'name="statement"' not in html  # appealed once: no form any more

    services.appeal_review(
        appeal_id=appeal.pk, reviewer=OperatorFactory.create(), outcome=rules.OVERTURNED
    )
    html = page(client, "/me/community")
    assert "Overturned: the decision is withdrawn" in html
    me = page(client, "/me")
    assert "You are muted" not in me
    assert "Overturned: the decision is withdrawn" in me


def test_another_members_penalty_cannot_be_appealed_from_the_page() -> None:
    member, other, operator = (
        MemberFactory.create(),
        MemberFactory.create(),
        OperatorFactory.create(),
    )
    penalty = _penalise(member, operator)
    answer = browser(other).post(
        "/me/community",
        {"decision_type": "penalty", "decision_id": penalty.pk, "statement": "冒名申诉"},
    )
    assert answer.status_code == 200
    assert not Appeal.objects.exists()


def test_community_pages_are_for_operators() -> None:
    member = MemberFactory.create()
    for url in (
        "/platform/members",
        f"/platform/members/{member.pk}",
        "/platform/appeals",
        "/platform/convention",
    ):
        assert browser(member).get(url).status_code == 404
        assert Client().get(url).status_code == 302


def test_an_operator_finds_a_member_and_penalises_them() -> None:
    operator, member = OperatorFactory.create(), MemberFactory.create(nickname="小刷子")
    client = browser(operator)
    listed = page(client, "/platform/members?q=小刷")
    assert "小刷子" in listed
    assert client.get(f"/platform/members?q={member.pk}")["Location"] == (
        f"/platform/members/{member.pk}"
    )
    html = page(client, f"/platform/members/{member.pk}")
    # The suggestion is pre-selected: a first breach gets a warning.
    assert 'value="warning" required id="penalty_level_0" checked' in html
    assert "data-confirm" in html
    assert 'name="aggravations"' in html

    done = client.post(
        f"/platform/members/{member.pk}/penalties",
        {"level": "mute_1d", "rule": "vulgar", "note": "低俗图片", "aggravations": ["minors"]},
    )
    assert done.status_code == 302
    penalty = Penalty.objects.get(member=member)
    assert (penalty.level, penalty.rule, penalty.aggravations, penalty.actor_id) == (
        "mute_1d",
        "vulgar",
        "minors",
        operator.pk,
    )
    html = page(client, f"/platform/members/{member.pk}")
    assert "低俗图片" in html
    assert "Muted until" in html
    assert operator.nickname in html

    refused = client.post(
        f"/platform/members/{member.pk}/penalties", {"level": "ban", "rule": "vulgar"}
    )
    assert refused.status_code == 302
    assert Penalty.objects.count() == 1


def test_the_decider_cannot_review_but_another_operator_can() -> None:
    member, decider, reviewer = (
        MemberFactory.create(),
        OperatorFactory.create(),
        OperatorFactory.create(),
    )
    penalty = _penalise(member, decider)
    appeal = services.appeal_file(
        appellant=member, decision_type="penalty", decision_id=penalty.pk, statement="冤枉"
    )
    own = page(browser(decider), "/platform/appeals")
    assert "冤枉" in own
    assert "You took this decision" in own
    assert f'action="/platform/appeals/{appeal.pk}/review"' not in own
    refused = browser(decider).post(
        f"/platform/appeals/{appeal.pk}/review", {"outcome": "overturned"}
    )
    assert refused.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == rules.PENDING

    client = browser(reviewer)
    queue = page(client, "/platform/appeals")
    assert f'action="/platform/appeals/{appeal.pk}/review"' in queue
    assert decider.nickname in queue
    client.post(
        f"/platform/appeals/{appeal.pk}/review", {"outcome": "overturned", "note": "证据不足"}
    )
    appeal.refresh_from_db()
    penalty.refresh_from_db()
    assert (appeal.status, appeal.reviewer_id, penalty.status) == (
        rules.OVERTURNED,
        reviewer.pk,
        rules.OVERTURNED,
    )
    assert "证据不足" in page(client, "/platform/appeals?status=overturned")


def test_an_operator_publishes_a_new_convention_version() -> None:
    operator = OperatorFactory.create()
    client = browser(operator)
    html = page(client, "/platform/convention")
    assert "分享商城社区公约" in html
    assert 'href="/platform/members"' in html  # the sidebar's community group
    assert client.post("/platform/convention", {"text": "第二版公约"}).status_code == 302
    current = ConventionVersion.objects.order_by("-version").first()
    assert current is not None
    assert (current.version, current.text, current.author_id) == (2, "第二版公约", operator.pk)
    assert "v2" in page(client, "/platform/convention")


def test_closing_an_account_ends_its_page_session() -> None:
    member = MemberFactory.create()
    client = browser(member)
    page(client, "/me")
    _penalise(member, OperatorFactory.create(), rules.CLOSE)
    assert client.get("/me").status_code == 302


def test_the_author_of_a_hidden_post_and_comment_appeals_each_once_from_the_page() -> None:
    from tests.factories import product  # noqa: PLC0415

    from sharemall.posts import services as posts  # noqa: PLC0415
    from sharemall.web.tests.test_product_page import written_post  # noqa: PLC0415

    author, operator = MemberFactory.create(), OperatorFactory.create()
    post = written_post(product(), author)
    comment = posts.comment_create(author=author, post_id=post.pk, text="再买一箱")
    posts.comment_hide(operator=operator, comment_id=comment.pk, rule="spam")
    posts.post_hide(operator=operator, post_id=post.pk, rule="clickbait")
    client = browser(author)

    html = page(client, "/me/community")
    assert f'id="hidden-post-{post.pk}"' in html
    assert f'id="hidden-comment-{comment.pk}"' in html
    assert rules.CATEGORIES["clickbait"].message in html
    sent = client.post(
        "/me/community",
        {"decision_type": "post", "decision_id": post.pk, "statement": "这是真实体验"},
    )
    assert sent.status_code == 302
    appeal = Appeal.objects.get(decision_type="post")
    assert (appeal.decision_id, appeal.decided_by_id) == (post.pk, operator.pk)
    html = page(client, "/me/community")
    row = html.split(f'id="hidden-post-{post.pk}"')[1].split("</article>")[0]
    assert "Waiting for review" in row
    assert 'name="statement"' not in row  # once per decision
    assert 'name="statement"' in html.split(f'id="hidden-comment-{comment.pk}"')[1]
