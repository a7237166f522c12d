"""An operator sets a merchant's platform fee; the change is on the merchant's trail."""

from __future__ import annotations

import pytest
from django.utils import translation
from tests.factories import merchant

from sharemall.accounts.models import Member
from sharemall.core.money import format_bp
from sharemall.merchants import rules, services
from sharemall.merchants.models import MerchantEvent

pytestmark = pytest.mark.django_db


def test_a_new_fee_is_saved_with_an_event_naming_both_rates(operator: Member) -> None:
    shop = merchant()
    before = shop.platform_fee_bp

    saved = services.merchant_set_fee(shop, operator=operator, fee_bp=800)

    assert saved.platform_fee_bp == 800
    event = MerchantEvent.objects.filter(merchant=shop).latest("id")
    assert (event.from_status, event.to_status, event.actor_id) == (
        "approved",
        "approved",
        operator.pk,
    )
    assert event.note == f"platform fee: {format_bp(before)} → 8 %"


def test_the_fee_event_reads_in_the_readers_language(operator: Member) -> None:
    shop = merchant()
    services.merchant_set_fee(shop, operator=operator, fee_bp=1250)
    event = MerchantEvent.objects.filter(merchant=shop).latest("id")

    with translation.override("zh-hans"):
        assert event.reason.startswith("平台服务费率调整：")
        assert event.reason.endswith("→ 12.5 %")
    with translation.override("en"):
        assert event.reason.startswith("Platform fee changed: ")


def test_the_same_fee_again_changes_and_records_nothing(operator: Member) -> None:
    shop = merchant()
    events = MerchantEvent.objects.filter(merchant=shop).count()

    services.merchant_set_fee(shop, operator=operator, fee_bp=shop.platform_fee_bp)

    assert MerchantEvent.objects.filter(merchant=shop).count() == events


@pytest.mark.parametrize("fee_bp", [-1, 10_001, True])
def test_a_fee_outside_the_whole_is_refused(operator: Member, fee_bp: int) -> None:
    shop = merchant()
    before = shop.platform_fee_bp

    with pytest.raises(rules.InvalidFee):
        services.merchant_set_fee(shop, operator=operator, fee_bp=fee_bp)

    shop.refresh_from_db()
    assert shop.platform_fee_bp == before
    assert not MerchantEvent.objects.filter(merchant=shop, note__startswith="platform fee").exists()


def test_an_operators_own_words_stay_as_written() -> None:
    assert rules.note_text("The licence is blurred") == "The licence is blurred"
