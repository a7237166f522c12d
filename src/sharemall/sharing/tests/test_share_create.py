"""Making share links: which targets may be shared, and the daily caps on rewarded shares."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation
from tests.factories import MemberFactory, OperatorFactory, merchant, product

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.core.ids import ALPHABET
from sharemall.merchants import services as merchant_services
from sharemall.sharing import rules
from sharemall.sharing.models import ShareDayCount, ShareLink
from sharemall.sharing.services import share_create, share_reuse, target_url
from sharemall.sharing.tests.support import NOON, distributor, offline_store, set_rules

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def share_product(sharer: Member, product_id: int, now: datetime = NOON) -> bool:
    return share_create(
        sharer=sharer, target_type="product", target_id=product_id, now=now
    ).rewarded


def reuse(sharer: Member, product_id: int, now: datetime = NOON) -> ShareLink:
    return share_reuse(sharer=sharer, target_type="product", target_id=product_id, now=now).link


# --- one link per member and target ------------------------------------------------------------


def test_sharing_the_same_product_again_hands_back_the_same_link(member: Member) -> None:
    tea, cup = product(), product()

    first = reuse(member, tea.pk)
    again = reuse(member, tea.pk, now=NOON + timedelta(days=3))
    other = reuse(member, cup.pk)
    someone_elses = reuse(MemberFactory.create(), tea.pk)

    assert again.pk == first.pk
    assert len({first.pk, other.pk, someone_elses.pk}) == 3
    # Handing a link back takes no rewarded share from the day's caps.
    assert ShareDayCount.objects.get(member=member, product_id=tea.pk).count == 1


def test_a_link_made_past_the_cap_is_kept_that_day_and_replaced_by_one_that_earns_later(
    member: Member,
) -> None:
    set_rules(share_daily_cap=1)
    reuse(member, product().pk)  # the day's one rewarded share
    tea = product()

    capped = share_reuse(sharer=member, target_type="product", target_id=tea.pk, now=NOON)
    same_day = reuse(member, tea.pk, now=NOON + timedelta(hours=1))
    next_day = reuse(member, tea.pk, now=NOON + timedelta(days=1))
    after = reuse(member, tea.pk, now=NOON + timedelta(days=2))

    assert capped.rewarded is False
    assert "limit" in capped.message
    assert same_day.pk == capped.link.pk
    assert (next_day.pk != capped.link.pk, next_day.rewarded) == (True, True)
    assert after.pk == next_day.pk  # the link that earns is the one kept from then on


def test_reusing_still_refuses_what_cannot_be_shared(member: Member) -> None:
    draft = product(on_sale=False)
    with pytest.raises(NotFound):
        reuse(member, draft.pk)


# --- caps --------------------------------------------------------------------------------------


def test_twenty_rewarded_shares_a_day_then_links_that_earn_nothing(member: Member) -> None:
    products = [product() for _ in range(7)]  # 7 × 3 = 21 shares within the per-product cap
    outcomes = [
        share_create(sharer=member, target_type="product", target_id=p.pk, now=NOON)
        for p in products
        for _ in range(3)
    ]

    assert [o.rewarded for o in outcomes] == [True] * 20 + [False]
    past_cap = outcomes[-1]
    assert past_cap.message == (
        "You have reached today's limit of 20 rewarded shares. "
        "The link still works, but it earns nothing."
    )
    assert outcomes[0].message == "Shared. A sale through this link earns you a rebate."
    assert past_cap.link.pk is not None
    assert ShareLink.objects.get(pk=past_cap.link.pk).rewarded is False
    assert ShareLink.objects.filter(sharer=member).count() == 21
    assert ShareDayCount.objects.get(member=member, product_id=rules.TOTAL).count == 20


def test_a_store_share_counts_against_the_daily_total(member: Member) -> None:
    set_rules(share_daily_cap=2)
    store = offline_store(merchant())

    results = [
        share_create(sharer=member, target_type="store", target_id=store.pk, now=NOON).rewarded
        for _ in range(3)
    ]

    assert results == [True, True, False]


def test_three_rewarded_shares_of_one_product_a_day(member: Member) -> None:
    tea, cup = product(), product()

    results = [share_product(member, tea.pk) for _ in range(4)]
    other = share_create(sharer=member, target_type="product", target_id=cup.pk, now=NOON)

    assert results == [True, True, True, False]
    assert other.rewarded is True
    fourth = ShareLink.objects.filter(sharer=member, target_id=tea.pk).order_by("id").last()
    assert fourth is not None
    assert fourth.rewarded is False


def test_the_product_cap_message_names_the_product_limit_and_spends_no_total(
    member: Member,
) -> None:
    tea = product()
    for _ in range(3):
        share_product(member, tea.pk)

    fourth = share_create(sharer=member, target_type="product", target_id=tea.pk, now=NOON)

    assert fourth.message == (
        "You have reached today's limit of 3 rewarded shares of this product. "
        "The link still works, but it earns nothing."
    )
    # The refused product slot took nothing from the day's total.
    assert ShareDayCount.objects.get(member=member, product_id=rules.TOTAL).count == 3
    assert ShareDayCount.objects.get(member=member, product_id=tea.pk).count == 3


def test_a_full_total_spends_no_product_slot(member: Member) -> None:
    set_rules(share_daily_cap=1)
    tea, cup = product(), product()
    assert share_product(member, tea.pk) is True

    assert share_product(member, cup.pk) is False

    assert not ShareDayCount.objects.filter(member=member, product_id=cup.pk, count__gt=0).exists()


def test_the_day_turns_at_midnight_in_shanghai(member: Member) -> None:
    tea = product()
    late = datetime(2026, 3, 2, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    for _ in range(3):
        assert share_product(member, tea.pk, now=late) is True
    assert share_product(member, tea.pk, now=late) is False

    assert share_product(member, tea.pk, now=late + timedelta(minutes=2)) is True  # 00:01


def test_caps_are_per_member(member: Member) -> None:
    tea = product()
    for _ in range(3):
        share_product(member, tea.pk)

    assert share_product(MemberFactory.create(), tea.pk) is True


def test_caps_follow_the_platform_settings(member: Member) -> None:
    set_rules(share_daily_cap=0)

    outcome = share_create(sharer=member, target_type="product", target_id=product().pk)

    assert outcome.rewarded is False
    assert "limit of 0 rewarded shares" in outcome.message


# --- targets -----------------------------------------------------------------------------------


def test_a_link_has_a_short_unguessable_code(member: Member) -> None:
    first = share_create(sharer=member, target_type="product", target_id=product().pk).link
    second = share_create(sharer=member, target_type="product", target_id=product().pk).link

    assert len(first.code) == 10
    assert set(first.code) <= set(ALPHABET)
    assert first.code != second.code
    assert first.channel == "link"


def test_the_channel_is_kept(member: Member) -> None:
    link = share_create(
        sharer=member, target_type="product", target_id=product().pk, channel="wechat_moments"
    ).link

    assert link.channel == "wechat_moments"


@pytest.mark.parametrize("channel", ["x" * 31, "qr\x00"])
def test_a_bad_channel_is_refused(member: Member, channel: str) -> None:
    with pytest.raises(rules.InvalidChannel):
        share_create(sharer=member, target_type="product", target_id=product().pk, channel=channel)


def test_hidden_products_cannot_be_shared(member: Member) -> None:
    draft = product(on_sale=False)
    unapproved = product(merchant(approved=False))
    suspended_shop = merchant()
    of_suspended = product(suspended_shop)
    merchant_services.merchant_suspend(
        suspended_shop, operator=OperatorFactory.create(), reason="fraud"
    )

    for target_id in (draft.pk, unapproved.pk, of_suspended.pk, 999_999_999):
        with pytest.raises(NotFound):
            share_create(sharer=member, target_type="product", target_id=target_id)
    assert not ShareLink.objects.exists()
    assert not ShareDayCount.objects.filter(count__gt=0).exists()


def test_active_stores_of_approved_merchants_can_be_shared(member: Member) -> None:
    shop = merchant()
    store = offline_store(shop)
    closed = offline_store(shop, name="已关")
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    pending_store = offline_store(merchant(approved=False))

    link = share_create(sharer=member, target_type="store", target_id=store.pk).link

    assert target_url(link) == f"/stores/{store.pk}"
    for target_id in (closed.pk, pending_store.pk):
        with pytest.raises(NotFound):
            share_create(sharer=member, target_type="store", target_id=target_id)


def test_a_distributor_shares_their_own_sub_store_only(member: Member) -> None:
    distributor(member)
    other = distributor(MemberFactory.create())

    link = share_create(sharer=member, target_type="substore", target_id=member.pk).link

    assert target_url(link) == f"/substores/{member.pk}"
    with pytest.raises(rules.InvalidTarget, match="your own sub-store"):
        share_create(sharer=member, target_type="substore", target_id=other.pk)


def test_a_member_without_distribution_has_no_sub_store_to_share(member: Member) -> None:
    with pytest.raises(rules.InvalidTarget, match="enable distribution"):
        share_create(sharer=member, target_type="substore", target_id=member.pk)


def test_a_post_that_does_not_exist_or_is_not_visible_cannot_be_shared(member: Member) -> None:
    with pytest.raises(NotFound) as refused:
        share_create(sharer=member, target_type="post", target_id=1)

    assert refused.value.status == 404


@pytest.mark.parametrize(
    ("target_type", "target_id"), [("group", 1), ("product", 0), ("product", -5), ("store", 2**63)]
)
def test_malformed_targets_are_refused(member: Member, target_type: str, target_id: int) -> None:
    with pytest.raises(rules.InvalidTarget):
        share_create(sharer=member, target_type=target_type, target_id=target_id)


def test_a_product_link_leads_to_the_product_page(member: Member) -> None:
    tea = product()

    link = share_create(sharer=member, target_type="product", target_id=tea.pk).link

    assert target_url(link) == f"/p/{tea.pk}"
    assert (link.target_type, link.target_id, link.sharer_id) == ("product", tea.pk, member.pk)
