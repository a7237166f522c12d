"""Page forms and fields shared by every area. They only shape input; the rules live in the
services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sharemall.core.money import BP_WHOLE, MoneyError, format_bp, parse_percent, parse_yuan
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet.models import Withdrawal


class PageForm(forms.Form):
    """Labels stand above their inputs on our pages, so they need no trailing colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LoginForm(PageForm):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class RegisterForm(PageForm):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "autofocus": True}
        ),
    )
    sms_code = forms.CharField(
        label=_("Verification code"),
        max_length=16,
        required=False,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "data-sms-purpose": "register",
            }
        ),
    )
    nickname = forms.CharField(
        label=_("Nickname"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters, not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # The page shows the box with links to both documents; their current versions are
    # recorded with the sign-up.
    accept_terms = forms.BooleanField(
        label=_("I have read and agree to the User Agreement and the Privacy Policy"),
        error_messages={
            "required": _("Accept the user agreement and the privacy policy to sign up.")
        },
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, phone_verification: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not phone_verification:
            del self.fields["sms_code"]


def _sms_code_field(purpose: str) -> forms.CharField:
    """The box for a texted code; the page's "Get code" button beside it (sms.js) asks the API
    for a code of `purpose` for the phone typed above."""
    return forms.CharField(
        label=_("Verification code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "data-sms-purpose": purpose,
            }
        ),
    )


class CodeLoginForm(PageForm):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "autofocus": True}
        ),
    )
    sms_code = _sms_code_field("login")
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class PasswordResetForm(PageForm):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "autofocus": True}
        ),
    )
    sms_code = _sms_code_field("reset_password")
    new_password = forms.CharField(
        label=_("New password"),
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters, not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class YuanField(forms.CharField):
    """An amount typed in yuan ("12.5", "¥12.50"), cleaned to whole fen without floats; empty
    is None. `invalid` is what to say about anything else (a price, a charge, a withdrawal)."""

    def __init__(self, *, invalid: str | Promise | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)
        self.invalid = invalid or _("Write an amount in yuan such as 5 or 5.50.")

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_yuan(text)
        except MoneyError:
            raise ValidationError(str(self.invalid)) from None


class PercentField(forms.Field):
    """A rate typed in percent ("12.5" or "12.5 %"), cleaned to whole basis points (1250).

    People think in percent; the rules and the database count basis points. The field shows a
    basis-point initial value as percent again, so a saved rate reads back as it was typed.
    """

    default_error_messages = {
        "invalid": _("Enter a percentage such as 12.5, with at most two decimals."),
        "max_value": _("At most %(limit)s %%."),
    }

    def __init__(self, *, max_bp: int = BP_WHOLE, **kwargs: Any) -> None:
        self.max_bp = max_bp
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 12})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return format_bp(value).removesuffix(" %")
        return value

    def to_python(self, value: Any) -> int | None:
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        try:
            bp = parse_percent(text)
        except MoneyError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if bp > self.max_bp:
            raise ValidationError(
                self.error_messages["max_value"],
                code="max_value",
                params={"limit": format_bp(self.max_bp).removesuffix(" %")},
            )
        return bp


# The nine-photo grid people know from WeChat: an area passes its own rule's limit.
PHOTO_LIMIT = 9
PHOTO_TYPES = ",".join(f"image/{kind}" for kind in ("jpeg", "png", "webp"))


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to `limit` photos from one file input, drawn by web/upload_field.html (previews in a
    grid before anything is sent); the image checks themselves are the service's."""

    def __init__(self, *, limit: int = PHOTO_LIMIT, **kwargs: Any) -> None:
        self.limit = limit
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PHOTO_TYPES}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        uploads = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not uploads and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(uploads) > self.limit:
            raise ValidationError(_("Send at most %(n)d photos.") % {"n": self.limit})
        return [super(PhotosField, self).clean(upload, initial) for upload in uploads]


class WithdrawalForm(PageForm):
    """Where a withdrawal is paid: the channel, the account and its holder. A member's and a
    merchant's withdrawal pages add the amount and their own words for the account."""

    channel = forms.ChoiceField(
        label=_("Pay to"), choices=Withdrawal.Channel.choices, widget=forms.RadioSelect
    )
    payee = forms.CharField(label=_("Account"), max_length=128, required=False)
    payee_name = forms.CharField(
        label=_("Real name of the account holder"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A bank card is paid by an operator, by hand: without the card and its holder they
        # could only fail it, so ask for both now.
        if data.get("channel") == wallet_rules.CHANNEL_BANK:
            if not (data.get("payee") or "").strip():
                self.add_error("payee", _("Enter the bank card number."))
            if not (data.get("payee_name") or "").strip():
                self.add_error("payee_name", _("Enter the name on the bank card."))
        return data


class CloseAccountForm(PageForm):
    """Closing the account: the current password, or for a member who never set one a `login`
    code texted to the phone."""

    password = forms.CharField(
        label=_("Current password"),
        max_length=128,
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    sms_code = forms.CharField(
        label=_("Verification code"),
        max_length=16,
        required=False,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "data-sms-purpose": "login",
            }
        ),
    )

    def __init__(self, *args: Any, passwordless: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["password" if passwordless else "sms_code"]
