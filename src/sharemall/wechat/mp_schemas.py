"""The wire format of the mini-program's endpoints and the JS-SDK configuration."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field

from sharemall.wechat import rules

# wx.login() and phone-button codes are 32-odd characters; far more is not a code.
CODE_MAX_LENGTH = 128


class MpLoginIn(Schema):
    code: str = Field(min_length=1, max_length=CODE_MAX_LENGTH, description="From wx.login().")
    share_code: str | None = Field(
        default=None,
        max_length=32,
        description="The share code the mini-program was opened with (a scanned code's scene, "
        "or a shared card's), binding a new member to its sharer.",
    )


class MpLoginOut(Schema):
    id: int
    token: str
    is_new: bool


class MpPhoneIn(Schema):
    code: str = Field(
        min_length=1,
        max_length=CODE_MAX_LENGTH,
        description="From the getPhoneNumber button's bindgetphonenumber event (e.detail.code).",
    )


class MpPhoneOut(Schema):
    phone: str = Field(description="Masked: 139****5678.")


class MpCodeIn(Schema):
    share_code: str = Field(min_length=1, max_length=32, description="One of your share links.")
    page: str | None = Field(
        default=None,
        max_length=rules.PAGE_MAX_LENGTH,
        description="The mini-program page the code opens, e.g. pages/landing/index; the home "
        "page when omitted. It receives the share code as `options.scene`.",
    )


class MpLandingIn(Schema):
    scene: str = Field(
        min_length=1, max_length=256, description="`options.scene` of the landing page."
    )


class MpLandingOut(Schema):
    share_code: str
    target_type: str
    target_id: int
    path: str = Field(description="The target's path on the web shop, e.g. /p/12.")


class JssdkConfigIn(Schema):
    url: str = Field(
        min_length=1,
        max_length=rules.URL_MAX_LENGTH + 512,
        description="The page's address, location.href (a #fragment is dropped).",
    )


class JssdkConfigOut(Schema):
    app_id: str
    timestamp: int
    nonce_str: str
    signature: str
