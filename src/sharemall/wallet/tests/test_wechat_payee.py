"""A WeChat Pay payout goes to the payee's openid: the one WeChat log-in linked under the payment
app (the sandbox included), and without a linked WeChat account the request is refused at once,
holding nothing (the sandbox, which pays anyone, still takes the channel)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Api
from tests.factories import MemberFactory

from sharemall.accounts.identities import WechatUser, wechat_link
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


# --- the payee is the openid WeChat log-in linked ---------------------------------------------

OA_APP, MP_APP = "wxoa0000000000000a", "wxmp0000000000000b"


@pytest.fixture
def wechat_apps(settings: Any) -> None:
    settings.WECHAT_OA = {"APP_ID": OA_APP, "APP_SECRET": "s"}
    settings.WECHAT_MP = {"APP_ID": MP_APP, "APP_SECRET": "s"}
    settings.WECHATPAY = {**settings.WECHATPAY, "APPID": ""}


def _link(who: Member, app_id: str, openid: str) -> None:
    wechat_link(who, WechatUser(app_id=app_id, openid=openid))


@pytest.mark.usefixtures("wechat_apps")
def test_a_linked_openid_is_the_payee_in_the_sandbox_too(rich: Member, settings: Any) -> None:
    settings.SANDBOX_PAYMENTS = True
    _link(rich, OA_APP, "o-oa-rich")

    made = withdrawal_request(member=rich, amount_fen=1_000, channel="wechat", payee="my-wx-id")

    assert made.payee == "o-oa-rich"


@pytest.mark.usefixtures("wechat_apps")
def test_a_real_payout_goes_to_the_linked_openid(rich: Member, settings: Any) -> None:
    settings.SANDBOX_PAYMENTS = False
    _link(rich, OA_APP, "o-oa-rich")

    made = withdrawal_request(member=rich, amount_fen=1_000, channel="wechat")

    assert (made.status, made.payee) == ("requested", "o-oa-rich")


@pytest.mark.usefixtures("wechat_apps")
def test_the_official_accounts_openid_comes_before_the_mini_programs(rich: Member) -> None:
    _link(rich, MP_APP, "o-mp-rich")
    assert withdrawal_request(member=rich, amount_fen=1_000, channel="wechat").payee == (
        "o-mp-rich"
    )

    _link(rich, OA_APP, "o-oa-rich")
    assert withdrawal_request(member=rich, amount_fen=1_000, channel="wechat").payee == (
        "o-oa-rich"
    )


@pytest.mark.usefixtures("wechat_apps")
def test_with_a_payment_app_set_only_its_openid_is_payable(rich: Member, settings: Any) -> None:
    settings.SANDBOX_PAYMENTS = False
    settings.WECHATPAY = {**settings.WECHATPAY, "APPID": MP_APP}
    _link(rich, OA_APP, "o-oa-rich")

    with pytest.raises(WithdrawalRefused) as refused:
        withdrawal_request(member=rich, amount_fen=1_000, channel="wechat")
    assert refused.value.code == "wechat_not_linked"

    _link(rich, MP_APP, "o-mp-rich")
    made = withdrawal_request(member=rich, amount_fen=1_000, channel="wechat")
    assert made.payee == "o-mp-rich"


@pytest.mark.usefixtures("wechat_apps")
def test_the_member_sees_the_openid_as_the_payee(api: Api, rich: Member) -> None:
    _link(rich, OA_APP, "o-oa-rich")

    made = api.post("/withdrawals", {"amount_fen": 1_000, "channel": "wechat"}, as_=rich)
    listed = api.get("/withdrawals", as_=rich)
    detail = api.get(f"/withdrawals/{made.body['id']}", as_=rich)

    assert made.status == 201, made.body
    assert made.body["payee"] == "o-oa-rich"
    assert listed.body[0]["payee"] == "o-oa-rich"
    assert (detail.body["channel"], detail.body["payee"]) == ("wechat", "o-oa-rich")
