"""Paying from the pages with a real provider (the sandbox off): Alipay's page, WeChat Pay's
H5 page on a phone, its code to scan elsewhere. Providers' keys are local; WeChat's HTTP
answers come from `responses`, signed as WeChat signs them."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.test import Client
from django.utils import translation
from django.utils.timezone import now
from django.utils.translation import gettext
from tests.factories import MemberFactory, product

from sharemall.accounts.models import Member
from sharemall.checkout import services as checkout
from sharemall.payments.models import Payment
from sharemall.payments.tests.test_alipay import alipay_settings  # noqa: F401 (fixture)
from sharemall.payments.tests.test_wechatpay import (  # noqa: F401 (fixtures)
    answer,
    http,
    wechat_settings,
)

pytestmark = pytest.mark.django_db

EXPRESS = checkout.Delivery("express", "440305", "路 1 号", "收件人", "13912345678")
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 Safari/604.1"
WECHAT = PHONE + " MicroMessenger/8.0.50"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _sandbox_off(settings: Any) -> None:
    settings.SANDBOX_PAYMENTS = False
    settings.PUBLIC_BASE_URL = "https://mall.example.com"


def unpaid(buyer: Member) -> Payment:
    sku = product(price_fen=2550).skus.get()
    return checkout.order_create(
        buyer=buyer, items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS
    ).payment


def browser(member: Member, agent: str = PHONE) -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    client.force_login(member)
    return client


@pytest.mark.usefixtures("alipay_settings")
def test_alipay_pays_on_alipays_own_page() -> None:
    buyer = MemberFactory.create()
    payment = unpaid(buyer)
    client = browser(buyer)

    body = client.get(f"/checkout/pay/{payment.payment_no}").content.decode()
    start = f"/checkout/pay/{payment.payment_no}/alipay"
    assert f'href="{start}"' in body
    assert "/wechatpay" not in body  # only what is set up is offered

    leave = client.get(start)
    assert leave.status_code == 302
    url = urlsplit(leave["Location"])
    assert (url.scheme, url.netloc, url.path) == ("https", "openapi.alipay.com", "/gateway.do")
    query = parse_qs(url.query)
    assert query["method"] == ["alipay.trade.wap.pay"]
    assert payment.payment_no in query["biz_content"][0]
    assert query["return_url"] == [f"https://mall.example.com/checkout/pay/{payment.payment_no}"]
    assert "sign" in query
    # Someone else's payment, or a provider that is not set up, is as good as missing.
    assert browser(MemberFactory.create()).get(start).status_code == 404
    assert client.get(f"/checkout/pay/{payment.payment_no}/wechatpay").status_code == 404
    assert client.get(f"/checkout/pay/{payment.payment_no}/sandbox").status_code == 404


@pytest.mark.usefixtures("alipay_settings")
def test_inside_wechat_the_page_says_alipay_needs_a_browser() -> None:
    buyer = MemberFactory.create()
    payment = unpaid(buyer)
    body = browser(buyer, WECHAT).get(f"/checkout/pay/{payment.payment_no}").content.decode()
    assert 'id="pay-with-alipay"' in body
    with translation.override("zh-hans"):
        hint = gettext(
            "WeChat does not open Alipay: to pay with Alipay, open this page in your phone's "
            "browser."
        )
    assert hint in body
    assert hint not in browser(buyer).get(f"/checkout/pay/{payment.payment_no}").content.decode()


@pytest.mark.usefixtures("wechat_settings")
def test_wechat_pay_on_a_phone_goes_to_its_h5_page(http: responses.RequestsMock) -> None:  # noqa: F811
    answer(http, "POST", "/v3/pay/transactions/h5", {"h5_url": "https://wx.tenpay.com/h5?x=1"})
    buyer = MemberFactory.create()
    payment = unpaid(buyer)

    leave = browser(buyer).get(f"/checkout/pay/{payment.payment_no}/wechatpay")

    assert leave.status_code == 302
    assert leave["Location"].startswith("https://wx.tenpay.com/h5?x=1&redirect_url=")
    sent = http.calls[0].request
    assert isinstance(sent.body, bytes)
    assert payment.payment_no.encode() in sent.body
    assert b"127.0.0.1" in sent.body  # H5 pay needs the buyer's address


@pytest.mark.usefixtures("wechat_settings")
def test_wechat_pay_elsewhere_shows_a_code_and_watches_for_the_payment(
    http: responses.RequestsMock,  # noqa: F811
) -> None:
    answer(
        http, "POST", "/v3/pay/transactions/native", {"code_url": "weixin://wxpay/bizpayurl?pr=a"}
    )
    buyer = MemberFactory.create()
    payment = unpaid(buyer)
    client = browser(buyer, DESKTOP)

    page = client.get(f"/checkout/pay/{payment.payment_no}/wechatpay")

    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "weixin://" not in body  # the code, not the link itself
    assert f'hx-get="/checkout/pay/{payment.payment_no}"' in body
    status = client.get(f"/checkout/pay/{payment.payment_no}", HTTP_HX_REQUEST="true")
    assert status.status_code == 200  # still waiting: htmx keeps asking
    Payment.objects.filter(pk=payment.pk).update(  # as WeChat's notification would leave it
        status=Payment.Status.PAID, provider="wechatpay", provider_txn_id="42000", paid_at=now()
    )
    done = client.get(f"/checkout/pay/{payment.payment_no}", HTTP_HX_REQUEST="true")
    assert done.status_code == 286  # paid: htmx stops asking
    assert 'id="pay-status"' in done.content.decode()


@pytest.mark.usefixtures("wechat_settings")
def test_a_provider_error_comes_back_to_the_pay_page(http: responses.RequestsMock) -> None:  # noqa: F811
    answer(
        http,
        "POST",
        "/v3/pay/transactions/h5",
        {"code": "NO_AUTH", "message": "商户无此接口权限"},
        status=403,
    )
    buyer = MemberFactory.create()
    payment = unpaid(buyer)
    client = browser(buyer)

    back = client.get(f"/checkout/pay/{payment.payment_no}/wechatpay")

    assert back.status_code == 302
    assert back["Location"] == f"/checkout/pay/{payment.payment_no}"
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    assert client.get(back["Location"]).status_code == 200


@pytest.mark.usefixtures("alipay_settings")
def test_starting_to_pay_on_the_page_records_who_pays_as_the_api_does() -> None:
    buyer, friend = MemberFactory.create(), MemberFactory.create()
    own, shared = unpaid(buyer), unpaid(buyer)
    checkout.pay_for_friend(shared, friend)  # a friend opened the pay-for-me link first

    assert browser(buyer).get(f"/checkout/pay/{own.payment_no}/alipay").status_code == 302
    assert browser(friend).get(f"/checkout/pay/{shared.payment_no}/alipay").status_code == 302
    assert browser(buyer).get(f"/checkout/pay/{shared.payment_no}/alipay").status_code == 302

    own.refresh_from_db()
    shared.refresh_from_db()
    assert own.payer_id == buyer.pk
    assert shared.payer_id == buyer.pk  # the last to start paying is the payer, as in the API
