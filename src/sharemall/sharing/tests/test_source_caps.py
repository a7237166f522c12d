"""Rewarded shares per device and per public address per day (PRODUCT §4.4): whichever accounts
share from one phone or one line, together they earn what the caps allow, and the member is
told why; private and local addresses are never capped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from conftest import Api
from django.utils import translation
from tests.factories import MemberFactory, product

from sharemall.accounts.models import MemberDevice
from sharemall.platform.rules import InvalidSettings
from sharemall.sharing import rules
from sharemall.sharing.models import ShareDayCount, ShareSourceDayCount
from sharemall.sharing.services import ShareResult, share_create
from sharemall.sharing.tests.support import NOON, set_rules

pytestmark = pytest.mark.django_db

PUBLIC = "8.8.4.4"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def share(device: str = "", ip: str | None = None, **kw: object) -> ShareResult:
    sharer = kw.pop("sharer", None) or MemberFactory.create()
    return share_create(
        sharer=sharer,  # type: ignore[arg-type]
        target_type="product",
        target_id=kw.pop("target", None) or product().pk,  # type: ignore[arg-type]
        now=kw.pop("now", NOON),  # type: ignore[arg-type]
        device=device,
        ip=ip,
    )


def test_accounts_on_one_device_share_its_daily_cap() -> None:
    set_rules(share_device_daily_cap=3)
    item = product()

    outcomes = [share("farm-phone", target=item.pk) for _ in range(5)]

    assert [o.rewarded for o in outcomes] == [True, True, True, False, False]
    assert outcomes[-1].message == (
        "Today's limit of 3 rewarded shares from this device is reached (it counts every "
        "account on it). The link still works, but it earns nothing."
    )
    assert ShareSourceDayCount.objects.get(kind=rules.DEVICE, key="farm-phone").count == 3


def test_a_refused_share_spends_none_of_the_members_caps() -> None:
    set_rules(share_device_daily_cap=1)
    sharer = MemberFactory.create()
    share("farm-phone")

    refused = share("farm-phone", sharer=sharer)

    assert not refused.rewarded
    # The savepoint undid the member's slots taken before the device's was found full.
    assert not ShareDayCount.objects.filter(member=sharer, count__gt=0).exists()


def test_accounts_on_one_public_address_share_its_daily_cap() -> None:
    set_rules(share_ip_daily_cap=2)

    outcomes = [share(f"phone-{i}", PUBLIC) for i in range(3)]

    assert [o.rewarded for o in outcomes] == [True, True, False]
    assert "from your network address" in outcomes[-1].message
    assert ShareSourceDayCount.objects.get(kind=rules.IP, key=PUBLIC).count == 2


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.1.8", "127.0.0.1", "::1", "unknown"])
def test_private_local_and_unknown_addresses_are_never_capped(address: str) -> None:
    set_rules(share_ip_daily_cap=1)

    outcomes = [share(f"phone-{i}", address) for i in range(3)]

    assert all(o.rewarded for o in outcomes)
    assert not ShareSourceDayCount.objects.filter(kind=rules.IP).exists()


def test_without_a_device_only_the_members_caps_count() -> None:
    set_rules(share_device_daily_cap=1)
    assert all(share().rewarded for _ in range(3))
    assert not ShareSourceDayCount.objects.exists()


def test_the_caps_open_again_the_next_day() -> None:
    set_rules(share_device_daily_cap=1)
    assert share("phone").rewarded
    assert not share("phone").rewarded
    assert share("phone", now=NOON + timedelta(days=1)).rewarded


def test_a_cap_of_zero_rewards_nothing_from_a_known_device() -> None:
    set_rules(share_device_daily_cap=0)
    assert not share("phone").rewarded
    assert share().rewarded


def test_a_share_is_a_sighting_of_the_device() -> None:
    sharer = MemberFactory.create()
    share("phone-9", PUBLIC, sharer=sharer)
    seen = MemberDevice.objects.get(member=sharer)
    assert (seen.device_id, seen.last_ip) == ("phone-9", PUBLIC)


def test_the_api_counts_the_apps_device_and_tells_the_member(api: Api) -> None:
    set_rules(share_device_daily_cap=1)
    item = product()
    phone = {"X-Device-Id": "shared-phone"}
    first = api.post(
        "/shares",
        {"target_type": "product", "target_id": item.pk},
        as_=MemberFactory.create(),
        headers=phone,
    )
    second = api.post(
        "/shares",
        {"target_type": "product", "target_id": item.pk},
        as_=MemberFactory.create(),
        headers={**phone, "Accept-Language": "zh-hans"},
    )

    assert (first.status, second.status) == (201, 201)
    assert first.body["rewarded"] is True
    assert second.body["rewarded"] is False
    assert "设备" in second.body["message"]


def test_the_settings_refuse_a_negative_or_huge_cap() -> None:

    with pytest.raises(InvalidSettings):
        set_rules(share_device_daily_cap=-1)
    with pytest.raises(InvalidSettings):
        set_rules(share_ip_daily_cap=1_000_000)
