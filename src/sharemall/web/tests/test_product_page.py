"""The product page as a shop page: the fixed buy bar, sales and promises, the recommender banner
a visitor through a share sees (here and on the store, sub-store and post pages), the share sheet's
one link per member and product, and reporting posts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from conftest import Api
from django.test import Client
from tests.factories import MemberFactory, merchant, product

from sharemall.accounts.models import Member
from sharemall.catalog.models import Product
from sharemall.checkout import services as checkout
from sharemall.distribution import services as distribution
from sharemall.merchants.models import Store
from sharemall.orders import selectors as order_selectors
from sharemall.orders.models import Order
from sharemall.posts import services as posts
from sharemall.posts.models import Post, PostReport
from sharemall.sharing import services as sharing
from sharemall.sharing.models import ShareLink
from sharemall.web.tests.support import EXPRESS, HTMX, PLAN, STATIC, browser, order_in, page

pytestmark = pytest.mark.django_db


def planned_product(api: Api, price_fen: int = 10000) -> Product:
    """A product whose merchant gives a 5 % discount to friends arriving through a share."""
    item = product(price_fen=price_fen, title="Shared tea")
    answer = api.put(
        f"/merchants/{item.merchant_id}/commission-plan", PLAN, as_=item.merchant.owner
    )
    assert answer.status == 200, answer.body
    return item


def shared_by(sharer: Member, target_type: str, target_id: int) -> str:
    return sharing.share_create(
        sharer=sharer, target_type=target_type, target_id=target_id
    ).link.code


def bought(buyer: Member, item: Product, quantity: int = 1) -> Order:
    return order_in(buyer, "paid", item=item, quantity=quantity)


def written_post(item: Product, author: Member | None = None) -> Post:
    author = author or MemberFactory.create()
    order = order_in(author, "received", item=item)
    return posts.post_create(
        author=author, order_line_id=order.lines.get().pk, text="Lovely tea.", rating=4, images=[]
    )


# --- the first screen: a buy bar that stays fixed --------------------------------------------


class _Ancestry(HTMLParser):
    """The classes of every element around the element with `target_id`."""

    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self, target_id: str) -> None:
        super().__init__()
        self.target_id = target_id
        self.stack: list[tuple[str, set[str]]] = []
        self.found: list[tuple[str, set[str]]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id") == self.target_id and self.found is None:
            self.found = list(self.stack)
        if tag not in self.VOID:
            self.stack.append((tag, set((values.get("class") or "").split())))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break


def _classes_that_trap_fixed_or_clip() -> set[str]:
    """Classes our page CSS gives a transform, filter or clipped overflow: inside one of them a
    fixed bar is no longer fixed to the screen (or a sticky one cannot stick)."""
    trapping = re.compile(
        r"(?:^|;)\s*(?:overflow(?:-[xy])?\s*:\s*(?:hidden|auto|scroll|clip)|transform\s*:|translate\s*:|filter\s*:|contain\s*:|will-change\s*:)"
    )
    found: set[str] = set()
    for name in ("site.css", "product.css"):
        css = re.sub(r"/\*.*?\*/", "", (STATIC / name).read_text(), flags=re.S)
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
            if trapping.search(body.replace("\n", ";")):
                found.update(re.findall(r"\.([\w-]+)", selectors))
    return found


def test_the_buy_bar_is_fixed_to_the_bottom_and_nothing_around_it_traps_it() -> None:
    item = product(title="Oolong")
    body = page(browser(), f"/p/{item.pk}")

    ancestry = _Ancestry("buy-bar")
    ancestry.feed(body)
    assert ancestry.found is not None, "no buy bar on the product page"
    around = set().union(*(classes for _, classes in ancestry.found))
    assert around & _classes_that_trap_fixed_or_clip() == set()
    assert [tag for tag, _ in ancestry.found][:2] == ["html", "body"]

    css = (STATIC / "product.css").read_text()
    bar = re.search(r"\n\.buy-bar \{([^}]*)\}", css)
    assert bar is not None
    assert "position: fixed;" in bar.group(1)
    assert "bottom: 0;" in bar.group(1)
    assert "body:has(.buy-bar)" in css  # the page keeps its last line clear of the bar
    # The bar's four parts, the buttons submitting the option form even without JavaScript.
    assert 'id="buy-slot"' in body
    assert 'form="buy-form" name="intent" value="cart"' in body
    assert 'form="buy-form" name="intent" value="buy"' in body
    assert f'href="{"/cart"}"' in body
    assert 'id="sku-sheet"' in body


def test_the_shop_button_leads_to_the_merchants_online_shop() -> None:
    shop = merchant(legal_name="Tea House Ltd")
    store = Store.objects.get(merchant=shop, kind="online")  # opened when it was approved
    Store.objects.filter(pk=store.pk).update(name="Tea House")
    item = product(shop)

    body = page(browser(), f"/p/{item.pk}")

    assert f'href="/stores/{store.pk}"' in body
    assert "Sold by Tea House" in body


def test_the_product_page_shows_sales_stock_promises_and_a_sold_out_product_cannot_be_bought() -> (
    None
):
    item = product(title="Oolong", stock=10)
    bought(MemberFactory.create(), item, quantity=2)

    body = page(browser(), f"/p/{item.pk}")

    assert "2 sold" in body
    assert "Stock 8" in body
    assert "Genuine goods" in body
    assert "7-day returns" in body
    assert "Store pickup" not in body  # the merchant has no offline store

    item.skus.update(stock=0)
    sold_out = page(browser(), f"/p/{item.pk}")
    assert 'id="buy-form"' not in sold_out
    assert "Sold out" in sold_out


def test_sold_counts_add_up_paid_units_per_product_in_one_query(
    django_assert_num_queries: object,
) -> None:
    tea, cups = product(), product()
    bought(MemberFactory.create(), tea, quantity=2)
    bought(MemberFactory.create(), tea, quantity=1)
    checkout.order_create(  # never paid: not sold
        buyer=MemberFactory.create(), items=[checkout.Item(cups.skus.get().pk, 1)], delivery=EXPRESS
    )

    with django_assert_num_queries(1):  # type: ignore[operator]
        counts = order_selectors.sold_counts([tea.pk, cups.pk])

    assert counts == {tea.pk: 3}
    assert order_selectors.sold_counts([]) == {}


# --- the recommender banner --------------------------------------------------------------------


def test_a_visitor_through_a_share_sees_who_recommended_it_and_the_discount(api: Api) -> None:
    item = planned_product(api)
    code = shared_by(MemberFactory.create(nickname="Alice"), "product", item.pk)
    visitor = browser()

    landing = visitor.get(f"/s/{code}")
    assert landing.status_code == 302
    body = page(visitor, landing["Location"])

    assert 'id="recommender-banner"' in body
    assert "Alice" in body
    assert "recommends this to you" in body
    assert "Friend discount ¥5.00" in body  # 5 % of ¥100
    assert "You pay ¥95.00" in body  # beside the price
    # Carried: the banner stays while the share is remembered, also on other products.
    assert "Friend discount ¥5.00" in page(visitor, f"/p/{item.pk}")
    other = product(item.merchant, title="Other tea")
    assert "Alice" in page(visitor, f"/p/{other.pk}")


def test_without_a_share_there_is_no_banner(api: Api) -> None:
    item = planned_product(api)
    body = page(browser(), f"/p/{item.pk}")
    assert 'id="recommender-banner"' not in body
    assert "Friend discount" not in body


def test_a_member_does_not_see_a_banner_for_their_own_share(api: Api) -> None:
    item = planned_product(api)
    sharer = MemberFactory.create(nickname="Alice")
    code = shared_by(sharer, "product", item.pk)
    client = browser(sharer)

    landing = client.get(f"/s/{code}")

    assert 'id="recommender-banner"' not in page(client, landing["Location"])


def test_a_signed_in_member_through_someone_elses_share_sees_the_banner(api: Api) -> None:
    item = planned_product(api)
    code = shared_by(MemberFactory.create(nickname="Alice"), "product", item.pk)
    client = browser(MemberFactory.create())

    client.get(f"/s/{code}")

    body = page(client, f"/p/{item.pk}")
    assert "Alice" in body
    assert "Friend discount ¥5.00" in body


def test_a_forged_share_cookie_shows_no_banner(api: Api) -> None:
    item = planned_product(api)
    code = shared_by(MemberFactory.create(nickname="Alice"), "product", item.pk)
    visitor = browser()
    visitor.cookies["sm_share"] = f"{code}:forged"

    assert 'id="recommender-banner"' not in page(visitor, f"/p/{item.pk}")


def test_store_substore_and_post_pages_show_the_recommender_too(api: Api) -> None:
    item = planned_product(api)
    store = Store.objects.get(merchant=item.merchant, kind="online")
    sharer = MemberFactory.create(nickname="Alice", is_distributor=True)
    distribution.substore_set(sharer, product_ids=[item.pk])
    post = written_post(item)

    for target_type, target_id, path in [
        ("store", store.pk, f"/stores/{store.pk}"),
        ("substore", sharer.pk, f"/substores/{sharer.pk}"),
        ("post", post.pk, f"/posts/{post.pk}"),
    ]:
        visitor = browser()
        landing = visitor.get(f"/s/{shared_by(sharer, target_type, target_id)}")
        assert landing["Location"] == path
        body = page(visitor, path)
        assert 'id="recommender-banner"' in body, path
        assert "Alice" in body
        assert "¥5.00" in body  # "up to ¥5.00" on the lists, the product's own on the post
        assert 'id="recommender-banner"' not in page(browser(), path)


# --- the share sheet: one link per member and product -----------------------------------------


def test_opening_the_share_sheet_twice_shows_the_same_link() -> None:
    item = product()
    member = MemberFactory.create()
    client = browser(member)

    first = client.post(f"/p/{item.pk}/share", headers=HTMX).content.decode()
    second = client.post(f"/p/{item.pk}/share", headers=HTMX).content.decode()

    link = ShareLink.objects.get()
    assert (link.sharer_id, link.target_id, link.rewarded) == (member.pk, item.pk, True)
    assert f"/s/{link.code}" in first
    assert f"/s/{link.code}" in second
    assert "This is your link for it. A sale through it earns you a rebate." in second


def test_the_share_sheet_shows_what_the_member_earns_and_the_friend_saves(api: Api) -> None:
    item = planned_product(api)
    client = browser(MemberFactory.create())

    assert "Earn ¥7.60" in page(client, f"/p/{item.pk}")  # on the Share button
    body = client.post(f"/p/{item.pk}/share", headers=HTMX).content.decode()

    # ¥100 less the 5 % friend discount is ¥95 paid; level 1 earns 8 % of it.
    assert 'id="share-earn"' in body
    assert "¥7.60" in body
    assert "Your friends save ¥5.00" in body


def test_the_api_still_makes_a_link_per_call() -> None:
    """POST /shares keeps its contract: each call is a share on its channel, under the caps."""
    item = product()
    member = MemberFactory.create()
    codes = {shared_by(member, "product", item.pk) for _ in range(2)}
    assert len(codes) == 2


# --- reporting posts ---------------------------------------------------------------------------


def test_a_reader_reports_a_post_once_through_the_api(api: Api) -> None:
    post = written_post(product())
    reader = MemberFactory.create()

    first = api.post(
        f"/posts/{post.pk}/report", {"category": "false_info", "note": "广告"}, as_=reader
    )
    again = api.post(f"/posts/{post.pk}/report", {"category": "spam"}, as_=reader)
    unknown = api.post(
        f"/posts/{post.pk}/report", {"category": "dislike"}, as_=MemberFactory.create()
    )

    assert first.status == 201, first.body
    assert (first.body["post_id"], first.body["category"]) == (post.pk, "false_info")
    assert (again.status, again.error_code) == (409, "already_reported")
    assert (unknown.status, unknown.error_code) == (400, "invalid_post")
    assert list(PostReport.objects.values_list("reason", "note")) == [("false_info", "广告")]


def test_the_convention_categories_are_listed() -> None:
    codes = [r["code"] for r in Client().get("/api/v1/posts-rules").json()["report_reasons"]]
    assert codes == [
        "illegal",
        "unfriendly",
        "spam",
        "vulgar",
        "false_info",
        "superstition",
        "clickbait",
        "fandom",
        "other_harm",
    ]


def test_a_reader_reports_a_post_from_its_page_and_a_second_time_is_told_so() -> None:
    item = product()
    post = written_post(item)
    reader = browser(MemberFactory.create())
    assert f'href="/posts/{post.pk}/report"' in page(reader, f"/p/{item.pk}")
    assert f'href="/posts/{post.pk}/report"' in page(reader, f"/posts/{post.pk}")
    form = page(reader, f"/posts/{post.pk}/report")
    assert 'value="other_harm"' in form

    sent = reader.post(f"/posts/{post.pk}/report", {"category": "vulgar"}, follow=True)

    assert "Thank you. The platform will review this post." in sent.content.decode()
    assert PostReport.objects.get().reason == "vulgar"
    assert "Reported" in page(reader, f"/posts/{post.pk}")
    again = reader.post(f"/posts/{post.pk}/report", {"category": "spam"}, follow=True)
    assert "You have already reported this post." in again.content.decode()
    assert PostReport.objects.count() == 1


def test_a_report_needs_a_category_and_a_member() -> None:
    post = written_post(product())

    stranger = browser().get(f"/posts/{post.pk}/report")
    assert stranger.status_code == 302
    assert stranger["Location"].startswith("/login/?next=")
    blank = browser(MemberFactory.create()).post(f"/posts/{post.pk}/report", {"category": ""})
    assert blank.status_code == 200
    assert "This field is required." in blank.content.decode()
    assert PostReport.objects.count() == 0


def test_an_author_has_no_report_button_on_their_own_post() -> None:
    author = MemberFactory.create()
    post = written_post(product(), author)
    assert f'href="/posts/{post.pk}/report"' not in page(browser(author), f"/posts/{post.pk}")


def test_an_author_shares_their_post_from_its_page_with_their_own_link() -> None:
    author = MemberFactory.create()
    post = written_post(product(), author)
    assert post.share_link is not None

    own = page(browser(author), f"/posts/{post.pk}")
    assert re.search(rf'id="post-share-url"[^>]*value="[^"]*/s/{post.share_link.code}"', own)
    assert 'data-copy="post-share-url"' in own
    # Readers get the report button instead, never the author's link.
    for reader in (browser(), browser(MemberFactory.create())):
        assert "post-share-url" not in page(reader, f"/posts/{post.pk}")


def test_the_product_page_reads_a_bounded_number_of_times(
    api: Api, django_assert_max_num_queries: object
) -> None:
    """Posts, options, more products and the recommender cost the same with many of each."""
    item = planned_product(api)
    for _ in range(4):
        written_post(item)
        product(item.merchant)
    code = shared_by(MemberFactory.create(), "product", item.pk)
    client = browser(MemberFactory.create())
    client.get(f"/s/{code}")

    # The first view trains this small mall's recommendation model (常一起购买); later ones
    # serve it, looking at most once a second whether it is stale.
    assert client.get(f"/p/{item.pk}").status_code == 200

    # 3 of them for the more-from-this-shop tiles (sold counts, shop names, earnings), 1 for
    # the product's group-buys (发起拼团), up to 8 for 常一起购买 (the model's freshness look
    # and which of its picks are on sale).
    with django_assert_max_num_queries(34):  # type: ignore[operator]
        assert client.get(f"/p/{item.pk}").status_code == 200


def test_the_store_and_more_from_this_shop_show_tiles_without_the_shops_legal_name() -> None:
    shop = merchant(legal_name="Tea Company Limited")
    tea, cups = product(shop, title="Oolong"), product(shop, title="Cups")
    bought(MemberFactory.create(), tea, quantity=2)
    store = Store.objects.get(merchant=shop, kind=Store.Kind.ONLINE)

    for url in (f"/stores/{store.pk}", f"/p/{cups.pk}"):
        body = page(browser(), url)
        assert '<span class="card-sold">2 sold</span>' in body, url
        assert 'class="card-shop"' not in body, url  # the page is the shop's own
