"""The payment provider interface every adapter (sandbox, wechatpay, alipay) implements.

An adapter speaks its provider's protocol and nothing else: it builds the parameters a client
needs to pay, verifies and decodes notifications (signature over the raw body, timestamp window,
decryption), and asks the provider for refunds and transfers. Checking a notification against
*our* payment (amount, currency, app and merchant id, duplicates) is done once, in
`sharemall.payments.services`, for every provider alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from sharemall.core.errors import DomainError

# A notification older (or further in the future) than this is refused as a possible replay.
TIMESTAMP_WINDOW_SECONDS = 300


class ProviderNotConfigured(DomainError):
    """The provider is switched off: its settings are missing."""

    status = 400
    code = "provider_not_configured"


class InvalidNotification(DomainError):
    """A callback that failed verification: bad signature, stale timestamp, undecryptable…"""

    status = 400
    code = "invalid_notification"


class ProviderError(DomainError):
    """The provider answered with an error, or could not be reached."""

    status = 502
    code = "provider_error"


Scene = Literal["jsapi", "native", "h5", "app", "wap", "page", "sandbox"]


@dataclass(frozen=True)
class PayRequest:
    payment_no: str  # our out_trade_no, unique per payment
    amount_fen: int
    description: str
    notify_url: str  # absolute URL the provider calls back
    scene: Scene
    currency: str = "CNY"
    client_ip: str = ""
    payer_openid: str = ""  # WeChat JSAPI / mini-program payer
    return_url: str = ""  # where a browser goes after paying (Alipay page/wap)
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Notification:
    """A verified, decoded payment notification, not yet checked against our records."""

    provider: str
    payment_no: str
    provider_txn_id: str  # the provider's own transaction id: the deduplication key
    amount_fen: int
    currency: str
    paid: bool  # True only for a success state (SUCCESS / TRADE_SUCCESS / TRADE_FINISHED)
    app_id: str
    merchant_id: str  # the provider-side merchant (mchid / seller_id); "" if not sent
    paid_at: datetime | None
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    status: Literal["succeeded", "processing", "failed"]
    provider_refund_id: str
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TransferRequest:
    transfer_no: str  # our out-bill number: reused on every retry so nothing is paid twice
    amount_fen: int
    payee: str  # WeChat openid, or Alipay logon id / user id
    payee_name: str = ""  # real name, checked by the provider above its threshold
    remark: str = ""


@dataclass(frozen=True)
class TransferResult:
    status: Literal["succeeded", "processing", "failed"]
    provider_transfer_id: str
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Acknowledgement:
    """What the provider expects to read back from our notification endpoint."""

    status: int
    body: bytes
    content_type: str


class PaymentProvider(Protocol):
    name: str
    app_id: str  # the app id notifications must carry
    merchant_id: str  # the provider-side merchant id notifications must carry ("" if none)

    def create_payment(self, request: PayRequest) -> dict[str, Any]:
        """Parameters the client needs to pay (prepay id, pay URL, signed JSAPI params…)."""
        ...

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        """Verify (signature over the raw body, timestamp window) and decode, or raise
        InvalidNotification. Must not touch the database."""
        ...

    def acknowledge(self, ok: bool) -> Acknowledgement: ...

    def refund(
        self, *, payment_no: str, refund_no: str, refund_fen: int, total_fen: int, reason: str
    ) -> RefundResult: ...

    def transfer(self, request: TransferRequest) -> TransferResult: ...
