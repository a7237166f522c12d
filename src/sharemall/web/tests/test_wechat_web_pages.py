"""WeChat inside its browser, on the pages: paying in place by JSAPI with the member's openid,
share cards on shared pages (the JS-SDK only in WeChat), the member's own link for a card, and
the withdrawal page's linked WeChat payee and 确认收款."""

from __future__ import annotations

import base64
import json
from html import unescape
from typing import Any

import pytest
import responses
from django.test import Client
from tests.factories import MemberFactory, product

from sharemall.accounts.identities import WechatUser, wechat_link
from sharemall.accounts.models import Member
from sharemall.payments.tests.provider_keys import verify_sha256
from sharemall.payments.tests.test_wechatpay import (  # noqa: F401 (fixtures)
    APPID,
    MCHID,
    answer,
    http,
    merchant_key,
    sent,
    wechat_settings,
)
from sharemall.sharing.models import ShareLink
from sharemall.wallet import services_withdrawals
from sharemall.wallet.models import Withdrawal
from sharemall.wallet.services_withdrawals import WithdrawalRefused
from sharemall.web.tests.test_provider_pay_pages import unpaid
from sharemall.wechat import config

pytestmark = pytest.mark.django_db

WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 MicroMessenger/8.0.50"
)
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 Safari/604.1"
OA = {"APP_ID": APPID, "APP_SECRET": "s3cret", "TOKEN": "t", "AES_KEY": "", "ORIGINAL_ID": ""}


@pytest.fixture(autouse=True)
def _setup(settings: Any) -> None:
    settings.SANDBOX_PAYMENTS = False
    settings.PUBLIC_BASE_URL = "https://mall.example.com"
    settings.WECHAT_OA = OA
    settings.WECHAT_API_BASE = config.API_HOST_BASE


def browser(member: Member | None = None, agent: str = WECHAT) -> Client:
    client = Client(HTTP_USER_AGENT=agent, headers={"accept-language": "en"})
    if member is not None:
        client.force_login(member)
    return client


# --- JSAPI payment ------------------------------------------------------------------------------


@pytest.mark.usefixtures("wechat_settings")
def test_in_wechat_a_member_with_an_openid_pays_in_place(
    http: responses.RequestsMock,  # noqa: F811
) -> None:
    buyer = MemberFactory.create()
    wechat_link(buyer, WechatUser(APPID, "o-buyer"))
    payment = unpaid(buyer)
    answer(http, "POST", "/v3/pay/transactions/jsapi", {"prepay_id": "wx2026"})

    page = browser(buyer).get(f"/checkout/pay/{payment.payment_no}/wechatpay")

    assert page.status_code == 200
    assert sent(http.calls[0])["payer"] == {"openid": "o-buyer"}
    body = page.content.decode()
    start = body.index('data-wechat-pay="') + len('data-wechat-pay="')
    params = json.loads(unescape(body[start : body.index('"', start)]))
    assert params["appId"] == APPID
    assert params["package"] == "prepay_id=wx2026"
    assert params["signType"] == "RSA"
    message = f"{APPID}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
    verify_sha256(merchant_key(), message, params["paySign"])
    assert "web/wechat.js" in body
    assert "jweixin-1.6.5.js" in body


@pytest.mark.usefixtures("wechat_settings")
def test_in_wechat_without_an_openid_the_code_stays_and_linking_is_offered(
    http: responses.RequestsMock,  # noqa: F811
) -> None:
    buyer = MemberFactory.create()
    payment = unpaid(buyer)
    pay_page = browser(buyer).get(f"/checkout/pay/{payment.payment_no}").content.decode()
    assert 'id="wechat-pay-link"' in pay_page
    assert "/wechat/oauth/start?next=%2Fcheckout%2Fpay%2F" in pay_page
    answer(
        http, "POST", "/v3/pay/transactions/native", {"code_url": "weixin://wxpay/bizpayurl?pr=x"}
    )

    page = browser(buyer).get(f"/checkout/pay/{payment.payment_no}/wechatpay")

    assert "data-wechat-pay" not in page.content.decode()
    assert "payer" not in sent(http.calls[0])


@pytest.mark.usefixtures("wechat_settings")
def test_outside_wechat_an_openid_changes_nothing(
    http: responses.RequestsMock,  # noqa: F811
) -> None:
    buyer = MemberFactory.create()
    wechat_link(buyer, WechatUser(APPID, "o-buyer"))
    payment = unpaid(buyer)
    answer(http, "POST", "/v3/pay/transactions/h5", {"h5_url": "https://wx.tenpay.com/h5?x=1"})
    pay_page = browser(buyer, PHONE).get(f"/checkout/pay/{payment.payment_no}").content.decode()
    assert 'id="wechat-pay-link"' not in pay_page

    leave = browser(buyer, PHONE).get(f"/checkout/pay/{payment.payment_no}/wechatpay")

    assert leave.status_code == 302
    assert "payer" not in sent(http.calls[0])


# --- share cards --------------------------------------------------------------------------------


def test_a_product_page_in_wechat_carries_its_share_card_and_the_sdk() -> None:
    item = product(title="Green tea")
    body = browser().get(f"/p/{item.pk}").content.decode()
    assert 'name="sharemall-share"' in body
    assert 'data-title="Green tea"' in body
    assert 'data-target-type="product"' in body
    assert f'data-target-id="{item.pk}"' in body
    assert 'data-image="https://mall.example.com/' in body
    assert "jweixin-1.6.5.js" in body


def test_outside_wechat_no_sdk_is_loaded() -> None:
    item = product()
    body = browser(agent=PHONE).get(f"/p/{item.pk}").content.decode()
    assert "sharemall-share" not in body
    assert "jweixin" not in body
    assert "wechat.js" not in body


def test_the_share_card_link_is_the_members_own_and_the_same_each_time() -> None:
    item = product()
    sharer = MemberFactory.create()
    client = browser(sharer)
    first = client.post("/wechat/share-link", {"target_type": "product", "target_id": item.pk})
    again = client.post("/wechat/share-link", {"target_type": "product", "target_id": item.pk})
    link = ShareLink.objects.get(sharer=sharer)
    assert first.json() == {"url": f"https://mall.example.com/s/{link.code}"}
    assert again.json() == first.json()


@pytest.mark.parametrize(
    "data",
    [{}, {"target_type": "planet", "target_id": "1"}, {"target_type": "product", "target_id": "x"}],
)
def test_a_share_link_for_nothing_is_a_400(data: dict[str, str]) -> None:
    response = browser(MemberFactory.create()).post("/wechat/share-link", data)
    assert response.status_code == 400
    assert "code" in response.json()


def test_a_share_link_needs_a_member_and_a_post() -> None:
    assert browser().post("/wechat/share-link", {"target_type": "product"}).status_code == 401
    assert browser(MemberFactory.create()).get("/wechat/share-link").status_code == 405


def test_a_share_link_for_a_missing_product_is_refused_with_its_code() -> None:
    response = browser(MemberFactory.create()).post(
        "/wechat/share-link", {"target_type": "product", "target_id": "999999"}
    )
    assert 400 <= response.status_code < 500
    assert response.json()["code"]


# --- withdrawals --------------------------------------------------------------------------------


def test_the_withdraw_page_shows_the_linked_wechat_and_no_account_for_it() -> None:
    member = MemberFactory.create()
    body = browser(member).get("/me/distribution/withdraw").content.decode()
    assert "To WeChat: not linked" in body
    assert "/wechat/oauth/start?next=%2Fme%2Fdistribution%2Fwithdraw" in body
    wechat_link(member, WechatUser(APPID, "o-payee"))
    body = browser(member).get("/me/distribution/withdraw").content.decode()
    assert "To WeChat: linked" in body


def test_a_typed_account_is_not_sent_for_a_wechat_payout(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def request(**kwargs: Any) -> Any:
        seen.update(kwargs)
        raise WithdrawalRefused("stop", code="invalid_amount")

    monkeypatch.setattr(services_withdrawals, "withdrawal_request", request)
    browser(MemberFactory.create()).post(
        "/me/distribution/withdraw", {"amount": "10", "channel": "wechat", "payee": "my-weixin-id"}
    )
    assert seen["channel"] == "wechat"
    assert seen["payee"] == ""


@pytest.mark.usefixtures("wechat_settings")
def test_a_payout_waiting_for_the_payee_shows_confirm_receipt() -> None:
    member = MemberFactory.create()
    withdrawal = Withdrawal.objects.create(
        member=member,
        amount_fen=1000,
        channel="wechat",
        payee="o-payee",
        status="approved",
        out_bill_no="W1",
        cap_day="2026-01-01",
        package_info="ABBQO+oYAAABAAAAAAAk==",
    )
    body = browser(member).get("/me/distribution/withdraw").content.decode()
    assert "Confirm receipt" in body
    assert 'data-package="ABBQO+oYAAABAAAAAAAk=="' in body
    assert f'data-mch-id="{MCHID}"' in body
    assert f'data-app-id="{APPID}"' in body
    Withdrawal.objects.filter(pk=withdrawal.pk).update(package_info="")
    assert (
        "Confirm receipt" not in browser(member).get("/me/distribution/withdraw").content.decode()
    )


def test_the_consent_page_renders_outside_wechat() -> None:
    body = browser(agent=PHONE).get("/wechat/oauth/consent?next=/orders").content.decode()
    assert 'id="wechat-consent"' in body


# --- the sandbox's WeChat Pay (WECHAT_SANDBOX) -------------------------------------------------


def test_in_the_wechat_sandbox_a_linked_member_pays_through_the_simulators_pay_sheet(
    settings: Any,
) -> None:
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import padding  # noqa: PLC0415

    from sharemall.payments.providers import sandbox  # noqa: PLC0415

    settings.SANDBOX_PAYMENTS = True
    settings.WECHAT_SANDBOX = True
    buyer = MemberFactory.create()
    payment = unpaid(buyer)
    page_path = f"/pay/sandbox/{payment.payment_no}"

    unlinked = browser(buyer).get(page_path).content.decode()
    assert "data-wechat-pay" not in unlinked and "bridge.js" not in unlinked

    wechat_link(buyer, WechatUser(app_id=APPID, openid="o-buyer"))
    html = browser(buyer).get(page_path).content.decode()
    assert "wechat_sim/bridge.js" in html
    found = html.split('data-wechat-pay="', 1)[1].split('"', 1)[0]
    params = json.loads(unescape(found))
    assert params["package"] == f"prepay_id=sandbox_{payment.payment_no}"
    signed = (
        f"{params['appId']}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
    )
    sandbox._private_key().public_key().verify(
        base64.b64decode(params["paySign"]),
        signed.encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    # Cancelled on the sheet, or outside WeChat: the sandbox's own button only.
    assert "data-wechat-pay" not in browser(buyer).get(f"{page_path}?wechat=0").content.decode()
    assert "data-wechat-pay" not in browser(buyer, PHONE).get(page_path).content.decode()
