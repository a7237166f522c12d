"""Forms of the merchant console. They only shape input: every rule is checked by the services
the JSON API calls, and their messages are shown on the form."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sharemall.catalog import rules as catalog_rules
from sharemall.core.money import MoneyError, format_yuan, parse_yuan
from sharemall.wallet import rules as wallet_rules
from sharemall.web.forms import PageForm, PhotosField, WithdrawalForm, YuanField

WEEKDAYS = (
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
)
IMAGE_TYPES = "image/jpeg,image/png,image/webp"
PHONE_ATTRS = {"autocomplete": "tel", "inputmode": "tel"}


PRICE_INVALID = _("Write the price in yuan, above zero with at most two decimals, e.g. 12.50.")


class ApplicationForm(PageForm):
    legal_name = forms.CharField(
        label=_("Legal name"),
        max_length=200,
        help_text=_("As printed on the business licence."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        help_text=_("The 18-character code on the business licence."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    legal_rep = forms.CharField(label=_("Legal representative"), max_length=100)
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=32, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )
    licence = forms.FileField(
        label=_("Business licence photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 10 MB. The platform checks it before approval."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_TYPES}),
    )


class LicenceForm(PageForm):
    licence = forms.FileField(
        label=_("Business licence photo"),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_TYPES}),
    )


class StoreForm(PageForm):
    """An offline store. The region is picked in three steps on the page; only the district's
    code is posted. Opening hours are one open–close pair per weekday; a blank day is closed."""

    name = forms.CharField(label=_("Store name"), max_length=120)
    region_code = forms.CharField(label=_("District"), max_length=12)
    address = forms.CharField(label=_("Street address"), max_length=300)
    latitude = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    phone = forms.CharField(
        label=_("Store phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs=PHONE_ATTRS),
    )
    is_active = forms.BooleanField(label=_("Open to buyers"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, _name in WEEKDAYS:
            for edge in ("opens", "closes"):
                self.fields[f"{edge}_{day}"] = forms.CharField(
                    required=False,
                    max_length=8,
                    widget=forms.TimeInput(attrs={"type": "time"}),
                )

    def days(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        """(weekday name, opens field, closes field) for the template's hours table."""
        return [(name, self[f"opens_{day}"], self[f"closes_{day}"]) for day, name in WEEKDAYS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours: list[dict[str, object]] = []
        for day, _name in WEEKDAYS:
            opens, closes = data.get(f"opens_{day}") or "", data.get(f"closes_{day}") or ""
            if bool(opens) != bool(closes):
                self.add_error(f"opens_{day}", _("Give both the opening and the closing time."))
            elif opens:
                hours.append({"weekday": day, "opens": opens[:5], "closes": closes[:5]})
        data["opening_hours"] = hours
        return data

    @staticmethod
    def initial_for(store: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": store.name,
            "region_code": store.region_code,
            "address": store.address,
            "latitude": store.latitude,
            "longitude": store.longitude,
            "phone": store.phone,
            "is_active": store.is_active,
        }
        for entry in store.opening_hours or []:
            initial[f"opens_{entry['weekday']}"] = entry["opens"]
            initial[f"closes_{entry['weekday']}"] = entry["closes"]
        return initial


class StaffForm(PageForm):
    phone = forms.CharField(
        label=_("Mobile number of the member"),
        max_length=32,
        help_text=_("They must already have a ShareMall account."),
        widget=forms.TextInput(attrs=PHONE_ATTRS),
    )


class ProductForm(PageForm):
    title = forms.CharField(label=_("Title"), max_length=catalog_rules.TITLE_MAX)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=catalog_rules.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    freight_template = forms.TypedChoiceField(
        label=_("Freight template"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self,
        *args: Any,
        categories: list[tuple[int, str]],
        freight_templates: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.TypedChoiceField)
        category.choices = [("", _("No category")), *categories]
        freight = self.fields["freight_template"]
        assert isinstance(freight, forms.TypedChoiceField)
        freight.choices = [("", _("None: ships free")), *freight_templates]


class SkuForm(PageForm):
    name = forms.CharField(label=_("Option"), max_length=catalog_rules.SKU_NAME_MAX)
    price = YuanField(label=_("Price (¥)"), invalid=PRICE_INVALID)
    list_price = YuanField(
        label=_("List price (¥, struck through)"), required=False, invalid=PRICE_INVALID
    )
    stock = forms.IntegerField(
        label=_("Stock"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )


# Three rows to start with; more options are added one by one on the product's page.
SkuFormSet = forms.formset_factory(SkuForm, extra=3, max_num=catalog_rules.MAX_SKUS)


class SkuEditForm(PageForm):
    price = YuanField(label=_("Price (¥)"), invalid=PRICE_INVALID)
    list_price = YuanField(
        label=_("List price (¥, struck through)"), required=False, invalid=PRICE_INVALID
    )
    stock = forms.IntegerField(
        label=_("Stock"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )


class ImageForm(PageForm):
    """Photos added to a product, several at once, up to the room the product has left."""

    images = PhotosField(
        label=_("Add photos"), error_messages={"required": _("Choose a photo to add.")}
    )

    def __init__(self, *args: Any, room: int = catalog_rules.MAX_IMAGES, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["images"]
        assert isinstance(field, PhotosField)
        field.limit = max(room, 0)


class ImportForm(PageForm):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


PLAN_PARTS = ("share_budget", "buyer_discount", "level1", "level2", "level3", "region_agent")
PERCENT, FIXED = "bp", "fen"  # the plan's unit: a share of what the buyer pays, or yuan per unit
_PERCENT = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")


def percent_to_bp(text: str) -> int:
    """A rate typed in percent ("10", "10.5", "12.25 %") as whole basis points (1050); at most
    two decimals, since a basis point is 0.01 %. Decimal-free arithmetic: no float rounding."""
    cleaned = text.strip().rstrip("%％").strip()
    if not _PERCENT.fullmatch(cleaned):
        raise ValueError(text)
    whole, _dot, part = cleaned.partition(".")
    return int(whole) * 100 + int((part + "00")[:2])


def bp_to_percent(bp: int) -> str:
    """Basis points as the percent people type back: 1050 → "10.5", 2500 → "25"."""
    whole, part = divmod(bp, 100)
    return f"{whole}.{part:02d}".rstrip("0").rstrip(".") if part else str(whole)


class RateField(forms.CharField):
    """One part of a commission plan, in % (rate plans) or yuan per unit (fixed plans); which
    one is the form's unit, so cleaning happens in PlanForm.clean. Blank is zero."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)


class PlanForm(PageForm):
    """A commission plan as people type it: rates in % ("10" or "10.5") or fixed amounts in yuan
    per unit sold. Cleaned to whole basis points or fen; every rule is the service's."""

    unit = forms.ChoiceField(
        label=_("Commission by"),
        choices=(
            (PERCENT, _("Rate of the price paid (%)")),
            (FIXED, _("Fixed amount per unit (¥)")),
        ),
        initial=PERCENT,
        widget=forms.RadioSelect,
        required=False,
    )
    share_budget = RateField(label=_("Share budget"))
    buyer_discount = RateField(label=_("Buyer discount"))
    level1 = RateField(label=_("Level 1 commission"))
    level2 = RateField(label=_("Level 2 commission"))
    level3 = RateField(label=_("Level 3 commission"))
    region_agent = RateField(label=_("Region agent"))

    def __init__(self, *args: Any, max_levels: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The platform pays only max_levels levels: the others are not offered at all.
        for level in range(max_levels + 1, 4):
            del self.fields[f"level{level}"]
        self.max_levels = max_levels

    @property
    def chosen_unit(self) -> str:
        raw = self["unit"].value() or PERCENT
        return raw if raw in (PERCENT, FIXED) else PERCENT

    def rate_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PLAN_PARTS if name in self.fields]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        unit = cleaned.get("unit") or PERCENT
        cleaned["unit"] = unit
        for name in PLAN_PARTS:
            if name not in self.fields or name in self.errors:
                continue
            text = (cleaned.get(name) or "").strip()
            if not text:
                cleaned[name] = None if name == "share_budget" else 0
                continue
            try:
                cleaned[name] = (
                    percent_to_bp(text) if unit == PERCENT else parse_yuan(text.lstrip("+"))
                )
            except (ValueError, MoneyError):
                self.add_error(
                    name,
                    _("Write a percentage such as 10 or 10.5 (at most two decimals).")
                    if unit == PERCENT
                    else _("Write an amount in yuan such as 5 or 5.50."),
                )
        if cleaned.get("share_budget") is None and "share_budget" not in self.errors:
            self.add_error("share_budget", _("Set the share budget: what you give up per sale."))
        return cleaned

    def levels(self) -> tuple[int, int, int]:
        values = [self.cleaned_data.get(f"level{n}") or 0 for n in range(1, 4)]
        return (values[0], values[1], values[2])

    @staticmethod
    def initial_for(plan: Any) -> dict[str, str]:
        """A saved plan (distribution.rules.Plan) as the form shows it: % or yuan."""
        if plan is None:
            return {"unit": PERCENT}
        show = bp_to_percent if plan.unit == PERCENT else (lambda f: format_yuan(f, plain=True))
        parts = (plan.share_budget, plan.buyer_discount, *plan.levels, plan.region_agent)
        return {"unit": plan.unit} | {
            name: show(value) for name, value in zip(PLAN_PARTS, parts, strict=True)
        }


class ReturnAddressForm(PageForm):
    """Where buyers send returns. The region is picked in three steps (region_picker.html);
    the service checks the whole address and refuses it with a code."""

    receiver = forms.CharField(label=_("Receiver"), max_length=40)
    phone = forms.CharField(
        label=_("Phone"), max_length=32, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )
    region_code = forms.CharField(label=_("District"), max_length=12)
    address = forms.CharField(label=_("Street address"), max_length=200)


class ShipForm(PageForm):
    """A carrier and a tracking number, or the box saying no parcel is sent (the service
    refuses anything in between with `tracking_required`)."""

    carrier = forms.CharField(label=_("Carrier"), max_length=40, required=False)
    tracking_no = forms.CharField(
        label=_("Tracking number"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    no_logistics = forms.BooleanField(
        label=_("No logistics needed (virtual goods or local delivery)"), required=False
    )


class PickupForm(PageForm):
    store = forms.TypedChoiceField(label=_("Store"), coerce=int)
    code = forms.CharField(
        label=_("Pickup code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, stores: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        store = self.fields["store"]
        assert isinstance(store, forms.TypedChoiceField)
        store.choices = stores
        if len(stores) == 1:
            store.initial = stores[0][0]


class NoteForm(PageForm):
    note = forms.CharField(label=_("Note to the buyer"), max_length=500, required=False)


class ApproveForm(NoteForm):
    refund_shipping = forms.BooleanField(
        label=_("Also give the shipping back"),
        required=False,
        help_text=_("The parcel was sent, so the postage is yours to keep unless you choose so."),
    )


class RejectForm(PageForm):
    reason = forms.CharField(
        label=_("Why you refuse"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(WithdrawalForm):
    """The merchant's owner takes money out of the shop's available balance."""

    amount = YuanField(
        label=_("Amount (yuan)"),
        invalid=_("Write the amount in yuan, above zero with at most two decimals, e.g. 12.50."),
    )
    field_order = ("amount", "channel", "payee", "payee_name")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].initial = wallet_rules.CHANNEL_BANK
        self.fields["payee"].help_text = str(
            _("The shop's bank card or Alipay account; WeChat Pay pays the owner's linked WeChat.")
        )
        self.fields["payee_name"].label = str(_("Account holder's name"))


class StatementForm(PageForm):
    """Which statement to show: by day or by month, between two dates (China time)."""

    period = forms.ChoiceField(
        label=_("Statement period"),
        choices=[("day", _("By day")), ("month", _("By month"))],
        initial="day",
    )
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
