"""A product names one of its merchant's freight templates, and its SKUs a weight."""

from __future__ import annotations

import pytest
from conftest import Api
from tests.factories import merchant, product

from sharemall.catalog.models import Product
from sharemall.freight.models import FreightTemplate
from sharemall.freight.tests.test_api import body

pytestmark = pytest.mark.django_db


def test_a_template_products_use_cannot_be_deleted(api: Api) -> None:
    m = merchant()
    tid = api.post(f"/merchants/{m.pk}/freight-templates", body(), as_=m.owner).body["id"]
    item = product(m)
    assert api.put(f"/products/{item.pk}", {"freight_template_id": tid}, as_=m.owner).status == 200
    answer = api.delete(f"/merchants/{m.pk}/freight-templates/{tid}", as_=m.owner)
    assert (answer.status, answer.error_code) == (409, "template_in_use")
    assert FreightTemplate.objects.filter(pk=tid).exists()
    # Once no product names it, it goes.
    assert api.put(f"/products/{item.pk}", {"freight_template_id": None}, as_=m.owner).status == 200
    assert api.delete(f"/merchants/{m.pk}/freight-templates/{tid}", as_=m.owner).status == 204
    assert not FreightTemplate.objects.filter(pk=tid).exists()


def test_products_name_their_merchants_template_and_skus_a_weight(api: Api) -> None:
    m = merchant()
    tid = api.post(f"/merchants/{m.pk}/freight-templates", body(), as_=m.owner).body["id"]
    new = {
        "title": "茶",
        "freight_template_id": tid,
        "skus": [{"name": "罐装", "price_fen": 100, "stock": 1, "weight_grams": 250}],
    }
    created = api.post(f"/merchants/{m.pk}/products", new, as_=m.owner)
    assert created.status == 201, created.body
    assert created.body["freight_template_id"] == tid
    assert created.body["skus"][0]["weight_grams"] == 250
    pid = created.body["id"]
    # Editing the title alone leaves the template as it is.
    assert (
        api.put(f"/products/{pid}", {"title": "好茶"}, as_=m.owner).body["freight_template_id"]
        == tid
    )
    sku_id = created.body["skus"][0]["id"]
    assert (
        api.put(f"/skus/{sku_id}", {"weight_grams": 300}, as_=m.owner).body["weight_grams"] == 300
    )
    negative = api.put(f"/skus/{sku_id}", {"weight_grams": -1}, as_=m.owner)
    assert (negative.status, negative.error_code) == (400, "invalid_product")


def test_another_merchants_template_is_refused_for_a_product(api: Api) -> None:
    m, other = merchant(), merchant()
    theirs = api.post(f"/merchants/{other.pk}/freight-templates", body(), as_=other.owner)
    tid = theirs.body["id"]
    new = {"title": "茶", "freight_template_id": tid, "skus": [{"name": "罐", "price_fen": 100}]}
    answer = api.post(f"/merchants/{m.pk}/products", new, as_=m.owner)
    assert (answer.status, answer.error_code) == (400, "invalid_freight_template")
    assert not Product.objects.filter(merchant=m).exists()
    item = product(m)
    answer = api.put(f"/products/{item.pk}", {"freight_template_id": tid}, as_=m.owner)
    assert (answer.status, answer.error_code) == (400, "invalid_freight_template")
    item.refresh_from_db()
    assert item.freight_template_id is None
