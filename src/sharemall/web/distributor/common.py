"""Pieces the distributor's pages share: links, earnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.catalog import selectors as catalog
from sharemall.core.devices import device_of
from sharemall.core.http import client_address
from sharemall.distribution import selectors as distribution_selectors
from sharemall.distribution.models import CommissionEntry
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing import selectors as sharing_selectors
from sharemall.sharing import services as sharing
from sharemall.sharing.models import ShareLink
from sharemall.web.actions import run_action
from sharemall.web.charts import Chart, grouped_bars

PAGE_SIZE = 20


RECENT_LINKS = 10


CHART_DAYS = 30


CHART_LABEL_EVERY = 7


API = "/api/v1"


# A held commission is credited to the pending balance until reviewed, so the chart counts it
# there too: its pending bars then add up to what the wallet shows as pending.
UNSETTLED = (CommissionEntry.Status.PENDING, CommissionEntry.Status.HELD)


def _redirect(name: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(name))


def _share_addresses(code: str) -> dict[str, str]:
    """The link to copy, and the QR and poster as paths on this site (the CSP allows our own
    images only, whatever the public address is)."""
    return {
        "url": sharing_rules.share_url(settings.PUBLIC_BASE_URL, code),
        "qr": f"{API}/shares/{code}/qr.png",
        "poster": f"{API}/shares/{code}/poster.png",
    }


def _substore_link(member: Member) -> ShareLink | None:
    return sharing_selectors.links_of(member).filter(target_type=sharing_rules.SUBSTORE).first()


def _create_substore_link(request: HttpRequest, member: Member) -> None:
    """Share the member's sub-store (POST /shares with target `substore`); the service's
    message says whether the link earns, or why it could not be made."""
    outcome = run_action(
        request,
        lambda: sharing.share_create(
            sharer=member,
            target_type=sharing_rules.SUBSTORE,
            target_id=member.pk,
            device=device_of(request),
            ip=client_address(request),
        ),
    )
    if not outcome:
        return
    result = outcome.value
    if result.rewarded:
        messages.success(request, result.message)
    else:
        messages.warning(request, result.message)


@dataclass(frozen=True)
class LinkRow:
    link: ShareLink
    title: str
    target: str
    clicks: int
    url: str


def _link_title(link: ShareLink, product_titles: dict[int, str]) -> str:
    if link.target_type == sharing_rules.SUBSTORE:
        return _("My sub-store")
    if link.target_type == sharing_rules.PRODUCT and link.target_id in product_titles:
        return product_titles[link.target_id]
    # A post, a store, or a product no longer on sale: its kind and number.
    return f"{link.get_target_type_display()} #{link.target_id}"


def _recent_links(member: Member) -> list[LinkRow]:
    links = list(sharing_selectors.links_of(member)[:RECENT_LINKS])
    clicks = sharing_selectors.click_counts(link.pk for link in links)
    product_ids = [link.target_id for link in links if link.target_type == sharing_rules.PRODUCT]
    titles = dict(
        catalog.visible_products(None).filter(pk__in=product_ids).values_list("pk", "title")
    )
    rows = []
    for link in links:
        rows.append(
            LinkRow(
                link=link,
                title=_link_title(link, titles),
                target=sharing.target_url(link),
                clicks=clicks.get(link.pk, 0),
                url=sharing_rules.share_url(settings.PUBLIC_BASE_URL, link.code),
            )
        )
    return rows


def _daily_totals(entries: QuerySet[CommissionEntry], moment: str) -> dict[date, int]:
    rows = (
        entries.order_by()
        .annotate(day=TruncDate(moment))
        .values("day")
        .annotate(total=Sum("amount_fen"))
        .values_list("day", "total")
    )
    return {day: int(total or 0) for day, total in rows}


@dataclass(frozen=True)
class Earnings:
    chart: Chart
    settled_fen: int
    pending_fen: int
    days: int


def _earnings(member: Member, today: date) -> Earnings:
    """Commission settled (by the day it settled) and still pending (by the day it was
    earned), per day over the last CHART_DAYS days, in the site's time zone."""
    first = today - timedelta(days=CHART_DAYS - 1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    mine = distribution_selectors.commissions_of(member)
    settled = _daily_totals(
        mine.filter(status=CommissionEntry.Status.SETTLED, settled_at__gte=since), "settled_at"
    )
    pending = _daily_totals(mine.filter(status__in=UNSETTLED, created_at__gte=since), "created_at")
    days = [first + timedelta(days=n) for n in range(CHART_DAYS)]
    chart = grouped_bars(
        [(day.strftime("%m-%d"), (settled.get(day, 0), pending.get(day, 0))) for day in days],
        label_every=CHART_LABEL_EVERY,
    )
    return Earnings(
        chart=chart,
        settled_fen=sum(settled.values()),
        pending_fen=sum(pending.values()),
        days=CHART_DAYS,
    )
