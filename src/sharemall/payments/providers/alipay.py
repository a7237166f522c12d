"""Alipay adapter (RSA2, public-key mode), on python-alipay-sdk.

Requests are built with the SDK's generic `client_api` / `server_api` rather than its per-API
helpers: those stamp `timestamp` with the server's naive local time (8 hours off on a UTC host)
and use the product code QUICK_WAP_PAY where Alipay documents QUICK_WAP_WAY. The SDK signs every
request and checks the signature of every synchronous answer; notifications are checked here
(notify_time window, exact amount) and by the SDK's `verify` (RSA2 over the sorted parameters).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal, Self
from urllib.parse import parse_qsl

from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from django.conf import settings
from django.utils.translation import gettext as _

from sharemall.core.errors import DomainError
from sharemall.core.money import MoneyError, format_yuan, parse_yuan
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
    as_pem,
    china_local_text,
    missing_settings,
    parse_china_local_text,
    raise_if_missing,
    read_key_file,
)

GATEWAY = "https://openapi.alipay.com/gateway.do"
SANDBOX_GATEWAY = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
PAID_STATES = frozenset({"TRADE_SUCCESS", "TRADE_FINISHED"})
SUCCESS_CODE = "10000"
BUSINESS_FAILURE_CODE = "40004"  # the request was understood and refused
ALIPAY_USER_ID = re.compile(r"2088[0-9]{12}")
DEFAULT_TRANSFER_TITLE = "佣金提现"
SUBJECT_MAX = 256
REASON_MAX = 256
MAX_NOTIFICATION_FIELDS = 200

_SCENES = {
    "wap": ("alipay.trade.wap.pay", "QUICK_WAP_WAY"),
    "page": ("alipay.trade.page.pay", "FAST_INSTANT_TRADE_PAY"),
}
_TRANSFER_STATUS: dict[str, Literal["succeeded", "processing", "failed"]] = {
    "SUCCESS": "succeeded",
    "DEALING": "processing",
    "FAIL": "failed",
    "REFUND": "failed",  # 退票: the money came back to us
}


def _is_system_error(answer: Mapping[str, Any]) -> bool:
    """Alipay's own trouble (retry later), as opposed to a refusal of the request."""
    return "SYSTEM_ERROR" in str(answer.get("sub_code", "")).upper()


class AlipayProvider:
    name = "alipay"

    def __init__(
        self,
        *,
        appid: str,
        private_key: str,
        alipay_public_key: str,
        seller_id: str = "",
        sandbox: bool = False,
    ) -> None:
        try:
            client: Any = AliPay(
                appid=appid,
                app_private_key_string=as_pem(private_key, "PRIVATE KEY"),
                alipay_public_key_string=as_pem(alipay_public_key, "PUBLIC KEY"),
                sign_type="RSA2",
                debug=sandbox,
            )
        except Exception as exc:
            raise ProviderNotConfigured(
                f"Alipay keys could not be loaded ({exc.__class__.__name__})"
            ) from None
        if not client.app_private_key.has_private():
            raise ProviderNotConfigured("ALIPAY_PRIVATE_KEY_PATH holds a public key")
        self._client = client
        self.app_id = appid
        self.merchant_id = seller_id
        self.gateway = SANDBOX_GATEWAY if sandbox else GATEWAY

    @classmethod
    def from_settings(cls) -> Self:
        config: Mapping[str, str] = settings.ALIPAY
        raise_if_missing(
            "Alipay",
            missing_settings("ALIPAY", config, ("APPID", "PRIVATE_KEY_PATH", "PUBLIC_KEY_PATH")),
        )
        return cls(
            appid=config["APPID"].strip(),
            private_key=read_key_file("ALIPAY", "PRIVATE_KEY_PATH", config["PRIVATE_KEY_PATH"]),
            alipay_public_key=read_key_file("ALIPAY", "PUBLIC_KEY_PATH", config["PUBLIC_KEY_PATH"]),
            seller_id=(config.get("SELLER_ID") or "").strip(),
            sandbox=bool(settings.ALIPAY_SANDBOX_GATEWAY),
        )

    # --- paying -------------------------------------------------------------------------------

    def create_payment(self, request: PayRequest) -> dict[str, Any]:
        scene = _SCENES.get(request.scene)
        if scene is None:
            raise DomainError(
                _("Alipay does not support the %(scene)s scene.") % {"scene": request.scene},
                code="unsupported_scene",
            )
        if request.currency != "CNY":
            raise DomainError(_("Alipay takes CNY only"), code="unsupported_currency")
        method, product_code = scene
        biz_content: dict[str, Any] = {
            "subject": request.description[:SUBJECT_MAX] or request.payment_no,
            "out_trade_no": request.payment_no,
            "total_amount": self._yuan(request.amount_fen),
            "product_code": product_code,
        }
        if request.expires_at is not None:
            biz_content["time_expire"] = china_local_text(request.expires_at)
        if request.scene == "wap" and request.return_url:
            biz_content["quit_url"] = request.return_url
        signed = self._client.client_api(
            method,
            biz_content,
            notify_url=request.notify_url,
            return_url=request.return_url,
            timestamp=china_local_text(datetime.now(UTC)),
        )
        return {"pay_url": f"{self.gateway}?{signed}"}

    # --- notifications ------------------------------------------------------------------------

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        try:
            pairs = parse_qsl(
                body.decode("utf-8"),
                keep_blank_values=True,
                strict_parsing=True,
                max_num_fields=MAX_NOTIFICATION_FIELDS,
            )
        except ValueError:
            raise InvalidNotification("the notification is not a UTF-8 form body") from None
        data: dict[str, str] = {}
        for key, value in pairs:
            if key in data:
                raise InvalidNotification(f"the notification repeats {key!r}")
            data[key] = value
        signature = data.pop("sign", "")
        if not signature:
            raise InvalidNotification("the notification is not signed")
        if data.get("sign_type") != "RSA2":
            raise InvalidNotification("the notification is not signed with RSA2")
        try:
            notified_at = parse_china_local_text(data.get("notify_time", ""))
        except ValueError:
            raise InvalidNotification("missing or malformed notify_time") from None
        age = abs((datetime.now(UTC) - notified_at).total_seconds())
        if age > TIMESTAMP_WINDOW_SECONDS:
            raise InvalidNotification("notify_time is outside the accepted window")
        try:
            # `verify` drops sign_type itself and signs the rest sorted, as Alipay does.
            verified = self._client.verify(dict(data), signature)
        except Exception:
            verified = False
        if not verified:
            raise InvalidNotification("bad signature")
        return self._notification(data)

    def _notification(self, data: dict[str, str]) -> Notification:
        payment_no = data.get("out_trade_no", "")
        trade_no = data.get("trade_no", "")
        trade_status = data.get("trade_status", "")
        if not (payment_no and trade_no and trade_status):
            raise InvalidNotification("out_trade_no, trade_no or trade_status is missing")
        try:
            amount_fen = parse_yuan(data.get("total_amount", ""), plain=True)
        except MoneyError:
            raise InvalidNotification("total_amount is not a whole number of fen") from None
        paid_at = None
        if data.get("gmt_payment"):
            try:
                paid_at = parse_china_local_text(data["gmt_payment"])
            except ValueError:
                raise InvalidNotification("malformed gmt_payment") from None
        return Notification(
            provider=self.name,
            payment_no=payment_no,
            provider_txn_id=trade_no,
            amount_fen=amount_fen,
            currency=data.get("trans_currency") or "CNY",
            paid=trade_status in PAID_STATES,
            app_id=data.get("app_id", ""),
            merchant_id=data.get("seller_id", ""),
            paid_at=paid_at,
            raw=data,
        )

    def acknowledge(self, ok: bool) -> Acknowledgement:
        # Alipay reads the body: exactly "success" stops the retries, anything else is retried.
        if ok:
            return Acknowledgement(status=200, body=b"success", content_type="text/plain")
        return Acknowledgement(status=400, body=b"failure", content_type="text/plain")

    # --- refunds and transfers ----------------------------------------------------------------

    def refund(
        self, *, payment_no: str, refund_no: str, refund_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        if not 0 < refund_fen <= total_fen:
            raise DomainError(
                _("a refund must be positive and within the total"), code="invalid_amount"
            )
        biz_content = {
            "out_trade_no": payment_no,
            "refund_amount": self._yuan(refund_fen),
            # Alipay's idempotency key: a retry with the same number refunds nothing twice.
            "out_request_no": refund_no,
        }
        if reason:
            biz_content["refund_reason"] = reason[:REASON_MAX]
        answer = self._server("alipay.trade.refund", biz_content)
        code = str(answer.get("code", ""))
        # Alipay names no refund: (trade_no, out_request_no) is what identifies one.
        refund_id = f"{answer.get('trade_no') or payment_no}:{refund_no}"
        if code == SUCCESS_CODE:
            if answer.get("fund_change") == "Y":
                return RefundResult(status="succeeded", provider_refund_id=refund_id, raw=answer)
            # "N" also answers a retry of a refund that already went through: ask.
            return RefundResult(
                status=self._refund_query_status(payment_no, refund_no),
                provider_refund_id=refund_id,
                raw=answer,
            )
        if code == BUSINESS_FAILURE_CODE and not _is_system_error(answer):
            return RefundResult(status="failed", provider_refund_id=refund_id, raw=answer)
        raise self._refused("refund", answer)

    def _refund_query_status(
        self, payment_no: str, refund_no: str
    ) -> Literal["succeeded", "processing"]:
        try:
            answer = self._server(
                "alipay.trade.fastpay.refund.query",
                {"out_trade_no": payment_no, "out_request_no": refund_no},
            )
        except ProviderError:
            return "processing"
        if answer.get("code") == SUCCESS_CODE and answer.get("refund_status") == "REFUND_SUCCESS":
            return "succeeded"
        return "processing"

    def transfer(self, request: TransferRequest) -> TransferResult:
        """Single transfer to an Alipay account (单笔转账). Retrying with the same transfer_no
        (out_biz_no) is answered with the original transfer, never a second payment."""
        if ALIPAY_USER_ID.fullmatch(request.payee):
            identity_type = "ALIPAY_USER_ID"
        else:
            identity_type = "ALIPAY_LOGON_ID"
            if not request.payee_name:
                raise DomainError(
                    _("Alipay needs the payee's real name with a logon id"),
                    code="payee_name_required",
                )
        payee_info = {"identity": request.payee, "identity_type": identity_type}
        if request.payee_name:
            payee_info["name"] = request.payee_name
        title = request.remark or DEFAULT_TRANSFER_TITLE
        biz_content: dict[str, Any] = {
            "out_biz_no": request.transfer_no,
            "trans_amount": self._yuan(request.amount_fen),
            "product_code": "TRANS_ACCOUNT_NO_PWD",
            "biz_scene": "DIRECT_TRANSFER",
            "order_title": title,
            "payee_info": payee_info,
            "remark": title,
        }
        answer = self._server("alipay.fund.trans.uni.transfer", biz_content)
        code = str(answer.get("code", ""))
        transfer_id = str(answer.get("order_id", ""))
        if code == SUCCESS_CODE:
            status = _TRANSFER_STATUS.get(str(answer.get("status", "")), "processing")
            return TransferResult(status=status, provider_transfer_id=transfer_id, raw=answer)
        if code == BUSINESS_FAILURE_CODE and not _is_system_error(answer):
            return TransferResult(status="failed", provider_transfer_id=transfer_id, raw=answer)
        raise self._refused("transfer", answer)

    # --- plumbing -----------------------------------------------------------------------------

    @staticmethod
    def _yuan(fen: int) -> str:
        """An amount as Alipay writes it, "123.45": only a positive whole number of fen."""
        try:
            text = format_yuan(fen, plain=True)  # refuses anything but whole fen
            if fen <= 0:
                raise MoneyError(f"a provider amount is a positive number of fen, got {fen!r}")
            return text
        except MoneyError as exc:
            raise DomainError(str(exc), code="invalid_amount") from None

    def _server(self, method: str, biz_content: dict[str, Any]) -> dict[str, Any]:
        """Call an Alipay API; the answer's signature is checked by the SDK."""
        try:
            answer = self._client.server_api(
                method, biz_content, timestamp=china_local_text(datetime.now(UTC))
            )
        except AliPayValidationError:
            raise ProviderError(f"alipay {method}: the answer's signature is invalid") from None
        except AliPayException as exc:
            # An unsigned answer: an error_response, or a refusal before the app was known.
            raise ProviderError(f"alipay {method} failed: {exc}") from None
        except Exception as exc:
            raise ProviderError(
                f"alipay {method}: request failed ({exc.__class__.__name__})"
            ) from exc
        if not isinstance(answer, dict):
            raise ProviderError(f"alipay {method}: the answer is not a JSON object")
        return answer

    @staticmethod
    def _refused(action: str, answer: Mapping[str, Any]) -> ProviderError:
        code, sub_code = str(answer.get("code", "")), str(answer.get("sub_code", ""))
        message = str(answer.get("sub_msg") or answer.get("msg") or "")
        return ProviderError(
            f"alipay {action} failed: {code} {sub_code} {message}".strip(),
            details={"code": code, "sub_code": sub_code, "message": message},
        )
