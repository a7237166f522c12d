"""What every WeChat push shares (the official account's server, the component's callback, a
merchant account's events): the query signature, the XML guard, safe-mode decryption, and the two
answers a bad push gets — 403 `invalid_signature` and 400 `invalid_message`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from sharemall.core.errors import DomainError, Forbidden
from sharemall.wechat.config import Account

# WeChat never sends a document type; refusing one keeps entity tricks away from the parser.
_FORBIDDEN_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")


class InvalidMessage(DomainError):
    status = 400
    code = "invalid_message"


def refused() -> Forbidden:
    return Forbidden(_("The WeChat signature does not match."), code="invalid_signature")


def verify(account: Account, signature: str, timestamp: str, nonce: str) -> None:
    """The URL's signature, or 403 `invalid_signature` (also when a part is missing)."""
    if not (account.token and signature and timestamp and nonce):
        raise refused()
    try:
        check_signature(account.token, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise refused() from None


def xml_text(body: bytes) -> str:
    head = body.upper()
    if any(marker in head for marker in _FORBIDDEN_MARKUP):
        raise InvalidMessage(_("The body is not a WeChat message."))
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidMessage(_("The body is not a WeChat message.")) from None


def decrypt(account: Account, body: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    if not account.safe_mode:
        raise InvalidMessage(_("This account does not use encrypted messages."))
    if not msg_signature:
        raise refused()
    crypto = WeChatCrypto(account.token, account.aes_key, account.app_id)
    try:
        return str(crypto.decrypt_message(body, msg_signature, timestamp, nonce))
    except InvalidSignatureException:
        raise refused() from None
    except Exception:  # any other failure is a body we cannot read: XML,
        # base64, padding, length, a ciphertext for another app id (wechatpy raises them all).
        raise InvalidMessage(_("The encrypted message could not be read.")) from None
