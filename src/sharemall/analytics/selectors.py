"""Propagation of a product or a post (PRODUCT §6.3, §9): clicks, orders, buyers and reach by
degree, the viral coefficient, the half-life of a share's clicks, a daily series, top sharers.

A click's degree is the degree an order through that link would have: one more than the
lowest degree at which the link's sharer bought the product through a share, else 1.
Only paid orders count (refunded ones too: the sale happened, the propagation is real).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import StrIndex, Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Binding, Member
from sharemall.analytics import rules
from sharemall.catalog.models import Product
from sharemall.core import replica
from sharemall.core.errors import NotFound
from sharemall.distribution.models import CommissionEntry
from sharemall.distribution.rules import HELD, PENDING, SETTLED, degree_after
from sharemall.merchants.selectors import merchant_for_staff, merchant_ids_of
from sharemall.orders import rules as order_rules
from sharemall.orders.models import Order, OrderLine
from sharemall.posts.models import Post
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing.models import ShareClick, ShareLink
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet.models import Posting

# Days are counted where our members live, whatever the server's zone.
REPORT_ZONE = ZoneInfo("Asia/Shanghai")
SERIES_DAYS = 30
TOP_SHARERS = 10


@dataclass
class Propagation:
    product_id: int
    post_id: int | None
    by_degree: list[rules.DegreeRow]
    viral_coefficient: float
    half_life_hours: float | None
    totals: dict[str, int]
    series: list[dict[str, Any]]
    top_sharers: list[dict[str, Any]]


def _check_access(viewer: Member, product: Product) -> None:
    """Propagation is the merchant owner's business, and the platform's operators'. To anyone
    else it is another merchant's object, and those answer 404 (API.md); the merchant's clerks
    see the merchant, so they are told it is for the owner (403 `owner_only`)."""
    if viewer.is_operator:
        return
    if product.merchant_id not in merchant_ids_of(viewer):
        raise NotFound(_("No such product."))
    merchant_for_staff(viewer, product.merchant_id, owner_only=True)


def _scope(
    viewer: Member, product_id: int | None, post_id: int | None
) -> tuple[Product, Post | None]:
    if (product_id is None) == (post_id is None):
        raise rules.InvalidQuery(_("Ask for exactly one of product_id and post_id."))
    post = None
    if post_id is not None:
        post = Post.objects.filter(pk=post_id).first()
        if post is None:
            raise NotFound(_("No such post."))
        product_id = post.product_id
    assert product_id is not None
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("No such product."))
    _check_access(viewer, product)
    return product, post


def _links(product: Product, post: Post | None) -> dict[int, dict[str, Any]]:
    if post is not None:
        where = Q(target_type=sharing_rules.POST, target_id=post.pk)
    else:
        post_ids = Post.objects.filter(product=product).values("pk")
        where = Q(target_type=sharing_rules.PRODUCT, target_id=product.pk) | Q(
            target_type=sharing_rules.POST, target_id__in=post_ids
        )
    rows = ShareLink.objects.filter(where).values("id", "sharer_id", "created_at")
    return {row["id"]: dict(row) for row in rows}


def _bought(product: Product) -> Any:
    return Order.objects.filter(
        status__in=order_rules.BOUGHT_STATUSES, lines__product_id=product.pk
    ).distinct()


def _sharer_degrees(product: Product, sharer_ids: set[int]) -> dict[int, int]:
    """The degree each sharer's shares of the product carry."""
    lowest = dict(
        _bought(product)
        .filter(buyer_id__in=sharer_ids, attribution="share", degree__isnull=False)
        .values("buyer_id")
        .annotate(lowest=Min("degree"))
        .values_list("buyer_id", "lowest")
    )
    return {sharer: degree_after(lowest.get(sharer)) for sharer in sharer_ids}


def _local_day(moment: datetime) -> date:
    return moment.astimezone(REPORT_ZONE).date()


def propagation(
    viewer: Member,
    *,
    product_id: int | None = None,
    post_id: int | None = None,
    now: datetime | None = None,
) -> Propagation:
    now = now or timezone.now()
    product, post = _scope(viewer, product_id, post_id)
    links = _links(product, post)
    sharer_of = {link_id: row["sharer_id"] for link_id, row in links.items()}
    degrees = _sharer_degrees(product, set(sharer_of.values()))
    link_degree = {link_id: degrees[sharer] for link_id, sharer in sharer_of.items()}
    rows: dict[int, rules.DegreeRow] = {}
    clicks = _count_clicks(links, sharer_of, link_degree, rows)
    bought = _count_orders(product, post, links, rows)
    # Viral coefficient: buyers who shared, and the new buyers their shares brought.
    all_buyers = set(_bought(product).values_list("buyer_id", flat=True))
    sharing_buyers = set(sharer_of.values()) & all_buyers
    brought = {buyer for buyer, referrer, _d, _t in bought.rows if referrer in sharing_buyers}
    return Propagation(
        product_id=product.pk,
        post_id=post.pk if post else None,
        by_degree=[rows[d] for d in sorted(rows)],
        viral_coefficient=rules.viral_coefficient(len(sharing_buyers), len(brought)),
        half_life_hours=rules.half_life_hours(clicks.ages),
        totals={
            "links": len(links),
            "sharers": len(set(sharer_of.values())),
            "clicks": sum(r.clicks for r in rows.values()),
            "reach": len({key for keys in clicks.visitors.values() for key in keys}),
            "orders": len(bought.rows),
            "buyers": len({buyer for buyer, *_rest in bought.rows}),
        },
        series=_daily_series(_local_day(now), clicks.by_day, bought.by_day),
        top_sharers=_top_sharers(clicks.by_sharer, bought.by_sharer),
    )


def _degree_row(rows: dict[int, rules.DegreeRow], degree: int) -> rules.DegreeRow:
    return rows.setdefault(degree, rules.DegreeRow(degree))


@dataclass
class _Clicks:
    visitors: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    ages: list[float] = field(default_factory=list)
    by_day: Counter[date] = field(default_factory=Counter)
    by_sharer: Counter[int] = field(default_factory=Counter)


def _count_clicks(
    links: dict[int, dict[str, Any]],
    sharer_of: dict[int, Any],
    link_degree: dict[int, int],
    rows: dict[int, rules.DegreeRow],
) -> _Clicks:
    """Each degree's clicks and reach, and the clicks' ages, days and sharers."""
    found = _Clicks()
    clicks = ShareClick.objects.filter(link_id__in=list(links)).values_list(
        "link_id", "visitor_key", "clicked_at"
    )
    for link_id, visitor_key, clicked_at in clicks.iterator(chunk_size=5000):
        degree = link_degree[link_id]
        _degree_row(rows, degree).clicks += 1
        found.visitors[degree].add(visitor_key)
        found.ages.append(rules.age_seconds(links[link_id]["created_at"], clicked_at))
        found.by_day[_local_day(clicked_at)] += 1
        found.by_sharer[sharer_of[link_id]] += 1
    for degree, keys in found.visitors.items():
        _degree_row(rows, degree).reach = len(keys)
    return found


@dataclass
class _Orders:
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    by_day: Counter[date] = field(default_factory=Counter)
    by_sharer: Counter[int] = field(default_factory=Counter)


def _count_orders(
    product: Product,
    post: Post | None,
    links: dict[int, dict[str, Any]],
    rows: dict[int, rules.DegreeRow],
) -> _Orders:
    """Each degree's orders and buyers among the orders a share brought (through the post's
    links when a post is viewed), and the orders' days and sharers."""
    orders = _bought(product).filter(attribution="share", degree__isnull=False)
    if post is not None:
        orders = orders.filter(share_link_id__in=list(links))
    found = _Orders(
        rows=[
            row[1:]
            for row in orders.values_list("id", "buyer_id", "referrer_id", "degree", "created_at")
        ]
    )
    buyers_at: dict[int, set[int]] = defaultdict(set)
    for buyer_id, referrer_id, degree, created_at in found.rows:
        _degree_row(rows, degree).orders += 1
        buyers_at[degree].add(buyer_id)
        found.by_day[_local_day(created_at)] += 1
        found.by_sharer[referrer_id] += 1
    for degree, buyers in buyers_at.items():
        _degree_row(rows, degree).buyers = len(buyers)
    return found


def _daily_series(
    today: date, clicks_by_day: Counter[date], orders_by_day: Counter[date]
) -> list[dict[str, Any]]:
    """Clicks and orders per day over the last SERIES_DAYS days, oldest first."""
    return [
        {
            "date": day,
            "clicks": clicks_by_day.get(day, 0),
            "orders": orders_by_day.get(day, 0),
        }
        for day in (today - timedelta(days=n) for n in range(SERIES_DAYS - 1, -1, -1))
    ]


def _top_sharers(clicks: Counter[int], orders: Counter[int]) -> list[dict[str, Any]]:
    ranked = sorted(
        set(clicks) | set(orders), key=lambda m: (-orders.get(m, 0), -clicks.get(m, 0), m)
    )[:TOP_SHARERS]
    names = dict(Member.objects.filter(pk__in=ranked).values_list("pk", "nickname"))
    return [
        {
            "member_id": member_id,
            "nickname": names.get(member_id, ""),
            "clicks": clicks.get(member_id, 0),
            "orders": orders.get(member_id, 0),
        }
        for member_id in ranked
    ]


# --- The KPI dashboard ---------------------------------------------------------------------

MONEY, COUNT, RATIO = "money", "count", "ratio"
# orders.ledger books an approved refund as one transaction of this kind: the buyer-payments
# clearing account gives back the refund, the merchant's receivable takes its share.
REFUND_APPROVED = "refund_approved"
COMMISSION_COSTS = (PENDING, SETTLED, HELD)  # what the merchant gives up; reversed is given back


@dataclass(frozen=True)
class Metric:
    """One figure of the dashboard: this period's total and daily series, and the previous
    period's total. Money in fen, ratios as 0–1 (None where there was nothing to divide)."""

    key: str
    kind: str
    total: float | None
    previous: float | None
    series: list[float | None]

    @property
    def change(self) -> float | None:
        return rules.change(self.total, self.previous)


@dataclass(frozen=True)
class Dashboard:
    merchant_id: int | None  # None: the whole platform
    period: rules.Period
    metrics: dict[str, Metric]

    @property
    def days(self) -> list[date]:
        return self.period.days

    def __getitem__(self, key: str) -> Metric:
        return self.metrics[key]


@replica.reads()  # a moment old is fine: the replica may answer (docs/SCALING.md)
def dashboard(merchant_id: int | None, days: int, *, now: datetime | None = None) -> Dashboard:
    """GMV, orders, paid conversion, share → order conversion, commission cost ratio, refunds
    and team growth of one merchant (or, with None, of the platform), over the last `days` days
    counted in China's time, with the days before for comparison. A handful of grouped queries,
    whatever the number of orders."""
    period = rules.period_of(_local_day(now or timezone.now()), days)
    since = datetime.combine(period.previous_start, datetime.min.time(), REPORT_ZONE)
    until = datetime.combine(period.end + timedelta(days=1), datetime.min.time(), REPORT_ZONE)
    window = (since, until)
    counts: dict[str, dict[date, float]] = {}
    counts.update(_paid_orders(merchant_id, window))
    counts.update(_created_orders(merchant_id, window))
    counts["share_clicks"] = _by_day(
        ShareClick.objects.filter(link__in=_merchant_links(merchant_id)),
        "clicked_at",
        window,
        count=Count("pk"),
    )["count"]
    counts["commissions"] = _by_day(
        _commissions(merchant_id), "created_at", window, amount=Sum("amount_fen")
    )["amount"]
    counts.update(_refunds(merchant_id, window))
    counts["new_bindings"] = _by_day(_bindings(merchant_id), "bound_at", window, count=Count("pk"))[
        "count"
    ]
    counts["new_sharers"] = _by_day(
        _first_links(merchant_id), "created_at", window, count=Count("sharer_id", distinct=True)
    )["count"]
    metrics = {key: _sum_metric(key, period, by_day) for key, by_day in counts.items()}
    metrics["gmv"] = replace(metrics["gmv"], kind=MONEY)
    metrics["commissions"] = replace(metrics["commissions"], kind=MONEY)
    metrics["refund_amount"] = replace(metrics["refund_amount"], kind=MONEY)
    for key, numerator, denominator in (
        ("paid_conversion", "created_paid", "created_orders"),
        ("share_conversion", "share_orders", "share_clicks"),
        ("commission_ratio", "commissions", "gmv"),
    ):
        metrics[key] = _ratio_metric(key, metrics[numerator], metrics[denominator])
    return Dashboard(merchant_id=merchant_id, period=period, metrics=metrics)


def _sum_metric(key: str, period: rules.Period, by_day: dict[date, float]) -> Metric:
    series, total, previous = rules.split_periods(period, by_day)
    return Metric(key, COUNT, total, previous, list(series))


def _ratio_metric(key: str, numerator: Metric, denominator: Metric) -> Metric:
    return Metric(
        key,
        RATIO,
        rules.ratio(numerator.total or 0, denominator.total or 0),
        rules.ratio(numerator.previous or 0, denominator.previous or 0),
        list(
            rules.ratio_series(
                [v or 0 for v in numerator.series], [v or 0 for v in denominator.series]
            )
        ),
    )


def _by_day(
    queryset: QuerySet[Any], moment: str, window: tuple[datetime, datetime], **values: Any
) -> dict[str, dict[date, float]]:
    """Each named aggregate per local day of `moment` inside the window: one grouped query."""
    rows = (
        queryset.filter(**{f"{moment}__gte": window[0], f"{moment}__lt": window[1]})
        .annotate(day=TruncDate(moment, tzinfo=REPORT_ZONE))
        .order_by()  # a model's default ordering would split the groups
        .values("day")
        .annotate(**values)
    )
    found: dict[str, dict[date, float]] = {name: {} for name in values}
    for row in rows:
        for name in values:
            found[name][row["day"]] = row[name] or 0
    return found


def _orders(merchant_id: int | None) -> QuerySet[Order]:
    orders = Order.objects.all()
    return orders if merchant_id is None else orders.filter(merchant_id=merchant_id)


def _paid_orders(
    merchant_id: int | None, window: tuple[datetime, datetime]
) -> dict[str, dict[date, float]]:
    """By the day they were paid: GMV (what buyers paid for the goods, refunds and all: the
    sale happened; postage is the carrier's, so it stays out, as it does of commissions and
    fees), paid orders, and the paid orders a share brought."""
    return _by_day(
        _orders(merchant_id).filter(paid_at__isnull=False),
        "paid_at",
        window,
        gmv=Sum(F("total_fen") - F("shipping_fen")),
        orders=Count("pk"),
        share_orders=Count("pk", filter=Q(attribution="share")),
    )


def _created_orders(
    merchant_id: int | None, window: tuple[datetime, datetime]
) -> dict[str, dict[date, float]]:
    """By the day they were placed: orders placed, and how many of those were paid."""
    return _by_day(
        _orders(merchant_id),
        "created_at",
        window,
        created_orders=Count("pk"),
        created_paid=Count("pk", filter=Q(paid_at__isnull=False)),
    )


def _merchant_links(merchant_id: int | None) -> QuerySet[ShareLink]:
    """The share links of the merchant's products and of posts about them."""
    links = ShareLink.objects.all()
    if merchant_id is None:
        return links
    products = Product.objects.filter(merchant_id=merchant_id).values("pk")
    posts = Post.objects.filter(product__merchant_id=merchant_id).values("pk")
    return links.filter(
        Q(target_type=sharing_rules.PRODUCT, target_id__in=products)
        | Q(target_type=sharing_rules.POST, target_id__in=posts)
    )


def _commissions(merchant_id: int | None) -> QuerySet[CommissionEntry]:
    entries = CommissionEntry.objects.filter(reversal_of=None, status__in=COMMISSION_COSTS)
    return entries if merchant_id is None else entries.filter(order__merchant_id=merchant_id)


def _refunds(
    merchant_id: int | None, window: tuple[datetime, datetime]
) -> dict[str, dict[date, float]]:
    """Approved refunds by the day they were approved, read from the ledger (the refund's
    clearing posting is the amount; its posting on the merchant's side names the merchant: an
    account of one of its orders before settlement, its available balance after, or the legacy
    receivable of orders booked before per-order accounts; see orders/ledger.py)."""
    postings = Posting.objects.filter(
        transaction__kind=REFUND_APPROVED, account__kind=wallet_rules.BUYER_PAYMENTS_CLEARING
    )
    if merchant_id is not None:
        merchant_side = Q(
            account__kind=wallet_rules.ORDER_RECEIVABLE,
            account__owner_id__in=Order.objects.filter(merchant_id=merchant_id).values("pk"),
        ) | Q(
            account__kind__in=(wallet_rules.MERCHANT_RECEIVABLE, wallet_rules.MERCHANT_AVAILABLE),
            account__owner_id=merchant_id,
        )
        postings = postings.filter(
            Exists(Posting.objects.filter(merchant_side, transaction_id=OuterRef("transaction_id")))
        )
    found = _by_day(
        postings,
        "transaction__created_at",
        window,
        refund_amount=Sum("amount_fen"),
        refund_count=Count("transaction_id", distinct=True),
    )
    # The clearing account gives the money back: its postings are negative.
    found["refund_amount"] = {day: -value for day, value in found["refund_amount"].items()}
    return found


def _bindings(merchant_id: int | None) -> QuerySet[Binding]:
    """New bindings; for a merchant, those made through a share of its products (the binding's
    source ends with the link's code: "landing:<code>", "signup:<code>")."""
    bindings = Binding.objects.all()
    if merchant_id is None:
        return bindings
    code = Substr("source", StrIndex("source", Value(":")) + 1)
    return bindings.annotate(link_code=code).filter(
        link_code__in=_merchant_links(merchant_id).values("code")
    )


def _first_links(merchant_id: int | None) -> QuerySet[ShareLink]:
    """Each sharer's first share link (of the merchant's products, for a merchant): the day a
    member started sharing is the day they joined the sharing team."""
    links = _merchant_links(merchant_id)
    earlier = _merchant_links(merchant_id).filter(
        sharer_id=OuterRef("sharer_id"), created_at__lt=OuterRef("created_at")
    )
    return links.filter(~Exists(earlier))


# --- Propagation across products (the console's propagation overview) ----------------------


@dataclass(frozen=True)
class ProductSpread:
    product_id: int
    title: str
    merchant_id: int
    links: int
    sharers: int
    clicks: int
    orders: int
    gmv_fen: int

    @property
    def conversion(self) -> float | None:
        return rules.conversion(self.orders, self.clicks)


def propagation_by_product(
    merchant_id: int | None, days: int, *, now: datetime | None = None, limit: int = 50
) -> list[ProductSpread]:
    """How each product spread over the last `days` days: share links made, sharers, clicks on
    its links, and the paid orders and GMV shares brought; one merchant's products, or (None)
    the platform's. Links to posts about a product count for it. Most orders first."""
    period = rules.period_of(_local_day(now or timezone.now()), days)
    since = datetime.combine(period.start, datetime.min.time(), REPORT_ZONE)
    products = Product.objects.all()
    if merchant_id is not None:
        products = products.filter(merchant_id=merchant_id)
    post_product = dict(Post.objects.filter(product__in=products).values_list("pk", "product_id"))

    def product_of(target_type: str, target_id: int) -> int | None:
        return target_id if target_type == sharing_rules.PRODUCT else post_product.get(target_id)

    made: dict[int, tuple[int, int]] = {}
    for target_type, target_id, count, sharers in (
        _merchant_links(merchant_id)
        .filter(created_at__gte=since)
        .order_by()
        .values_list("target_type", "target_id")
        .annotate(n=Count("pk"), sharers=Count("sharer_id", distinct=True))
    ):
        product_id = product_of(target_type, target_id)
        if product_id is not None:  # a sharer of both the product and a post counts twice
            links_before, sharers_before = made.get(product_id, (0, 0))
            made[product_id] = (links_before + count, sharers_before + sharers)
    clicks: Counter[int] = Counter()
    for target_type, target_id, count in (
        ShareClick.objects.filter(link__in=_merchant_links(merchant_id), clicked_at__gte=since)
        .order_by()
        .values_list("link__target_type", "link__target_id")
        .annotate(n=Count("pk"))
    ):
        product_id = (
            target_id if target_type == sharing_rules.PRODUCT else post_product.get(target_id)
        )
        if product_id is not None:
            clicks[product_id] += count
    sold = (
        OrderLine.objects.filter(
            order__in=_orders(merchant_id).filter(attribution="share", paid_at__gte=since)
        )
        .order_by()
        .values("product_id")
        .annotate(orders=Count("order_id", distinct=True), gmv=Sum("paid_fen"))
    )
    orders = {row["product_id"]: (row["orders"], row["gmv"] or 0) for row in sold}
    wanted = set(made) | set(clicks) | set(orders)
    names = dict(products.filter(pk__in=wanted).values_list("pk", "title"))
    owners = dict(products.filter(pk__in=wanted).values_list("pk", "merchant_id"))
    rows = [
        ProductSpread(
            product_id=pk,
            title=names[pk],
            merchant_id=owners[pk],
            links=made.get(pk, (0, 0))[0],
            sharers=made.get(pk, (0, 0))[1],
            clicks=clicks.get(pk, 0),
            orders=orders.get(pk, (0, 0))[0],
            gmv_fen=orders.get(pk, (0, 0))[1],
        )
        for pk in wanted
        if pk in names
    ]
    rows.sort(key=lambda r: (-r.orders, -r.clicks, -r.links, r.product_id))
    return rows[:limit]
