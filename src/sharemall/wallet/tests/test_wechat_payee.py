"""A WeChat Pay payout goes to the payee's openid: without a linked WeChat account the request is
refused at once, holding nothing (the sandbox, which pays anyone, still takes the channel)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Api
from tests.factories import MemberFactory

from sharemall.accounts.models import Member
from sharemall.wallet import rules
from sharemall.wallet.models import Withdrawal, WithdrawalDay
from sharemall.wallet.services import (
    balances_for_member,
    ledger_post,
    member,
    merchant_receivable,
    transfer,
)
from sharemall.wallet.services_withdrawals import WithdrawalRefused, withdrawal_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich(db: None) -> Member:
    who = MemberFactory.create()
    ledger_post(
        key=f"test:fund:{who.pk}",
        kind="commission_settled",
        entries=transfer(
            debit=merchant_receivable(1),
            credit=member(rules.MEMBER_AVAILABLE, who.pk),
            amount_fen=50_000,
        ),
    )
    return who


def _untouched(who: Member) -> None:
    found = balances_for_member(who.pk)
    assert (found[rules.MEMBER_AVAILABLE], found[rules.MEMBER_WITHDRAWING]) == (50_000, 0)
    assert not Withdrawal.objects.exists()
    assert not WithdrawalDay.objects.filter(member=who, requested_fen__gt=0).exists()


def test_a_real_wechat_payout_needs_a_linked_account(rich: Member, settings: Any) -> None:
    settings.SANDBOX_PAYMENTS = False

    with pytest.raises(WithdrawalRefused) as refused:
        # A typed "微信号" is not something WeChat Pay can pay to.
        withdrawal_request(member=rich, amount_fen=1_000, channel="wechat", payee="my-wx-id")

    assert (refused.value.status, refused.value.code) == (400, "wechat_not_linked")
    _untouched(rich)


def test_the_api_answers_400_wechat_not_linked(api: Api, rich: Member, settings: Any) -> None:
    settings.SANDBOX_PAYMENTS = False

    answer = api.post("/withdrawals", {"amount_fen": 1_000, "channel": "wechat"}, as_=rich)

    assert (answer.status, answer.error_code) == (400, "wechat_not_linked")
    message = answer.body["error"]["message"]
    assert "yours is not linked" in message or "尚未绑定微信" in message

    _untouched(rich)


def test_other_channels_are_unaffected(rich: Member, settings: Any) -> None:
    settings.SANDBOX_PAYMENTS = False

    made = withdrawal_request(member=rich, amount_fen=1_000, channel="alipay", payee="a@b.cn")

    assert (made.status, made.channel, made.payee) == ("requested", "alipay", "a@b.cn")


def test_the_sandbox_still_takes_the_wechat_channel(rich: Member, settings: Any) -> None:
    settings.SANDBOX_PAYMENTS = True

    made = withdrawal_request(member=rich, amount_fen=1_000, channel="wechat")

    assert (made.status, made.channel) == ("requested", "wechat")
