"""The built-in sandbox provider: for the demo and the tests.

It "pays" at once, but its callback is a real signed notification (RSA-SHA256 over
timestamp, nonce and raw body, as WeChat Pay v3 does) that goes through the same verification and
the same checks against our records as a real provider's. The key is made locally on first use.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.db import IntegrityError, transaction

from sharemall.core.http import epoch_seconds
from sharemall.payments.models import SandboxKey
from sharemall.payments.providers.base import (
    TIMESTAMP_WINDOW_SECONDS,
    Acknowledgement,
    InvalidNotification,
    Notification,
    PayRequest,
    ProviderNotConfigured,
    RefundResult,
    TransferRequest,
    TransferResult,
)

SANDBOX_APP_ID = "sandbox-app"
SANDBOX_MERCHANT_ID = "sandbox-merchant"
_key_cache: dict[str, rsa.RSAPrivateKey] = {}


def _private_key() -> rsa.RSAPrivateKey:
    cached = _key_cache.get("default")
    if cached is not None:
        return cached
    row = SandboxKey.objects.filter(name="default").first()
    if row is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        try:
            with transaction.atomic():
                SandboxKey.objects.create(name="default", private_pem=pem)
        except IntegrityError:
            pass  # another worker made it first: use theirs
        row = SandboxKey.objects.get(name="default")
    loaded = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    _key_cache["default"] = loaded
    return loaded


def _message(timestamp: str, nonce: str, body: bytes) -> bytes:
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


class SandboxProvider:
    name = "sandbox"
    app_id = SANDBOX_APP_ID
    merchant_id = SANDBOX_MERCHANT_ID

    @classmethod
    def from_settings(cls) -> SandboxProvider:
        if not settings.SANDBOX_PAYMENTS:
            raise ProviderNotConfigured(
                "The sandbox payment provider is off (set SANDBOX_PAYMENTS=1 to turn it on)."
            )
        return cls()

    def create_payment(self, request: PayRequest) -> dict[str, Any]:
        return {
            "provider": self.name,
            "payment_no": request.payment_no,
            "amount_fen": request.amount_fen,
            "pay_url": f"/pay/sandbox/{request.payment_no}",
        }

    def jsapi_params(self, *, payment_no: str, app_id: str) -> dict[str, str]:
        """What WeChat Pay's JSAPI hands the pay page for WeixinJSBridge (appId, timeStamp,
        nonceStr, package, signType, paySign), for the WeChat simulator's pay sheet: signed
        the way WeChat Pay signs them (RSA over the four values), with the sandbox's key. The
        payment itself still completes through the sandbox's signed callback."""
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        package = f"prepay_id=sandbox_{payment_no}"
        message = f"{app_id}\n{timestamp}\n{nonce}\n{package}\n".encode()
        signature = _private_key().sign(message, padding.PKCS1v15(), hashes.SHA256())
        return {
            "appId": app_id,
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": base64.b64encode(signature).decode(),
        }

    def signed_notification(
        self,
        *,
        payment_no: str,
        amount_fen: int,
        currency: str = "CNY",
        txn_id: str | None = None,
        paid: bool = True,
        timestamp: int | None = None,
    ) -> tuple[dict[str, str], bytes]:
        """What the sandbox "bank" sends back: headers and a raw JSON body, signed."""
        body = json.dumps(
            {
                "payment_no": payment_no,
                # Like a real provider, the sandbox charges a payment number once: its
                # transaction id follows from it, so repeated callbacks are duplicates.
                "txn_id": txn_id or f"SBX{payment_no}",
                "amount_fen": amount_fen,
                "currency": currency,
                "status": "SUCCESS" if paid else "NOTPAY",
                "app_id": self.app_id,
                "merchant_id": self.merchant_id,
                "paid_at": datetime.now(UTC).isoformat(),
            },
            separators=(",", ":"),
        ).encode()
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(16)
        signature = _private_key().sign(
            _message(ts, nonce, body), padding.PKCS1v15(), hashes.SHA256()
        )
        headers = {
            "Sandbox-Timestamp": ts,
            "Sandbox-Nonce": nonce,
            "Sandbox-Signature": base64.b64encode(signature).decode(),
        }
        return headers, body

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        ts, nonce, signature = (
            headers.get("Sandbox-Timestamp", ""),
            headers.get("Sandbox-Nonce", ""),
            headers.get("Sandbox-Signature", ""),
        )
        if not (epoch_seconds(ts) is not None and nonce and signature):
            raise InvalidNotification("Missing or malformed signature headers.")
        if abs(time.time() - int(ts)) > TIMESTAMP_WINDOW_SECONDS:
            raise InvalidNotification("The notification's timestamp is outside the window.")
        try:
            raw_signature = base64.b64decode(signature, validate=True)
            _private_key().public_key().verify(
                raw_signature, _message(ts, nonce, body), padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, ValueError):
            raise InvalidNotification("The notification's signature does not verify.") from None
        try:
            data = json.loads(body)
            amount = data["amount_fen"]
            if not isinstance(amount, int) or isinstance(amount, bool):
                raise TypeError
            return Notification(
                provider=self.name,
                payment_no=str(data["payment_no"]),
                provider_txn_id=str(data["txn_id"]),
                amount_fen=amount,
                currency=str(data["currency"]),
                paid=data["status"] == "SUCCESS",
                app_id=str(data["app_id"]),
                merchant_id=str(data["merchant_id"]),
                paid_at=datetime.fromisoformat(data["paid_at"]),
                raw=data,
            )
        except (ValueError, KeyError, TypeError):
            raise InvalidNotification("The notification body is malformed.") from None

    def acknowledge(self, ok: bool) -> Acknowledgement:
        body = json.dumps({"code": "SUCCESS" if ok else "FAIL"}).encode()
        return Acknowledgement(200 if ok else 400, body, "application/json")

    def refund(
        self, *, payment_no: str, refund_no: str, refund_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        return RefundResult("succeeded", f"SBXR{refund_no}")

    def transfer(self, request: TransferRequest) -> TransferResult:
        return TransferResult("succeeded", f"SBXT{request.transfer_no}")
