"""Penalties and appeals through the services: mute windows, closing, appealing once, review by
another operator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from tests.factories import PASSWORD, MemberFactory, OperatorFactory

from sharemall.accounts import services as accounts
from sharemall.accounts.models import ApiToken, Member
from sharemall.community import rules, selectors, services
from sharemall.community.models import Appeal, Penalty, PenaltyEvent
from sharemall.core.errors import NotFound, Unauthenticated
from sharemall.notifications import rules as notices
from sharemall.notifications.models import Notice

pytestmark = pytest.mark.django_db


def _impose(member: Member, operator: Member, level: str, **kw: Any) -> Penalty:
    return services.penalty_impose(
        member_id=member.pk, actor=operator, level=level, rule="spam", **kw
    )


def test_a_timed_mute_silences_until_its_end_and_no_longer() -> None:
    member, operator = MemberFactory.create(), OperatorFactory.create()
    penalty = _impose(member, operator, rules.MUTE_7D, note="刷屏广告")
    assert penalty.ends_at == penalty.created_at + timedelta(days=7)
    with pytest.raises(rules.Muted) as refused:
        services.ensure_can_speak(member)
    assert refused.value.details == {"until": penalty.ends_at.isoformat()}
    assert penalty.ends_at is not None
    second = timedelta(seconds=1)
    assert selectors.active_mute(member.pk, now=penalty.ends_at - second) is not None
    assert selectors.active_mute(member.pk, now=penalty.ends_at + second) is None


def test_a_permanent_mute_never_ends_and_a_warning_mutes_nobody() -> None:
    member, warned = MemberFactory.create(), MemberFactory.create()
    operator = OperatorFactory.create()
    forever = _impose(member, operator, rules.MUTE_FOREVER)
    _impose(warned, operator, rules.WARNING)
    assert forever.ends_at is None
    mute = selectors.active_mute(member.pk, now=timezone.now() + timedelta(days=3650))
    assert mute is not None
    assert mute.until is None
    services.ensure_can_speak(warned)


def test_every_penalty_is_an_event_and_tells_the_member_once() -> None:
    member, operator = MemberFactory.create(), OperatorFactory.create()
    penalty = _impose(member, operator, rules.MUTE_1D, note="辱骂", aggravations=["minors"])
    assert penalty.aggravations == "minors"
    event = PenaltyEvent.objects.get(penalty=penalty)
    assert (event.to_status, event.actor_id, event.note) == (rules.ACTIVE, operator.pk, "辱骂")
    notice = Notice.objects.get(recipient=member, kind=notices.PENALTY_IMPOSED)
    assert notice.params["level"] == "Muted for 1 day"
    assert notice.params["rule"] == rules.CATEGORIES["spam"].message
    assert notice.key == f"community:penalty:{penalty.pk}"
    with translation.override("zh-hans"):
        assert notices.body(notice.kind, notice.params).startswith(
            "你违反了社区公约（垃圾广告：重复广告、多账号协同、伪装广告），处理结果：禁言1天，期限至："
        )


def test_unknown_members_and_operators_cannot_be_penalised() -> None:
    operator = OperatorFactory.create()
    with pytest.raises(NotFound):
        services.penalty_impose(member_id=999_999, actor=operator, level="warning", rule="spam")
    with pytest.raises(NotFound):
        _impose(OperatorFactory.create(), operator, rules.WARNING)
    with pytest.raises(rules.InvalidPenalty):
        _impose(MemberFactory.create(), operator, "ban")
    assert not Penalty.objects.exists()


def test_closing_shuts_the_member_out_and_an_overturned_close_lets_them_back() -> None:
    member, operator, reviewer = (
        MemberFactory.create(),
        OperatorFactory.create(),
        OperatorFactory.create(),
    )
    token = accounts.token_issue(member)
    penalty = _impose(member, operator, rules.CLOSE)
    member.refresh_from_db()
    assert not member.is_active
    assert accounts.token_authenticate(token) is None
    assert not ApiToken.objects.filter(member=member, revoked_at__isnull=True).exists()
    with pytest.raises(Unauthenticated) as refused:
        accounts.member_login(phone=member.phone, password=PASSWORD)
    assert refused.value.code == "invalid_credentials"
    appeal = services.appeal_file(
        appellant=member, decision_type="penalty", decision_id=penalty.pk, statement="误封"
    )
    services.appeal_review(appeal_id=appeal.pk, reviewer=reviewer, outcome=rules.OVERTURNED)
    member.refresh_from_db()
    assert member.is_active
    assert accounts.member_login(phone=member.phone, password=PASSWORD) == member


def test_overturning_a_mute_lifts_it_at_once() -> None:
    member, operator, reviewer = (
        MemberFactory.create(),
        OperatorFactory.create(),
        OperatorFactory.create(),
    )
    penalty = _impose(member, operator, rules.MUTE_15D)
    appeal = services.appeal_file(
        appellant=member, decision_type="penalty", decision_id=penalty.pk, statement="没有违规"
    )
    assert appeal.decided_by_id == operator.pk
    reviewed = services.appeal_review(
        appeal_id=appeal.pk, reviewer=reviewer, outcome=rules.OVERTURNED, note="证据不足"
    )
    assert (reviewed.status, reviewed.reviewer_id, reviewed.outcome_note) == (
        rules.OVERTURNED,
        reviewer.pk,
        "证据不足",
    )
    penalty.refresh_from_db()
    assert penalty.status == rules.OVERTURNED
    assert list(penalty.events.values_list("to_status", flat=True).order_by("pk")) == [
        rules.ACTIVE,
        rules.OVERTURNED,
    ]
    services.ensure_can_speak(member)
    # An overturned penalty no longer counts towards the next step.
    assert selectors.suggestion(member.pk) == rules.WARNING
    notice = Notice.objects.get(recipient=member, kind=notices.APPEAL_DECIDED)
    assert notice.params == {"outcome": rules.OUTCOMES[rules.OVERTURNED].message}


def test_a_decision_is_appealed_once_and_only_by_whom_it_touched() -> None:
    member, other, operator = (
        MemberFactory.create(),
        MemberFactory.create(),
        OperatorFactory.create(),
    )
    penalty = _impose(member, operator, rules.WARNING)
    with pytest.raises(NotFound):
        services.appeal_file(
            appellant=other, decision_type="penalty", decision_id=penalty.pk, statement="x"
        )
    with pytest.raises(rules.InvalidAppeal):
        services.appeal_file(
            appellant=member, decision_type="banana", decision_id=penalty.pk, statement="x"
        )
    services.appeal_file(
        appellant=member, decision_type="penalty", decision_id=penalty.pk, statement="第一次"
    )
    with pytest.raises(rules.AlreadyAppealed):
        services.appeal_file(
            appellant=member, decision_type="penalty", decision_id=penalty.pk, statement="再来"
        )
    assert Appeal.objects.count() == 1


def test_the_decider_may_not_review_and_a_review_is_final() -> None:
    member, operator, reviewer = (
        MemberFactory.create(),
        OperatorFactory.create(),
        OperatorFactory.create(),
    )
    penalty = _impose(member, operator, rules.MUTE_1D)
    appeal = services.appeal_file(
        appellant=member, decision_type="penalty", decision_id=penalty.pk, statement="冤枉"
    )
    with pytest.raises(rules.SameReviewer):
        services.appeal_review(appeal_id=appeal.pk, reviewer=operator, outcome=rules.OVERTURNED)
    services.appeal_review(appeal_id=appeal.pk, reviewer=reviewer, outcome=rules.UPHELD)
    with pytest.raises(rules.AlreadyReviewed):
        services.appeal_review(appeal_id=appeal.pk, reviewer=reviewer, outcome=rules.OVERTURNED)
    penalty.refresh_from_db()
    assert penalty.status == rules.ACTIVE
    assert selectors.active_mute(member.pk) is not None
