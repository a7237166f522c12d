"""The mobile shell: the tab bar and its cart badge, 我的, 分类, the home tiles, 附近门店, the
banners operators keep, and the confirmation script every page loads."""

from __future__ import annotations

import json
import re

import pytest
from conftest import Api
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.response import HttpResponseBase
from django.test import Client
from PIL import Image
from tests.factories import CategoryFactory, MemberFactory, OperatorFactory, merchant, product

from sharemall.accounts.models import Member
from sharemall.catalog.models import Product, Sku
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant, Store
from sharemall.orders.models import Order
from sharemall.showcase import services as showcase
from sharemall.showcase.models import Banner
from sharemall.web.tests.support import HTMX, PLAN, STATIC, browser, image_bytes, order_in, page

pytestmark = pytest.mark.django_db


def jpeg(size: tuple[int, int] = (750, 300)) -> bytes:
    return image_bytes(size, "JPEG")


def buy(buyer: Member, p: Product, quantity: int = 1, *, paid: bool = True) -> Order:
    return order_in(buyer, "paid" if paid else "pending_payment", item=p, quantity=quantity)


# --- the tab bar ------------------------------------------------------------------------------


def test_the_tab_bar_leads_to_the_four_tabs_and_lights_the_current_one() -> None:
    body = page(browser(), "/categories")

    nav = re.search(r'<nav class="tabbar".*?</nav>', body, flags=re.S)
    assert nav is not None
    links = re.findall(r'<a class="tab( is-active)?" href="([^"]+)"', nav.group(0))
    assert links == [("", "/"), (" is-active", "/categories"), ("", "/cart"), ("", "/me")]
    assert "<header" in body and "site-header" in body


def test_the_cart_badge_counts_the_items_in_the_cart() -> None:
    client = browser()
    sku = product(stock=20).skus.get()
    # Drawn hidden while the cart is empty, so a change made without reloading can show it.
    badge = r'<span class="badge" id="cart-count" data-cart-badge'
    assert re.search(badge + " hidden>", page(client, "/"))

    client.post("/cart/add", {"sku": sku.pk, "quantity": 3, "intent": "cart"})

    assert re.search(badge + ">3</span>", page(client, "/"))


def cart_changed(response: HttpResponseBase) -> dict[str, object]:
    """The detail of the cart-changed event an htmx answer carries (site.js sets the badges)."""
    detail: dict[str, object] = json.loads(response["HX-Trigger"])["cart-changed"]
    return detail


def test_adding_to_the_cart_through_htmx_keeps_the_shopper_on_the_product_and_sets_the_badge() -> (
    None
):
    client = browser()
    sku = product(stock=20).skus.get()
    form = {"sku": sku.pk, "quantity": 2, "intent": "cart", "back": f"/p/{sku.product_id}"}

    added = client.post("/cart/add", form, headers=HTMX)

    assert added.status_code == 200  # no redirect: the page stays where it is
    assert cart_changed(added) == {"count": 2, "message": "Added to your cart"}
    again = client.post("/cart/add", {**form, "quantity": 1}, headers=HTMX)
    assert cart_changed(again)["count"] == 3
    # Buying now goes on to checkout, which htmx is told to open as a page.
    bought = client.post("/cart/add", {**form, "intent": "buy"}, headers=HTMX)
    assert bought["HX-Redirect"] == f"/checkout?sku={sku.pk}&quantity=2"
    assert "HX-Trigger" not in bought


def test_a_stepper_change_answers_with_the_new_cart_count() -> None:
    client = browser()
    tea, cups = (product(stock=20).skus.get() for _ in range(2))
    client.post("/cart/add", {"sku": tea.pk, "quantity": 1, "intent": "cart"})
    client.post("/cart/add", {"sku": cups.pk, "quantity": 2, "intent": "cart"})

    stepped = client.post(f"/cart/{tea.pk}/quantity", {"quantity": 1, "step": 1}, headers=HTMX)

    assert stepped.status_code == 200
    assert 'id="cart-line-body-' in stepped.content.decode()
    assert cart_changed(stepped) == {"count": 4}  # the whole cart, not the line
    typed = client.post(f"/cart/{cups.pk}/quantity", {"quantity": 5}, headers=HTMX)
    assert cart_changed(typed) == {"count": 7}  # 2 + 5


def test_the_badge_script_listens_for_the_cart_changed_event() -> None:
    script = (STATIC / "site.js").read_text()
    assert 'addEventListener("cart-changed"' in script
    assert "[data-cart-badge]" in script


def test_strangers_see_log_in_and_register_in_the_top_bar_and_members_their_name() -> None:
    stranger = page(browser(), "/")
    assert 'href="/login/?next=/"' in stranger
    assert 'href="/register/?next=/"' in stranger

    member = MemberFactory.create(nickname="小林")
    assert '<a class="who" href="/me"' in page(browser(member), "/")


def test_every_page_loads_the_site_script_with_the_confirmation_handler() -> None:
    body = page(browser(), "/")
    assert '<script src="/static/web/site.js" defer></script>' in body
    script = (STATIC / "site.js").read_text()
    assert "data-confirm" in script
    assert "window.confirm(" in script
    assert 'addEventListener(\n    "submit"' in script


def test_the_favicon_app_icon_and_manifest_are_linked_and_served() -> None:
    client = browser()
    body = page(client, "/")
    for path in (
        "/static/web/icons/favicon.svg",
        "/static/web/icons/apple-touch-icon.png",
        "/static/web/manifest.webmanifest",
    ):
        assert f'href="{path}"' in body
    with Image.open(STATIC / "icons" / "apple-touch-icon.png") as icon:
        assert icon.size == (180, 180)


# --- 我的 ---------------------------------------------------------------------------------------


def test_me_sends_a_stranger_to_log_in() -> None:
    response = browser().get("/me")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/me"


def test_me_shows_order_counts_per_tab_linking_to_the_order_tabs() -> None:
    buyer = MemberFactory.create(nickname="小林")
    shop_product = product(stock=50)
    buy(buyer, shop_product, paid=False)
    buy(buyer, shop_product)
    buy(buyer, shop_product)

    body = page(browser(buyer), "/me")

    assert "小林" in body
    for status in ("unpaid", "to_ship", "to_receive", "to_review", "aftersales"):
        assert f'href="/orders?status={status}"' in body
    counts = dict(
        re.findall(
            r'data-status="(\w+)">.*?(?:<span class="badge me-count">(\d+)</span>|</a>)',
            body,
            flags=re.S,
        )
    )
    assert counts == {
        "unpaid": "1",
        "to_ship": "2",
        "to_receive": "",
        "to_review": "",
        "aftersales": "",
    }


def test_me_links_wallet_distribution_addresses_messages_settings_and_stores() -> None:
    body = page(browser(MemberFactory.create()), "/me")

    for href in (
        "/me/distribution/withdraw",
        "/me/distribution",
        "/me/addresses",
        "/me/messages",
        "/me/settings",
        "/stores/nearby",
        "/merchant/",
    ):
        assert f'href="{href}"' in body
    assert "Open a shop" in body  # not a merchant yet
    assert 'href="/platform/"' not in body
    logout = re.search(r'<form class="me-logout"[^>]*>', body)
    assert logout is not None
    assert 'action="/logout/"' in logout.group(0)
    assert 'data-confirm="Log out of ShareMall?"' in logout.group(0)


def test_me_shows_my_shop_to_merchants_and_the_back_office_to_operators() -> None:
    owner = merchant().owner
    assert "My shop" in page(browser(owner), "/me")
    assert 'href="/platform/"' in page(browser(OperatorFactory.create()), "/me")


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/me/addresses", "No saved addresses yet."),
        ("/me/messages", "No messages yet."),
        ("/me/settings", 'action="/i18n/setlang/"'),
    ],
)
def test_the_pages_under_me_are_for_members(path: str, text: str) -> None:
    assert browser().get(path).status_code == 302
    assert text in page(browser(MemberFactory.create()), path)


# --- 分类 ---------------------------------------------------------------------------------------


def test_categories_show_top_level_categories_and_the_chosen_ones_subcategories() -> None:
    food = CategoryFactory.create(name="Food", position=1)
    tea = CategoryFactory.create(name="Tea", parent=food)
    home = CategoryFactory.create(name="Home", position=2)
    kitchen = CategoryFactory.create(name="Kitchen", parent=home)
    Product.objects.filter(pk=product(title="Oolong").pk).update(category=tea)

    first = page(browser(), "/categories")
    assert f'href="/categories?root={food.pk}"' in first
    assert f'href="/categories?root={home.pk}"' in first
    assert f'href="/?category={tea.pk}"' in first  # the first category is chosen
    assert f'href="/?category={kitchen.pk}"' not in first
    assert "Oolong" in first  # its products, under "popular here"

    chosen = page(browser(), f"/categories?root={home.pk}")
    assert f'href="/?category={kitchen.pk}"' in chosen
    assert f'href="/?category={tea.pk}"' not in chosen


def test_categories_without_any_say_so() -> None:
    assert "No categories yet." in page(browser(), "/categories")


# --- home tiles -------------------------------------------------------------------------------


def test_home_tiles_show_units_sold_and_the_struck_through_list_price() -> None:
    tea = product(title="Longjing", price_fen=9900, stock=50)
    Sku.objects.filter(product=tea).update(list_price_fen=12900)
    product(title="Plain cup", price_fen=5000, stock=50)
    buyer = MemberFactory.create()
    buy(buyer, tea, 3)
    buy(buyer, tea, 2, paid=False)  # not paid: not sold

    body = page(browser(), "/")

    tile = body[body.index("New arrivals") :]
    tea_tile = tile[tile.index("Longjing") : tile.index("</a>", tile.index("Longjing"))]
    assert "3 sold" in tea_tile
    assert '<s class="card-list-price">' in tea_tile
    assert "¥129.00" in tea_tile
    plain_tile = tile[tile.index("Plain cup") : tile.index("</a>", tile.index("Plain cup"))]
    assert "sold" not in plain_tile
    assert "card-list-price" not in plain_tile
    # The best seller leads 猜你喜欢.
    assert body.index("You may like") < body.index("Longjing") < body.index("New arrivals")


def test_share_to_earn_shows_only_to_members_who_earn(api: Api) -> None:
    shop = merchant()
    product(shop, title="Planned tea", price_fen=10000)
    assert api.put(f"/merchants/{shop.pk}/commission-plan", PLAN, as_=shop.owner).status == 200

    assert "Share to earn" not in page(browser(), "/")
    # ¥100 less the friend's 5 %, level 1 earns 8 %: ¥7.60.
    assert "Share to earn ¥7.60" in page(browser(MemberFactory.create()), "/")


def test_home_shows_the_banners_that_are_showing_and_a_welcome_without_any() -> None:
    assert 'class="hero"' in page(browser(), "/")
    showcase.banner_create(title="Spring tea", image=jpeg(), link_url="/categories")
    showcase.banner_create(title="Hidden one", image=jpeg(), is_active=False)

    body = page(browser(), "/")

    assert 'class="carousel"' in body
    assert 'alt="Spring tea"' in body
    assert 'href="/categories"' in body
    assert "Hidden one" not in body
    assert 'class="hero"' not in body
    # Searching or browsing a category is about the products, not the banners.
    assert 'class="carousel"' not in page(browser(), "/?q=tea")


# --- 附近门店 -----------------------------------------------------------------------------------


def _store(m: Merchant, name: str, region: str, lat: float, lng: float) -> Store:
    return merchant_services.store_create(
        m,
        kind=Store.Kind.OFFLINE,
        name=name,
        region_code=region,
        address="某路 1 号",
        latitude=lat,
        longitude=lng,
    )


def test_nearby_stores_list_by_city_and_by_distance_from_the_browsers_position() -> None:
    shop = merchant()
    _store(shop, "Nanshan store", "440305", 22.517, 113.935)
    _store(shop, "Futian store", "440304", 22.541, 114.059)
    _store(shop, "Hangzhou store", "330106", 30.259, 120.130)

    by_city = page(browser(), "/stores/nearby")
    assert "深圳市" in by_city and "杭州市" in by_city
    assert 'data-list-url="/stores/nearby/list"' in by_city
    assert '<script src="/static/web/stores.js" defer></script>' in by_city

    near = page(browser(), "/stores/nearby/list?lat=22.52&lng=113.94")
    assert near.index("Nanshan store") < near.index("Futian store")
    assert "Hangzhou store" not in near  # beyond 50 km
    assert "<html" not in near  # a fragment for the page's script
    assert re.search(r'store-card-distance">\d+ m<', near)


@pytest.mark.parametrize("query", ["", "?lat=abc&lng=1", "?lat=91&lng=0", "?lat=0&lng=0"])
def test_nearby_list_without_a_usable_position_falls_back_to_the_city_list(query: str) -> None:
    _store(merchant(), "Nanshan store", "440305", 22.517, 113.935)

    body = page(browser(), f"/stores/nearby/list{query}")

    assert "深圳市" in body
    assert "Nanshan store" in body


# --- banners in the back office -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/platform/banners", "/platform/banners/new", "/platform/banners/{id}"]
)
def test_banner_pages_are_for_operators_only(path: str) -> None:
    # Ids run on across tests on PostgreSQL: the banner's own id, not 1.
    path = path.format(id=showcase.banner_create(title="x", image=jpeg()).pk)
    assert browser().get(path).status_code == 302  # to log in
    assert browser(MemberFactory.create()).get(path).status_code == 404
    assert browser(OperatorFactory.create()).get(path).status_code == 200


def test_a_member_cannot_add_toggle_or_delete_banners() -> None:
    banner = showcase.banner_create(title="x", image=jpeg())
    member = browser(MemberFactory.create())

    upload = SimpleUploadedFile("b.jpg", jpeg(), content_type="image/jpeg")
    member.post("/platform/banners/new", {"title": "mine", "image": upload, "position": 0})
    member.post(f"/platform/banners/{banner.pk}/toggle")
    member.post(f"/platform/banners/{banner.pk}/delete")

    assert list(Banner.objects.values_list("title", "is_active")) == [("x", True)]


def test_an_operator_adds_edits_hides_and_deletes_a_banner() -> None:
    client = browser(OperatorFactory.create())
    upload = SimpleUploadedFile("b.jpg", jpeg(), content_type="image/jpeg")

    added = client.post(
        "/platform/banners/new",
        {
            "title": "Spring tea",
            "image": upload,
            "link_url": "/categories",
            "position": 2,
            "is_active": "on",
        },
    )
    assert added.status_code == 302
    banner = Banner.objects.get()
    assert (banner.title, banner.link_url, banner.position, banner.is_active) == (
        "Spring tea",
        "/categories",
        2,
        True,
    )
    listed = page(client, "/platform/banners")
    assert "Spring tea" in listed
    delete_form = re.search(r'<form[^>]*action="/platform/banners/\d+/delete"[^>]*>', listed)
    assert delete_form is not None
    assert "data-confirm=" in delete_form.group(0)

    client.post(
        f"/platform/banners/{banner.pk}",
        {"title": "Summer tea", "link_url": "https://example.com/sale", "position": 1},
    )
    banner.refresh_from_db()
    assert (banner.title, banner.link_url, banner.is_active) == (
        "Summer tea",
        "https://example.com/sale",
        False,
    )
    assert banner.image  # kept: no new picture was given

    client.post(f"/platform/banners/{banner.pk}/toggle")
    banner.refresh_from_db()
    assert banner.is_active is True

    assert client.post(f"/platform/banners/{banner.pk}/delete").status_code == 302
    assert not Banner.objects.exists()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"link_url": "javascript:alert(1)"}, "A link is a path on this site"),
        ({"link_url": "//evil.example"}, "A link is a path on this site"),
        (
            {"starts_at": "2030-01-02T10:00", "ends_at": "2030-01-01T10:00"},
            "A banner must end after it starts.",
        ),
    ],
)
def test_a_banner_with_a_bad_link_or_window_is_refused(fields: dict[str, str], error: str) -> None:
    client = browser(OperatorFactory.create())
    upload = SimpleUploadedFile("b.jpg", jpeg(), content_type="image/jpeg")

    response = client.post(
        "/platform/banners/new", {"title": "t", "image": upload, "position": 0, **fields}
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Banner.objects.exists()


def test_a_file_that_is_not_an_image_is_refused_on_the_picture_field() -> None:
    client = browser(OperatorFactory.create())
    upload = SimpleUploadedFile("b.jpg", b"not an image", content_type="image/jpeg")

    response = client.post("/platform/banners/new", {"title": "t", "image": upload, "position": 0})

    assert response.status_code == 200
    assert "Only JPEG, PNG and WebP images are accepted." in response.content.decode()
    assert not Banner.objects.exists()


# --- the not-found page -----------------------------------------------------------------------


def test_the_not_found_page_leads_home_and_to_the_categories() -> None:
    response = browser().get("/no-such-page")
    body = response.content.decode()
    assert response.status_code == 404
    assert 'class="button primary" href="/"' in body
    assert 'href="/categories"' in body


@pytest.mark.parametrize("path", ["/", "/merchant/", "/platform/"])
def test_shop_and_consoles_name_the_icons_in_their_head(path: str) -> None:
    client = Client()
    client.force_login(OperatorFactory.create())
    body = client.get(path, follow=True).content.decode()
    assert 'rel="icon"' in body
    assert 'rel="apple-touch-icon"' in body
    assert "web/site.js" in body  # the data-confirm questions


def test_favicon_ico_points_at_the_icon() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".png")
