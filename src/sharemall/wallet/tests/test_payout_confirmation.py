"""A WeChat Pay payout that waits for the payee to accept it in WeChat (WAIT_USER_CONFIRM):
its package_info is kept on the withdrawal for the page's 确认收款, and dropped once WeChat
stops waiting. Nothing else about the payout changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from tests.factories import MemberFactory, OperatorFactory

from sharemall.accounts.models import Member
from sharemall.wallet import payouts
from sharemall.wallet.models import Withdrawal
from sharemall.wallet.services_withdrawals import (
    RECHECK_AFTER,
    withdrawal_approve,
    withdrawal_request,
    withdrawals_check,
)
from sharemall.wallet.tests.test_withdrawals import fund

pytestmark = pytest.mark.django_db

WAITING = {"state": "WAIT_USER_CONFIRM", "package_info": "ABBQO+oYAAABAAAAAAAk=="}


@dataclass
class WeChatLike:
    """Answers each transfer with the next (status, raw) in turn; the last one repeats."""

    answers: list[tuple[str, dict[str, Any]]]
    calls: list[Any] = field(default_factory=list)

    def transfer(self, request: Any) -> Any:
        self.calls.append(request)
        status, raw = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return SimpleNamespace(
            status=status, provider_transfer_id="1330000071100999991182020050700019480001", raw=raw
        )


@pytest.fixture
def wechat(monkeypatch: pytest.MonkeyPatch) -> WeChatLike:
    fake = WeChatLike([("processing", WAITING)])
    monkeypatch.setattr(payouts, "provider_for_payout", lambda name: fake)
    return fake


def approved(member: Member) -> Withdrawal:
    withdrawal = withdrawal_request(
        member=member, amount_fen=10_000, channel="alipay", payee="a@b.cn"
    )
    return withdrawal_approve(withdrawal, operator=OperatorFactory.create())


def test_a_payout_waiting_for_the_payee_keeps_its_package(wechat: WeChatLike) -> None:
    member = MemberFactory.create()
    fund(member, 100_000)

    withdrawal = approved(member)

    assert withdrawal.status == "approved"
    assert withdrawal.package_info == WAITING["package_info"]
    assert Withdrawal.objects.get().package_info == WAITING["package_info"]


def test_the_package_goes_once_the_payee_accepted(wechat: WeChatLike) -> None:
    member = MemberFactory.create()
    fund(member, 100_000)
    wechat.answers = [
        ("processing", WAITING),
        ("processing", {"state": "TRANSFERING"}),
        ("succeeded", {"state": "SUCCESS"}),
    ]
    withdrawal = approved(member)
    assert withdrawal.decided_at is not None
    later = withdrawal.decided_at + RECHECK_AFTER

    assert withdrawals_check(later) == 0
    assert Withdrawal.objects.get().package_info == ""
    assert withdrawals_check(later) == 1
    assert Withdrawal.objects.get().status == "paid"


def test_a_processing_answer_without_waiting_carries_no_package(wechat: WeChatLike) -> None:
    wechat.answers = [("processing", {"state": "ACCEPTED", "package_info": "not-for-the-payee"})]
    member = MemberFactory.create()
    fund(member, 100_000)
    assert approved(member).package_info == ""
