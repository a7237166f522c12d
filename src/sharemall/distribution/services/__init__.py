"""Distribution (分销): commission plans, attribution, and the life of commission entries.

One module per concern; this package re-exports the public names, so callers write
`from sharemall.distribution import services as distribution` and `distribution.plan_set(...)`.
"""

from sharemall.distribution.rules import HELD, PENDING, REJECTED, REVERSED, SETTLED

# plans_for is a read, kept here for the callers that found it among the services.
from sharemall.distribution.selectors import plans_for
from sharemall.distribution.services.agents import (
    region_agent_appoint,
    region_agent_end,
    region_agent_for,
)
from sharemall.distribution.services.attribution import (
    Attribution,
    attribute,
    attribution_of,
    binding_at_checkout,
)
from sharemall.distribution.services.commissions import commissions_create
from sharemall.distribution.services.compliance import (
    SALE_AND_WITHDRAWAL_KINDS,
    compliance_report,
)
from sharemall.distribution.services.fraud import BURST_MINUTES, BURST_ORDERS
from sharemall.distribution.services.holds import hold_reject, hold_release
from sharemall.distribution.services.partners import (
    partner_add,
    partner_dividends,
    partner_dividends_due,
)
from sharemall.distribution.services.plans import plan_set
from sharemall.distribution.services.reversal import commissions_reverse
from sharemall.distribution.services.settlement import commissions_settle
from sharemall.distribution.services.substores import SUBSTORE_MAX_ITEMS, substore_set

__all__ = [
    "BURST_MINUTES",
    "BURST_ORDERS",
    "HELD",
    "PENDING",
    "REJECTED",
    "REVERSED",
    "SALE_AND_WITHDRAWAL_KINDS",
    "SETTLED",
    "SUBSTORE_MAX_ITEMS",
    "Attribution",
    "attribute",
    "attribution_of",
    "binding_at_checkout",
    "commissions_create",
    "commissions_reverse",
    "commissions_settle",
    "compliance_report",
    "hold_reject",
    "hold_release",
    "partner_add",
    "partner_dividends",
    "partner_dividends_due",
    "plan_set",
    "plans_for",
    "region_agent_appoint",
    "region_agent_end",
    "region_agent_for",
    "substore_set",
]
