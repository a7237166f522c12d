"""WeChat Pay API v3 adapter, on the wechatpayv3 SDK.

Runs in public-key mode (微信支付公钥: `public_key` + `public_key_id`), so nothing is downloaded
at start-up; platform certificates from a directory are accepted too (the older mode, and the
switch-over period when WeChat may sign with either). Every HTTP answer the SDK receives is
signature-checked by the SDK itself; notifications are checked here (timestamp window, known
signing key) and then by the SDK (RSA signature over the raw body, AES-256-GCM decryption).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Self
from urllib.parse import quote

from cryptography import x509
from django.conf import settings
from django.utils.translation import gettext as _
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.type import RequestType

from sharemall.core.errors import DomainError
from sharemall.core.http import epoch_seconds
from sharemall.payments.providers.base import (
    TIMESTAMP_WINDOW_SECONDS,
    Acknowledgement,
    InvalidNotification,
    Notification,
    PayRequest,
    ProviderError,
    ProviderNotConfigured,
    RefundResult,
    TransferRequest,
    TransferResult,
)
from sharemall.payments.providers.keys import (
    CHINA_TZ,
    missing_settings,
    raise_if_missing,
    read_key_file,
)

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
TRANSFER_PATH = "/v3/fund-app/mch-transfer/transfer-bills"
# 佣金报酬: what a distribution platform pays its sharers. Each scene has its own report fields.
TRANSFER_SCENE_ID = "1005"
DEFAULT_TRANSFER_REMARK = "佣金提现"
TRANSFER_NAME_REQUIRED_FEN = 200_000  # WeChat checks the payee's real name from 2000 yuan up
TRANSFER_NAME_ALLOWED_FEN = 30  # and refuses a name below 0.30 yuan
DESCRIPTION_MAX = 127
REFUND_REASON_MAX = 80
TRANSFER_REMARK_MAX = 32
TIMEOUT = (5, 20)  # connect, read (seconds); the SDK has none by default

_REFUND_STATUS: dict[str, Literal["succeeded", "processing", "failed"]] = {
    "SUCCESS": "succeeded",
    "PROCESSING": "processing",
    "ABNORMAL": "failed",
    "CLOSED": "failed",
}
_TRANSFER_STATUS: dict[str, Literal["succeeded", "processing", "failed"]] = {
    "SUCCESS": "succeeded",
    "FAIL": "failed",
    "CANCELLED": "failed",
    # ACCEPTED, PROCESSING, WAIT_USER_CONFIRM, TRANSFERING, CANCELING: not final yet.
}


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    return (value or "").strip()


def _load_platform_certificates(cert_dir: str) -> list[x509.Certificate]:
    """The currently valid platform certificates (*.pem) in `cert_dir`."""
    directory = Path(cert_dir)
    if not directory.is_dir():
        raise ProviderNotConfigured(f"WECHATPAY_CERT_DIR: {cert_dir!r} is not a directory")
    now = datetime.now(UTC)
    certificates = []
    for path in sorted(directory.iterdir()):
        if path.suffix.lower() != ".pem":
            continue
        try:
            certificate = x509.load_pem_x509_certificate(path.read_bytes())
        except (OSError, ValueError):
            continue
        if certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            certificates.append(certificate)
    return certificates


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(CHINA_TZ).isoformat(timespec="seconds")


class WeChatPayProvider:
    name = "wechatpay"

    def __init__(
        self,
        *,
        mchid: str,
        appid: str,
        cert_serial_no: str,
        private_key: str,
        apiv3_key: str,
        public_key: str = "",
        public_key_id: str = "",
        cert_dir: str = "",
        transfer_notify_url: str = "",
    ) -> None:
        if len(apiv3_key.encode()) != 32:
            raise ProviderNotConfigured("WECHATPAY_APIV3_KEY must be 32 bytes (AES-256)")
        if bool(public_key) != bool(public_key_id):
            raise ProviderNotConfigured(
                "WeChat Pay public-key mode needs both the key and its id "
                "(WECHATPAY_PUBLIC_KEY_PATH and WECHATPAY_PUBLIC_KEY_ID)"
            )
        certificates = _load_platform_certificates(cert_dir) if cert_dir else []
        if not public_key and not certificates:
            # Without this check the SDK would download certificates from inside __init__.
            raise ProviderNotConfigured(
                "WeChat Pay needs its public key (WECHATPAY_PUBLIC_KEY_PATH and "
                "WECHATPAY_PUBLIC_KEY_ID) or a valid platform certificate in WECHATPAY_CERT_DIR"
            )
        self.app_id = appid
        self.merchant_id = mchid
        self._public_key_id = public_key_id
        self._certificate_serials = {c.serial_number for c in certificates}
        self._transfer_notify_url = transfer_notify_url
        try:
            self._client: Any = WeChatPay(
                wechatpay_type=WeChatPayType.JSAPI,
                mchid=mchid,
                private_key=private_key,
                cert_serial_no=cert_serial_no,
                appid=appid,
                apiv3_key=apiv3_key,
                cert_dir=cert_dir or None,
                public_key=public_key or None,
                public_key_id=public_key_id or None,
                timeout=TIMEOUT,
            )
        except Exception as exc:
            raise ProviderNotConfigured(f"WeChat Pay keys could not be loaded: {exc}") from None
        if public_key and certificates:
            # Switch-over period: the SDK only loads certificates when it has no public key.
            self._client._core._certificates.extend(certificates)

    @classmethod
    def from_settings(cls) -> Self:
        config: Mapping[str, str] = settings.WECHATPAY
        missing = missing_settings(
            "WECHATPAY",
            config,
            ("MCHID", "APPID", "CERT_SERIAL_NO", "PRIVATE_KEY_PATH", "APIV3_KEY"),
        )
        public_key_path = config.get("PUBLIC_KEY_PATH", "").strip()
        public_key_id = config.get("PUBLIC_KEY_ID", "").strip()
        cert_dir = config.get("CERT_DIR", "").strip()
        hint = ""
        if public_key_path or public_key_id or not cert_dir:
            missing += missing_settings("WECHATPAY", config, ("PUBLIC_KEY_PATH", "PUBLIC_KEY_ID"))
            if not (public_key_path or public_key_id or cert_dir):
                hint = " (or WECHATPAY_CERT_DIR with platform certificates)"
        raise_if_missing("WeChat Pay", missing, hint)
        return cls(
            mchid=config["MCHID"].strip(),
            appid=config["APPID"].strip(),
            cert_serial_no=config["CERT_SERIAL_NO"].strip(),
            private_key=read_key_file("WECHATPAY", "PRIVATE_KEY_PATH", config["PRIVATE_KEY_PATH"]),
            apiv3_key=config["APIV3_KEY"].strip(),
            public_key=(
                read_key_file("WECHATPAY", "PUBLIC_KEY_PATH", public_key_path)
                if public_key_path
                else ""
            ),
            public_key_id=public_key_id,
            cert_dir=cert_dir,
        )

    # --- paying -------------------------------------------------------------------------------

    def create_payment(self, request: PayRequest) -> dict[str, Any]:
        if request.amount_fen <= 0:
            raise DomainError(_("a payment must be for a positive amount"), code="invalid_amount")
        if request.currency != "CNY":
            raise DomainError(_("WeChat Pay takes CNY only"), code="unsupported_currency")
        order: dict[str, Any] = {
            "description": request.description[:DESCRIPTION_MAX] or request.payment_no,
            "out_trade_no": request.payment_no,
            "amount": {"total": request.amount_fen, "currency": "CNY"},
            "notify_url": request.notify_url,
        }
        if request.expires_at is not None:
            order["time_expire"] = _rfc3339(request.expires_at)

        if request.scene == "jsapi":
            if not request.payer_openid:
                raise DomainError(
                    _("JSAPI payment needs the payer's openid"), code="payer_openid_required"
                )
            answer = self._call(
                "pay",
                lambda: self._client.pay(
                    **order, payer={"openid": request.payer_openid}, pay_type=WeChatPayType.JSAPI
                ),
            )
            return self._jsapi_parameters(self._field(answer, "prepay_id"))
        if request.scene == "native":
            answer = self._call(
                "pay", lambda: self._client.pay(**order, pay_type=WeChatPayType.NATIVE)
            )
            return {"code_url": self._field(answer, "code_url")}
        if request.scene == "h5":
            if not request.client_ip:
                raise DomainError(_("H5 payment needs the client's IP"), code="client_ip_required")
            scene_info = {"payer_client_ip": request.client_ip, "h5_info": {"type": "Wap"}}
            answer = self._call(
                "pay",
                lambda: self._client.pay(**order, scene_info=scene_info, pay_type=WeChatPayType.H5),
            )
            h5_url = self._field(answer, "h5_url")
            if request.return_url:
                h5_url += "&redirect_url=" + quote(request.return_url, safe="")
            return {"h5_url": h5_url}
        raise DomainError(
            _("WeChat Pay does not support the %(scene)s scene.") % {"scene": request.scene},
            code="unsupported_scene",
        )

    def _jsapi_parameters(self, prepay_id: str) -> dict[str, Any]:
        """What wx.requestPayment / WeixinJSBridge 'getBrandWCPayRequest' take, signed."""
        timestamp = str(int(time.time()))
        nonce = secrets.token_hex(16)
        package = f"prepay_id={prepay_id}"
        pay_sign = self._client.sign([self.app_id, timestamp, nonce, package])
        return {
            "appId": self.app_id,
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": pay_sign,
        }

    # --- notifications ------------------------------------------------------------------------

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        timestamp = _header(headers, "Wechatpay-Timestamp")
        nonce = _header(headers, "Wechatpay-Nonce")
        signature = _header(headers, "Wechatpay-Signature")
        serial = _header(headers, "Wechatpay-Serial")
        signature_type = _header(headers, "Wechatpay-Signature-Type") or SIGNATURE_TYPE
        if not (timestamp and nonce and signature and serial):
            raise InvalidNotification("missing Wechatpay-* signature headers")
        if epoch_seconds(timestamp) is None:
            raise InvalidNotification("malformed Wechatpay-Timestamp")
        if abs(time.time() - int(timestamp)) > TIMESTAMP_WINDOW_SECONDS:
            raise InvalidNotification("Wechatpay-Timestamp is outside the accepted window")
        if signature_type != SIGNATURE_TYPE:
            raise InvalidNotification(f"unsupported signature type {signature_type!r}")
        if not self._knows_serial(serial):
            # Checked here so the SDK never goes off to download certificates mid-request.
            raise InvalidNotification("signed with an unknown key (Wechatpay-Serial)")
        try:
            text = body.decode("utf-8")
            envelope = json.loads(text)
        except ValueError:
            raise InvalidNotification("the notification body is not JSON") from None
        if not isinstance(envelope, dict):
            raise InvalidNotification("the notification body is not a JSON object")
        if envelope.get("resource_type") != "encrypt-resource":
            raise InvalidNotification("unexpected resource_type")
        event_type = envelope.get("event_type")
        if not (isinstance(event_type, str) and event_type.startswith("TRANSACTION.")):
            raise InvalidNotification(f"not a payment notification: {event_type!r}")
        sdk_headers = {
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature,
            "Wechatpay-Serial": serial,
            "Wechatpay-Signature-Type": signature_type,
        }
        try:
            verified = self._client.callback(sdk_headers, text)
        except Exception:
            raise InvalidNotification("the notification could not be verified") from None
        if not verified:
            # The SDK answers None for a bad signature and for a resource it cannot decrypt.
            raise InvalidNotification("bad signature, or undecryptable resource")
        transaction = verified.get("resource")
        if not isinstance(transaction, dict):
            raise InvalidNotification("the decrypted resource is not a JSON object")
        return self._notification(transaction)

    def _knows_serial(self, serial: str) -> bool:
        if self._public_key_id and serial == self._public_key_id:
            return True
        try:
            return int(serial, 16) in self._certificate_serials
        except ValueError:
            return False

    def _notification(self, transaction: dict[str, Any]) -> Notification:
        payment_no = transaction.get("out_trade_no")
        txn_id = transaction.get("transaction_id", "")
        state = transaction.get("trade_state")
        amount = transaction.get("amount")
        if not (isinstance(payment_no, str) and payment_no):
            raise InvalidNotification("the transaction has no out_trade_no")
        if not isinstance(state, str):
            raise InvalidNotification("the transaction has no trade_state")
        paid = state == "SUCCESS"
        if not isinstance(txn_id, str) or (paid and not txn_id):
            raise InvalidNotification("the transaction has no transaction_id")
        if not isinstance(amount, dict):
            raise InvalidNotification("the transaction has no amount")
        total = amount.get("total")
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise InvalidNotification("amount.total is not a whole number of fen")
        currency = amount.get("currency") or "CNY"
        if not isinstance(currency, str):
            raise InvalidNotification("amount.currency is not text")
        paid_at = None
        success_time = transaction.get("success_time")
        if success_time:
            try:
                paid_at = datetime.fromisoformat(str(success_time))
            except ValueError:
                raise InvalidNotification("malformed success_time") from None
            if paid_at.tzinfo is None:
                raise InvalidNotification("success_time has no offset")
        return Notification(
            provider=self.name,
            payment_no=payment_no,
            provider_txn_id=txn_id,
            amount_fen=total,
            currency=currency,
            paid=paid,
            app_id=str(transaction.get("appid", "")),
            merchant_id=str(transaction.get("mchid", "")),
            paid_at=paid_at,
            raw=transaction,
        )

    def acknowledge(self, ok: bool) -> Acknowledgement:
        # v3: 200/204 with no body means received; anything else, with a FAIL body, is retried.
        if ok:
            return Acknowledgement(status=200, body=b"", content_type="text/plain")
        body = json.dumps({"code": "FAIL", "message": "失败"}, ensure_ascii=False).encode()
        return Acknowledgement(status=400, body=body, content_type="application/json")

    # --- refunds and transfers ----------------------------------------------------------------

    def refund(
        self, *, payment_no: str, refund_no: str, refund_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        if not 0 < refund_fen <= total_fen:
            raise DomainError(
                _("a refund must be positive and within the total"), code="invalid_amount"
            )
        amount = {"refund": refund_fen, "total": total_fen, "currency": "CNY"}
        # Re-sending the same out_refund_no is answered with that same refund: retries are safe.
        answer = self._call(
            "refund",
            lambda: self._client.refund(
                out_refund_no=refund_no,
                amount=amount,
                out_trade_no=payment_no,
                reason=reason[:REFUND_REASON_MAX] or None,
            ),
        )
        status = _REFUND_STATUS.get(str(answer.get("status", "")), "processing")
        return RefundResult(
            status=status, provider_refund_id=self._field(answer, "refund_id"), raw=answer
        )

    def transfer(self, request: TransferRequest) -> TransferResult:
        """商家转账 (the 2025 single-bill API). Most bills wait for the payee to confirm in
        WeChat: the answer then carries `package_info` for wx.requestMerchantTransfer and
        the status stays "processing" until the payee accepts."""
        if request.amount_fen <= 0:
            raise DomainError(_("a transfer must be for a positive amount"), code="invalid_amount")
        if request.amount_fen >= TRANSFER_NAME_REQUIRED_FEN and not request.payee_name:
            raise DomainError(
                _("WeChat needs the payee's real name from 2000 yuan up"),
                code="payee_name_required",
            )
        remark = (request.remark or DEFAULT_TRANSFER_REMARK)[:TRANSFER_REMARK_MAX]
        bill: dict[str, Any] = {
            "appid": self.app_id,
            "out_bill_no": request.transfer_no,
            "transfer_scene_id": TRANSFER_SCENE_ID,
            "openid": request.payee,
            "transfer_amount": request.amount_fen,
            "transfer_remark": remark,
            "transfer_scene_report_infos": [
                {"info_type": "岗位类型", "info_content": "分享推广"},
                {"info_type": "报酬说明", "info_content": remark},
            ],
        }
        if self._transfer_notify_url:
            bill["notify_url"] = self._transfer_notify_url
        core = self._client._core
        try:
            cipher = False
            if request.payee_name and request.amount_fen >= TRANSFER_NAME_ALLOWED_FEN:
                bill["user_name"] = core.encrypt(request.payee_name)
                cipher = True
            # Sent through the SDK's signed-request core rather than its mch_transfer_bills,
            # which always sends "notify_url": null when none is given, and WeChat refuses it.
            status, message = core.request(
                TRANSFER_PATH, method=RequestType.POST, data=bill, cipher_data=cipher
            )
        except Exception as exc:
            status, message = 0, f"request failed ({exc.__class__.__name__})"
        if 200 <= status < 300:
            return self._transfer_result(self._decode("transfer", message))
        # A retry of a bill WeChat already holds, or a call that never arrived: ask by our
        # number before reporting an error, so the same transfer_no is never paid twice.
        try:
            found, found_message = self._client.mch_transfer_bills_query(
                out_bill_no=request.transfer_no
            )
        except Exception:
            found, found_message = 0, ""
        if 200 <= found < 300:
            return self._transfer_result(self._decode("transfer query", found_message))
        raise self._error("transfer", status, message)

    def _transfer_result(self, answer: dict[str, Any]) -> TransferResult:
        status = _TRANSFER_STATUS.get(str(answer.get("state", "")), "processing")
        return TransferResult(
            status=status,
            provider_transfer_id=str(answer.get("transfer_bill_no", "")),
            raw=answer,
        )

    # --- plumbing -----------------------------------------------------------------------------

    def _call(self, action: str, send: Callable[[], tuple[int, Any]]) -> dict[str, Any]:
        try:
            status, message = send()
        except Exception as exc:
            raise ProviderError(
                f"wechatpay {action}: request failed ({exc.__class__.__name__})"
            ) from exc
        if not 200 <= status < 300:
            raise self._error(action, status, message)
        return self._decode(action, message)

    @staticmethod
    def _decode(action: str, message: Any) -> dict[str, Any]:
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        try:
            answer = json.loads(message) if message else {}
        except ValueError:
            raise ProviderError(f"wechatpay {action}: the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise ProviderError(f"wechatpay {action}: the answer is not a JSON object")
        return answer

    @staticmethod
    def _error(action: str, status: int, message: Any) -> ProviderError:
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        code, text = "", str(message or "")
        try:
            answer = json.loads(message)
            if isinstance(answer, dict):
                code, text = str(answer.get("code", "")), str(answer.get("message", ""))
        except (TypeError, ValueError):
            pass
        return ProviderError(
            f"wechatpay {action} failed: {status or 'no answer'} {code} {text}".strip(),
            details={"status": status, "code": code, "message": text},
        )

    @staticmethod
    def _field(answer: dict[str, Any], name: str) -> str:
        value = answer.get(name)
        if not (isinstance(value, str) and value):
            raise ProviderError(f"wechatpay: the answer has no {name}")
        return value
