from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field


class RegisterIn(Schema):
    phone: str = Field(max_length=32)
    password: str = Field(max_length=128)
    nickname: str = Field(max_length=80)
    share_code: str | None = Field(default=None, max_length=32)
    # Required while PHONE_VERIFICATION is on: the code POST /auth/sms-code texted (register).
    sms_code: str | None = Field(default=None, max_length=16)
    # The client showed the user agreement and privacy policy and the person accepted them;
    # their current versions are recorded with the sign-up. False → 400 `terms_not_accepted`.
    accept_terms: bool = True


class RegisterOut(Schema):
    id: int
    token: str
    parent_id: int | None


class LoginIn(Schema):
    phone: str = Field(max_length=32)
    password: str = Field(max_length=128)


class LoginOut(Schema):
    id: int
    token: str


class MeOut(Schema):
    id: int
    phone: str
    nickname: str
    is_distributor: bool
    is_operator: bool
    parent_id: int | None
    bound_until: datetime | None


class DistributorOut(Schema):
    is_distributor: bool


class SmsCodeIn(Schema):
    phone: str = Field(max_length=32)
    purpose: Literal["register", "login", "reset_password"]


class SmsCodeOut(Schema):
    """The same for every phone, whether or not a code was sent (registered numbers stay
    private): when it may ask again and how long a code is good for, in seconds."""

    resend_after: int
    expires_in: int


class LoginByCodeIn(Schema):
    phone: str = Field(max_length=32)
    sms_code: str = Field(max_length=16)
    share_code: str | None = Field(default=None, max_length=32)
    # As at sign-up; only read when the number has no account yet.
    accept_terms: bool = True


class LoginByCodeOut(Schema):
    id: int
    token: str
    is_new: bool


class PasswordResetIn(Schema):
    phone: str = Field(max_length=32)
    sms_code: str = Field(max_length=16)
    new_password: str = Field(max_length=128)


class PasswordResetOut(Schema):
    reset: bool
