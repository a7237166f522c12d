"""The official account's message protocol: signatures, safe mode, parsing, replies.

WeChat signs every request to our server URL: `signature` = sha1 of the sorted token,
`timestamp` and `nonce`. In safe mode (`encrypt_type=aes`, the account has an EncodingAESKey)
the body's `<Encrypt>` is AES-encrypted and signed again in `msg_signature`, and our reply is
encrypted the same way. Everything here is wechatpy's; this module turns its many failures into
two answers: a signature that does not verify (403) and a body that is not WeChat's XML (400).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.utils.translation import gettext as _
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.messages import BaseMessage
from wechatpy.replies import TextReply

from sharemall.wechat.config import Account
from sharemall.wechat.wire import InvalidMessage, decrypt, xml_text

# What the server does with each message type (wechatpy's names after parsing).
SUBSCRIBE, SCAN, UNSUBSCRIBE, TEXT = "subscribe", "scan", "unsubscribe", "text"
OPENID_MAX, SCENE_MAX = 64, 64


@dataclass(frozen=True)
class Incoming:
    """One message or event from a follower, reduced to what the server acts on."""

    kind: str  # SUBSCRIBE, SCAN, UNSUBSCRIBE, TEXT, or whatever else wechatpy calls it
    openid: str  # FromUserName
    account_id: str  # ToUserName: the account's original id (gh_…)
    create_time: int
    key: str  # what makes a retry the same push: the Event as sent, or the MsgId
    scene: str = ""  # a QR code's scene (subscribe through a code, SCAN)
    encrypted: bool = False


def _reduce(message: BaseMessage, encrypted: bool) -> Incoming:
    kind = str(message.type if message.type != "event" else message.event)
    raw = message._data  # wechatpy keeps the parsed XML here
    if kind in {SUBSCRIBE, "subscribe_scan"}:
        key, kind = SUBSCRIBE, SUBSCRIBE
    elif kind in {SCAN, UNSUBSCRIBE}:
        key = str(raw.get("Event") or kind)
    else:
        key = str(raw.get("MsgId") or raw.get("Event") or kind)
    scene = raw.get("EventKey") if kind in {SUBSCRIBE, SCAN} else ""
    openid = message.source
    if not isinstance(openid, str) or not 0 < len(openid) <= OPENID_MAX:
        raise InvalidMessage(_("The message has no sender."))
    if not isinstance(scene, str) or len(scene) > SCENE_MAX:
        scene = ""
    return Incoming(
        kind=kind,
        openid=openid,
        account_id=str(message.target or ""),
        create_time=int(message.time),
        key=key[:40],
        scene=scene,
        encrypted=encrypted,
    )


def read(
    account: Account,
    body: bytes,
    *,
    encrypt_type: str,
    msg_signature: str,
    timestamp: str,
    nonce: str,
) -> Incoming:
    """The message in a pushed body (whose URL signature was verified), decrypted in safe mode.
    400 `invalid_message` for anything that is not WeChat's XML; 403 for a bad msg_signature."""
    text = xml_text(body)
    encrypted = encrypt_type.lower() == "aes"
    if encrypted:
        text = decrypt(account, text, msg_signature, timestamp, nonce)
        xml_text(text.encode("utf-8"))
    try:
        message = parse_message(text)
        if message is None:
            raise ValueError("empty")
        return _reduce(message, encrypted)
    except InvalidMessage:
        raise
    except Exception:  # xmltodict and wechatpy's fields fail in many ways
        # (not XML, no <xml> root, a CreateTime that is not a number, nested nonsense).
        raise InvalidMessage(_("The body is not a WeChat message.")) from None


def reply_text(account: Account, incoming: Incoming, content: str) -> str:
    """A text reply to `incoming`, encrypted when the push was."""
    reply = TextReply(
        source=incoming.account_id or account.original_id,
        target=incoming.openid,
        content=content,
        time=int(time.time()),
    ).render()
    if not incoming.encrypted:
        return str(reply)
    crypto = WeChatCrypto(account.token, account.aes_key, account.app_id)
    return str(crypto.encrypt_message(reply, secrets.token_hex(8), str(int(time.time()))))
