"""Reads for bargains: a merchant's own, a run for anyone who has its id, flagged devices for
operators."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sharemall.core.errors import NotFound
from sharemall.merchants.models import Merchant
from sharemall.promotions.models import Bargain, BargainDeviceFlag, BargainHelp, BargainRun


def bargains_of(merchant: Merchant) -> QuerySet[Bargain]:
    return Bargain.objects.filter(merchant=merchant).select_related("sku__product")


def bargain_of(merchant: Merchant, bargain_id: int) -> Bargain:
    """The merchant's bargain, else 404."""
    found = bargains_of(merchant).filter(pk=bargain_id).first()
    if found is None:
        raise NotFound(_("No such bargain."))
    return found


def bargain(bargain_id: int) -> Bargain:
    """Any bargain, for its public page."""
    found = Bargain.objects.select_related("sku__product", "merchant").filter(pk=bargain_id).first()
    if found is None:
        raise NotFound(_("No such bargain."))
    return found


def run(run_id: int) -> BargainRun:
    """A run: its page is public to whoever has the link (it shows display names only)."""
    found = (
        BargainRun.objects.select_related("bargain", "sku__product", "starter")
        .filter(pk=run_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such bargain run."))
    return found


def run_by_code(share_code: str) -> BargainRun:
    found = BargainRun.objects.filter(share_code=share_code).first()
    if found is None:
        raise NotFound(_("No such bargain run."))
    return run(found.pk)


def helps_of(run: BargainRun) -> QuerySet[BargainHelp]:
    return BargainHelp.objects.filter(run=run).select_related("helper").order_by("seq")


def runs_of_starter(bargain_id: int, starter_id: int) -> QuerySet[BargainRun]:
    return BargainRun.objects.filter(bargain_id=bargain_id, starter_id=starter_id)


def device_runs_helped(device_id: str, *, since: datetime, excluding_run_id: int) -> int:
    """How many distinct runs the device helped since `since`, other than this one."""
    return (
        BargainHelp.objects.filter(device_id=device_id, created_at__gte=since)
        .exclude(run_id=excluding_run_id)
        .values("run_id")
        .distinct()
        .count()
    )


def flagged_devices(
    *, within: timedelta | None = None, now: datetime
) -> QuerySet[BargainDeviceFlag]:
    """Flagged devices for the operator pages, most recently refused first."""
    found = BargainDeviceFlag.objects.select_related("last_member")
    if within is not None:
        found = found.filter(last_refused_at__gte=now - within)
    return found
