"""The JS-SDK configuration a page inside WeChat's browser passes to `wx.config`, signed here
with the official account's jsapi ticket (shared by every process, wechat/clients.py) so the
ticket never reaches a browser. A signature only works for the URL it was made for, on the
account's registered JS-safe domains, so any http(s) URL may be signed."""

from __future__ import annotations

import secrets
import time
from typing import Any

from sharemall.wechat import clients, failures, rules

# WeChat's example nonces are 16 characters of letters and digits.
NONCE_LENGTH = 16
_NONCE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _nonce() -> str:
    return "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(NONCE_LENGTH))


def jssdk_config(url: str) -> dict[str, Any]:
    """`{app_id, timestamp, nonce_str, signature}` for the page at `url` (its #fragment is
    dropped, as WeChat requires). 400 `invalid_url` when it is not an http(s) address, 503
    `wechat_unavailable` without an official account, 502 `wechat_error` when WeChat refuses
    the ticket."""
    page = rules.signable_url(url)
    client = clients.oa_client()
    with failures.translated():
        ticket = clients.jsapi_ticket(client)
    nonce_str = _nonce()
    timestamp = int(time.time())
    return {
        "app_id": client.appid,
        "timestamp": timestamp,
        "nonce_str": nonce_str,
        "signature": rules.jssdk_signature(
            ticket=ticket, nonce_str=nonce_str, timestamp=timestamp, url=page
        ),
    }
