"""Forms of the distributor area."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.core.money import AmountTooLarge, InexactAmount, MoneyError, parse_yuan
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet.schemas import MAX_AMOUNT_FEN
from sharemall.web.forms import PageForm, WithdrawalForm

# The API's own limits, so a page never sends what the endpoint would refuse at its edge.
SUBSTORE_TITLE_MAX = 80


SUBSTORE_TITLE_KEPT = 40


SUBSTORE_IDS_MAX = 500


MAX_ID = 2**63 - 1


def fen_from_yuan(text: str) -> int:
    """What a member typed, in yuan (spaces anywhere), as whole fen: see `parse_yuan`."""
    cleaned = "".join(text.split())
    try:
        fen = parse_yuan(cleaned)
    except InexactAmount:
        fen = -1
    except AmountTooLarge:
        fen = MAX_AMOUNT_FEN + 1
    except MoneyError:
        raise ValidationError(
            _("Enter an amount in yuan, such as 12.50."), code="invalid"
        ) from None
    if fen < 0 or ("." in cleaned and len(cleaned.rsplit(".", 1)[1]) > 2):
        raise ValidationError(
            _("Amounts go down to the fen: at most two decimal places."), code="precision"
        )
    if fen > MAX_AMOUNT_FEN:
        raise ValidationError(_("That amount is too large."), code="too_large")
    return fen


class WithdrawForm(WithdrawalForm):
    """A member takes their commissions out."""

    amount = forms.CharField(
        label=gettext_lazy("Amount (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    field_order = ("amount", "channel", "payee", "payee_name")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].initial = wallet_rules.CHANNEL_WECHAT
        self.fields["payee"].help_text = _(
            "Your Alipay account or bank card number. WeChat Pay needs none: it pays your "
            "linked WeChat."
        )
        # The fee preview follows the amount as it is typed (htmx; no script of ours).
        self.fields["amount"].widget.attrs.update(
            {
                "hx-get": reverse("web:distributor_withdraw_fee"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#fee-preview",
                # The answer is the whole <p id="fee-preview">: it replaces the old one
                # (swapped inside it, the id would be doubled and the text nested).
                "hx-swap": "outerHTML",
                "aria-describedby": "fee-preview",
            }
        )

    def clean_amount(self) -> int:
        return fen_from_yuan(self.cleaned_data["amount"])


class ProductIdsField(forms.Field):
    """The ids of the ticked products: whole numbers that could name a row, at most the API's
    limit."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if not isinstance(value, list | tuple) or len(value) > SUBSTORE_IDS_MAX:
            raise ValidationError(_("Choose products from the list."), code="invalid")
        ids: list[int] = []
        for raw in value:
            try:
                number = int(str(raw))
            except ValueError:
                raise ValidationError(_("Choose products from the list."), code="invalid") from None
            if not 0 < number <= MAX_ID:
                raise ValidationError(_("Choose products from the list."), code="invalid")
            ids.append(number)
        return ids


class SubstoreForm(PageForm):
    title = forms.CharField(
        label=gettext_lazy("Name of your sub-store"),
        max_length=SUBSTORE_TITLE_MAX,
        required=False,
        help_text=gettext_lazy("Up to 40 characters, e.g. “Lily's tea picks”."),
    )
    product = ProductIdsField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The API takes up to 80 characters and the service keeps the first 40 (spaces
        # collapsed); the browser stops at 40 so nothing typed is silently cut.
        self.fields["title"].widget.attrs["maxlength"] = SUBSTORE_TITLE_KEPT


# Style words may be separated by commas (either width), the Chinese enumeration comma or spaces.
STYLE_SEPARATORS = re.compile(r"[,，、;；\s]+")


def _yuan_or_none(text: str) -> int | None:
    return fen_from_yuan(text) if text.strip() else None


class SharerTagsForm(PageForm):
    """我的选品标签: what the sharer's audience likes. The service judges the limits."""

    categories = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Categories"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    price_min = forms.CharField(
        label=gettext_lazy("Lowest price (yuan)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    price_max = forms.CharField(
        label=gettext_lazy("Highest price (yuan)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    styles = forms.CharField(
        label=gettext_lazy("Style words"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Separate words with commas, e.g. 简约, 国潮, 户外."),
    )

    def __init__(self, *args: Any, category_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["categories"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = category_choices

    def clean_price_min(self) -> int | None:
        return _yuan_or_none(self.cleaned_data["price_min"])

    def clean_price_max(self) -> int | None:
        return _yuan_or_none(self.cleaned_data["price_max"])

    def clean_styles(self) -> list[str]:
        return [word for word in STYLE_SEPARATORS.split(self.cleaned_data["styles"]) if word]
