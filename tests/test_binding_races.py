"""Rebinding races on PostgreSQL: two members each arriving through the other's share at the same
moment must not end up each other's parent (SQLite serialises writers, so only PostgreSQL can
show it)."""

from __future__ import annotations

import pytest
from django.db import connection

from sharemall.accounts.binding import bind
from sharemall.accounts.models import Binding, Member
from sharemall.platform.models import PlatformSettings
from sharemall.platform.services import current
from tests.factories import MemberFactory
from tests.test_races import in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


@pytest.mark.parametrize("round_", range(5))
def test_crossed_rebindings_never_close_a_loop(round_: int) -> None:
    current()
    PlatformSettings.objects.update(binding_mode="last_touch")
    a, b = MemberFactory.create(), MemberFactory.create()
    # Each has a team, so neither binding is a newcomer's.
    MemberFactory.create(parent=a)
    MemberFactory.create(parent=b)

    outcomes = in_threads(
        [
            lambda: bind(Member.objects.get(pk=a.pk), b, source="race"),
            lambda: bind(Member.objects.get(pk=b.pk), a, source="race"),
        ]
        * 4,
        workers=8,
    )

    a.refresh_from_db()
    b.refresh_from_db()
    assert not (a.parent_id == b.pk and b.parent_id == a.pk)
    assert [o for o in outcomes if not isinstance(o, bool)] == []
    assert outcomes.count(True) == 1
    assert Binding.objects.filter(member__in=[a, b]).count() == 1
