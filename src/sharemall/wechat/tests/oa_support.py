"""Pushes built as WeChat builds them, for the official-account tests: the XML, the URL's
signature (sha1 of the sorted token, timestamp and nonce, computed here by hand rather than with
the code under test) and, in safe mode, the AES-encrypted body and its msg_signature."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import xmltodict
from django.test import Client
from wechatpy.crypto import PrpCrypto, WeChatCrypto

from sharemall.wechat import config

CALLBACK = "/api/v1/wechat/oa/callback"
# The account of WeChat's published message-crypto sample (WXBizMsgCrypt's demo): its token,
# EncodingAESKey and app id, so the sample's ciphertext below decrypts with them.
SAMPLE_APP_ID = "wx2c2769f8efd9abc2"
SAMPLE_TOKEN = "spamtest"
SAMPLE_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OA = {
    "APP_ID": SAMPLE_APP_ID,
    "APP_SECRET": "s3cret",
    "TOKEN": SAMPLE_TOKEN,
    "AES_KEY": "",
    "ORIGINAL_ID": "gh_10f6c3c3ac5a",
}
TOKEN_URL = "https://api.weixin.qq.com/cgi-bin/token"
USER_URL = "https://api.weixin.qq.com/cgi-bin/user/info"
QRCODE_URL = "https://api.weixin.qq.com/cgi-bin/qrcode/create"


def use_oa(settings: Any, *, safe: bool = False) -> None:
    settings.WECHAT_OA = {**OA, "AES_KEY": SAMPLE_AES_KEY if safe else ""}
    settings.WECHAT_API_BASE = config.API_HOST_BASE


def sha1_of(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - WeChat's


def signed_query(
    timestamp: str | None = None, nonce: str | None = None, **extra: str
) -> dict[str, str]:
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or secrets.token_hex(5)
    return {
        "signature": sha1_of(SAMPLE_TOKEN, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        **extra,
    }


def event_xml(openid: str, event: str, key: str = "", *, create_time: int = 1_700_000_000) -> str:
    ticket = "<Ticket><![CDATA[gQH47joAAAAAAAAAASxodHRwOi8v]]></Ticket>" if key else ""
    return (
        f"<xml><ToUserName><![CDATA[{OA['ORIGINAL_ID']}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey>{ticket}</xml>"
    )


def text_xml(openid: str, content: str, *, msg_id: int = 6054768590064713728) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{OA['ORIGINAL_ID']}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def push(body: str | bytes, query: dict[str, str] | None = None) -> Any:
    """POST a body to the callback as WeChat does (text/xml, the signed query)."""
    query = query if query is not None else signed_query(openid="o")
    data = body.encode() if isinstance(body, str) else body
    return Client().post(f"{CALLBACK}?{urlencode(query)}", data=data, content_type="text/xml")


def push_safe(xml: str, *, tamper: bool = False) -> Any:
    """The same push in safe mode: the body encrypted, signed in msg_signature."""
    query = signed_query(encrypt_type="aes")
    encrypt = PrpCrypto(WeChatCrypto(SAMPLE_TOKEN, SAMPLE_AES_KEY, SAMPLE_APP_ID).key).encrypt(
        xml, SAMPLE_APP_ID
    )
    encrypt = encrypt.decode() if isinstance(encrypt, bytes) else str(encrypt)
    query["msg_signature"] = sha1_of(SAMPLE_TOKEN, query["timestamp"], query["nonce"], encrypt)
    if tamper:
        query["msg_signature"] = "0" * 40
    body = (
        f"<xml><ToUserName><![CDATA[{OA['ORIGINAL_ID']}]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    )
    return push(body, query)


def reply_of(response: Any, *, safe: bool = False) -> dict[str, str]:
    """The reply's fields, decrypted (and its signature checked) in safe mode."""
    text = response.content.decode()
    if safe:
        outer = xmltodict.parse(text)["xml"]
        assert outer["MsgSignature"] == sha1_of(
            SAMPLE_TOKEN, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"]
        )
        text = WeChatCrypto(SAMPLE_TOKEN, SAMPLE_AES_KEY, SAMPLE_APP_ID).decrypt_message(
            text, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"]
        )
    return dict(xmltodict.parse(text)["xml"])
