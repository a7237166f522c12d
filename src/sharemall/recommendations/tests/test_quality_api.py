"""GET /merchants/{id}/quality-report and GET /platform/quality/worst-skus."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.utils import timezone
from tests import quality_support as q
from tests.factories import MemberFactory, OperatorFactory

from sharemall.catalog import selectors as catalog
from sharemall.catalog.models import Product, Sku
from sharemall.merchants import services as merchant_services
from sharemall.recommendations import services
from sharemall.recommendations.models import SkuQuality

pytestmark = pytest.mark.django_db


def report(api: Api, sku: Sku, as_: Any, **kw: Any) -> list[dict[str, Any]]:
    answer = api.get(f"/merchants/{sku.product.merchant_id}/quality-report", as_=as_, **kw)
    assert answer.status == 200, answer.body
    assert isinstance(answer.body, list)
    return answer.body


def trained() -> None:
    """A training run, as the job makes it: verdicts kept, products demoted."""
    assert services.model_train(timezone.now(), force=True) is not None


@pytest.fixture
def bad_and_fine() -> tuple[Sku, Sku]:
    """Two SKUs of one shop: one returned again and again (mostly not as described), one fine."""
    bad = q.on_sale(title="连衣裙")
    fine = q.on_sale(bad.product.merchant, title="围巾")
    for _ in range(10):
        q.returned(q.received(bad), reason_code="not_as_described")
    q.returned(q.received(bad), reason_code="size_fit")
    for _ in range(3):
        q.received(bad)
    q.posted(q.received(fine), 5)
    for _ in range(11):
        q.received(fine)
    return bad, fine


def test_a_sku_with_many_returns_is_demoted_in_its_merchants_report(
    api: Api, bad_and_fine: tuple[Sku, Sku]
) -> None:
    bad, fine = bad_and_fine

    rows = report(api, bad, bad.product.merchant.owner)

    assert [r["sku_id"] for r in rows] == [bad.pk, fine.pk]
    worst = rows[0]
    assert worst["demoted"] is True
    assert (worst["orders"], worst["returns"]) == (14, 11)
    assert worst["return_rate"] == pytest.approx(11 / 14, abs=1e-4)
    assert worst["reasons"][0] == "退货率高"
    assert "多数退货原因：与描述不符" in worst["reasons"]
    assert worst["reason_codes"][0] == "high_returns"
    assert worst["return_reasons"] == {"not_as_described": 10, "size_fit": 1}
    assert worst["return_reason_labels"]["not_as_described"] == "与描述不符"
    assert worst["suggestion"] == "fix_listing"
    assert worst["suggestion_label"] == "修改商品描述和图片"
    assert (worst["title"], worst["sku_name"]) == ("连衣裙", "规格1")
    assert len(worst["trend"]) == 8
    assert worst["trend"][-1]["orders"] == 14
    assert rows[1]["demoted"] is False
    assert rows[1]["reasons"] == ["退货率低"]
    assert rows[1]["rating"] == 5.0
    assert rows[1]["rating_count"] == 1
    assert rows[1]["suggestion"] == "keep"


def test_the_report_speaks_the_callers_language(api: Api, bad_and_fine: tuple[Sku, Sku]) -> None:
    bad, _fine = bad_and_fine

    rows = report(api, bad, bad.product.merchant.owner, headers={"Accept-Language": "en"})

    assert rows[0]["reasons"][0] == "High return rate"
    assert rows[0]["suggestion_label"] == "Correct the description and photos"


def test_after_training_the_report_is_the_runs_verdict(
    api: Api, bad_and_fine: tuple[Sku, Sku]
) -> None:
    bad, fine = bad_and_fine
    trained()
    # Sales after the run wait for the next one.
    for _ in range(20):
        q.received(fine)

    rows = report(api, bad, bad.product.merchant.owner)

    assert [r["sku_id"] for r in rows] == [bad.pk, fine.pk]
    assert rows[0]["demoted"] is True
    assert rows[0]["reasons"][0] == "退货率高"
    assert rows[1]["orders"] == 12
    assert rows[0]["trend"][-1]["week"] == SkuQuality.objects.get(sku_id=bad.pk).trend[-1]["week"]


def test_clerks_and_operators_read_the_report_strangers_do_not(
    api: Api, bad_and_fine: tuple[Sku, Sku]
) -> None:
    bad, _fine = bad_and_fine
    shop = bad.product.merchant
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    path = f"/merchants/{shop.pk}/quality-report"

    assert report(api, bad, clerk)[0]["sku_id"] == bad.pk
    assert report(api, bad, OperatorFactory.create())[0]["sku_id"] == bad.pk
    assert api.get(path, as_=MemberFactory.create()).status == 404
    assert api.get(path).status == 401
    assert api.get("/merchants/999999999/quality-report", as_=OperatorFactory.create()).status == (
        404
    )


def test_a_shop_with_no_sales_has_an_empty_report(api: Api) -> None:
    sku = q.on_sale()

    assert report(api, sku, sku.product.merchant.owner) == []


def test_operators_see_the_worst_skus_across_shops(api: Api, bad_and_fine: tuple[Sku, Sku]) -> None:
    bad, fine = bad_and_fine
    elsewhere = q.on_sale(title="茶杯")
    for _ in range(10):
        q.disputed(q.shipped(elsewhere), ruling="reject")
    q.shipped(elsewhere)
    trained()
    operator = OperatorFactory.create()

    answer = api.get("/platform/quality/worst-skus", as_=operator)
    top = api.get("/platform/quality/worst-skus?limit=1", as_=operator)

    assert answer.status == 200, answer.body
    assert [r["sku_id"] for r in answer.body][-1] == fine.pk
    assert {r["sku_id"] for r in answer.body[:2]} == {bad.pk, elsewhere.pk}
    disputed = next(r for r in answer.body if r["sku_id"] == elsewhere.pk)
    assert disputed["demoted"] is True
    assert disputed["reason_codes"][0] == "high_complaints"
    assert disputed["merchant_id"] == elsewhere.product.merchant_id
    assert len(top.body) == 1
    assert api.get("/platform/quality/worst-skus?limit=0", as_=operator).status == 400
    assert api.get("/platform/quality/worst-skus?limit=51", as_=operator).status == 400
    assert api.get("/platform/quality/worst-skus", as_=bad.product.merchant.owner).status == 403


def test_only_the_window_is_reported(api: Api) -> None:
    sku = q.on_sale()
    old = q.received(sku)
    q.paid_at(old, timezone.now() - timedelta(days=181))

    assert report(api, sku, sku.product.merchant.owner) == []


def test_training_demotes_the_product_its_report_names(
    api: Api, bad_and_fine: tuple[Sku, Sku]
) -> None:
    bad, fine = bad_and_fine

    trained()

    assert Product.objects.get(pk=bad.product_id).demoted
    assert not Product.objects.get(pk=fine.product_id).demoted
    listed = [p.pk for p in catalog.storefront_products()]
    assert listed == [fine.product_id, bad.product_id]
    worst = report(api, bad, bad.product.merchant.owner)[0]
    assert (worst["sku_id"], worst["demoted"]) == (bad.pk, True)
    assert worst["reasons"][0] == "退货率高"
