"""Merchant withdrawals over the API: the owner asks, operators decide in the one queue."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from tests.factories import MemberFactory, OperatorFactory
from tests.factories import merchant as make_merchant

from sharemall.accounts.models import Member
from sharemall.accounts.services import token_issue
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant
from sharemall.wallet import rules
from sharemall.wallet.models import Withdrawal
from sharemall.wallet.selectors import merchant_withdrawal_balances
from sharemall.wallet.services import (
    ledger_check,
    ledger_post,
    merchant,
    merchant_receivable,
    transfer,
)

CARD = "6222021234567890"
_keys = itertools.count(1)


def settle(m: Merchant, amount_fen: int) -> None:
    ledger_post(
        key=f"test:settled:{next(_keys)}",
        kind="order_settled",
        entries=transfer(
            debit=merchant_receivable(m.pk),
            credit=merchant(rules.MERCHANT_AVAILABLE, m.pk),
            amount_fen=amount_fen,
        ),
    )


def refund_after_settlement(m: Merchant, amount_fen: int) -> None:
    ledger_post(
        key=f"test:refund:{next(_keys)}",
        kind="order_refunded_after_settlement",
        entries=transfer(
            debit=merchant(rules.MERCHANT_AVAILABLE, m.pk),
            credit=merchant_receivable(m.pk),
            amount_fen=amount_fen,
        ),
    )


@pytest.fixture
def owner(db: None) -> Member:
    return MemberFactory.create()


@pytest.fixture
def shop(owner: Member) -> Merchant:
    m = make_merchant(owner)
    settle(m, 1_000_000)
    return m


def url(m: Merchant, tail: str = "") -> str:
    return f"/merchants/{m.pk}/withdrawals{tail}"


def test_the_owner_withdraws_and_an_operator_approves_in_the_sandbox(
    api: Any, shop: Merchant, owner: Member, operator: Member
) -> None:
    created = api.post(url(shop), {"amount_fen": 300_000, "channel": "wechat"}, as_=owner)

    assert created.status == 201, created.body
    assert {k: created.body[k] for k in ("status", "amount_fen", "fee_fen", "merchant_id")} == {
        "status": "requested",
        "amount_fen": 300_000,
        "fee_fen": 0,
        "merchant_id": shop.pk,
    }
    wid = created.body["id"]
    assert created.body["member_id"] == owner.pk
    assert merchant_withdrawal_balances(shop.pk) == (700_000, 300_000)

    approved = api.post(f"/platform/withdrawals/{wid}/approve", as_=operator)

    assert (approved.status, approved.body) == (200, {"id": wid, "status": "paid"})
    assert merchant_withdrawal_balances(shop.pk) == (700_000, 0)
    assert api.get(url(shop, f"/{wid}"), as_=owner).body["status"] == "paid"
    assert ledger_check() == []


def test_refusals(api: Any, shop: Merchant, owner: Member) -> None:
    def post(body: dict[str, Any]) -> tuple[int, str | None]:
        answer = api.post(url(shop), body, as_=owner)
        return answer.status, answer.error_code

    assert post({"amount_fen": 1_000_001, "channel": "bank", "payee": CARD}) == (
        400,
        "insufficient_balance",
    )
    assert post({"amount_fen": 99, "channel": "alipay"}) == (400, "below_minimum")
    assert post({"amount_fen": 100, "channel": "bank", "payee": "12"}) == (400, "invalid_payee")
    assert post({"amount_fen": 100, "channel": "paypal"}) == (400, "invalid_input")
    assert post({"channel": "wechat"}) == (400, "invalid_input")
    assert Withdrawal.objects.count() == 0


def test_a_merchant_in_debt_cannot_withdraw(api: Any, shop: Merchant, owner: Member) -> None:
    refund_after_settlement(shop, 1_000_001)

    answer = api.post(url(shop), {"amount_fen": 100, "channel": "alipay"}, as_=owner)

    assert (answer.status, answer.error_code) == (400, "insufficient_balance")
    assert merchant_withdrawal_balances(shop.pk) == (-1, 0)
    assert Withdrawal.objects.count() == 0


def test_a_suspended_or_unapproved_merchant_cannot_withdraw(
    api: Any, shop: Merchant, owner: Member, operator: Member
) -> None:
    merchant_services.merchant_suspend(shop, operator=operator, reason="under review")
    answer = api.post(url(shop), {"amount_fen": 100, "channel": "alipay"}, as_=owner)
    assert (answer.status, answer.error_code) == (400, "merchant_not_approved")

    applicant = MemberFactory.create()
    pending = make_merchant(applicant, approved=False)
    settle(pending, 1_000)
    answer = api.post(url(pending), {"amount_fen": 100, "channel": "alipay"}, as_=applicant)
    assert (answer.status, answer.error_code) == (400, "merchant_not_approved")
    assert Withdrawal.objects.count() == 0


def test_only_the_owner_sees_and_asks(
    api: Any, shop: Merchant, owner: Member, operator: Member
) -> None:
    clerk, stranger = MemberFactory.create(), MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    other = make_merchant(stranger)
    mine = api.post(url(shop), {"amount_fen": 1_000, "channel": "alipay"}, as_=owner).body["id"]
    body = {"amount_fen": 100, "channel": "alipay"}
    calls: list[tuple[str, str, Any]] = [
        ("GET", url(shop), None),
        ("GET", url(shop, f"/{mine}"), None),
        ("POST", url(shop), body),
    ]

    def status(who: Member | None, method: str, path: str, payload: Any) -> int:
        answer: int = api.call(method, path, as_=who, json_body=payload).status
        return answer

    for method, path, payload in calls:
        assert status(None, method, path, payload) == 401, path
        assert status(clerk, method, path, payload) == 403, path
        assert status(stranger, method, path, payload) == 404, path
        assert status(operator, method, path, payload) == 404, path
    # Another merchant's withdrawal through one's own merchant is as missing as a made-up one.
    assert status(stranger, "GET", url(other, f"/{mine}"), None) == 404
    assert status(owner, "GET", url(shop, "/999999"), None) == 404
    assert Withdrawal.objects.count() == 1


def test_lists_and_what_the_owner_sees_as_a_member(
    api: Any, shop: Merchant, owner: Member, operator: Member
) -> None:
    bank = api.post(
        url(shop),
        {"amount_fen": 2_000, "channel": "bank", "payee": CARD, "payee_name": "某某有限公司"},
        as_=owner,
    ).body
    ali = api.post(url(shop), {"amount_fen": 1_000, "channel": "alipay"}, as_=owner).body
    assert bank["payee"] == "**** 7890"

    listed = api.get(url(shop), as_=owner).body
    assert [w["id"] for w in listed] == [ali["id"], bank["id"]]
    assert [w["id"] for w in api.get(url(shop) + "?limit=1&offset=1", as_=owner).body] == [
        bank["id"]
    ]
    # The member's own wallet knows nothing of the shop's money.
    assert api.get("/withdrawals", as_=owner).body == []
    assert api.get(f"/withdrawals/{bank['id']}", as_=owner).status == 404
    assert api.get("/wallet", as_=owner).body == {
        "pending_fen": 0,
        "available_fen": 0,
        "withdrawing_fen": 0,
        "withdrawn_fen": 0,
    }

    queue = api.get("/platform/withdrawals?holder=merchant", as_=operator).body
    assert [(w["id"], w["holder"], w["merchant_id"], w["payee"]) for w in queue] == [
        (bank["id"], "merchant", shop.pk, CARD),
        (ali["id"], "merchant", shop.pk, ""),
    ]
    assert api.get("/platform/withdrawals?holder=member", as_=operator).body == []
    assert api.get("/platform/withdrawals?holder=shop", as_=operator).status == 400


def test_bank_card_marked_failed_returns_the_money_and_retry_holds_it_again(
    api: Any, shop: Merchant, owner: Member, operator: Member
) -> None:
    wid = api.post(
        url(shop), {"amount_fen": 5_000, "channel": "bank", "payee": CARD}, as_=owner
    ).body["id"]
    assert api.post(f"/platform/withdrawals/{wid}/approve", as_=operator).body["status"] == (
        "approved"
    )

    failed = api.post(f"/platform/withdrawals/{wid}/mark-failed", {"reason": "x"}, as_=operator)
    assert failed.body == {"id": wid, "status": "failed"}
    assert merchant_withdrawal_balances(shop.pk) == (1_000_000, 0)
    retried = api.post(f"/platform/withdrawals/{wid}/retry", as_=operator)
    assert retried.body == {"id": wid, "status": "approved"}
    assert merchant_withdrawal_balances(shop.pk) == (995_000, 5_000)
    paid = api.post(f"/platform/withdrawals/{wid}/mark-paid", {"reference": "B-1"}, as_=operator)
    assert paid.body == {"id": wid, "status": "paid"}
    assert merchant_withdrawal_balances(shop.pk) == (995_000, 0)
    assert ledger_check() == []


def test_an_operator_who_owns_the_shop_needs_another_to_approve(api: Any) -> None:
    operator_owner = OperatorFactory.create()
    own_shop = make_merchant(operator_owner)
    settle(own_shop, 10_000)
    wid = api.post(
        url(own_shop), {"amount_fen": 1_000, "channel": "alipay"}, as_=operator_owner
    ).body["id"]

    refused = api.post(f"/platform/withdrawals/{wid}/approve", as_=operator_owner)

    assert (refused.status, refused.error_code) == (403, "own_withdrawal")
    approved = api.post(f"/platform/withdrawals/{wid}/approve", as_=OperatorFactory.create())
    assert approved.body == {"id": wid, "status": "paid"}


def test_a_repeated_request_with_an_idempotency_key_withdraws_once(
    api: Any, shop: Merchant, owner: Member
) -> None:
    token = token_issue(owner)
    headers = {"Idempotency-Key": "merchant-withdraw-1"}
    body = {"amount_fen": 1_000, "channel": "alipay", "payee": "shop@b.cn"}

    first = api.post(url(shop), body, as_=token, headers=headers)
    second = api.post(url(shop), body, as_=token, headers=headers)

    assert (first.status, second.status) == (201, 201)
    assert first.body == second.body
    assert Withdrawal.objects.count() == 1
    assert merchant_withdrawal_balances(shop.pk) == (999_000, 1_000)
