"""Flash-sale pages (秒杀): one sale with its countdown, and the list of sales on or coming."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sharemall.catalog.models import ProductImage
from sharemall.core.errors import NotFound
from sharemall.promotions.models.flash import FlashSale
from sharemall.promotions.rules import flash as rules
from sharemall.promotions.selectors import flash as selectors


@dataclass(frozen=True)
class SaleView:
    sale: FlashSale
    status: str
    cover: str

    @property
    def remaining(self) -> int:
        return self.sale.units - self.sale.sold

    @property
    def sold_percent(self) -> int:
        return min(100, self.sale.sold * 100 // self.sale.units)

    @property
    def counts_to(self) -> datetime | None:
        """The moment the countdown runs to: the start while upcoming, the end while live."""
        if self.status == rules.UPCOMING:
            return self.sale.starts_at
        if self.status in (rules.LIVE, rules.SOLD_OUT):
            return self.sale.ends_at
        return None


def _views(sales: list[FlashSale], now: datetime) -> list[SaleView]:
    covers: dict[int, str] = {}
    for image in ProductImage.objects.filter(
        product_id__in={s.sku.product_id for s in sales}
    ).order_by("-position", "-id"):
        covers[image.product_id] = image.image.url  # the first picture wins: read last
    return [
        SaleView(
            sale,
            rules.status(
                starts_at=sale.starts_at,
                ends_at=sale.ends_at,
                stopped=sale.stopped_at is not None,
                sold=sale.sold,
                stock=sale.units,
                now=now,
            ),
            covers.get(sale.sku.product_id, ""),
        )
        for sale in sales
    ]


def flash_page(request: HttpRequest, sale_id: int) -> HttpResponse:
    try:
        sale = selectors.sale_public(sale_id)
    except NotFound:
        return render(request, "web/not_found.html", status=404)
    now = timezone.now()
    (view,) = _views([sale], now)
    return render(request, "web/buyer/flash.html", {"view": view, "server_now": now})


def flash_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    sales = list(selectors.sales_public(now=now, live_only=False))
    return render(
        request, "web/buyer/flash_list.html", {"views": _views(sales, now), "server_now": now}
    )
