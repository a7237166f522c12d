"""Races on PostgreSQL, where writers really run side by side (SQLite queues them)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from sharemall.wallet import rules
from sharemall.wallet.models import Account, LedgerTransaction, Posting
from sharemall.wallet.services import (
    InsufficientBalance,
    PostResult,
    balance,
    balances_for_member,
    hold,
    ledger_check,
    ledger_post,
    member,
    merchant_receivable,
    platform,
    transfer,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
MEMBER_ID = 7
MERCHANT_ID = 3


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL")


def race(work: Callable[[int], PostResult]) -> list[Any]:
    """Run `work(i)` in THREADS threads released at the same moment; results or exceptions."""
    barrier = threading.Barrier(THREADS)
    outcomes: list[Any] = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = work(i)
        except Exception as exc:  # the outcome under test
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_holds_never_spend_the_same_fen() -> None:
    ledger_post(
        key="commission:1:settled",
        kind="commission_settled",
        entries=transfer(
            debit=merchant_receivable(MERCHANT_ID),
            credit=member(rules.MEMBER_AVAILABLE, MEMBER_ID),
            amount_fen=10_000,
        ),
    )

    outcomes = race(
        lambda i: hold(
            key=f"withdrawal:{i}:hold",
            source=member(rules.MEMBER_AVAILABLE, MEMBER_ID),
            destination=member(rules.MEMBER_WITHDRAWING, MEMBER_ID),
            amount_fen=10_000,
        )
    )

    won = [o for o in outcomes if isinstance(o, PostResult)]
    refused = [o for o in outcomes if isinstance(o, InsufficientBalance)]
    assert (len(won), len(refused)) == (1, THREADS - 1), outcomes
    assert won[0].created is True
    assert balances_for_member(MEMBER_ID) == {
        rules.MEMBER_PENDING: 0,
        rules.MEMBER_AVAILABLE: 0,
        rules.MEMBER_WITHDRAWING: 10_000,
    }
    assert LedgerTransaction.objects.filter(kind="withdrawal_hold").count() == 1
    assert ledger_check() == []


def test_concurrent_posts_with_one_key_make_one_transaction() -> None:
    entries = transfer(
        debit=platform(rules.PROVIDER_FUNDS),
        credit=platform(rules.BUYER_PAYMENTS_CLEARING),
        amount_fen=4_200,
    )

    outcomes = race(
        lambda i: ledger_post(key="payment:1:captured", kind="payment_captured", entries=entries)
    )

    assert all(isinstance(o, PostResult) for o in outcomes), outcomes
    assert sorted(o.created for o in outcomes) == [False] * (THREADS - 1) + [True]
    assert len({o.transaction.pk for o in outcomes}) == 1
    assert LedgerTransaction.objects.count() == 1
    assert Posting.objects.count() == 2
    assert balance(platform(rules.PROVIDER_FUNDS)) == 4_200
    assert ledger_check() == []


def test_concurrent_first_postings_to_a_new_member_open_one_account() -> None:
    outcomes = race(
        lambda i: ledger_post(
            key=f"commission:{i}",
            kind="commission_pending",
            entries=transfer(
                debit=merchant_receivable(MERCHANT_ID),
                credit=member(rules.MEMBER_PENDING, MEMBER_ID),
                amount_fen=100 + i,
            ),
        )
    )

    assert all(isinstance(o, PostResult) and o.created for o in outcomes), outcomes
    assert Account.objects.filter(kind=rules.MEMBER_PENDING, owner_id=MEMBER_ID).count() == 1
    assert Account.objects.filter(kind=rules.MERCHANT_RECEIVABLE).count() == 1
    expected = sum(100 + i for i in range(THREADS))
    assert balance(member(rules.MEMBER_PENDING, MEMBER_ID)) == expected
    assert balance(merchant_receivable(MERCHANT_ID)) == -expected
    assert ledger_check() == []
