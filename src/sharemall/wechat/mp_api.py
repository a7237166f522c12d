"""The JSON edge of the mini-program (log-in, phone number, mini-program codes and their
landing) and of the JS-SDK configuration for pages inside WeChat's browser."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from sharemall.accounts.auth import caller, member_auth, optional_auth, require_member
from sharemall.core.http import client_address
from sharemall.orders.rules import masked_phone
from sharemall.wechat import jssdk, mp
from sharemall.wechat.mp_schemas import (
    JssdkConfigIn,
    JssdkConfigOut,
    MpCodeIn,
    MpLandingIn,
    MpLandingOut,
    MpLoginIn,
    MpLoginOut,
    MpPhoneIn,
    MpPhoneOut,
)

router = Router(tags=["wechat"])

# The header app clients name their device with (as POST /shares/{code}/click reads it).
DEVICE_HEADER = "X-Device-Id"
# A mini-program code for a given link never changes.
CODE_MAX_AGE_SECONDS = 24 * 3600


@router.post("/wechat/mp/login", response=MpLoginOut, auth=None)
def mp_login(request: HttpRequest, payload: MpLoginIn) -> dict[str, Any]:
    """Log in with a `wx.login()` code (code2session): the same WeChat user is the same member
    every time; a new one becomes a member (no phone yet) bound to the sharer of `share_code`.
    A wrong or used code → 400 `invalid_code`; WeChat's other refusals → 502 `wechat_error`;
    no mini-program configured → 503 `wechat_unavailable`."""
    member, is_new, _device = mp.login(
        payload.code, share_code=payload.share_code, address=client_address(request)
    )
    # The token carries the WeChat device, so the mini-program's orders and shares name it
    # even when it sends no X-Device-Id. Issued in the log-in's transaction (wechat.mp.login).
    token = member.issued_token
    return {"id": member.pk, "token": token, "is_new": is_new}


@router.post("/wechat/mp/phone", response=MpPhoneOut, auth=member_auth)
def mp_phone(request: HttpRequest, payload: MpPhoneIn) -> dict[str, str]:
    """Set the caller's phone number from the phone button's code (getuserphonenumber), when
    they have none yet; the same number again is fine. Another member's number → 409
    `phone_taken` (log in with that phone and link WeChat in settings instead); a member with
    another number already → 409 `phone_already_set`; a wrong or used code → 400
    `invalid_code`."""
    phone = mp.phone_bind(require_member(request), payload.code)
    return {"phone": masked_phone(phone)}


@router.post(
    "/wechat/mp/code",
    auth=member_auth,
    openapi_extra={
        "responses": {
            200: {
                "description": "The mini-program code (PNG, 430 px) whose scene is the share code.",
                "content": {"image/png": {}},
            },
        }
    },
)
def mp_code(request: HttpRequest, payload: MpCodeIn) -> HttpResponse:
    """A mini-program code (getwxacodeunlimit) for one of the caller's own share links; scanned,
    it opens `page` with the share code as its scene (see POST /wechat/mp/landing). Another's
    link → 404; a bad page → 400 `invalid_page`."""
    png = mp.wxa_code_png(require_member(request), payload.share_code, payload.page)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = f"private, max-age={CODE_MAX_AGE_SECONDS}"
    return response


@router.post("/wechat/mp/landing", response=MpLandingOut, auth=optional_auth)
def mp_landing(request: HttpRequest, payload: MpLandingIn) -> mp.Landing:
    """What the landing page opens for a scanned mini-program code's scene (a share code): the
    target, with the visit recorded as a click on the share link (by the signed-in caller, who
    may be bound to the sharer, or by the `X-Device-Id` device). Then log in with the same code
    as `share_code` to bind a newcomer. Unknown → 404."""
    return mp.landing(
        payload.scene,
        visitor=caller(request),
        device_id=request.headers.get(DEVICE_HEADER),
        address=client_address(request),
    )


@router.post("/wechat/jssdk-config", response=JssdkConfigOut, auth=None)
def jssdk_config(request: HttpRequest, payload: JssdkConfigIn) -> dict[str, Any]:
    """The `wx.config` values for the page at `url`, signed with the official account's jsapi
    ticket: `signature = sha1("jsapi_ticket=…&noncestr=…&timestamp=…&url=…")`. Not an http(s)
    URL → 400 `invalid_url`; no official account → 503 `wechat_unavailable`."""
    return jssdk.jssdk_config(payload.url)
