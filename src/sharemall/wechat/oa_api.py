"""The official account's endpoints: WeChat's server URL, and the QR codes sharers print.

The callback has no sign-in (WeChat's signature is the proof) and answers in WeChat's own
protocol: the `echostr` as text for the URL check, a reply as XML (encrypted in safe mode) or
the text `success` for a push that needs no reply.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from sharemall.accounts.auth import member_auth, require_member
from sharemall.core.errors import DomainError
from sharemall.wechat import config, oa_qrcode, pushes, wire

router = Router(tags=["wechat"])

CALLBACK = "/wechat/oa/callback"


@router.get(
    CALLBACK,
    auth=None,
    openapi_extra=pushes.openapi(
        "WeChat's server-URL check: the `echostr` back, as text, when the signature is right "
        "(403 `invalid_signature` otherwise).",
        "signature",
        "timestamp",
        "nonce",
        "echostr",
        xml=False,
    ),
)
def oa_callback_check(request: HttpRequest) -> HttpResponse:
    account = config.require(config.OA)
    wire.verify(
        account,
        pushes.query(request, "signature"),
        pushes.query(request, "timestamp"),
        pushes.query(request, "nonce"),
    )
    echostr = str(request.GET.get("echostr", ""))
    if not echostr:
        raise DomainError(_("echostr is missing."), code="invalid_input")
    return pushes.text(echostr)


@router.post(
    CALLBACK,
    auth=None,
    openapi_extra=pushes.openapi(
        "The reply to a follower's message or event as WeChat's XML (encrypted in safe mode), "
        "or the text `success` when there is none.",
        *pushes.EVENT_QUERY,
    ),
)
def oa_callback(request: HttpRequest) -> HttpResponse:
    """Events and messages WeChat pushes: follows through a share's QR code bind the follower to
    the sharer; each event is acted on once however often WeChat retries it."""
    account = config.require(config.OA)
    return pushes.follower_event(request, account, account)


class QrCodeIn(Schema):
    share_code: str = Field(max_length=32)


class QrCodeOut(Schema):
    ticket: str
    url: str
    image_url: str
    expires_at: datetime


@router.post("/wechat/oa/qrcode", response=QrCodeOut, auth=member_auth)
def oa_qrcode_create(request: HttpRequest, payload: QrCodeIn) -> dict[str, Any]:
    """The official account's QR code for one of the caller's share links: scanning it follows
    the account and binds the follower to the caller. Temporary (30 days), reused until a day
    before it expires."""
    code = oa_qrcode.qrcode_for(require_member(request), payload.share_code)
    return {
        "ticket": code.ticket,
        "url": code.url,
        "image_url": oa_qrcode.image_url(code.ticket),
        "expires_at": code.expires_at,
    }
