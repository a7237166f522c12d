"""The console's withdrawals (/merchant/withdrawals): the owner's, through the same service as
`POST /merchants/{id}/withdrawals`."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.factories import MemberFactory, merchant

from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant
from sharemall.wallet import rules
from sharemall.wallet.models import Withdrawal
from sharemall.wallet.selectors import merchant_withdrawal_balances
from sharemall.wallet.services import ledger_post, merchant_receivable, transfer
from sharemall.wallet.services import merchant as merchant_account

pytestmark = pytest.mark.django_db

CARD = "6222021234567890"


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


def settle(m: Merchant, amount_fen: int, key: str = "test:settled") -> None:
    ledger_post(
        key=key,
        kind="order_settled",
        entries=transfer(
            debit=merchant_receivable(m.pk),
            credit=merchant_account(rules.MERCHANT_AVAILABLE, m.pk),
            amount_fen=amount_fen,
        ),
    )


def form(**changes: Any) -> dict[str, Any]:
    data = {"amount": "300.50", "channel": "bank", "payee": CARD, "payee_name": "某某有限公司"}
    data.update(changes)
    return data


def test_the_owner_sees_the_balance_and_withdraws(client: Client) -> None:
    m = merchant()
    settle(m, 100_000)
    client.force_login(m.owner)

    html = client.get("/merchant/withdrawals").content.decode()
    assert 'href="/merchant/withdrawals"' in client.get("/merchant/").content.decode()
    assert "¥1,000.00" in html
    assert "data-confirm=" in html
    assert "No withdrawals yet." in html

    response = client.post("/merchant/withdrawals", form())

    assert response.status_code == 302, response.content.decode()[:2000]
    made = Withdrawal.objects.get()
    assert (made.merchant_id, made.member_id, made.amount_fen, made.status) == (
        m.pk,
        m.owner.pk,
        30_050,
        "requested",
    )
    assert merchant_withdrawal_balances(m.pk) == (69_950, 30_050)
    listed = client.get("/merchant/withdrawals").content.decode()
    assert f'id="withdrawal-{made.pk}"' in listed
    assert "**** 7890" in listed and CARD not in listed
    assert "requested" in listed


def test_refusals_show_on_the_form_and_write_nothing(client: Client) -> None:
    m = merchant()
    settle(m, 10_000)
    client.force_login(m.owner)

    over = client.post("/merchant/withdrawals", form(amount="100.01")).content.decode()
    no_card = client.post("/merchant/withdrawals", form(payee="")).content.decode()
    bad = client.post("/merchant/withdrawals", form(amount="abc")).content.decode()

    assert "does not cover" in over
    assert "Enter the bank card number." in no_card
    assert "Write the amount in yuan" in bad
    assert Withdrawal.objects.count() == 0


def test_a_merchant_in_debt_is_told_and_refused(client: Client) -> None:
    m = merchant()
    settle(m, 1_000)
    ledger_post(
        key="test:refund",
        kind="order_refunded_after_settlement",
        entries=transfer(
            debit=merchant_account(rules.MERCHANT_AVAILABLE, m.pk),
            credit=merchant_receivable(m.pk),
            amount_fen=1_500,
        ),
    )
    client.force_login(m.owner)

    assert (
        "A refund after settlement is owed" in client.get("/merchant/withdrawals").content.decode()
    )
    refused = client.post("/merchant/withdrawals", form(amount="1")).content.decode()

    assert "does not cover" in refused
    assert Withdrawal.objects.count() == 0


def test_only_the_owner_opens_the_page(client: Client) -> None:
    m = merchant()
    settle(m, 10_000)
    clerk = MemberFactory.create()
    merchant_services.staff_add(m, phone=clerk.phone)
    client.force_login(clerk)

    assert 'href="/merchant/withdrawals"' not in client.get("/merchant/").content.decode()
    assert client.get("/merchant/withdrawals").status_code == 404
    assert client.post("/merchant/withdrawals", form(amount="1")).status_code == 404
    assert Withdrawal.objects.count() == 0


def test_a_suspended_merchant_cannot_withdraw(client: Client, operator: Any) -> None:
    m = merchant()
    settle(m, 10_000)
    merchant_services.merchant_suspend(m, operator=operator, reason="审核中")
    client.force_login(m.owner)

    html = client.get("/merchant/withdrawals").content.decode()
    refused = client.post("/merchant/withdrawals", form(amount="1")).content.decode()

    assert "Only an approved merchant can withdraw its balance." in html
    assert "Only an approved merchant can withdraw its balance." in refused
    assert Withdrawal.objects.count() == 0


def test_the_page_speaks_chinese() -> None:
    m = merchant()
    client = Client(headers={"accept-language": "zh-CN"})
    client.force_login(m.owner)

    html = client.get("/merchant/withdrawals").content.decode()

    assert "可提现" in html
    assert "提现中" in html
