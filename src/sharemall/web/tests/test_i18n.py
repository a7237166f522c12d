"""Chinese first, English on request: by header, by cookie, or with the language switch."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from tests.factories import PASSWORD, MemberFactory, product

pytestmark = pytest.mark.django_db


def test_pages_are_chinese_by_default() -> None:
    product(title="龙井", price_fen=9900)

    response = Client().get("/")

    body = response.content.decode()
    assert response.headers["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in body
    assert "分享商城" in body
    assert "搜索商品" in body
    assert "¥99.00" in body
    assert "新品上架" in body


def test_pages_are_english_with_accept_language_en() -> None:
    product(title="Longjing", price_fen=9900)

    body = Client(headers={"accept-language": "en"}).get("/").content.decode()

    assert '<html lang="en">' in body
    assert "Search products" in body
    assert "¥99.00" in body
    assert "New arrivals" in body


def test_the_language_cookie_wins_over_the_header() -> None:
    client = Client(headers={"accept-language": "zh-CN,zh;q=0.9"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    body = client.get("/login/").content.decode()

    assert "Mobile number" in body


def test_the_language_switch_sets_the_cookie_and_returns_to_the_page() -> None:
    item = product()
    client = Client()
    assert 'name="language" value="en"' in client.get(f"/p/{item.pk}").content.decode()

    response = client.post("/i18n/setlang/", {"language": "en", "next": f"/p/{item.pk}"})

    assert response.status_code == 302
    assert response["Location"] == f"/p/{item.pk}"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = client.get(f"/p/{item.pk}").content.decode()
    assert "Buy now" in body
    assert 'name="language" value="zh-hans"' in body


def test_service_errors_reach_the_page_in_chinese() -> None:
    member = MemberFactory.create()

    response = Client().post("/login/", {"phone": member.phone, "password": PASSWORD + "x"})

    assert "手机号或密码错误。" in response.content.decode()


def test_product_page_in_chinese_shows_stock_and_sold_out() -> None:
    item = product(stock=0, title="茶具")

    body = Client().get(f"/p/{item.pk}").content.decode()

    assert "已售罄" in body
    assert "立即购买" not in body
