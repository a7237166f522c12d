"""Propagation through the API: degrees stored on orders, analytics by degree, the viral
coefficient, the click half-life, the CSV export, and who may see them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from conftest import Api
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharemall.accounts.models import Member
from sharemall.accounts.services import token_issue
from sharemall.analytics.rules import Purchase, purchase_degrees
from sharemall.analytics.selectors import propagation
from sharemall.catalog.models import Product
from sharemall.checkout import services as checkout
from sharemall.orders.models import Order
from sharemall.sharing import services as sharing
from tests.factories import MemberFactory, OperatorFactory, merchant, product
from tests.flows import buy, buy_and_receive, pay, share
from tests.test_posts import PLAN, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(api: Api) -> tuple[Product, Member]:
    m = merchant()
    p = product(m, price_fen=5000, stock=1000)
    assert api.put(f"/merchants/{m.pk}/commission-plan", PLAN, as_=m.owner).status == 200
    return p, m.owner


def click(api: Api, code: str, device: str) -> None:
    answer = api.post(f"/shares/{code}/click", headers={"X-Device-Id": device})
    assert answer.status == 200 and answer.body["counted"] is True, answer.body


def test_orders_are_counted_at_degree_one_and_two(api: Api, shop: tuple[Product, Member]) -> None:
    p, owner = shop
    sku = p.skus.get()
    a = MemberFactory.create()  # found the product on their own
    code_a = share(api, a, p.pk)
    for device in ("d1", "d2", "d3"):
        click(api, code_a, device)

    b = MemberFactory.create()
    bought = buy_and_receive(api, b, sku, owner, share_code=code_a)
    assert Order.objects.get(pk=bought["orders"][0]["id"]).degree == 1

    code_b = share(api, b, p.pk)
    click(api, code_b, "d4")
    c = MemberFactory.create()
    created = buy(api, c, sku, share_code=code_b)
    pay(api, c, created["payment_id"])
    assert Order.objects.get(pk=created["orders"][0]["id"]).degree == 2

    # B's post carries B's link: a reader buying through it is degree 2 as well.
    post_code = post(api, b, bought["orders"][0]["lines"][0]["id"]).body["share_code"]
    click(api, post_code, "d5")
    click(api, post_code, "d6")
    d = MemberFactory.create()
    through_post = buy(api, d, sku, share_code=post_code)
    pay(api, d, through_post["payment_id"])

    # An unpaid order through a share counts nowhere.
    buy(api, MemberFactory.create(), sku, share_code=code_a)

    report = api.get(f"/analytics/propagation?product_id={p.pk}", as_=owner)
    assert report.status == 200, report.body
    by_degree = {row["degree"]: row for row in report.body["by_degree"]}
    assert sorted(by_degree) == [1, 2]
    one, two = by_degree[1], by_degree[2]
    assert (one["clicks"], one["orders"], one["buyers"], one["reach"]) == (3, 1, 1, 3)
    assert (two["clicks"], two["orders"], two["buyers"], two["reach"]) == (3, 2, 2, 3)
    assert one["conversion"] == round(1 / 3, 4)
    # Buyers who shared: B alone (A never bought); B brought C and D.
    assert report.body["viral_coefficient"] == 2.0
    assert report.body["totals"] == {
        "links": 3,
        "sharers": 2,
        "clicks": 6,
        "reach": 6,
        "orders": 3,
        "buyers": 3,
    }
    assert sum(day["clicks"] for day in report.body["series"]) == 6
    assert len(report.body["series"]) == 30
    top = report.body["top_sharers"]
    assert [(s["member_id"], s["orders"], s["clicks"]) for s in top] == [(b.pk, 2, 3), (a.pk, 1, 3)]

    post_id = api.get(f"/products/{p.pk}/posts").body[0]["id"]
    only_post = api.get(f"/analytics/propagation?post_id={post_id}", as_=owner).body
    assert only_post["by_degree"] == [
        {"degree": 2, "clicks": 2, "reach": 2, "orders": 1, "buyers": 1, "conversion": 0.5}
    ]

    exported = api.client.get(
        f"/api/v1/analytics/propagation.csv?product_id={p.pk}",
        headers={"Authorization": f"Bearer {token_issue(owner)}"},
    )
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["degree", "clicks", "reach", "orders", "buyers", "conversion"]
    assert rows[1][:5] == ["1", "3", "3", "1", "1"]
    assert rows[2][:5] == ["2", "3", "3", "2", "2"]
    assert ["viral_coefficient", "2.0"] in rows


def test_half_life_is_the_median_age_of_a_shares_clicks(shop: tuple[Product, Member]) -> None:
    p, owner = shop
    start = timezone.now() - timedelta(days=2)
    link = sharing.share_create(
        sharer=MemberFactory.create(), target_type="product", target_id=p.pk, now=start
    ).link
    for hours in (1, 2, 3, 10, 40):
        sharing.click_record(
            code=link.code, visitor_key=f"v{hours}", now=start + timedelta(hours=hours)
        )
    report = propagation(owner, product_id=p.pk)
    assert report.half_life_hours == 3.0
    assert report.by_degree[0].clicks == 5


def test_propagation_is_private_to_the_merchant(api: Api, shop: tuple[Product, Member]) -> None:
    p, owner = shop
    path = f"/analytics/propagation?product_id={p.pk}"
    assert api.get(path).status == 401
    assert api.get(path, as_=MemberFactory.create()).status == 404
    assert api.get(path, as_=merchant().owner).status == 404
    assert api.get(path, as_=OperatorFactory.create()).status == 200
    assert api.get(path, as_=owner).body["by_degree"] == []
    assert api.get("/analytics/propagation?product_id=999999", as_=owner).status == 404
    both = api.get(f"/analytics/propagation?product_id={p.pk}&post_id=1", as_=owner)
    assert (both.status, both.error_code) == (400, "invalid_query")
    assert api.get("/analytics/propagation", as_=owner).error_code == "invalid_query"
    assert api.get("/analytics/propagation?product_id=abc", as_=owner).status == 400


@st.composite
def small_share_trees(draw: st.DrawFn) -> list[int | None]:
    n = draw(st.integers(min_value=1, max_value=6))
    return [draw(st.sampled_from([None, -1, *range(i)])) for i in range(n)]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parents=small_share_trees())
def test_degrees_stored_by_checkout_follow_the_rule_on_generated_share_trees(
    shop: tuple[Product, Member], parents: list[int | None]
) -> None:
    p, _owner = shop
    sku = p.skus.get()
    outsider = MemberFactory.create()
    outside_code = sharing.share_create(sharer=outsider, target_type="product", target_id=p.pk)
    buyers = [MemberFactory.create() for _ in parents]
    codes: dict[int, str] = {}
    stored = []
    delivery = checkout.Delivery("express", "440305", "路 1 号", "收件人", "13912345678")
    for i, parent in enumerate(parents):
        code = None
        if parent == -1:
            code = outside_code.link.code
        elif parent is not None:
            code = codes[parent]
        result = checkout.order_create(
            buyer=buyers[i], items=[checkout.Item(sku.pk, 1)], delivery=delivery, share_code=code
        )
        checkout.sandbox_complete(result.payment)
        stored.append(Order.objects.get(pk=result.orders[0].pk).degree)
        codes[i] = sharing.share_create(
            sharer=buyers[i], target_type="product", target_id=p.pk
        ).link.code
    history = [
        Purchase(i, None if parent is None else ("outside" if parent == -1 else parent))
        for i, parent in enumerate(parents)
    ]
    assert stored == purchase_degrees(history)


def test_the_merchant_page_charts_propagation_for_its_own_products_only(
    api: Api, shop: tuple[Product, Member]
) -> None:
    p, owner = shop
    code = share(api, MemberFactory.create(), p.pk)
    click(api, code, "page-visitor")
    browser = Client()
    path = f"/merchant/analytics/propagation?product_id={p.pk}"
    assert browser.get(path).status_code == 302
    browser.force_login(owner)
    page = browser.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('<svg class="cs-chart"') == 2
    assert "propagation.csv?product_id=" in html
    browser.force_login(merchant().owner)
    assert browser.get(path).status_code == 404
    # Without a product: the overview of the shop's products, this one with its click.
    browser.force_login(owner)
    overview = browser.get("/merchant/analytics/propagation").content.decode()
    assert f'href="/merchant/analytics/propagation?product_id={p.pk}"' in overview
    assert '<td class="num">1</td>' in overview
