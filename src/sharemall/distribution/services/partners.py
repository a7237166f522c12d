"""Partners (合伙人) and their dividends, a share of fees by attributed sales."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.core.money import apply_bp, split_largest_remainder
from sharemall.distribution.models import (
    DividendPeriod,
    Partner,
)
from sharemall.orders.models import Order
from sharemall.wallet.services import Entry, ledger_post, member
from sharemall.wallet.services import platform as platform_account


def partner_add(*, member_id: int) -> Partner:
    """Make an active member a partner, or a partner again; twin requests make one row."""
    if not Member.objects.filter(pk=member_id, is_active=True).exists():
        raise NotFound(_("No such member."))
    try:
        with transaction.atomic():
            partner, _created = Partner.objects.update_or_create(
                member_id=member_id, defaults={"is_active": True}
            )
    except IntegrityError:  # a twin request made the partner first
        partner = Partner.objects.get(member_id=member_id)
    return partner


def partner_dividends(*, starts: datetime, ends: datetime, pool_bp: int) -> DividendPeriod | None:
    """Share `pool_bp` of the period's platform fees among active partners in proportion to the
    GMV attributed to them (orders they referred, net of refunds), by largest remainder. Nothing
    is paid for recruiting: only attributed sales count. Made once per period."""
    existing = DividendPeriod.objects.filter(starts=starts.date(), ends=ends.date()).first()
    if existing is not None:
        return existing
    partners = list(Partner.objects.filter(is_active=True).values_list("member_id", flat=True))
    paid_orders = Order.objects.filter(paid_at__gte=starts, paid_at__lt=ends).exclude(
        status__in=["cancelled", "pending_payment"]
    )
    # The fee is charged on goods only (orders/ledger.py): shipping stays out of the pool.
    fees = sum(
        apply_bp(max(0, o.total_fen - o.shipping_fen - o.refunded_fen), o.platform_fee_bp)
        for o in paid_orders
    )
    gmv = {
        row["referrer_id"]: int(row["gmv"] or 0) - int(row["refunded"] or 0)
        for row in paid_orders.filter(referrer_id__in=partners)
        .values("referrer_id")
        .annotate(gmv=Sum(F("total_fen") - F("shipping_fen")), refunded=Sum("refunded_fen"))
    }
    weights = [max(0, gmv.get(p, 0)) for p in partners]
    pool = apply_bp(fees, pool_bp)
    shares = (
        split_largest_remainder(pool, weights)
        if pool > 0 and sum(weights) > 0
        else [0] * len(partners)
    )
    with transaction.atomic():
        period = DividendPeriod.objects.create(
            starts=starts.date(),
            ends=ends.date(),
            fees_fen=fees,
            pool_fen=sum(shares),
            shares=[
                {"member_id": p, "gmv_fen": w, "amount_fen": a}
                for p, w, a in zip(partners, weights, shares, strict=True)
            ],
        )
        entries = [
            Entry(member("member_available", p), -a)
            for p, a in zip(partners, shares, strict=True)
            if a
        ]
        if entries:
            entries.append(Entry(platform_account("platform_fees"), sum(shares)))
            ledger_post(
                key=f"dividend:{starts.date()}:{ends.date()}",
                kind="partner_dividend",
                entries=entries,
            )
    return period


def partner_dividends_due(now: datetime) -> int:
    """Job: last calendar month's dividend (local time), once."""
    local = timezone.localtime(now)
    this_month = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    if DividendPeriod.objects.filter(starts=last_month.date(), ends=this_month.date()).exists():
        return 0
    if not Partner.objects.filter(is_active=True).exists():
        return 0
    try:
        partner_dividends(starts=last_month, ends=this_month, pool_bp=settings.PARTNER_POOL_BP)
    except IntegrityError:
        return 0  # another worker made it at the same moment (one per period)
    return 1
