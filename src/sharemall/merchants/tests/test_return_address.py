"""The merchant's return address: set whole by the owner, refused with a code, never half."""

from __future__ import annotations

import pytest
from conftest import Api
from tests.factories import MemberFactory, merchant

from sharemall.core.errors import DomainError
from sharemall.merchants import rules, services
from sharemall.merchants.models import Merchant

pytestmark = pytest.mark.django_db

GOOD = {
    "receiver": "  退货组  ",
    "phone": "+86 139 0000 1111",
    "region_code": "440305",
    "address": "科技园  9 号仓",
}


def test_the_owner_sets_it_and_staff_read_it(api: Api) -> None:
    shop = merchant()
    empty = api.get(f"/merchants/{shop.pk}/return-address", as_=shop.owner)
    assert empty.body == dict.fromkeys(
        ("receiver", "phone", "region_code", "region_name", "address"), ""
    )

    saved = api.put(f"/merchants/{shop.pk}/return-address", GOOD, as_=shop.owner)

    expected = {
        "receiver": "退货组",
        "phone": "13900001111",
        "region_code": "440305",
        "region_name": "广东省深圳市南山区",
        "address": "科技园 9 号仓",
    }
    assert (saved.status, saved.body) == (200, expected)
    clerk = MemberFactory.create()
    services.staff_add(shop, phone=clerk.phone)
    assert api.get(f"/merchants/{shop.pk}/return-address", as_=clerk).body == expected
    assert api.put(f"/merchants/{shop.pk}/return-address", GOOD, as_=clerk).status == 403


def test_a_landline_with_its_area_code_is_fine() -> None:
    shop = services.merchant_set_return_address(merchant(), **{**GOOD, "phone": "0755-86001234"})
    assert shop.return_to is not None and shop.return_to.phone == "0755-86001234"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"receiver": " "}, "invalid_receiver"),
        ({"receiver": "名" * 41}, "invalid_receiver"),
        ({"phone": "12345"}, "invalid_phone"),
        ({"phone": ""}, "invalid_phone"),
        ({"region_code": "440300"}, "invalid_region"),  # a city: which district?
        ({"region_code": "999999"}, "invalid_region"),
        ({"address": ""}, "invalid_address"),
    ],
)
def test_bad_input_is_refused_with_a_code_and_nothing_is_written(
    api: Api, change: dict[str, str], code: str
) -> None:
    shop = merchant()
    services.merchant_set_return_address(shop, **GOOD)

    answer = api.put(f"/merchants/{shop.pk}/return-address", {**GOOD, **change}, as_=shop.owner)

    assert (answer.status, answer.error_code) == (400, code)
    kept = Merchant.objects.get(pk=shop.pk).return_to
    assert kept == rules.ReturnAddress("退货组", "13900001111", "440305", "科技园 9 号仓")


def test_the_rule_checks_the_whole_address() -> None:
    with pytest.raises(DomainError) as refused:
        rules.clean_return_address(
            receiver="退货组", phone="0755 8600", region_code="440305", address="x", mobile=None
        )
    assert refused.value.code == "invalid_phone"
    clean = rules.clean_return_address(
        receiver="退货组",
        phone="ignored",
        region_code="440305",
        address=" x ",
        mobile="13900001111",
    )
    assert clean == rules.ReturnAddress("退货组", "13900001111", "440305", "x")
