"""The feedback loop end to end: a SKU buyers keep sending back is demoted in the buyers' lists
and in search, and its merchant's quality report says so; a well-kept twin is not."""

from __future__ import annotations

import pytest
from conftest import Api

from sharemall.catalog.models import Sku
from sharemall.recommendations import serving
from tests import factories
from tests.flows import buy_and_receive, register

pytestmark = pytest.mark.django_db

BUYERS = 12
RETURNED = 8


def test_a_sku_sent_back_often_is_demoted_and_reported(api: Api) -> None:
    owner = factories.MemberFactory.create()
    shop = factories.with_return_address(factories.merchant(owner))
    bad = factories.product(shop, title="补水面膜 A", stock=100)
    good = factories.product(shop, title="补水面膜 B", stock=100)
    bad_sku, good_sku = (Sku.objects.get(product=p) for p in (bad, good))
    for n in range(BUYERS):
        _, buyer = register(api, f"1351100{n:04d}")
        for sku in (good_sku, bad_sku):
            created = buy_and_receive(api, buyer, sku, owner)
        if n < RETURNED:
            order = created["orders"][0]
            asked = api.post(
                f"/orders/{order['id']}/aftersales",
                {
                    "type": "return_refund",
                    "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}],
                    "reason": "和描述不符",
                    "reason_code": "not_as_described",
                },
                as_=buyer,
            )
            assert asked.status == 201, asked.body
            assert asked.body["reason_code"] == "not_as_described"

    serving.forget()
    guesses = [item["product_id"] for item in api.get("/recommended-products").body]
    assert (
        guesses.index(good.pk) < guesses.index(bad.pk) if bad.pk in guesses else good.pk in guesses
    )

    report = api.get(f"/merchants/{shop.pk}/quality-report", as_=owner)
    assert report.status == 200, report.body
    rows = {row["sku_id"]: row for row in report.body}
    assert rows[bad_sku.pk]["demoted"] is True
    assert rows[bad_sku.pk]["returns"] == RETURNED
    assert rows[bad_sku.pk]["orders"] == BUYERS
    assert rows[bad_sku.pk]["return_rate"] == pytest.approx(RETURNED / BUYERS, abs=1e-4)
    assert rows[bad_sku.pk]["reasons"]
    assert rows[good_sku.pk]["demoted"] is False
    assert report.body[0]["sku_id"] == bad_sku.pk  # worst first

    found = [item["id"] for item in api.get("/products?q=补水面膜").body]
    assert found.index(good.pk) < found.index(bad.pk)
    stranger = factories.MemberFactory.create()
    assert api.get(f"/merchants/{shop.pk}/quality-report", as_=stranger).status in (403, 404)
