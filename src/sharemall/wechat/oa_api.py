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
from sharemall.wechat import config, oa, oa_qrcode, oa_wire, wire

router = Router(tags=["wechat"])

CALLBACK = "/wechat/oa/callback"
# WeChat's query values are short: a 40-hex signature, a timestamp, a nonce, an openid.
QUERY_MAX = 128
# WeChat takes this text as "received, nothing to say" and does not retry.
NO_REPLY = "success"


def _text(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


def _query(request: HttpRequest, name: str) -> str:
    return str(request.GET.get(name, ""))[:QUERY_MAX]


@router.get(
    CALLBACK,
    auth=None,
    openapi_extra={
        "parameters": [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
            for name in ("signature", "timestamp", "nonce", "echostr")
        ],
        "responses": {
            200: {
                "description": "WeChat's server-URL check: the `echostr` back, as text, when "
                "the signature is right (403 `invalid_signature` otherwise).",
                "content": {"text/plain": {}},
            }
        },
    },
)
def oa_callback_check(request: HttpRequest) -> HttpResponse:
    account = config.require(config.OA)
    wire.verify(
        account,
        _query(request, "signature"),
        _query(request, "timestamp"),
        _query(request, "nonce"),
    )
    echostr = str(request.GET.get("echostr", ""))
    if not echostr:
        raise DomainError(_("echostr is missing."), code="invalid_input")
    return _text(echostr)


@router.post(
    CALLBACK,
    auth=None,
    openapi_extra={
        "parameters": [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
            for name in (
                "signature",
                "timestamp",
                "nonce",
                "openid",
                "encrypt_type",
                "msg_signature",
            )
        ],
        "responses": {
            200: {
                "description": "The reply to a follower's message or event as WeChat's XML "
                "(encrypted in safe mode), or the text `success` when there is none.",
                "content": {"application/xml": {}, "text/plain": {}},
            }
        },
    },
)
def oa_callback(request: HttpRequest) -> HttpResponse:
    """Events and messages WeChat pushes: follows through a share's QR code bind the follower to
    the sharer; each event is acted on once however often WeChat retries it."""
    account = config.require(config.OA)
    timestamp, nonce = _query(request, "timestamp"), _query(request, "nonce")
    wire.verify(account, _query(request, "signature"), timestamp, nonce)
    incoming = oa_wire.read(
        account,
        request.body,
        encrypt_type=_query(request, "encrypt_type"),
        msg_signature=_query(request, "msg_signature"),
        timestamp=timestamp,
        nonce=nonce,
    )
    content = oa.receive(account, incoming)
    if not content:
        return _text(NO_REPLY)
    return HttpResponse(
        oa_wire.reply_text(account, incoming, content), content_type="application/xml"
    )


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
