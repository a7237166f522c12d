"""Our WeChat client code against the built-in simulator, nothing mocked: the demo's and the
acceptance checks' path, which differs from production only in its base URLs."""

from __future__ import annotations

import hashlib

import pytest
from conftest import Api
from django.test import Client

from sharemall.accounts.models import Binding, Member, WechatIdentity
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet.services import ledger_post, merchant_receivable, transfer
from sharemall.wallet.services import member as ledger_member
from sharemall.wechat import clients
from sharemall.wechat.models import Credential
from tests.factories import MemberFactory, product
from tests.flows import share
from tests.wechat_support import ACCOUNTS, Simulator, simulator, wechat_sandbox

__all__ = ["simulator", "wechat_sandbox"]  # fixtures

pytestmark = pytest.mark.django_db


def test_the_official_account_client_talks_to_the_simulator(simulator: Simulator) -> None:
    user = simulator.user("小周")
    openid = user["openids"][ACCOUNTS["OA"]["APP_ID"]]
    info = clients.oa_client().user.get(openid)
    assert info["openid"] == openid
    assert info["unionid"] == user["unionid"]
    ticket = clients.jsapi_ticket(clients.oa_client())
    assert ticket == simulator.state()["jsapi_ticket"]


def test_a_token_replaced_elsewhere_is_refreshed_once_and_the_call_retried(
    simulator: Simulator,
) -> None:
    user = simulator.user()
    openid = user["openids"][ACCOUNTS["OA"]["APP_ID"]]
    clients.oa_client().user.get(openid)  # our token is fetched
    simulator.token("OA")  # someone else fetched one: ours answers 40001 now
    assert clients.oa_client().user.get(openid)["openid"] == openid
    row = Credential.objects.get(app_id=ACCOUNTS["OA"]["APP_ID"], kind="access_token")
    assert row.refreshes == 2
    assert row.value == simulator.state()["access_token"]


# --- the acceptance checks' paths, end to end ------------------------------------------------


def test_a_subscribe_through_a_share_codes_qr_binds_the_new_follower(
    api: Api, simulator: Simulator
) -> None:
    sharer = MemberFactory.create()
    code = share(api, sharer, product().pk)
    follower = simulator.user("新朋友")
    delivered = simulator.push(user_id=follower["id"], event="subscribe", scene=code)
    assert delivered["status"] == 200, delivered
    assert "分享" in delivered["answer_plaintext"]  # the welcome names the shared link
    openid = follower["openids"][ACCOUNTS["OA"]["APP_ID"]]
    member = WechatIdentity.objects.get(openid=openid).member
    assert member.parent_id == sharer.pk
    assert Binding.objects.get(member=member).source == f"wechat-qr:{code}"
    # The same person in the mini-program is the same member (one unionid), already bound.
    login = api.post("/wechat/mp/login", {"code": simulator.mp_login_code(follower["id"])["code"]})
    assert login.status == 200, login.body
    assert (login.body["id"], login.body["is_new"]) == (member.pk, False)


def test_the_server_url_check_answers_echostr_only_when_signed(
    api: Api, simulator: Simulator
) -> None:
    token, timestamp, nonce = ACCOUNTS["OA"]["TOKEN"], "1733472000", "n0nce"
    signature = hashlib.sha1(
        "".join(sorted([token, timestamp, nonce])).encode(), usedforsecurity=False
    ).hexdigest()
    query = f"signature={signature}&timestamp={timestamp}&nonce={nonce}&echostr=hello-wechat"
    right = Client().get(f"/api/v1/wechat/oa/callback?{query}")
    assert right.status_code == 200 and right.content == b"hello-wechat"
    wrong = Client().get(f"/api/v1/wechat/oa/callback?{query.replace(signature[:6], '000000')}")
    assert wrong.status_code == 403


def test_mini_program_log_in_gives_the_same_member_for_the_same_openid(
    api: Api, simulator: Simulator
) -> None:
    first = simulator.mp_login_code()
    answer = api.post("/wechat/mp/login", {"code": first["code"]})
    assert answer.status == 200, answer.body
    assert answer.body["is_new"] is True
    again = api.post(
        "/wechat/mp/login", {"code": simulator.mp_login_code(first["user_id"])["code"]}
    )
    assert (again.body["id"], again.body["is_new"]) == (answer.body["id"], False)
    assert api.get("/me", as_=again.body["token"]).status == 200
    reused = api.post("/wechat/mp/login", {"code": first["code"]})
    assert (reused.status, reused.error_code) == (400, "invalid_code")


def test_the_jssdk_config_signature_verifies_with_the_simulators_ticket(
    api: Api, simulator: Simulator
) -> None:
    url = "http://127.0.0.1:8000/p/1?from=timeline#top"
    config = api.post("/wechat/jssdk-config", {"url": url})
    assert config.status == 200, config.body
    ticket = simulator.state()["jsapi_ticket"]
    signed = (
        f"jsapi_ticket={ticket}&noncestr={config.body['nonce_str']}"
        f"&timestamp={config.body['timestamp']}&url={url.split('#', maxsplit=1)[0]}"
    )
    assert (
        config.body["signature"] == hashlib.sha1(signed.encode(), usedforsecurity=False).hexdigest()
    )
    assert config.body["app_id"] == ACCOUNTS["OA"]["APP_ID"]


def test_a_withdrawal_to_wechat_carries_the_openid(api: Api, simulator: Simulator) -> None:
    code = simulator.mp_login_code()
    token = api.post("/wechat/mp/login", {"code": code["code"]}).body["token"]
    who = Member.objects.get(wechat_identities__openid=code["openid"])
    ledger_post(
        key=f"test:fund:{who.pk}",
        kind="commission_settled",
        entries=transfer(
            debit=merchant_receivable(1),
            credit=ledger_member(wallet_rules.MEMBER_AVAILABLE, who.pk),
            amount_fen=5_000,
        ),
    )
    made = api.post("/withdrawals", {"amount_fen": 1_000, "channel": "wechat"}, as_=token)
    assert made.status == 201, made.body
    listed = api.get("/withdrawals", as_=token).body
    assert listed[0]["payee"] == code["openid"]
