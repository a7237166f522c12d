"""The fraud signals' weights (distribution.fraud_rules): pure, no database."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharemall.distribution import fraud_rules as fr
from sharemall.distribution import rules

NOTHING = fr.Facts()

# One fact set per signal that holds by itself, and the reason the operator sees.
STRONG = [
    (replace(NOTHING, beneficiary_paid=True), rules.HOLD_PAYER),
    (replace(NOTHING, order_on_beneficiary_device=True), rules.HOLD_SAME_DEVICE),
    (replace(NOTHING, shared_device=True), rules.HOLD_SHARED_DEVICE),
    (replace(NOTHING, phone_is_beneficiarys=True), rules.HOLD_PHONE),
    (replace(NOTHING, device_accounts=fr.DEVICE_FARM_ACCOUNTS), rules.HOLD_DEVICE_FARM),
    (replace(NOTHING, address_buyers=fr.ADDRESS_FARM_BUYERS), rules.HOLD_ADDRESS_FARM),
    (replace(NOTHING, ip_buyers=fr.IP_FARM_BUYERS), rules.HOLD_IP_FARM),
    (replace(NOTHING, coupon_farm_buyers=fr.COUPON_FARM_BUYERS), rules.HOLD_COUPON_FARM),
    (
        replace(NOTHING, reciprocal_orders=1, pair_orders=2, pair_refunds=fr.RING_REFUNDS),
        rules.HOLD_RING,
    ),
    (
        replace(
            NOTHING,
            reciprocal_orders=1,
            pair_orders=2,
            buyer_attributed=2,
            buyer_refunded=1,
            beneficiary_attributed=1,
            beneficiary_refunded=1,
        ),
        rules.HOLD_RING,
    ),
    (
        replace(NOTHING, reciprocal_orders=5, pair_orders=fr.RING_ORDERS),
        rules.HOLD_RING,
    ),
    (
        replace(NOTHING, buyer_attributed=5, buyer_refunded=fr.REFUNDED_ORDERS),
        rules.HOLD_REFUNDS,
    ),
    (replace(NOTHING, farm_clicks=fr.CLICK_FARM_CLICKS), rules.HOLD_CLICK_FARM),
    (replace(NOTHING, burst=True), rules.HOLD_BURST),
]


@pytest.mark.parametrize(("facts", "code"), STRONG)
def test_each_strong_farm_or_ring_signal_holds_by_itself(facts: fr.Facts, code: str) -> None:
    assert fr.hold_codes(facts) == [code]
    assert code in rules.HOLD_REASONS  # the operator reads a label, not the code


def test_nothing_holds_nothing() -> None:
    assert fr.hold_codes(NOTHING) == []


def test_one_short_of_each_farm_threshold_holds_nothing() -> None:
    for facts in (
        replace(NOTHING, device_accounts=fr.DEVICE_FARM_ACCOUNTS - 1),
        replace(NOTHING, address_buyers=fr.ADDRESS_FARM_BUYERS - 1),
        replace(NOTHING, ip_buyers=fr.IP_FARM_BUYERS - 1),
        replace(NOTHING, coupon_farm_buyers=fr.COUPON_FARM_BUYERS - 1),
        replace(NOTHING, farm_clicks=fr.CLICK_FARM_CLICKS - 1),
        replace(NOTHING, buyer_attributed=3, buyer_refunded=fr.REFUNDED_ORDERS - 1),
        replace(  # a family: each refunded one of several
            NOTHING,
            reciprocal_orders=2,
            pair_orders=3,
            pair_refunds=1,
            buyer_attributed=3,
            buyer_refunded=1,
            beneficiary_attributed=4,
            beneficiary_refunded=1,
        ),
    ):
        assert fr.hold_codes(facts) == [], facts


# A family: one home address and Wi-Fi, buying through each other's links now and then, a
# refund on one side, on their own phones.
family_facts = st.builds(
    fr.Facts,
    same_ip=st.booleans(),
    same_address=st.booleans(),
    reciprocal_orders=st.integers(0, 4),
    pair_orders=st.integers(0, fr.RING_ORDERS - 1),
    pair_refunds=st.integers(0, fr.RING_REFUNDS - 1),
    buyer_attributed=st.integers(2, 10),
    buyer_refunded=st.integers(0, 1),
    beneficiary_attributed=st.integers(0, 10),
    beneficiary_refunded=st.just(0),
    address_buyers=st.integers(0, fr.ADDRESS_FARM_BUYERS - 1),
    ip_buyers=st.integers(0, fr.IP_FARM_BUYERS - 1),
    device_accounts=st.integers(0, fr.DEVICE_FARM_ACCOUNTS - 1),
)


@given(family_facts)
def test_weak_signals_never_hold_alone_or_together(facts: fr.Facts) -> None:
    assert fr.hold_codes(facts) == []


@given(family_facts)
def test_weak_signals_are_shown_beside_a_strong_one(facts: fr.Facts) -> None:
    held = fr.hold_codes(replace(facts, beneficiary_paid=True))
    assert held[0] == rules.HOLD_PAYER
    assert (rules.HOLD_SAME_IP in held) == facts.same_ip
    assert (rules.HOLD_ADDRESS in held) == facts.same_address


def test_reasons_fit_the_entry_and_read_back() -> None:
    everything = fr.Facts(
        beneficiary_paid=True,
        order_on_beneficiary_device=True,
        phone_is_beneficiarys=True,
        device_accounts=9,
        address_buyers=9,
        ip_buyers=9,
        coupon_farm_buyers=9,
        reciprocal_orders=9,
        pair_orders=20,
        pair_refunds=9,
        buyer_attributed=9,
        buyer_refunded=9,
        burst=True,
        same_ip=True,
        same_address=True,
    )
    codes = fr.hold_codes(everything)
    assert len(set(codes)) == len(codes)
    joined = rules.HOLD_REASON_SEPARATOR.join(codes)
    assert rules.hold_reasons(joined[:300])  # a cut list still reads


@given(st.text(max_size=30))
def test_an_address_is_one_however_it_is_typed(text: str) -> None:
    key = fr.address_key("440305", text)
    spaced = " ".join(text)
    assert fr.address_key("440305", spaced) == key
    assert fr.address_key("440305", text + "，。 ") == key


def test_address_keys_fold_full_width_and_punctuation_but_keep_the_district() -> None:
    typed = ["科技园1号3栋201室", "科技园 1 号 3 栋 201 室", "科技园１号，3栋-201室"]
    assert len({fr.address_key("440305", t) for t in typed}) == 1
    assert fr.address_key("440305", typed[0]) != fr.address_key("440106", typed[0])
    assert fr.address_key("440305", "科技园1号3栋202室") != fr.address_key("440305", typed[0])
    assert fr.address_key("440305", " ，") == ""


def test_a_phone_is_one_however_it_is_written() -> None:
    assert fr.phone_key("+86 139-1234-5678") == fr.phone_key("13912345678") == "13912345678"
    assert fr.phone_key("") == ""
