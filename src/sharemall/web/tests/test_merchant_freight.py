"""The console's freight templates (/merchant/freight): the owner's, through the same services
and rules as the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.factories import MemberFactory, merchant, product

from sharemall.freight import rules as freight_rules
from sharemall.freight import services as freight
from sharemall.freight.models import FreightTemplate
from sharemall.merchants import services as merchant_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


def form(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "江浙沪优惠",
        "by": "piece",
        "free_over": "99",
        "no_delivery": "650000, 540000",
        "rule-TOTAL_FORMS": "3",
        "rule-INITIAL_FORMS": "0",
        "rule-0-region_codes": "",
        "rule-0-first_units": "1",
        "rule-0-first": "10",
        "rule-0-extra_units": "1",
        "rule-0-extra": "5",
        "rule-1-region_codes": "310000 320000，330000",
        "rule-1-first_units": "1",
        "rule-1-first": "6",
        "rule-1-extra_units": "2",
        "rule-1-extra": "2.5",
    }
    data.update(changes)
    return data


def test_the_owner_creates_a_template_and_sees_it_listed(client: Client) -> None:
    m = merchant()
    client.force_login(m.owner)
    assert 'href="/merchant/freight"' in client.get("/merchant/").content.decode()
    assert client.get("/merchant/freight/new").status_code == 200
    response = client.post("/merchant/freight/new", form())
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = FreightTemplate.objects.get(merchant=m)
    assert (saved.name, saved.by, saved.free_over_fen) == ("江浙沪优惠", "piece", 9900)
    assert saved.no_delivery_region_codes == ["650000", "540000"]
    assert [
        (r.region_codes, r.first_units, r.first_fen, r.extra_units, r.extra_fen)
        for r in saved.rules.all()
    ] == [([], 1, 1000, 1, 500), (["310000", "320000", "330000"], 1, 600, 2, 250)]
    listing = client.get("/merchant/freight").content.decode()
    assert "江浙沪优惠" in listing and f"/merchant/freight/{saved.pk}" in listing


def test_a_bad_template_is_shown_on_the_form_and_nothing_is_written(client: Client) -> None:
    m = merchant()
    client.force_login(m.owner)
    # Shanghai both in a rule and in the no-delivery list.
    response = client.post("/merchant/freight/new", form(no_delivery="310000"))
    assert response.status_code == 200
    assert "named twice" in response.content.decode()
    assert not FreightTemplate.objects.exists()
    half = client.post("/merchant/freight/new", form(**{"rule-1-extra": ""}))
    assert "Fill in all four numbers" in half.content.decode()
    assert not FreightTemplate.objects.exists()


def test_the_owner_edits_and_deletes_a_template(client: Client) -> None:
    m = merchant()
    saved = freight.template_create(
        m,
        name="默认",
        template=freight_rules.Template("piece", (freight_rules.Rule((), 1, 800, 1, 0),)),
    )
    client.force_login(m.owner)
    edit_page = client.get(f"/merchant/freight/{saved.pk}").content.decode()
    assert 'value="默认"' in edit_page and 'value="8.00"' in edit_page
    response = client.post(
        f"/merchant/freight/{saved.pk}",
        form(name="按重", by="weight", **{"rule-0-first_units": "1000"}),
    )
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.name, saved.by, next(r.first_units for r in saved.rules.all())) == (
        "按重",
        "weight",
        1000,
    )
    item = product(m)
    item.freight_template = saved
    item.save()
    client.post(f"/merchant/freight/{saved.pk}/delete")
    assert FreightTemplate.objects.filter(pk=saved.pk).exists()  # in use
    item.freight_template = None
    item.save()
    assert client.post(f"/merchant/freight/{saved.pk}/delete").status_code == 302
    assert not FreightTemplate.objects.filter(pk=saved.pk).exists()


def test_clerks_and_other_merchants_get_the_404_page(client: Client) -> None:
    m = merchant()
    saved = freight.template_create(
        m,
        name="默认",
        template=freight_rules.Template("piece", (freight_rules.Rule((), 1, 800, 1, 0),)),
    )
    clerk = MemberFactory.create()
    merchant_services.staff_add(m, phone=clerk.phone)
    client.force_login(clerk)
    assert 'href="/merchant/freight"' not in client.get("/merchant/").content.decode()
    for url in ["/merchant/freight", "/merchant/freight/new", f"/merchant/freight/{saved.pk}"]:
        assert client.get(url).status_code == 404, url
    other = merchant()
    client.force_login(other.owner)
    assert client.get(f"/merchant/freight/{saved.pk}").status_code == 404
    assert client.post(f"/merchant/freight/{saved.pk}/delete").status_code == 404
    assert FreightTemplate.objects.filter(pk=saved.pk).exists()


def test_a_product_names_a_template_on_its_page(client: Client) -> None:
    m = merchant()
    saved = freight.template_create(
        m,
        name="包邮外",
        template=freight_rules.Template("piece", (freight_rules.Rule((), 1, 800, 1, 0),)),
    )
    item = product(m, on_sale=False)
    client.force_login(m.owner)
    page = client.get(f"/merchant/products/{item.pk}").content.decode()
    assert f'<option value="{saved.pk}">包邮外</option>' in page
    edit = {"title": item.title, "description": "", "category": "", "freight_template": saved.pk}
    assert client.post(f"/merchant/products/{item.pk}", edit).status_code == 302
    item.refresh_from_db()
    assert item.freight_template_id == saved.pk
    assert (
        client.post(f"/merchant/products/{item.pk}", {**edit, "freight_template": ""}).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.freight_template_id is None
    # A new product can name it straight away.
    new = {
        "title": "新茶",
        "freight_template": saved.pk,
        "sku-TOTAL_FORMS": "1",
        "sku-INITIAL_FORMS": "0",
        "sku-0-name": "罐装",
        "sku-0-price": "12",
        "sku-0-stock": "3",
    }
    assert client.post("/merchant/products/new", new).status_code == 302
    assert m.products.get(title="新茶").freight_template_id == saved.pk
