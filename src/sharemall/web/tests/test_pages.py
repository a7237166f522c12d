"""Storefront pages: what a stranger sees, what stays hidden, and how much it costs."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation
from pytest_django import DjangoAssertNumQueries
from tests.factories import CategoryFactory, OperatorFactory, merchant, product

from sharemall.catalog.models import Product
from sharemall.merchants import services as merchant_services
from sharemall.web.templatetags.sharemall_web import yuan

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


def test_yuan_filter_formats_fen() -> None:
    assert yuan(1250) == "¥12.50"
    assert yuan(9900) == "¥99.00"
    assert yuan(None) == ""


def test_home_lists_on_sale_products_of_approved_merchants_only(client: Client) -> None:
    shop = merchant()
    product(shop, title="Visible tea")
    product(shop, title="Draft kettle", on_sale=False)
    pending = merchant(approved=False)
    product(pending, title="Pending shop cup")
    suspended = merchant()
    product(suspended, title="Suspended shop pot")
    merchant_services.merchant_suspend(suspended, operator=OperatorFactory.create(), reason="fraud")

    response = client.get("/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Visible tea" in body
    assert "¥99.00" in body
    assert "Draft kettle" not in body
    assert "Pending shop cup" not in body
    assert "Suspended shop pot" not in body


def test_home_search_filters_by_query(client: Client) -> None:
    shop = merchant()
    product(shop, title="Green tea")
    product(shop, title="Coffee beans")

    body = client.get("/", {"q": "tea"}).content.decode()

    assert "Green tea" in body
    assert "Coffee beans" not in body
    assert "1 product matches" in body


def test_home_category_chips_filter_by_category_and_its_children(client: Client) -> None:
    drinks = CategoryFactory.create(name="Drinks")
    tea = CategoryFactory.create(name="Tea", parent=drinks)
    books = CategoryFactory.create(name="Books")
    shop = merchant()
    Product.objects.filter(pk=product(shop, title="Oolong").pk).update(category=tea)
    Product.objects.filter(pk=product(shop, title="Novel").pk).update(category=books)

    home = client.get("/").content.decode()
    # The front page's category grid holds the top-level categories.
    assert f'href="/?category={drinks.pk}"' in home
    assert f'href="/?category={books.pk}"' in home
    assert f"?category={tea.pk}" not in home  # subcategories show once the parent is chosen

    in_drinks = client.get("/", {"category": drinks.pk}).content.decode()
    assert "Oolong" in in_drinks
    assert "Novel" not in in_drinks
    assert f'href="?category={tea.pk}"' in in_drinks

    in_books = client.get("/", {"category": str(books.pk)}).content.decode()
    assert "Novel" in in_books
    assert "Oolong" not in in_books


def test_home_ignores_a_malformed_category_and_page(client: Client) -> None:
    product(title="Anything")

    response = client.get("/", {"category": "x'; --", "page": "nine"})

    assert response.status_code == 200
    assert "Anything" in response.content.decode()


def test_home_paginates_twenty_to_a_page(client: Client) -> None:
    shop = merchant()
    for i in range(25):
        product(shop, title=f"Item {i:02d}")

    first = client.get("/").content.decode()
    second = client.get("/", {"page": 2}).content.decode()

    # 猜你喜欢 stands above the new arrivals on the first page only.
    first = first[first.index('id="all-title"') :]
    assert first.count('class="card"') == 20
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first
    assert second.count('class="card"') == 5
    assert "Page 2 of 2" in second


def test_home_query_count_is_bounded(
    client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _i in range(20):
        product(skus=2)
    CategoryFactory.create_batch(3)

    # The first view trains this small mall's recommendation model; later ones serve it.
    client.get("/")

    # The page, its count, SKUs, images, categories, banners, units sold and shop names, and
    # 猜你喜欢's (the model's freshness look at most once a second, which picks are on sale, and
    # their tiles): the same whatever the number of products.
    with django_assert_max_num_queries(22):
        response = client.get("/")

    html = response.content.decode()
    assert html[html.index('id="all-title"') :].count('class="card"') == 20


def test_product_page_shows_title_price_shop_and_options(client: Client) -> None:
    shop = merchant(legal_name="Tea House Ltd")
    item = product(shop, title="Longjing tea", price_fen=9900, skus=2)
    sku = item.skus.order_by("position").last()
    assert sku is not None
    sku.stock = 0
    sku.save()

    response = client.get(f"/p/{item.pk}")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Longjing tea" in body
    assert "¥99.00" in body
    assert "Tea House Ltd" in body
    assert "规格1" in body
    assert "10 left" in body
    assert "Sold out" in body
    assert 'id="share-slot"' in body
    assert 'id="buy-slot"' in body


@pytest.mark.parametrize("case", ["unknown", "draft", "suspended"])
def test_product_page_of_a_non_public_product_is_the_404_page(client: Client, case: str) -> None:
    if case == "unknown":
        url = "/p/999999"
    elif case == "draft":
        url = f"/p/{product(on_sale=False).pk}"
    else:
        shop = merchant()
        item = product(shop)
        merchant_services.merchant_suspend(shop, operator=OperatorFactory.create(), reason="fraud")
        url = f"/p/{item.pk}"

    response = client.get(url)

    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert "web/not_found.html" in [t.name for t in response.templates]


def test_an_unknown_address_gets_the_site_404_page(client: Client) -> None:
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert "Back to the mall" in response.content.decode()


def test_the_500_page_renders_without_a_request() -> None:
    with translation.override("en"):
        assert "Something went wrong" in render_to_string("500.html")


def test_merchant_staff_can_preview_their_own_draft(client: Client) -> None:
    shop = merchant()
    draft = product(shop, title="Secret draft", on_sale=False)
    client.force_login(shop.owner)

    response = client.get(f"/p/{draft.pk}")

    assert response.status_code == 200
    assert "This product is not on sale" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/login/", "/register/", "/p/999999"])
def test_pages_carry_a_content_security_policy(client: Client, url: str) -> None:
    response = client.get(url)

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy


def test_pages_have_no_inline_scripts_or_styles(client: Client) -> None:
    item = product(title="Clean markup")
    for url in ("/", f"/p/{item.pk}", "/login/", "/register/"):
        body = client.get(url).content.decode()
        # Scripts come only as files from our own origin: no inline code for the CSP to allow.
        scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", body, flags=re.S)
        assert scripts == [""] * len(scripts)
        assert all(
            src.startswith("/static/") for src in re.findall(r'<script[^>]*src="([^"]+)"', body)
        )
        assert "style=" not in body
        assert "<style" not in body
