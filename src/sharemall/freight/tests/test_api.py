"""The freight-template API: the owner's, checked whole, nothing written on bad input."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Api
from django.test import Client
from tests.factories import MemberFactory, OperatorFactory, merchant

from sharemall.freight import rules, selectors
from sharemall.freight.models import FreightRule, FreightTemplate
from sharemall.merchants import services as merchant_services

pytestmark = pytest.mark.django_db


def body(**changes: Any) -> dict[str, Any]:
    return {
        "name": "全国包邮外的快递",
        "by": "piece",
        "rules": [
            {
                "region_codes": [],
                "first_units": 1,
                "first_fen": 1000,
                "extra_units": 1,
                "extra_fen": 500,
            },
            {
                "region_codes": ["440000"],
                "first_units": 1,
                "first_fen": 600,
                "extra_units": 1,
                "extra_fen": 200,
            },
        ],
        "free_over_fen": 9900,
        "no_delivery_region_codes": ["650000"],
        **changes,
    }


def test_the_owner_creates_lists_reads_and_replaces_a_template(api: Api) -> None:
    m = merchant()
    created = api.post(f"/merchants/{m.pk}/freight-templates", body(), as_=m.owner)
    assert created.status == 201, created.body
    tid = created.body["id"]
    assert created.body == {"id": tid, "merchant_id": m.pk, **body()}
    assert [t["id"] for t in api.get(f"/merchants/{m.pk}/freight-templates", as_=m.owner).body] == [
        tid
    ]
    weight = body(
        name="按重",
        by="weight",
        rules=[
            {
                "region_codes": [],
                "first_units": 1000,
                "first_fen": 1200,
                "extra_units": 500,
                "extra_fen": 300,
            }
        ],
        free_over_fen=None,
        no_delivery_region_codes=[],
    )
    replaced = api.put(f"/merchants/{m.pk}/freight-templates/{tid}", weight, as_=m.owner)
    assert replaced.status == 200, replaced.body
    assert replaced.body == {"id": tid, "merchant_id": m.pk, **weight}
    assert api.get(f"/merchants/{m.pk}/freight-templates/{tid}", as_=m.owner).body == (
        replaced.body
    )
    assert FreightRule.objects.filter(template_id=tid).count() == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        (
            {
                "rules": [
                    {
                        "region_codes": [],
                        "first_units": 0,
                        "first_fen": 1,
                        "extra_units": 1,
                        "extra_fen": 1,
                    }
                ]
            },
            "invalid_freight_rule",
        ),
        (
            {
                "rules": [
                    {
                        "region_codes": [],
                        "first_units": 1,
                        "first_fen": -1,
                        "extra_units": 1,
                        "extra_fen": 1,
                    }
                ]
            },
            "invalid_freight_rule",
        ),
        (
            {
                "rules": [
                    {
                        "region_codes": ["440000"],
                        "first_units": 1,
                        "first_fen": 1,
                        "extra_units": 1,
                        "extra_fen": 1,
                    }
                ]
                * 2
            },
            "invalid_freight_rule",
        ),
        ({"no_delivery_region_codes": ["440000"]}, "invalid_freight_rule"),
        ({"no_delivery_region_codes": ["4400"]}, "invalid_freight_rule"),
        ({"free_over_fen": -1}, "invalid_freight_rule"),
        ({"rules": []}, "invalid_freight_rule"),
        ({"name": "  "}, "invalid_freight_rule"),
    ],
)
def test_bad_input_is_refused_with_a_code_and_nothing_is_written(
    api: Api, changes: dict[str, Any], code: str
) -> None:
    m = merchant()
    answer = api.post(f"/merchants/{m.pk}/freight-templates", body(**changes), as_=m.owner)
    assert (answer.status, answer.error_code) == (400, code)
    assert not FreightTemplate.objects.exists() and not FreightRule.objects.exists()


def test_a_bad_replacement_leaves_the_template_as_it_was(api: Api) -> None:
    m = merchant()
    tid = api.post(f"/merchants/{m.pk}/freight-templates", body(), as_=m.owner).body["id"]
    bad = body(no_delivery_region_codes=["440000"])
    answer = api.put(f"/merchants/{m.pk}/freight-templates/{tid}", bad, as_=m.owner)
    assert (answer.status, answer.error_code) == (400, "invalid_freight_rule")
    assert (
        api.get(f"/merchants/{m.pk}/freight-templates/{tid}", as_=m.owner).body["rules"]
        == (body()["rules"])
    )


def test_clerks_are_refused_and_other_merchants_see_nothing(api: Api) -> None:
    m = merchant()
    tid = api.post(f"/merchants/{m.pk}/freight-templates", body(), as_=m.owner).body["id"]
    clerk = MemberFactory.create()
    merchant_services.staff_add(m, phone=clerk.phone)
    answer = api.post(f"/merchants/{m.pk}/freight-templates", body(name="店员"), as_=clerk)
    assert (answer.status, answer.error_code) == (403, "owner_only")
    other = merchant()
    # Another merchant's template, even through the other merchant's own path, is missing.
    path = f"/merchants/{other.pk}/freight-templates/{tid}"
    assert api.get(path, as_=other.owner).status == 404
    assert api.put(path, body(name="抢"), as_=other.owner).status == 404
    assert api.delete(path, as_=other.owner).status == 404
    assert api.get(f"/merchants/{m.pk}/freight-templates/{tid}", as_=other.owner).status == 404
    assert FreightTemplate.objects.get(pk=tid).name == body()["name"]


def test_stored_templates_compute_like_the_rules(api: Api) -> None:
    m = merchant()
    tid = api.post(f"/merchants/{m.pk}/freight-templates", body(), as_=m.owner).body["id"]
    stored = selectors.rules_by_id([tid])[tid]
    assert stored == rules.Template(
        "piece",
        (rules.Rule((), 1, 1000, 1, 500), rules.Rule(("440000",), 1, 600, 1, 200)),
        9900,
        ("650000",),
    )
    # Shenzhen, Nanshan: the Guangdong rule, 600 + 2 × 200.
    lines = [rules.Line(tid, 3)]
    assert rules.order_shipping_fen({tid: stored}, lines, "440305", 0) == 1000


def test_operators_look_at_templates_in_the_admin(api: Api) -> None:
    m = merchant()
    tid = api.post(f"/merchants/{m.pk}/freight-templates", body(), as_=m.owner).body["id"]
    client = Client()
    client.force_login(OperatorFactory.create())
    page = client.get(f"/admin/freight/freighttemplate/{tid}/change/")
    assert page.status_code == 200
    assert "440000" in page.content.decode()
    assert client.get("/admin/freight/freighttemplate/add/").status_code == 403
