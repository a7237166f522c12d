"""What the storefront pages show around their main content: who recommended the page to the
visitor (and what that saves them), and the product page's price, offers and promises."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.auth import caller
from sharemall.accounts.models import Member
from sharemall.catalog.models import Product, Sku
from sharemall.distribution import selectors as distribution_selectors
from sharemall.merchants import selectors as merchant_selectors
from sharemall.merchants.models import Store
from sharemall.orders import selectors as order_selectors
from sharemall.posts import selectors as post_selectors
from sharemall.sharing import selectors as sharing_selectors
from sharemall.web.buyer import session_cart


@dataclass(frozen=True)
class Recommender:
    """The member whose share brought the visitor here, as the page's banner shows them."""

    member_id: int
    nickname: str
    code: str
    discount_fen: int = 0  # what the visitor saves per unit (the most, on a page of products)
    up_to: bool = False  # several products: discount_fen is the largest of theirs

    @property
    def initial(self) -> str:
        return self.nickname[:1] or "?"


def _cheapest(skus: list[Sku]) -> Sku | None:
    return min(skus, key=lambda s: (s.price_fen, s.position, s.pk), default=None)


def recommender(
    request: HttpRequest, viewer: Member | None, products: Sequence[Product] = ()
) -> Recommender | None:
    """The share the visitor arrived through, for as long as checkout would still honour it:
    the landing page's signed cookie, or a member's latest share click. Never the viewer's own.
    With products, what the share saves on each one's cheapest option (the largest of them when
    there are several: "up to")."""
    link = sharing_selectors.recommender_link(
        viewer, share_code=sharing_selectors.code_from_cookie(request), now=timezone.now()
    )
    if link is None:
        return None
    cheapest = [s for s in (_cheapest(list(p.skus.all())) for p in products) if s is not None]
    offers = distribution_selectors.share_offers(cheapest) if cheapest else {}
    discount = max((o.discount_fen for o in offers.values()), default=0)
    return Recommender(
        link.sharer_id, link.sharer.nickname, link.code, discount, up_to=len(products) > 1
    )


@dataclass(frozen=True)
class SkuCard:
    sku: Sku
    list_price_fen: int | None  # struck through beside the price, when the merchant gave one
    friend_price_fen: int | None  # what a visitor through a share pays per unit

    @property
    def in_stock(self) -> bool:
        return self.sku.stock > 0


def _list_price(sku: Sku) -> int | None:
    # Sku.list_price_fen arrives with the catalogue's price fields; until then there is none.
    value = getattr(sku, "list_price_fen", None)
    return value if isinstance(value, int) and value > sku.price_fen else None


def _shop(product: Product) -> tuple[Store | None, bool]:
    """The merchant's online shop (the 店铺 button's target) and whether it has stores to pick
    up from."""
    stores = list(merchant_selectors.stores_of(product.merchant))
    online = next((s for s in stores if s.kind == Store.Kind.ONLINE), None)
    return online or (stores[0] if stores else None), any(
        s.kind == Store.Kind.OFFLINE for s in stores
    )


def _promises(pickup: bool) -> list[str]:
    """The service promises row: what every order here gets, by the platform's rules."""
    promises = [_("Genuine goods")]
    days = settings.AFTERSALES_WINDOW_DAYS
    if days:
        promises.append(_("%(days)d-day returns") % {"days": days})
    promises.append(_("Express delivery"))
    if pickup:
        promises.append(_("Store pickup"))
    return promises


def product_context(request: HttpRequest, product: Product) -> dict[str, Any]:
    """Everything the product page shows besides the product itself."""
    viewer = caller(request)
    skus = list(product.skus.all())
    welcome = recommender(request, viewer, [product])
    # One plan look-up serves both: a friend's price per option, and the sharer's rebate.
    offers = distribution_selectors.share_offers(skus) if skus and (welcome or viewer) else {}
    cards = [
        SkuCard(
            sku,
            _list_price(sku),
            offers[sku.pk].paid_fen
            if welcome and welcome.discount_fen and sku.pk in offers
            else None,
        )
        for sku in skus
    ]
    cheapest = _cheapest(skus)
    cheapest_card = next((c for c in cards if c.sku is cheapest), None)
    chosen = next((c for c in cards if c.in_stock), cheapest_card)
    earn_fen = (
        offers[cheapest.pk].earn_fen
        if cheapest is not None
        and cheapest.pk in offers
        and viewer is not None
        and distribution_selectors.can_earn_by_sharing(viewer)
        else 0
    )
    shop, pickup = _shop(product)
    rated, rating = post_selectors.product_rating(product.pk)
    return {
        "cards": cards,
        "cheapest": cheapest_card,
        "chosen": chosen,
        "images": list(product.images.all()),
        "in_stock": any(c.in_stock for c in cards),
        "stock": sum(c.sku.stock for c in cards),
        "sold": order_selectors.sold_counts([product.pk]).get(product.pk, 0),
        "welcome": welcome,
        "earn_fen": earn_fen,
        "shop": shop,
        "promises": _promises(pickup),
        "rated": rated,
        "rating": rating,
        "rating_stars": round(rating) if rating else 0,
        "cart_count": session_cart.count(request.session),
    }


def share_sheet_offer(member: Member, product_id: int, *, rewarded: bool) -> tuple[int, int]:
    """What the share sheet promises on the product's cheapest option: the member's rebate per
    unit sold through their link (0 for a link past the cap, where the merchant gives nothing
    up, or where the platform pays only distributors) and the friend's discount."""
    skus = list(Sku.objects.select_related("product").filter(product_id=product_id))
    cheapest = _cheapest(skus)
    offer = distribution_selectors.share_offers(skus).get(cheapest.pk) if cheapest else None
    if offer is None:
        return 0, 0
    earns = rewarded and distribution_selectors.can_earn_by_sharing(member)
    return (offer.earn_fen if earns else 0), offer.discount_fen
