"""Forms of the platform back office. They shape input and mirror the API's length limits;
whether a decision is allowed is the services' call, as it is for the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sharemall.aftersales.models import Dispute
from sharemall.platform import rules as platform_rules
from sharemall.posts import rules as post_rules
from sharemall.web.forms import PageForm

# The API's limits (merchants.ReasonIn, distribution.ReviewIn, wallet.ReasonIn/ReferenceIn,
# aftersales.RulingIn): a page never accepts what the API would refuse as too long.
MERCHANT_REASON_MAX = 1000
COMMISSION_REASON_MAX = 300
WITHDRAWAL_REASON_MAX = 500
REFERENCE_MAX = 64
RULING_NOTE_MAX = 1000
PHONE_MAX = 20
REGION_CODE_MAX = 6

GIVE_A_REASON = _("Give a reason.")


def _text_area(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _reason(max_length: int, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=_("Reason") if required else _("Note"),
        required=required,
        max_length=max_length,
        error_messages={"required": GIVE_A_REASON},
        widget=_text_area(),
    )


class MerchantReasonForm(PageForm):
    """A rejection or a suspension: it must say why."""

    reason = _reason(MERCHANT_REASON_MAX)


class MerchantNoteForm(PageForm):
    reason = _reason(MERCHANT_REASON_MAX, required=False)


class CommissionRejectForm(PageForm):
    reason = _reason(COMMISSION_REASON_MAX)


class CommissionReleaseForm(PageForm):
    reason = _reason(COMMISSION_REASON_MAX, required=False)


class WithdrawalReasonForm(PageForm):
    reason = _reason(WITHDRAWAL_REASON_MAX)


class ReferenceForm(PageForm):
    reference = forms.CharField(
        label=_("Bank reference"),
        max_length=REFERENCE_MAX,
        error_messages={"required": _("Give the bank's reference of the transfer.")},
    )


class RulingForm(PageForm):
    ruling = forms.ChoiceField(
        label=_("Ruling"), choices=Dispute.Ruling.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Statement"),
        max_length=RULING_NOTE_MAX,
        help_text=_("Both parties see why the platform ruled this way."),
        error_messages={"required": _("Write the statement of the ruling.")},
        widget=_text_area(4),
    )


class HideForm(PageForm):
    rule = forms.ChoiceField(label=_("Rule broken"), choices=list(post_rules.HIDE_RULES.items()))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=post_rules.MODERATION_NOTE_MAX_LENGTH,
        widget=_text_area(),
    )


class ModerationNoteForm(PageForm):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=post_rules.MODERATION_NOTE_MAX_LENGTH,
        widget=_text_area(),
    )


class BannedWordForm(PageForm):
    word = forms.CharField(label=_("Word or phrase"), max_length=post_rules.BANNED_WORD_MAX_LENGTH)


class AgentForm(PageForm):
    phone = forms.CharField(label=_("Member's mobile number"), max_length=PHONE_MAX)
    region_code = forms.CharField(
        label=_("Region code"),
        max_length=REGION_CODE_MAX,
        help_text=_("A six-digit GB/T 2260 code: a province, a city or a district."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class PartnerForm(PageForm):
    phone = forms.CharField(label=_("Member's mobile number"), max_length=PHONE_MAX)


def _number(label: Any, help_text: Any = "") -> forms.IntegerField:
    # No bounds here: the platform rules check every value, for the page as for the API.
    return forms.IntegerField(
        label=label, help_text=help_text, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )


class SettingsForm(PageForm):
    """Every platform rule. The rules module validates the whole set, as it does for the API."""

    max_levels = forms.IntegerField(
        label=_("Commissioned levels"),
        help_text=_("Two is the default and keeps every sale within three people."),
        widget=forms.Select(
            choices=[(n, str(n)) for n in range(1, platform_rules.LEVELS_HARD_LIMIT + 1)]
        ),
    )
    distribution_mode = forms.ChoiceField(
        label=_("Who earns"),
        choices=[
            (platform_rules.EVERYONE, _("Every member, on sales through their own shares")),
            (platform_rules.APPROVED, _("Only members whose distribution was enabled")),
        ],
        widget=forms.RadioSelect,
    )
    self_purchase_rebate = forms.BooleanField(
        label=_("Self-purchase rebate"),
        required=False,
        help_text=_("A distributor buying for themselves is paid as level 1."),
    )
    binding_mode = forms.ChoiceField(
        label=_("Binding mode"),
        choices=[
            (platform_rules.FIRST_TOUCH, _("Permanent, first share wins")),
            (platform_rules.TIME_LIMITED, _("Time-limited, rebindable after the binding days")),
            (platform_rules.LAST_TOUCH, _("Last share wins")),
        ],
        widget=forms.RadioSelect,
    )
    binding_days = _number(_("Binding days"), _("Used by the time-limited mode."))
    attribution_window_days = _number(
        _("Attribution window (days)"), _("How long a share click counts for an order.")
    )
    share_daily_cap = _number(_("Rewarded shares per member per day"))
    share_product_daily_cap = _number(_("Rewarded shares per member per product per day"))
    share_budget_cap_bp = _number(
        _("Share budget cap (basis points)"),
        _(
            "The most a merchant may give up for sharing, in basis points of the price "
            "(10000 is all of it)."
        ),
    )
    accept_risk = forms.BooleanField(
        label=_("I understand the legal risk and want three levels."), required=False
    )

    def values(self) -> dict[str, Any]:
        """The cleaned settings, without the confirmation box."""
        return {k: v for k, v in self.cleaned_data.items() if k != "accept_risk"}
