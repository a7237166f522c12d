"""The proof against double spending, on PostgreSQL where requests really run side by side: 50
concurrent withdrawals of a merchant's whole available balance, exactly one is held."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Api
from tests.factories import MemberFactory
from tests.factories import merchant as make_merchant
from tests.races import all_at_once, postgres_only

from sharemall.accounts.services import token_issue
from sharemall.wallet import rules
from sharemall.wallet.models import LedgerTransaction, Withdrawal, WithdrawalDay
from sharemall.wallet.selectors import merchant_withdrawal_balances
from sharemall.wallet.services import (
    ledger_check,
    ledger_post,
    merchant,
    merchant_receivable,
    transfer,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 50


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    postgres_only()


def test_concurrent_withdrawals_of_the_whole_balance_hold_it_once() -> None:
    owner = MemberFactory.create()
    shop = make_merchant(owner)
    ledger_post(
        key="order:1:settled",
        kind="order_settled",
        entries=transfer(
            debit=merchant_receivable(shop.pk),
            credit=merchant(rules.MERCHANT_AVAILABLE, shop.pk),
            amount_fen=123_456,
        ),
    )
    token = token_issue(owner)
    body = {"amount_fen": 123_456, "channel": "bank", "payee": "6222021234567890"}

    def ask() -> Any:
        return Api().post(f"/merchants/{shop.pk}/withdrawals", body, as_=token)

    answers = all_at_once([ask for _ in range(THREADS)])

    statuses = [(getattr(a, "status", repr(a)), getattr(a, "error_code", None)) for a in answers]
    assert statuses.count((201, None)) == 1, statuses
    assert statuses.count((400, "insufficient_balance")) == THREADS - 1, statuses
    assert Withdrawal.objects.count() == 1
    assert merchant_withdrawal_balances(shop.pk) == (0, 123_456)
    assert list(WithdrawalDay.objects.values_list("merchant_id", "requested_fen")) == [
        (shop.pk, 123_456)
    ]
    assert LedgerTransaction.objects.filter(kind="withdrawal_hold").count() == 1
    assert ledger_check() == []
