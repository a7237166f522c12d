"""Forms of the buyer pages. They only shape input; the services judge it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sharemall.aftersales import rules as aftersale_rules
from sharemall.checkout.services import MAX_QUANTITY
from sharemall.posts import rules as post_rules
from sharemall.web.forms import PageForm, PhotosField

ID_MAX = 2**63 - 1  # past the largest id a database column holds, an id names nothing
DELIVERY_CHOICES = [("express", _("Express delivery")), ("pickup", _("Store pickup"))]
AFTERSALE_CHOICES = [("refund", _("Refund only")), ("return_refund", _("Return and refund"))]
RATING_CHOICES = [(n, str(n)) for n in range(5, 0, -1)]


def quantity_field() -> forms.IntegerField:
    return forms.IntegerField(
        min_value=1,
        max_value=MAX_QUANTITY,
        label=_("Quantity"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class AddToCartForm(PageForm):
    sku = forms.IntegerField(min_value=1, max_value=ID_MAX)
    quantity = quantity_field()
    intent = forms.ChoiceField(choices=[("cart", "cart"), ("buy", "buy")], required=False)


class QuantityForm(PageForm):
    """The cart's stepper: the quantity shown, and −1 or +1 when a step button sent it."""

    quantity = quantity_field()
    step = forms.TypedChoiceField(choices=[("-1", "-1"), ("1", "1")], coerce=int, required=False)

    def wanted(self) -> int:
        quantity = int(self.cleaned_data["quantity"]) + int(self.cleaned_data["step"] or 0)
        return max(1, min(quantity, MAX_QUANTITY))


class BuyNowForm(PageForm):
    """The single item of a "Buy now" checkout, carried in the address and the form."""

    sku = forms.IntegerField(min_value=1, max_value=ID_MAX)
    quantity = quantity_field()
    # Bought at this flash sale's price (the flash page's 立即抢购).
    flash = forms.IntegerField(min_value=1, max_value=ID_MAX, required=False)


class CheckoutForm(PageForm):
    """Everything optional here: the checkout service says what is missing, in its words."""

    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
    delivery = forms.ChoiceField(
        label=_("Delivery"), choices=DELIVERY_CHOICES, widget=forms.RadioSelect, initial="express"
    )
    province = forms.CharField(label=_("Province"), max_length=6, required=False)
    city = forms.CharField(label=_("City"), max_length=6, required=False)
    district = forms.CharField(label=_("District"), max_length=6, required=False)
    address = forms.CharField(
        label=_("Street address"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    receiver = forms.CharField(
        label=_("Receiver"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    store = forms.IntegerField(
        label=_("Pickup store"), min_value=1, max_value=ID_MAX, required=False
    )
    # One of the buyer's claimed coupons (empty: none).
    coupon = forms.IntegerField(label=_("Coupon"), min_value=1, max_value=ID_MAX, required=False)
    save_address = forms.BooleanField(label=_("Save to my address book"), required=False)

    def clean(self) -> dict[str, Any]:
        """Only the chosen way's fields are needed; all that is missing is said at once (the
        checkout service then judges what was given, one refusal at a time)."""
        data = super().clean() or {}
        if data.get("delivery") == "pickup":
            if not data.get("store") and "store" not in self.errors:
                self.add_error("store", _("Choose the store to pick up at."))
            return data
        if data.get("delivery") == "express":
            missing = {
                "district": not (data.get("city") or data.get("district")),
                "address": not (data.get("address") or "").strip(),
                "receiver": not (data.get("receiver") or "").strip(),
                "phone": not (data.get("phone") or "").strip(),
            }
            for name, message in (
                ("district", _("Choose the district to deliver to.")),
                ("address", _("Enter the delivery address.")),
                ("receiver", _("Enter who receives the parcel.")),
                ("phone", _("Enter the receiver's mobile number.")),
            ):
                if missing[name] and name not in self.errors:
                    self.add_error(name, message)
        return data

    def region_code(self) -> str:
        """The most precise division chosen: a municipality's districts sit in the city list."""
        data = self.cleaned_data
        return str(data.get("district") or data.get("city") or data.get("province") or "")


class AfterSaleForm(PageForm):
    type = forms.ChoiceField(label=_("What you want"), choices=AFTERSALE_CHOICES)
    reason_code = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Choose a reason")), *aftersale_rules.REASON_CODES.items()],
    )
    reason = forms.CharField(
        label=_("What went wrong"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(
        label=_("Photos of the problem"), limit=aftersale_rules.MAX_PHOTOS, required=False
    )


class ReturnForm(PageForm):
    carrier = forms.CharField(label=_("Carrier"), max_length=40, required=False)
    tracking_no = forms.CharField(label=_("Tracking number"), max_length=64)


class EscalateForm(PageForm):
    statement = forms.CharField(
        label=_("Tell the platform what went wrong"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = PhotosField(
        label=_("Photos for the platform"), limit=aftersale_rules.MAX_PHOTOS, required=False
    )


class PostForm(PageForm):
    text = forms.CharField(
        label=_("Your experience"),
        max_length=post_rules.TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=RATING_CHOICES,
        coerce=int,
        initial=5,
        widget=forms.RadioSelect,
    )
    images = PhotosField(label=_("Photos (up to 9)"), limit=post_rules.MAX_IMAGES, required=False)


class CommentForm(PageForm):
    text = forms.CharField(
        label=_("Your comment"),
        max_length=post_rules.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("Ask the author, or add your own experience")}
        ),
    )


class AddressForm(PageForm):
    """An address of the address book, with the checkout page's region picker; the address
    book's rules (those of checkout) judge the values."""

    id = forms.IntegerField(min_value=1, max_value=ID_MAX, required=False, widget=forms.HiddenInput)
    province = forms.CharField(label=_("Province"), max_length=6, required=False)
    city = forms.CharField(label=_("City"), max_length=6, required=False)
    district = forms.CharField(label=_("District"), max_length=6, required=False)
    address = forms.CharField(
        label=_("Street address"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    receiver = forms.CharField(
        label=_("Receiver"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    is_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    def region_code(self) -> str:
        """The most precise division chosen: a municipality's districts sit in the city list."""
        data = self.cleaned_data
        return str(data.get("district") or data.get("city") or data.get("province") or "")
