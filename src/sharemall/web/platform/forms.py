"""Forms of the platform back office. They shape input and mirror the API's length limits;
whether a decision is allowed is the services' call, as it is for the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sharemall.aftersales.models import Dispute
from sharemall.core.i18n import LazyText
from sharemall.platform import rules as platform_rules
from sharemall.posts import rules as post_rules
from sharemall.web.forms import PageForm, PercentField

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


class MerchantFeeForm(PageForm):
    """The platform fee on a merchant's orders, typed in percent and kept in basis points."""

    fee = PercentField(
        label=_("Platform fee (%)"),
        help_text=_("Applies to orders placed from now on; earlier orders keep their rate."),
        error_messages={"required": _("Enter the platform fee in percent.")},
    )


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
    # Rulings cite the community convention's categories (older hide rules stay valid in data).
    rule = forms.ChoiceField(label=_("Rule broken"), choices=list(post_rules.RULINGS.items()))
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


def _rule_text(text: LazyText | None) -> Any:
    """A label the platform rules hold, translated when the form is shown (not at import)."""
    return _(text.message) if text is not None else ""


def _number(name: str) -> forms.IntegerField:
    # No bounds here: the platform rules check every value, for the page as for the API.
    return forms.IntegerField(
        label=_rule_text(platform_rules.SETTING_LABELS[name]),
        help_text=_rule_text(platform_rules.SETTING_HELP.get(name)),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class SettingsForm(PageForm):
    """Every platform rule. The rules module validates the whole set, as it does for the API.
    Rates are typed in percent and kept in basis points."""

    max_levels = forms.IntegerField(
        label=_rule_text(platform_rules.SETTING_LABELS["max_levels"]),
        help_text=_rule_text(platform_rules.SETTING_HELP["max_levels"]),
        widget=forms.Select(
            choices=[(n, str(n)) for n in range(1, platform_rules.LEVELS_HARD_LIMIT + 1)]
        ),
    )
    distribution_mode = forms.ChoiceField(
        label=_rule_text(platform_rules.SETTING_LABELS["distribution_mode"]),
        choices=[(k, _rule_text(v)) for k, v in platform_rules.DISTRIBUTION_MODES.items()],
        widget=forms.RadioSelect,
    )
    self_purchase_rebate = forms.BooleanField(
        label=_rule_text(platform_rules.SETTING_LABELS["self_purchase_rebate"]),
        required=False,
        help_text=_rule_text(platform_rules.SETTING_HELP["self_purchase_rebate"]),
    )
    binding_mode = forms.ChoiceField(
        label=_rule_text(platform_rules.SETTING_LABELS["binding_mode"]),
        choices=[(k, _rule_text(v)) for k, v in platform_rules.BINDING_MODES.items()],
        widget=forms.RadioSelect,
    )
    binding_days = _number("binding_days")
    attribution_window_days = _number("attribution_window_days")
    share_daily_cap = _number("share_daily_cap")
    share_product_daily_cap = _number("share_product_daily_cap")
    share_device_daily_cap = _number("share_device_daily_cap")
    share_ip_daily_cap = _number("share_ip_daily_cap")
    share_budget_cap_percent = PercentField(
        label=_rule_text(platform_rules.SETTING_LABELS["share_budget_cap_bp"]),
        help_text=_rule_text(platform_rules.SETTING_HELP["share_budget_cap_bp"]),
        error_messages={"required": _("Enter the share budget cap in percent.")},
    )
    # Money and after-sales, after the distribution rules.
    settlement_delay_days = _number("settlement_delay_days")
    quality_guarantee_days = _number("quality_guarantee_days")
    accept_risk = forms.BooleanField(
        label=_("I understand the legal risk and want three levels."), required=False
    )

    def __init__(self, *args: Any, initial: dict[str, Any] | None = None, **kwargs: Any) -> None:
        # The settings are kept in basis points; the page asks for percent.
        if initial is not None and "share_budget_cap_bp" in initial:
            initial = {**initial, "share_budget_cap_percent": initial["share_budget_cap_bp"]}
        super().__init__(*args, initial=initial, **kwargs)

    def values(self) -> dict[str, Any]:
        """The cleaned settings as the rules name them, without the confirmation box."""
        values = {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("accept_risk", "share_budget_cap_percent")
        }
        if "share_budget_cap_percent" in self.cleaned_data:
            values["share_budget_cap_bp"] = self.cleaned_data["share_budget_cap_percent"]
        return values
