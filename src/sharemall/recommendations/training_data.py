"""What training reads: the catalogue, a year of paid sales, teams and share clicks, as the plain
rows model.build takes. Every read is one grouped or streamed query, never one per member."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Count, Max, Min

from sharemall.accounts.models import Binding, Member
from sharemall.aftersales.models import AfterSaleEvent
from sharemall.catalog import rules as catalog_rules
from sharemall.catalog.models import Category, Product
from sharemall.core import replica
from sharemall.orders.models import OrderEvent, OrderLine
from sharemall.posts.models import Post
from sharemall.recommendations.model import ProductInfo, Purchase, TrainingData
from sharemall.recommendations.quality_facts import quality_facts
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing.models import ShareClick

HISTORY_DAYS = 365
CLICK_DAYS = 180
_CHUNK = 5_000


def watermark() -> str:
    """The newest order change, after-sales change, post, binding and product edit: when none
    moved since the last training, another run would learn nothing new."""
    parts = [
        OrderEvent.objects.aggregate(m=Max("id"))["m"],
        AfterSaleEvent.objects.aggregate(m=Max("id"))["m"],
        Post.objects.aggregate(m=Max("id"))["m"],
        Binding.objects.aggregate(m=Max("id"))["m"],
    ]
    edited = Product.objects.aggregate(m=Max("updated_at"))["m"]
    parts.append(int(edited.timestamp() * 1000) if edited else 0)
    return ".".join(str(p or 0) for p in parts)


def _root_categories() -> tuple[dict[int, int], dict[int, str]]:
    parent: dict[int, int | None] = {}
    names: dict[int, str] = {}
    for pk, parent_id, name in Category.objects.values_list("pk", "parent_id", "name"):
        parent[pk] = parent_id
        names[pk] = name
    root: dict[int, int] = {}
    for pk in parent:
        top, seen = pk, set()
        while parent.get(top) is not None and top not in seen:
            seen.add(top)
            top = parent[top]  # type: ignore[assignment]
        root[pk] = top
    return root, names


def products() -> list[ProductInfo]:
    root, names = _root_categories()
    rows = (
        Product.objects.exclude(status=catalog_rules.DRAFT)
        .annotate(price_from=Min("skus__price_fen"))
        .values_list("pk", "merchant_id", "category_id", "title", "status", "price_from")
        .order_by("pk")
    )
    out = []
    for pk, merchant_id, category_id, title, status, price_from in rows.iterator(_CHUNK):
        top = root.get(category_id) if category_id is not None else None
        out.append(
            ProductInfo(
                product_id=pk,
                merchant_id=merchant_id,
                category_id=top,
                category_name=names.get(top, "") if top is not None else "",
                price_fen=price_from or 0,
                on_sale=status == catalog_rules.ON_SALE,
                text=f"{title} {names.get(category_id, '') if category_id else ''}",
                leaf_category_id=category_id,
            )
        )
    return out


def purchases(now: datetime) -> list[Purchase]:
    rows = (
        OrderLine.objects.filter(
            order__paid_at__isnull=False, order__paid_at__gte=now - timedelta(days=HISTORY_DAYS)
        )
        .values_list(
            "order__buyer_id",
            "product_id",
            "order__payment_id",
            "order__paid_at",
            "order__referrer_id",
            "order__attribution",
        )
        .order_by("pk")
    )
    return [
        Purchase(
            member_id=buyer,
            product_id=product,
            basket_id=basket,
            at=paid_at.timestamp() if paid_at else now.timestamp(),
            referrer_id=referrer if attribution == "share" else None,
        )
        for buyer, product, basket, paid_at, referrer, attribution in rows.iterator(_CHUNK)
    ]


def teams() -> dict[int, list[int]]:
    """Each sharer's team: members bound under them, one to three levels down."""
    out: dict[int, list[int]] = defaultdict(list)
    rows = Member.objects.filter(parent__isnull=False).values_list(
        "pk", "parent_id", "grandparent_id", "great_grandparent_id"
    )
    for pk, *ancestors in rows.iterator(_CHUNK):
        for ancestor in ancestors:
            if ancestor is not None:
                out[ancestor].append(pk)
    return dict(out)


def clicks(now: datetime) -> dict[tuple[int, int], int]:
    rows = (
        ShareClick.objects.filter(
            clicked_at__gte=now - timedelta(days=CLICK_DAYS),
            link__target_type=sharing_rules.PRODUCT,
        )
        .values_list("link__sharer_id", "link__target_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(sharer, product): n for sharer, product, n in rows}


@replica.reads()  # the training reads: the replica may answer (docs/SCALING.md)
def training_data(now: datetime) -> TrainingData:
    return TrainingData(
        now=now.timestamp(),
        products=products(),
        purchases=purchases(now),
        skus=quality_facts(now),
        teams=teams(),
        clicks=clicks(now),
    )
