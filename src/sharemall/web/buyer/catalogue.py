"""The storefront: home, product, store, sub-store and post pages, and share landings."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from sharemall.accounts.auth import caller
from sharemall.accounts.models import Member
from sharemall.catalog import selectors as catalog
from sharemall.catalog.models import Product
from sharemall.community import selectors as community_selectors
from sharemall.core.devices import device_of
from sharemall.core.errors import NotFound
from sharemall.core.http import client_address
from sharemall.distribution import selectors as distribution_selectors
from sharemall.orders import selectors as order_selectors
from sharemall.posts import rules as post_rules
from sharemall.posts import selectors as post_selectors
from sharemall.recommendations import serving as recommendations
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing import selectors as sharing_selectors
from sharemall.sharing import services as sharing
from sharemall.showcase import selectors as showcase
from sharemall.web import matching
from sharemall.web.buyer import storefront
from sharemall.web.buyer.forms import CommentForm
from sharemall.web.buyer.groups import group_buys_on_product
from sharemall.web.buyer.tiles import Tile, tiles_for
from sharemall.web.common import _int_param

PAGE_SIZE = 20


QUERY_MAX = 100


MORE_FROM_SHOP = 4


POSTS_ON_PRODUCT = 10


TOGETHER_SHOWN = 6


def _active_root(tree: list[dict[str, object]], category_id: int | None) -> object | None:
    """The top-level category that is, or holds, the chosen one: its children become chips."""
    if category_id is None:
        return None
    for root in tree:
        children = root["children"]
        assert isinstance(children, list)
        if root["id"] == category_id or any(c["id"] == category_id for c in children):
            return root
    return None


def home(request: HttpRequest) -> HttpResponse:
    """The storefront: banners and the category grid above the products (first page, no
    search), 猜你喜欢 (what matching picks for the visitor), then every product, newest first,
    or the search's and category's matches."""
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    category_id = _int_param(request.GET.get("category"))
    products = catalog.storefront_products(query=query, category_id=category_id)
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    categories = catalog.category_tree()
    viewer = caller(request)
    front = not query and category_id is None and page.number == 1
    liked, personal = _you_may_like(viewer) if front else ([], False)
    return render(
        request,
        "web/home.html",
        {
            "page": page,
            "tiles": tiles_for(list(page.object_list), viewer),
            "liked": liked,
            "liked_matched": personal,
            "banners": showcase.banners_showing(timezone.now()) if front else [],
            "front": front,
            "query": query,
            "search_query": query,
            "category_id": category_id,
            "categories": categories,
            "active_root": _active_root(categories, category_id),
        },
    )


POPULAR_SHOWN = 6


def _even[T](items: list[T]) -> list[T]:
    """Whole rows on a phone's two-column grid: no lone tile at the end."""
    return items if len(items) < 2 else items[: len(items) // 2 * 2]


def _you_may_like(viewer: Member | None) -> tuple[list[tuple[Tile, list[str]]], bool]:
    """猜你喜欢, each with why: what matching picks for the viewer (personal for a member with
    a history, popular for anyone else: the selector decides), or the best sellers while no
    model has been trained. True when matching picked them."""
    found = matching.picks(recommendations.recommended_for_buyer(viewer, limit=POPULAR_SHOWN))
    if found:
        shown = _even(found)
        tiles = tiles_for([pick.product for pick in shown], viewer)
        return [(tile, pick.reasons) for tile, pick in zip(tiles, shown, strict=True)], True
    return [(tile, []) for tile in tiles_for(_popular(), viewer)], False


def _popular() -> list[Product]:
    """The best-selling products still on sale, best first (twice as many asked for as shown,
    as some best sellers may be off sale by now)."""
    ids = order_selectors.best_selling_product_ids(POPULAR_SHOWN * 2)
    return _even(catalog.on_sale_in_order(ids)[:POPULAR_SHOWN])


def product(request: HttpRequest, product_id: int) -> HttpResponse:
    viewer = caller(request)
    try:
        item = catalog.product_for_viewer(viewer, product_id)
    except NotFound:
        return render(request, "web/not_found.html", status=404)
    more = catalog.storefront_products(merchant_id=item.merchant_id).exclude(pk=item.pk)
    posts = list(post_selectors.product_posts(item.pk)[:POSTS_ON_PRODUCT])
    return render(
        request,
        "web/product.html",
        {
            "product": item,
            # Tiles like the home page's (已售, 分享赚), without the shop: it is this one.
            "more": tiles_for(list(more[:MORE_FROM_SHOP]), viewer),
            # 常一起购买: what buyers of this product often bought with it.
            "together": _together(item, viewer),
            "posts": posts,
            "reported": post_selectors.reported_by(viewer, [post.pk for post in posts]),
            "group_buys": group_buys_on_product(item.pk),
            **storefront.product_context(request, item),
        },
    )


def _together(item: Product, viewer: Member | None) -> list[Tile]:
    """常一起购买: what buyers of this product often bought with it, as tiles."""
    ids = recommendations.bought_together(item.pk, limit=TOGETHER_SHOWN)
    return tiles_for(catalog.on_sale_in_order(ids), viewer) if ids else []


def substore_page(request: HttpRequest, member_id: int) -> HttpResponse:
    """A distributor's personal sub-store (个人分店): where a sub-store share lands."""
    store = distribution_selectors.substore_public(member_id)
    if store is None:
        return render(request, "web/not_found.html", status=404)
    ids = [item["id"] for item in store["products"]]
    products = sorted(
        catalog.storefront_products().filter(pk__in=ids), key=lambda p: ids.index(p.pk)
    )
    viewer = caller(request)
    return render(
        request,
        "web/substore.html",
        {
            "store": store,
            "tiles": tiles_for(products, viewer),
            "welcome": storefront.recommender(request, viewer, products),
        },
    )


def store_page(request: HttpRequest, store_id: int) -> HttpResponse:
    """A merchant's shop or offline store, with what it sells: where a store share lands."""
    store = sharing_selectors.public_store(store_id)
    if store is None:
        return render(request, "web/not_found.html", status=404)
    products = catalog.storefront_products(merchant_id=store.merchant_id)
    page = Paginator(products, PAGE_SIZE).get_page(_int_param(request.GET.get("page")))
    viewer = caller(request)
    return render(
        request,
        "web/store.html",
        {
            "store": store,
            "page": page,
            "tiles": tiles_for(list(page), viewer),
            "welcome": storefront.recommender(request, viewer, list(page)),
        },
    )


def post_page(request: HttpRequest, post_id: int) -> HttpResponse:
    """A buyer's experience post: where a post's share link lands."""
    return render_post_page(request, caller(request), post_id)


# The post page lists this many comments, oldest first; the API pages through the rest.
COMMENTS_ON_PAGE = 100


def render_post_page(
    request: HttpRequest,
    viewer: Member | None,
    post_id: int,
    *,
    comment_form: CommentForm | None = None,
) -> HttpResponse:
    """The post page; the comment view renders it again with its refused form."""
    try:
        item = post_selectors.post_for_viewer(post_id, viewer)
        about = catalog.product_for_viewer(viewer, item.product_id)
    except NotFound:
        return render(request, "web/not_found.html", status=404)
    comments = (
        list(post_selectors.post_comments(item.pk)[:COMMENTS_ON_PAGE])
        if item.status == post_rules.VISIBLE
        else []
    )
    return render(
        request,
        "web/post.html",
        {
            "post": item,
            "product": about,
            "price_from": min((sku.price_fen for sku in about.skus.all()), default=None),
            "reported": post_selectors.reported_by(viewer, [item.pk]),
            "welcome": storefront.recommender(request, viewer, [about]),
            # Its author shares it from here: their own link, which earns on what friends buy.
            "share_url": (
                sharing_rules.share_url(settings.PUBLIC_BASE_URL, item.share_link.code)
                if viewer is not None and item.author_id == viewer.pk and item.share_link
                else ""
            ),
            "comments": comments,
            "comments_reported": post_selectors.comments_reported_by(
                viewer, [c.pk for c in comments]
            ),
            # A muted member reads until when instead of the form (PRODUCT §14).
            "mute": community_selectors.active_mute(viewer.pk) if viewer is not None else None,
            "comment_form": comment_form or CommentForm(),
        },
        status=400 if comment_form is not None and comment_form.errors else 200,
    )


@never_cache
def share_landing(request: HttpRequest, code: str) -> HttpResponse:
    """/s/<code>: count the visit, remember the share for this browser, go to the target."""
    member = caller(request)
    # The browser's device id: DeviceMiddleware gave one to a browser that came without.
    visitor_id = device_of(request)
    try:
        result = sharing.click_record(
            code=code,
            visitor_member=member,
            visitor_key=None if member is not None else visitor_id,
            ip=client_address(request),
        )
    except NotFound:
        return render(request, "web/not_found.html", status=404)
    response = HttpResponseRedirect(sharing.target_url(result.link))
    if member is None or member.pk != result.link.sharer_id:
        window = sharing_selectors.attribution_window()
        response.set_signed_cookie(
            sharing_rules.SHARE_COOKIE,
            result.link.code,
            salt=sharing_rules.SHARE_COOKIE_SALT,
            max_age=int(window.total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response
