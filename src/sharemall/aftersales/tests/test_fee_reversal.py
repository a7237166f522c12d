"""The platform fee of a refunded order goes back exactly: refunded in any number of parts, in
any order, the fee postings of the order sum to zero."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.aftersales_support import ask, fee_postings_of, paid_order

from sharemall.aftersales import services
from sharemall.orders.ledger import FEES, fee_to_give_back, platform_fee
from sharemall.orders.models import Order
from sharemall.wallet.services import balance, ledger_check, order_receivable, platform


@pytest.mark.django_db
@pytest.mark.parametrize("parts", [[2, 1, 3, 1], [1, 1, 1, 1, 1, 1, 1], [6, 1], [7]])
def test_a_full_refund_in_parts_gives_back_the_whole_fee(parts: list[int]) -> None:
    order, buyer, owner = paid_order(units=7, price_fen=1429, fee_bp=633)
    assert fee_postings_of(order) == -platform_fee(order) != 0
    for quantity in parts:
        refunded = services.aftersale_approve(ask(order, buyer, quantity), actor=owner)
        assert refunded.status == "refunded"
    order.refresh_from_db()
    assert order.refunded_fen == order.total_fen
    assert fee_postings_of(order) == 0
    assert balance(platform(FEES)) == 0
    assert balance(order_receivable(order.pk)) == 0
    assert balance(platform("buyer_payments_clearing")) == 0
    assert balance(platform("provider_funds")) == 0
    assert ledger_check() == []


@pytest.mark.django_db
def test_a_partial_refund_gives_back_its_share_of_the_fee_rounded_down() -> None:
    order, buyer, owner = paid_order(units=3, price_fen=3333, fee_bp=600)
    services.aftersale_approve(ask(order, buyer, 1), actor=owner)
    fee = platform_fee(order)  # 599 of 9999
    assert fee_postings_of(Order.objects.get(pk=order.pk)) == -(fee - fee * 3333 // 9999)


@st.composite
def refund_splits(draw: st.DrawFn) -> tuple[int, int, list[int]]:
    parts = draw(st.lists(st.integers(min_value=1, max_value=1_000_000), min_size=1, max_size=12))
    total = sum(parts)
    fee = draw(st.integers(min_value=0, max_value=total))
    return total, fee, parts


@given(refund_splits())
def test_fee_parts_always_sum_to_the_whole_fee(split: tuple[int, int, list[int]]) -> None:
    total, fee, parts = split
    refunded = returned = 0
    for part in parts:
        refunded += part
        back = fee_to_give_back(
            fee=fee, total_fen=total, refunded_fen=refunded, fee_returned=returned
        )
        assert back >= 0
        returned += back
        assert returned == (fee if refunded == total else fee * refunded // total)
    assert returned == fee


@given(
    st.integers(min_value=1, max_value=100_000),
    st.data(),
)
def test_the_fee_back_never_exceeds_what_remains(total: int, data: st.DataObject) -> None:
    fee = data.draw(st.integers(min_value=0, max_value=total))
    refunded = data.draw(st.integers(min_value=1, max_value=total))
    returned = data.draw(st.integers(min_value=0, max_value=fee))
    back = fee_to_give_back(fee=fee, total_fen=total, refunded_fen=refunded, fee_returned=returned)
    assert 0 <= back <= fee - returned
    if refunded == total:
        assert back == fee - returned
