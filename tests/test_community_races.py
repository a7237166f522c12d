"""Appeals under a burst, on PostgreSQL: eight appeals of one decision at once, one lands."""

from __future__ import annotations

import pytest

from sharemall.community import rules, services
from sharemall.community.models import Appeal
from tests.factories import MemberFactory, OperatorFactory
from tests.races import all_at_once, postgres_only

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_eight_appeals_of_one_decision_at_once_land_once() -> None:
    postgres_only()
    member, operator = MemberFactory.create(), OperatorFactory.create()
    penalty = services.penalty_impose(
        member_id=member.pk, actor=operator, level=rules.MUTE_1D, rule="spam"
    )
    outcomes = all_at_once(
        [
            lambda i=i: services.appeal_file(
                appellant=member,
                decision_type="penalty",
                decision_id=penalty.pk,
                statement=f"第{i}次",
            )
            for i in range(8)
        ]
    )
    landed = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, rules.AlreadyAppealed)]
    assert (len(landed), len(refused)) == (1, 7), outcomes
    assert Appeal.objects.filter(decision_id=penalty.pk).count() == 1


def test_two_operators_reviewing_one_appeal_at_once_decide_it_once() -> None:
    postgres_only()
    member, decider = MemberFactory.create(), OperatorFactory.create()
    reviewers = [OperatorFactory.create() for _ in range(4)]
    penalty = services.penalty_impose(
        member_id=member.pk, actor=decider, level=rules.MUTE_1D, rule="spam"
    )
    appeal = services.appeal_file(
        appellant=member, decision_type="penalty", decision_id=penalty.pk, statement="冤枉"
    )
    outcomes = all_at_once(
        [
            lambda r=r, o=o: services.appeal_review(appeal_id=appeal.pk, reviewer=r, outcome=o)
            for r, o in zip(reviewers, [rules.UPHELD, rules.OVERTURNED] * 2, strict=True)
        ]
    )
    landed = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(landed) == 1, outcomes
    assert all(isinstance(o, rules.AlreadyReviewed) for o in outcomes if o not in landed)
    appeal.refresh_from_db()
    penalty.refresh_from_db()
    assert (penalty.status == rules.OVERTURNED) == (appeal.status == rules.OVERTURNED)
