"""The platform's distribution rules and their limits (PRODUCT §4–5)."""

from __future__ import annotations

from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _
from sharemall.core.i18n import gettext_lazy

# Distribution never pays more than three levels: the legal line between social commerce and
# pyramid selling. Enforced here, in the database, and nowhere configurable past it.
LEVELS_HARD_LIMIT = 3

EVERYONE, APPROVED = "everyone", "approved"
FIRST_TOUCH, TIME_LIMITED, LAST_TOUCH = "first_touch", "time_limited", "last_touch"

DEFAULTS: dict[str, object] = {
    "max_levels": 2,
    "distribution_mode": EVERYONE,
    "self_purchase_rebate": False,
    "binding_mode": FIRST_TOUCH,
    "binding_days": 90,
    "attribution_window_days": 7,
    "share_daily_cap": 20,
    "share_product_daily_cap": 3,
    "share_device_daily_cap": 30,
    "share_ip_daily_cap": 60,
    "share_budget_cap_bp": 3000,
    "settlement_delay_days": 0,
    "quality_guarantee_days": 15,
}

# What each setting is called where people read it (the settings page, its history, the
# compliance report, the API's refusals), and the words for the modes' values.
SETTING_LABELS = {
    "max_levels": gettext_lazy("Commissioned levels"),
    "distribution_mode": gettext_lazy("Who earns"),
    "self_purchase_rebate": gettext_lazy("Self-purchase rebate"),
    "binding_mode": gettext_lazy("Binding mode"),
    "binding_days": gettext_lazy("Binding days"),
    "attribution_window_days": gettext_lazy("Attribution window (days)"),
    "share_daily_cap": gettext_lazy("Rewarded shares per member per day"),
    "share_product_daily_cap": gettext_lazy("Rewarded shares per member per product per day"),
    "share_device_daily_cap": gettext_lazy("Rewarded shares per device per day"),
    "share_ip_daily_cap": gettext_lazy("Rewarded shares per IP address per day"),
    "share_budget_cap_bp": gettext_lazy("Share budget cap"),
    "settlement_delay_days": gettext_lazy("Merchant settlement delay (T+N days)"),
    "quality_guarantee_days": gettext_lazy("Quality-guarantee window (days)"),
}
SETTING_HELP = {
    "max_levels": gettext_lazy("Two is the default and keeps every sale within three people."),
    "self_purchase_rebate": gettext_lazy("A distributor buying for themselves is paid as level 1."),
    "binding_days": gettext_lazy("Used by the time-limited mode."),
    "attribution_window_days": gettext_lazy("How long a share click counts for an order."),
    "share_device_daily_cap": gettext_lazy(
        "Across every account sharing from one phone or browser: a farm of accounts on one "
        "device earns no more than this."
    ),
    "share_ip_daily_cap": gettext_lazy(
        "Across every account sharing from one public address. Private and local addresses "
        "(a company or campus network seen from inside) are not counted."
    ),
    "share_budget_cap_bp": gettext_lazy(
        "The most a merchant may give up for sharing, in percent of the price (100 is all of it)."
    ),
    "settlement_delay_days": gettext_lazy(
        "Days after an order completes before its money becomes available to the merchant."
    ),
    "quality_guarantee_days": gettext_lazy(
        "Days after an order completes in which the buyer may still ask for a refund."
    ),
}
DISTRIBUTION_MODES = {
    EVERYONE: gettext_lazy("Every member, on sales through their own shares"),
    APPROVED: gettext_lazy("Only members whose distribution was enabled"),
}
BINDING_MODES = {
    FIRST_TOUCH: gettext_lazy("Permanent, first share wins"),
    TIME_LIMITED: gettext_lazy("Time-limited, rebindable after the binding days"),
    LAST_TOUCH: gettext_lazy("Last share wins"),
}
SETTING_CHOICES = {"distribution_mode": DISTRIBUTION_MODES, "binding_mode": BINDING_MODES}


def setting_label(name: str) -> str:
    return str(SETTING_LABELS.get(name, name))


class InvalidSettings(DomainError):
    code = "invalid_settings"


def check(values: dict[str, object]) -> None:
    """Refuse settings no operator may choose; the database constraints say the same."""
    levels = values["max_levels"]
    if not isinstance(levels, int) or not 1 <= levels <= LEVELS_HARD_LIMIT:
        raise InvalidSettings(_("max_levels is 1, 2 or 3; never more than three levels."))
    if values["distribution_mode"] not in (EVERYONE, APPROVED):
        raise InvalidSettings(_("distribution_mode is everyone or approved."))
    if values["binding_mode"] not in (FIRST_TOUCH, TIME_LIMITED, LAST_TOUCH):
        raise InvalidSettings(_("binding_mode is first_touch, time_limited or last_touch."))
    for name, low, high in (
        ("binding_days", 1, 3650),
        ("attribution_window_days", 1, 90),
        ("share_daily_cap", 0, 10_000),
        ("share_product_daily_cap", 0, 10_000),
        ("share_device_daily_cap", 0, 10_000),
        ("share_ip_daily_cap", 0, 100_000),
        ("share_budget_cap_bp", 0, 10_000),
        ("settlement_delay_days", 0, 90),
        ("quality_guarantee_days", 0, 90),
    ):
        value = values[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidSettings(
                _("%(name)s must be a whole number from %(low)d to %(high)d.")
                % {"name": setting_label(name), "low": low, "high": high}
            )
    if not isinstance(values["self_purchase_rebate"], bool):
        raise InvalidSettings(_("self_purchase_rebate is true or false."))


def warnings(values: dict[str, object]) -> list[str]:
    """What an operator should know about a legal but risky choice."""
    found = []
    if values["max_levels"] == LEVELS_HARD_LIMIT:
        found.append(
            _(
                "Three commissioned levels: regulators count the buyer's level too, so with the "
                "buyer this is four people in one chain. Two levels keep every sale within three."
            )
        )
    if values["self_purchase_rebate"] and values["max_levels"] == LEVELS_HARD_LIMIT:
        found.append(_("Self-purchase rebate with three levels pays four people per sale."))
    return found
