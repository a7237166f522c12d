"""The compliance report: rules in force, levels paid, nothing paid for sign-ups."""

from typing import Any

from django.db.models import Sum

from sharemall.distribution.models import (
    CommissionEntry,
)
from sharemall.distribution.rules import REJECTED
from sharemall.platform import rules as platform_rules
from sharemall.platform.services import as_dict
from sharemall.platform.services import current as platform_settings
from sharemall.wallet.models import Posting

SALE_AND_WITHDRAWAL_KINDS = (
    "commission_created",
    "commission_settled",
    "commission_reversed",
    "commission_rejected",
    "withdrawal_hold",
    "withdrawal_returned",
    "withdrawal_paid",
    # Partners' dividends are a share of fees by attributed sales (GMV), never recruiting.
    "partner_dividend",
)


def _credits_not_from_sales() -> int:
    credited = Posting.objects.filter(
        account__kind__in=["member_pending", "member_available", "member_withdrawing"],
        amount_fen__lt=0,
    ).exclude(transaction__kind__in=SALE_AND_WITHDRAWAL_KINDS)
    return -int(credited.aggregate(s=Sum("amount_fen"))["s"] or 0)


def compliance_report() -> dict[str, Any]:
    """What an auditor asks: the rules in force, the deepest level actually paid, and proof that
    nothing was ever paid for signing people up."""
    rules_now = platform_settings()
    paid = CommissionEntry.objects.filter(reversal_of=None).exclude(status=REJECTED)
    deepest = (
        paid.filter(kind=CommissionEntry.Kind.LEVEL)
        .order_by("-level")
        .values_list("level", flat=True)
        .first()
    )
    by_level = dict(
        paid.values("level").annotate(total=Sum("amount_fen")).values_list("level", "total")
    )
    return {
        "settings": as_dict(rules_now),
        "warnings": platform_rules.warnings(as_dict(rules_now)),
        "deepest_level_paid": deepest or 0,
        "paid_by_level_fen": {str(k): int(v) for k, v in sorted(by_level.items())},
        # Counted, not assumed: money credited to members by anything but a sale's commission
        # (or a withdrawal coming back) would be a reward for something else, e.g. recruiting.
        "signup_rewards_paid_fen": _credits_not_from_sales(),
        "entry_fees_charged_fen": 0,
    }
