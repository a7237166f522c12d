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

from sharemall.wechat.config import Account
from sharemall.wechat.wire import InvalidMessage, decrypt, xml_text

APP_ID_MAX, TICKET_MAX = 40, 512


def _not_wechat() -> InvalidMessage:
    return InvalidMessage(_("The body is not a WeChat message."))


@dataclass(frozen=True)
class Notice:
    """One component notice, reduced to what we act on."""

    kind: str  # InfoType, lower case ("unknown" for one wechatpy does not know)
    component_app_id: str
    authorizer_app_id: str = ""
    verify_ticket: str = ""


def read(
    account: Account, body: bytes, *, msg_signature: str, timestamp: str, nonce: str
) -> Notice:
    """The notice in a pushed body whose query signature was verified."""
    plain = decrypt(account, xml_text(body), msg_signature, timestamp, nonce)
    xml_text(plain.encode("utf-8"))
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
