"""Reads for flash sales: the public page and lists, and the merchant's own."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sharemall.catalog import rules as catalog_rules
from sharemall.core.errors import NotFound
from sharemall.merchants.models import Merchant
from sharemall.promotions.models.flash import FlashSale

LIST_LIMIT = 100


# A sale is shown while its product could be bought: on sale, from a merchant that sells.
_BUYABLE = Q(
    sku__product__status=catalog_rules.ON_SALE,
    sku__product__merchant__status=catalog_rules.SELLING_MERCHANT_STATUS,
)


def _shown() -> QuerySet[FlashSale]:
    return FlashSale.objects.select_related("sku", "sku__product")


def sale_public(sale_id: int) -> FlashSale:
    """A sale anyone may see: its product is on sale (a draft's sale is as good as missing)."""
    sale = _shown().filter(_BUYABLE, pk=sale_id).first()
    if sale is None:
        raise NotFound(_("No such flash sale."))
    return sale


def sales_public(*, now: datetime, live_only: bool) -> QuerySet[FlashSale]:
    """Sales not ended nor stopped, soonest first: live ones (and sold-out ones still in their
    window), then, unless `live_only`, upcoming ones."""
    found = _shown().filter(_BUYABLE, ends_at__gt=now, stopped_at__isnull=True)
    if live_only:
        found = found.filter(starts_at__lte=now)
    return found.order_by("starts_at", "id")[:LIST_LIMIT]


def sales_of(merchant: Merchant) -> QuerySet[FlashSale]:
    return _shown().filter(merchant=merchant).order_by("-id")


def sale_of(merchant: Merchant, sale_id: int) -> FlashSale:
    """The merchant's own sale, else 404."""
    sale = sales_of(merchant).filter(pk=sale_id).first()
    if sale is None:
        raise NotFound(_("No such flash sale."))
    return sale


def sale_for_offer(sale_id: int) -> FlashSale | None:
    return FlashSale.objects.filter(pk=sale_id).first()


def live_filter(now: datetime) -> Q:
    return Q(starts_at__lte=now, ends_at__gt=now, stopped_at__isnull=True)
