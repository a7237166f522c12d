"""The component's callback protocol (授权事件接收 URL): signatures, decryption, parsing.

WeChat signs the query (`signature` = sha1 of the sorted component token, `timestamp` and
`nonce`) and always encrypts the body (`<xml><AppId/><Encrypt/></xml>`, `msg_signature`) with the
component's token, EncodingAESKey and app id. The notices are wechatpy's component messages
(`InfoType`: component_verify_ticket, authorized, updateauthorized, unauthorized). Failures come
out as two answers: a signature that does not verify (403 `invalid_signature`) and a body that
is not WeChat's (400 `invalid_message`).
"""

from __future__ import annotations

from dataclasses import dataclass

import xmltodict
from django.utils.translation import gettext as _
from wechatpy.component import COMPONENT_MESSAGE_TYPES, ComponentUnknownMessage
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from sharemall.core.errors import DomainError, Forbidden
from sharemall.wechat.config import Account

# WeChat never sends a document type; refusing one keeps entity tricks away from the parser.
_FORBIDDEN_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")
APP_ID_MAX, TICKET_MAX = 40, 512


class InvalidMessage(DomainError):
    status = 400
    code = "invalid_message"


def _refused() -> Forbidden:
    return Forbidden(_("The WeChat signature does not match."), code="invalid_signature")


def _not_wechat() -> InvalidMessage:
    return InvalidMessage(_("The body is not a WeChat message."))


@dataclass(frozen=True)
class Notice:
    """One component notice, reduced to what we act on."""

    kind: str  # InfoType, lower case ("unknown" for one wechatpy does not know)
    component_app_id: str
    authorizer_app_id: str = ""
    verify_ticket: str = ""


def verify(account: Account, signature: str, timestamp: str, nonce: str) -> None:
    """The query's signature, or 403 `invalid_signature` (also when a part is missing)."""
    if not (signature and timestamp and nonce):
        raise _refused()
    try:
        check_signature(account.token, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise _refused() from None


def _text(body: bytes) -> str:
    if any(marker in body.upper() for marker in _FORBIDDEN_MARKUP):
        raise _not_wechat()
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise _not_wechat() from None


def read(
    account: Account, body: bytes, *, msg_signature: str, timestamp: str, nonce: str
) -> Notice:
    """The notice in a pushed body whose query signature was verified."""
    text = _text(body)
    if not msg_signature:
        raise _refused()
    crypto = WeChatCrypto(account.token, account.aes_key, account.app_id)
    try:
        plain = str(crypto.decrypt_message(text, msg_signature, timestamp, nonce))
    except InvalidSignatureException:
        raise _refused() from None
    except Exception:  # XML, base64, padding, length, another app id: wechatpy raises them
        # all, and every one means a body we cannot read.
        raise _not_wechat() from None
    _text(plain.encode("utf-8"))
    try:
        data = xmltodict.parse(plain)["xml"]
        kind = str(data["InfoType"]).lower()
        message = COMPONENT_MESSAGE_TYPES.get(kind, ComponentUnknownMessage)(data)
        notice = Notice(
            kind=kind if kind in COMPONENT_MESSAGE_TYPES else "unknown",
            component_app_id=str(message.appid or ""),
            authorizer_app_id=str(getattr(message, "authorizer_appid", "") or ""),
            verify_ticket=str(getattr(message, "verify_ticket", "") or ""),
        )
    except Exception:  # xmltodict and wechatpy's fields fail in many ways
        raise _not_wechat() from None
    if len(notice.authorizer_app_id) > APP_ID_MAX or len(notice.verify_ticket) > TICKET_MAX:
        raise _not_wechat()
    return notice
