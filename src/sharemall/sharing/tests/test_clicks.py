"""Clicks: one per visitor per code per rolling 24 h, never the sharer's; touches; attribution."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from tests.factories import MemberFactory, product

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.sharing.models import ClickWindow, ShareClick, ShareLink, ShareTouch
from sharemall.sharing.selectors import attribution_link, click_counts, link_by_code, links_of
from sharemall.sharing.services import click_record, share_create
from sharemall.sharing.tests.support import NOON, set_rules

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def new_link(sharer: Member | None = None) -> ShareLink:
    sharer = sharer or MemberFactory.create()
    return share_create(
        sharer=sharer, target_type="product", target_id=product().pk, now=NOON - DAY
    ).link


def clicks(link: ShareLink) -> int:
    return ShareClick.objects.filter(link=link).count()


# --- counting ----------------------------------------------------------------------------------


def test_an_anonymous_visitor_counts_once_per_rolling_day() -> None:
    link = new_link()

    def visit(offset: timedelta) -> bool:
        return click_record(code=link.code, visitor_key="dev-1", now=NOON + offset).counted

    counted = [visit(timedelta(0)), visit(HOUR), visit(DAY - timedelta(seconds=1)), visit(DAY)]

    assert counted == [True, False, False, True]
    assert clicks(link) == 2
    rows: Sequence[tuple[str, int | None]] = list(
        ShareClick.objects.values_list("visitor_key", "visitor_id")
    )
    assert rows == [
        ("v:dev-1", None),
        ("v:dev-1", None),
    ]


def test_the_window_rolls_from_the_last_counted_click() -> None:
    link = new_link()
    click_record(code=link.code, visitor_key="dev-1", now=NOON)
    click_record(code=link.code, visitor_key="dev-1", now=NOON + 23 * HOUR)  # not counted

    assert click_record(code=link.code, visitor_key="dev-1", now=NOON + 25 * HOUR).counted is True
    assert click_record(code=link.code, visitor_key="dev-1", now=NOON + 26 * HOUR).counted is False


def test_visitors_and_codes_count_separately() -> None:
    first, second = new_link(), new_link()

    outcomes = [
        click_record(code=first.code, visitor_key="dev-1", now=NOON).counted,
        click_record(code=first.code, visitor_key="dev-2", now=NOON).counted,
        click_record(code=second.code, visitor_key="dev-1", now=NOON).counted,
    ]

    assert outcomes == [True, True, True]
    assert click_counts([first.pk, second.pk]) == {first.pk: 2, second.pk: 1}


def test_a_signed_in_visitor_is_known_by_member_whatever_the_device(member: Member) -> None:
    link = new_link()

    first = click_record(code=link.code, visitor_member=member, visitor_key="phone", now=NOON)
    again = click_record(code=link.code, visitor_member=member, visitor_key="laptop", now=NOON)

    assert (first.counted, again.counted) == (True, False)
    click = ShareClick.objects.get(link=link)
    assert (click.visitor_key, click.visitor_id) == (f"m:{member.pk}", member.pk)


def test_the_sharers_own_clicks_never_count_nor_touch(member: Member) -> None:
    link = new_link(member)

    outcome = click_record(code=link.code, visitor_member=member, ip="10.0.0.1", now=NOON)

    assert outcome.counted is False
    assert outcome.link == link
    assert clicks(link) == 0
    assert not ClickWindow.objects.exists()
    assert not ShareTouch.objects.exists()


def test_a_visitor_without_cookie_or_device_is_known_by_address() -> None:
    link = new_link()

    by_address = [
        click_record(code=link.code, ip="10.0.0.1", now=NOON).counted,
        click_record(code=link.code, ip="10.0.0.1", now=NOON + HOUR).counted,
        click_record(code=link.code, ip="10.0.0.2", now=NOON).counted,
    ]
    nobody = click_record(code=link.code, now=NOON).counted

    assert by_address == [True, False, True]
    assert nobody is False
    assert ShareClick.objects.filter(ip="10.0.0.1").count() == 1


def test_an_odd_device_id_is_kept_as_a_stable_digest() -> None:
    link = new_link()
    odd = "设备/" + "x" * 200

    first = click_record(code=link.code, visitor_key=odd, now=NOON)
    again = click_record(code=link.code, visitor_key=odd, now=NOON + HOUR)

    assert (first.counted, again.counted) == (True, False)
    key = ShareClick.objects.get().visitor_key
    assert key.startswith("v:#")
    assert len(key) <= 64


@pytest.mark.parametrize("code", ["NOSUCHCODE", "", "a\x00b", "x" * 300, "../etc"])
def test_an_unknown_code_is_not_found(code: str) -> None:
    with pytest.raises(NotFound):
        click_record(code=code, visitor_key="dev-1", now=NOON)
    assert link_by_code(code) is None


# --- touches -----------------------------------------------------------------------------------


def test_every_click_of_a_member_moves_their_touch_counted_or_not(member: Member) -> None:
    first, second = new_link(), new_link()

    click_record(code=first.code, visitor_member=member, now=NOON)
    click_record(code=second.code, visitor_member=member, now=NOON + HOUR)
    repeat = click_record(code=first.code, visitor_member=member, now=NOON + 2 * HOUR)

    assert repeat.counted is False
    touch = ShareTouch.objects.get(member=member)
    assert (touch.link_id, touch.touched_at) == (first.pk, NOON + 2 * HOUR)


def test_an_older_click_arriving_late_leaves_the_touch(member: Member) -> None:
    first, second = new_link(), new_link()
    click_record(code=second.code, visitor_member=member, now=NOON)

    click_record(code=first.code, visitor_member=member, now=NOON - HOUR)

    assert ShareTouch.objects.get(member=member).link_id == second.pk


def test_anonymous_clicks_touch_nobody() -> None:
    click_record(code=new_link().code, visitor_key="dev-1", now=NOON)

    assert not ShareTouch.objects.exists()


# --- attribution -------------------------------------------------------------------------------


def test_no_share_no_attribution(member: Member) -> None:
    assert attribution_link(buyer=member, share_code=None, now=NOON) is None


def test_the_latest_touch_within_the_window_attributes(member: Member) -> None:
    link = new_link()
    click_record(code=link.code, visitor_member=member, now=NOON)

    inside = attribution_link(buyer=member, share_code=None, now=NOON + 7 * DAY)
    outside = attribution_link(buyer=member, share_code=None, now=NOON + 7 * DAY + HOUR)

    assert inside == link
    assert outside is None


def test_the_window_follows_the_platform_settings(member: Member) -> None:
    link = new_link()
    click_record(code=link.code, visitor_member=member, now=NOON)
    set_rules(attribution_window_days=30)

    assert attribution_link(buyer=member, share_code=None, now=NOON + 29 * DAY) == link


def test_an_explicit_code_wins_over_the_touch(member: Member) -> None:
    touched, explicit = new_link(), new_link()
    click_record(code=touched.code, visitor_member=member, now=NOON)

    assert attribution_link(buyer=member, share_code=explicit.code, now=NOON + HOUR) == explicit


def test_the_buyers_own_or_an_unknown_code_falls_back_to_the_touch(member: Member) -> None:
    own, touched = new_link(member), new_link()
    click_record(code=touched.code, visitor_member=member, now=NOON)

    for code in (own.code, "NOSUCHCODE", "", "bad code!"):
        assert attribution_link(buyer=member, share_code=code, now=NOON + HOUR) == touched
    assert attribution_link(buyer=member, share_code=own.code, now=NOON + 8 * DAY) is None


def test_a_switched_off_sharers_links_attribute_nothing(member: Member) -> None:
    link = new_link()
    click_record(code=link.code, visitor_member=member, now=NOON)
    link.sharer.is_active = False
    link.sharer.save(update_fields=["is_active"])

    assert attribution_link(buyer=member, share_code=link.code, now=NOON + HOUR) is None


# --- reads -------------------------------------------------------------------------------------


def test_links_of_lists_the_members_own_links_newest_first(member: Member) -> None:
    older = share_create(sharer=member, target_type="product", target_id=product().pk, now=NOON)
    newer = share_create(
        sharer=member, target_type="product", target_id=product().pk, now=NOON + HOUR
    )
    new_link()  # someone else's

    assert list(links_of(member)) == [newer.link, older.link]
    assert click_counts([]) == {}
