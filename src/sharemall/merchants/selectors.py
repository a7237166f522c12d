"""Reads for merchants, always scoped to the caller: a merchant sees only its own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import Forbidden, NotFound
from sharemall.merchants import rules
from sharemall.merchants.models import Merchant, MerchantEvent, Staff, Store


def merchant_role(member: Member, merchant_id: int) -> str | None:
    """The member's role at the merchant ("owner" or "staff"), or None if they do not work there."""
    return (
        Staff.objects.filter(merchant_id=merchant_id, member=member)
        .values_list("role", flat=True)
        .first()
    )


def merchant_for_staff(member: Member, merchant_id: int, *, owner_only: bool = True) -> Merchant:
    """The merchant if `member` works for it, else 404 (ids leak nothing to strangers).

    The catalogue, the commission plan, analytics, money, stores and staff are the owner's
    business, so `owner_only` is the default: a clerk, who can see the merchant, is answered
    403 `owner_only`. Callers open an operation to clerks (pickups, shipping, the orders they
    need for that) by passing `owner_only=False` deliberately.
    """
    role = merchant_role(member, merchant_id)
    merchant = Merchant.objects.filter(pk=merchant_id).first() if role else None
    if merchant is None:
        raise NotFound(_("No such merchant."))
    if owner_only and role != Staff.Role.OWNER:
        raise Forbidden(_("Only the merchant's owner may do this."), code="owner_only")
    return merchant


def is_owner(member: Member, merchant_id: int) -> bool:
    return merchant_role(member, merchant_id) == Staff.Role.OWNER


def merchant_for_viewer(member: Member, merchant_id: int) -> Merchant:
    """Operators see every application; everyone else only the merchants they work for."""
    if member.is_operator:
        merchant = Merchant.objects.filter(pk=merchant_id).first()
        if merchant is None:
            raise NotFound(_("No such merchant."))
        return merchant
    return merchant_for_staff(member, merchant_id, owner_only=False)


def merchant_ids_of(member: Member) -> list[int]:
    """Every merchant the member works for, as owner or clerk."""
    return list(Staff.objects.filter(member=member).values_list("merchant_id", flat=True))


def merchants_of(member: Member) -> QuerySet[Merchant]:
    return Merchant.objects.filter(staff__member=member).order_by("id")


def merchant_review_queue(status: str | None) -> QuerySet[Merchant]:
    merchants = Merchant.objects.order_by("created_at", "id")
    return merchants.filter(status=status) if status else merchants


def merchant_events(merchant: Merchant) -> QuerySet[MerchantEvent]:
    return merchant.events.select_related("actor").order_by("created_at", "id")


def public_merchant(merchant_id: int) -> Merchant:
    merchant = Merchant.objects.filter(pk=merchant_id, status=rules.APPROVED).first()
    if merchant is None:
        raise NotFound(_("No such merchant."))
    return merchant


@dataclass(frozen=True)
class Shop:
    """How buyers know a merchant: its online shop's name (the legal name is for the licence
    and invoices) and that shop's page, if it has one."""

    merchant_id: int
    name: str
    store_id: int | None


def shops(merchant_ids: Iterable[int]) -> dict[int, Shop]:
    """Each merchant's shop; one without an online shop is known by its legal name."""
    ids = set(merchant_ids)
    found = {
        pk: Shop(pk, legal_name, None)
        for pk, legal_name in Merchant.objects.filter(pk__in=ids).values_list("pk", "legal_name")
    }
    online = Store.objects.filter(merchant_id__in=ids, kind=Store.Kind.ONLINE).exclude(name="")
    for merchant_id, store_id, name in online.values_list("merchant_id", "pk", "name"):
        found[merchant_id] = Shop(merchant_id, name, store_id)
    return found


def stores_of(merchant: Merchant, *, include_inactive: bool = False) -> QuerySet[Store]:
    stores = Store.objects.filter(merchant=merchant).order_by("kind", "id")
    return stores if include_inactive else stores.filter(is_active=True)


def store_for_staff(member: Member, store_id: int, *, owner_only: bool = True) -> Store:
    store = Store.objects.select_related("merchant").filter(pk=store_id).first()
    if store is None:
        raise NotFound(_("No such store."))
    merchant_for_staff(member, store.merchant_id, owner_only=owner_only)
    return store


def staff_of(merchant: Merchant) -> QuerySet[Staff]:
    return Staff.objects.filter(merchant=merchant).select_related("member").order_by("id")


@dataclass(frozen=True)
class NearbyStore:
    store: Store
    distance_m: int


def stores_nearby(
    latitude: float, longitude: float, *, radius_m: int = 5000, limit: int = 20
) -> list[NearbyStore]:
    """Active offline stores of approved merchants, nearest first.

    A bounding box on the indexed coordinates narrows the candidates in the database; the exact
    great-circle distance is then computed for the few that remain.
    """
    rules.check_coordinates(latitude, longitude)
    south, north, west, east = rules.bounding_box(latitude, longitude, radius_m)
    candidates = Store.objects.select_related("merchant").filter(
        kind=Store.Kind.OFFLINE,
        is_active=True,
        merchant__status=rules.APPROVED,
        latitude__gte=south,
        latitude__lte=north,
        longitude__gte=west,
        longitude__lte=east,
    )
    found = []
    for store in candidates:
        assert store.latitude is not None and store.longitude is not None  # offline invariant
        d = rules.distance_m(latitude, longitude, store.latitude, store.longitude)
        if d <= radius_m:
            found.append(NearbyStore(store, round(d)))
    found.sort(key=lambda n: (n.distance_m, n.store.pk))
    return found[:limit]


# A city's stores listed when the shopper's position is unknown; more are a search away.
STORES_BY_CITY_MAX = 500


def offline_stores_by_city() -> list[tuple[str, list[Store]]]:
    """Every active offline store of an approved merchant, grouped by city (in region-code
    order), each city's by name: the list a shopper browses when the browser will not say
    where they are."""
    stores = (
        Store.objects.select_related("merchant")
        .filter(kind=Store.Kind.OFFLINE, is_active=True, merchant__status=rules.APPROVED)
        .order_by("region_code", "name", "id")[:STORES_BY_CITY_MAX]
    )
    cities: dict[str, list[Store]] = {}
    for store in stores:
        cities.setdefault(rules.city_name(store.region_code), []).append(store)
    return list(cities.items())


def shop_names(merchant_ids: Iterable[int]) -> dict[int, str]:
    """Each merchant's online shop name (what shoppers know it by, not its legal name)."""
    return dict(
        Store.objects.filter(
            merchant_id__in=list(merchant_ids), kind=Store.Kind.ONLINE
        ).values_list("merchant_id", "name")
    )


def return_address_for(merchant: Merchant, store: Store | None) -> rules.ReturnAddress | None:
    """Where the buyer sends back goods of an order of `merchant` (from `store`, for a pickup
    order): the store's own return address when it has one, else the merchant's."""
    own = store.return_to if store is not None else None
    return own or merchant.return_to
