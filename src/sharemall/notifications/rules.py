"""What each event says, to whom on which channels by default, and how delivery retries.

Pure: no database. A notice stores its kind and parameters; the title and body are rendered
with gettext when read, so a member sees them in the language of the page (Chinese first).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sharemall.core.i18n import LazyText, gettext, gettext_lazy


def gettext_noop(message: str) -> str:
    """Marks a msgid translated later, when the notice is read."""
    return message


# Channels. In-app is the notice itself (always on); the others get a Delivery row each.
IN_APP, SMS, WECHAT = "in_app", "sms", "wechat"
CHANNELS = (IN_APP, SMS, WECHAT)
OUTBOUND = (SMS, WECHAT)

# Delivery states.
PENDING, SENT, FAILED, SKIPPED = "pending", "sent", "failed", "skipped"
DELIVERY_STATUSES = (PENDING, SENT, FAILED, SKIPPED)

# Event kinds.
ORDER_PAID = "order_paid"  # to the merchant owner
ORDER_SHIPPED = "order_shipped"  # to the buyer
REFUND_SUCCEEDED = "refund_succeeded"  # to the buyer
WITHDRAWAL_PAID = "withdrawal_paid"  # to who asked for it
WITHDRAWAL_FAILED = "withdrawal_failed"
AFTERSALE_ANSWERED = "aftersale_answered"
COMMISSION_SETTLED = "commission_settled"
MERCHANT_APPLICATION_DECIDED = "merchant_application_decided"
POST_HIDDEN = "post_hidden"
COMMENT_HIDDEN = "comment_hidden"
GROUP_SUCCEEDED = "group_succeeded"  # to each paid member of a group-buy group
GROUP_FAILED = "group_failed"
PENALTY_IMPOSED = "penalty_imposed"  # to the member penalised under the community convention
APPEAL_DECIDED = "appeal_decided"  # to the appellant


@dataclass(frozen=True)
class Rule:
    title: str  # gettext msgids with %(name)s parameters
    body: str
    default_outbound: tuple[str, ...]  # channels on unless the member turned them off
    sms_template: str  # our SMS template name (ALIYUN_SMS_TEMPLATE_<NAME>, falls back to NOTICE)
    # Parameters stored as msgids (a decision, a rule's label): translated when read, like the
    # title and body, so a notice reads in the reader's language.
    translated: tuple[str, ...] = ()


RULES: dict[str, Rule] = {
    ORDER_PAID: Rule(
        gettext_noop("New order %(order_no)s"),
        gettext_noop("Order %(order_no)s has been paid. Ship it soon."),
        (),
        "notice_order_paid",
    ),
    ORDER_SHIPPED: Rule(
        gettext_noop("Your order %(order_no)s has shipped"),
        gettext_noop("Your order %(order_no)s is on its way."),
        (SMS, WECHAT),
        "notice_shipped",
    ),
    REFUND_SUCCEEDED: Rule(
        gettext_noop("Refund for order %(order_no)s succeeded"),
        gettext_noop("%(amount)s yuan has been refunded for order %(order_no)s."),
        (SMS, WECHAT),
        "notice_refund",
    ),
    WITHDRAWAL_PAID: Rule(
        gettext_noop("Withdrawal %(bill_no)s paid"),
        gettext_noop("Your withdrawal of %(amount)s yuan has been paid."),
        (SMS, WECHAT),
        "notice_withdrawal_paid",
    ),
    WITHDRAWAL_FAILED: Rule(
        gettext_noop("Withdrawal %(bill_no)s failed"),
        gettext_noop(
            "Your withdrawal of %(amount)s yuan failed; the money is back in your balance."
        ),
        (SMS, WECHAT),
        "notice_withdrawal_failed",
    ),
    AFTERSALE_ANSWERED: Rule(
        gettext_noop("After-sales request for order %(order_no)s answered"),
        gettext_noop("The shop has answered your after-sales request for order %(order_no)s."),
        (),
        "notice_aftersale",
    ),
    COMMISSION_SETTLED: Rule(
        gettext_noop("Commission settled"),
        gettext_noop("%(amount)s yuan of commission is now in your balance."),
        (),
        "notice_commission",
    ),
    MERCHANT_APPLICATION_DECIDED: Rule(
        gettext_noop("Your shop application was decided"),
        gettext_noop("Your shop application was %(decision)s."),
        (SMS, WECHAT),
        "notice_merchant_application",
        translated=("decision",),
    ),
    POST_HIDDEN: Rule(
        gettext_noop("Your post was hidden"),
        gettext_noop('Your post "%(title)s" was hidden: %(reason)s'),
        (),
        "notice_post_hidden",
        translated=("reason",),
    ),
    COMMENT_HIDDEN: Rule(
        gettext_noop("Your comment was hidden"),
        gettext_noop('Your comment on the post about "%(title)s" was hidden: %(reason)s'),
        (),
        "notice_post_hidden",
        translated=("reason",),
    ),
    GROUP_SUCCEEDED: Rule(
        gettext_noop("Your group is complete"),
        gettext_noop("Group %(group_id)s is full: your order goes on to shipping."),
        (WECHAT,),
        "notice_group",
    ),
    GROUP_FAILED: Rule(
        gettext_noop("Your group did not fill"),
        gettext_noop("Group %(group_id)s did not fill in time; your payment is refunded in full."),
        (WECHAT,),
        "notice_group",
    ),
    PENALTY_IMPOSED: Rule(
        gettext_noop("Community convention: %(level)s"),
        gettext_noop(
            "You broke the community convention (%(rule)s): %(level)s, until %(until)s. "
            "You may appeal it once, from your account page."
        ),
        (SMS,),
        "notice_penalty",
        translated=("level", "rule", "until"),
    ),
    APPEAL_DECIDED: Rule(
        gettext_noop("Your appeal was decided"),
        gettext_noop("Your appeal was reviewed by another operator. %(outcome)s"),
        (),
        "notice_appeal",
        translated=("outcome",),
    ),
}
KINDS = tuple(RULES)

# How the settings page names each kind.
KIND_LABELS: dict[str, LazyText] = {
    ORDER_PAID: gettext_lazy("New orders (shop owners)"),
    ORDER_SHIPPED: gettext_lazy("Order shipped"),
    REFUND_SUCCEEDED: gettext_lazy("Refund succeeded"),
    WITHDRAWAL_PAID: gettext_lazy("Withdrawal paid"),
    WITHDRAWAL_FAILED: gettext_lazy("Withdrawal failed"),
    AFTERSALE_ANSWERED: gettext_lazy("After-sales answered"),
    COMMISSION_SETTLED: gettext_lazy("Commission settled"),
    MERCHANT_APPLICATION_DECIDED: gettext_lazy("Shop application decided"),
    POST_HIDDEN: gettext_lazy("Post hidden"),
    COMMENT_HIDDEN: gettext_lazy("Comment hidden"),
    GROUP_SUCCEEDED: gettext_lazy("Group-buy complete"),
    GROUP_FAILED: gettext_lazy("Group-buy did not fill"),
    PENALTY_IMPOSED: gettext_lazy("Community convention penalties"),
    APPEAL_DECIDED: gettext_lazy("Appeal decided"),
}


def outbound_channels(kind: str, preferences: Mapping[str, bool]) -> list[str]:
    """The channels (besides in-app) a notice of `kind` goes out on: the defaults, changed by
    the member's own choices (`{channel: enabled}` for this kind)."""
    rule = RULES[kind]
    return [c for c in OUTBOUND if preferences.get(c, c in rule.default_outbound)]


# The decision words of MERCHANT_APPLICATION_DECIDED.
APPROVED = gettext_noop("approved")
REJECTED = gettext_noop("rejected")

# The "until" of PENALTY_IMPOSED when it is no moment: a warning mutes nobody, a permanent mute
# and a closed account have no end.
NO_MUTE = gettext_noop("no mute")
NO_END = gettext_noop("no end date")


def _readable(rule: Rule, params: Mapping[str, object]) -> dict[str, object]:
    values = dict(params)
    for name in rule.translated:
        if isinstance(values.get(name), str):
            values[name] = gettext(str(values[name]))
    return values


def _render(msgid: str, rule: Rule, params: Mapping[str, object]) -> str:
    text = gettext(msgid)
    try:
        return text % _readable(rule, params)
    except (KeyError, TypeError, ValueError):
        return text


def title(kind: str, params: Mapping[str, object]) -> str:
    rule = RULES.get(kind)
    return _render(rule.title, rule, params) if rule else kind


def body(kind: str, params: Mapping[str, object]) -> str:
    rule = RULES.get(kind)
    return _render(rule.body, rule, params) if rule else ""


def sms_params(kind: str, params: Mapping[str, object]) -> dict[str, str]:
    """The template variables sent to the provider: every parameter as text, translated ones
    in the active language (the worker's: Chinese)."""
    rule = RULES.get(kind)
    values = _readable(rule, params) if rule else dict(params)
    return {key: str(value) for key, value in values.items()}


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


# --- delivery timing -------------------------------------------------------------------------

# A claimed delivery is leased for this long: a worker killed mid-batch leaves its claims to be
# picked up again once the lease runs out (never marked sent).
LEASE = timedelta(minutes=5)
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
# A provider that fails for hours loses nothing: a delivery is only given up after this long.
GIVE_UP_AFTER = timedelta(days=3)
JITTER_STEPS = 16


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """How long to wait after the `attempts`-th failed try: doubling from 30 s, capped at an
    hour, with "equal jitter" (half fixed, half random, in JITTER_STEPS steps so a batch's
    failures are written with few updates) so retries of one outage spread out."""
    step = BACKOFF_FIRST * (1 << min(max(attempts - 1, 0), 20))
    step = min(step, BACKOFF_CAP)
    share = (rng or random).randrange(JITTER_STEPS) / JITTER_STEPS
    return step / 2 + step / 2 * share


def given_up(age: timedelta) -> bool:
    return age >= GIVE_UP_AFTER
