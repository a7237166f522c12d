"""Component notices as WeChat pushes them to our callback: the query signed with the
component's token, the body encrypted with its token, AES key and app id (wechatpy's crypto)."""

from __future__ import annotations

import hashlib
import time
from urllib.parse import urlencode

import xmltodict
from wechatpy.crypto import WeChatCrypto

CALLBACK = "/api/v1/wechat/component/callback"


def notice_xml(app_id: str, info_type: str, **fields: str) -> str:
    extra = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    return (
        f"<xml><AppId><![CDATA[{app_id}]]></AppId><CreateTime>{int(time.time())}</CreateTime>"
        f"<InfoType><![CDATA[{info_type}]]></InfoType>{extra}</xml>"
    )


def signature(token: str, timestamp: str, nonce: str) -> str:
    joined = "".join(sorted([token, timestamp, nonce]))
    return hashlib.sha1(joined.encode(), usedforsecurity=False).hexdigest()


def sealed(
    token: str, aes_key: str, app_id: str, xml: str, *, nonce: str = "n0nce"
) -> tuple[str, str]:
    """(the callback's URL with its signed query, the encrypted body)."""
    timestamp = str(int(time.time()))
    crypto = WeChatCrypto(token, aes_key, app_id)
    envelope = xmltodict.parse(crypto.encrypt_message(xml, nonce, timestamp))["xml"]
    query = {
        "signature": signature(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": envelope["MsgSignature"],
    }
    body = (
        f"<xml><AppId><![CDATA[{app_id}]]></AppId>"
        f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
    )
    return f"{CALLBACK}?{urlencode(query)}", body
