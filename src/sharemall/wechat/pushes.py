"""The edge every WeChat push arrives at (the official account's server URL, the component's
callback, a merchant account's events): WeChat's query, its "received" answer, the OpenAPI
description of a push endpoint, and the one way a follower's event is checked, read, acted on
and answered."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from sharemall.wechat import oa, oa_wire, wire
from sharemall.wechat.config import Account

# WeChat's query values are short: a 40-hex signature, a timestamp, a nonce, an openid.
QUERY_MAX = 128
# WeChat takes this text as "received, nothing to say" and does not retry.
RECEIVED = "success"


def query(request: HttpRequest, name: str) -> str:
    return str(request.GET.get(name, ""))[:QUERY_MAX]


def text(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


def openapi(description: str, *names: str, xml: bool = True) -> dict[str, Any]:
    """A push endpoint's query parameters and answer, for the OpenAPI document."""
    content: dict[str, Any] = {"text/plain": {}}
    if xml:
        content = {"application/xml": {}, **content}
    return {
        "parameters": [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
            for name in names
        ],
        "responses": {200: {"description": description, "content": content}},
    }


EVENT_QUERY = ("signature", "timestamp", "nonce", "openid", "encrypt_type", "msg_signature")


def follower_event(request: HttpRequest, signer: Account, server: Account | None) -> HttpResponse:
    """A follower's message or event: checked and read with `signer`'s token and key (the
    account's own, or the component's for a merchant's account), acted on once by `server`
    (wechat/oa.py) — None: a push for an account we no longer serve, taken and ignored."""
    timestamp, nonce = query(request, "timestamp"), query(request, "nonce")
    wire.verify(signer, query(request, "signature"), timestamp, nonce)
    incoming = oa_wire.read(
        signer,
        request.body,
        encrypt_type=query(request, "encrypt_type"),
        msg_signature=query(request, "msg_signature"),
        timestamp=timestamp,
        nonce=nonce,
    )
    content = oa.receive(server, incoming) if server is not None else ""
    if not content:
        return text(RECEIVED)
    return HttpResponse(
        oa_wire.reply_text(signer, incoming, content),
        content_type="application/xml; charset=utf-8",
    )
