"""The wallet's one door to the payment providers: sending a withdrawal's payout.

The wallet sits above payments in the layer contract (pyproject.toml); this module is the only
place it uses a provider. It turns the provider's answers and errors into the three outcomes the
withdrawal services act on. Tests replace `provider_for_payout`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from sharemall.core.errors import DomainError
from sharemall.payments.providers.base import TransferRequest
from sharemall.payments.providers.registry import provider_for
from sharemall.wallet import rules

logger = logging.getLogger(__name__)

SANDBOX = "sandbox"
WAIT_USER_CONFIRM = "WAIT_USER_CONFIRM"
_PROVIDER_BY_CHANNEL = {rules.CHANNEL_WECHAT: "wechatpay", rules.CHANNEL_ALIPAY: "alipay"}
PayoutStatus = Literal["succeeded", "processing", "failed"]
_STATUSES: dict[str, PayoutStatus] = {
    "succeeded": "succeeded",
    "processing": "processing",
    "failed": "failed",
}


class Transferring(Protocol):
    """The part of a payments provider a payout uses."""

    def transfer(self, request: Any) -> Any: ...


class PayoutRefused(DomainError):
    """Refused before anything reached the provider (not configured, a payee it cannot pay):
    nothing was sent, so the withdrawal may fail and give the money back."""

    code = "payout_refused"


class PayoutUncertain(DomainError):
    """No clear answer (the provider errored or could not be reached): the transfer may or may
    not exist, so the withdrawal stays approved and is asked about again."""

    status = 502
    code = "provider_error"


@dataclass(frozen=True, slots=True)
class PayoutAnswer:
    status: PayoutStatus
    provider_transfer_id: str
    message: str = ""
    # WeChat Pay: the transfer waits for the payee to confirm it (WAIT_USER_CONFIRM).
    package_info: str = ""


def provider_name_for(channel: str) -> str:
    if channel not in _PROVIDER_BY_CHANNEL:
        raise ValueError(f"channel {channel!r} is not paid through a provider")
    return SANDBOX if settings.SANDBOX_PAYMENTS else _PROVIDER_BY_CHANNEL[channel]


def provider_for_payout(name: str) -> Transferring:
    provider: Transferring = provider_for(name)
    return provider


def payout_send(
    *, provider_name: str, transfer_no: str, amount_fen: int, payee: str, payee_name: str
) -> PayoutAnswer:
    """Ask `provider_name` to pay `amount_fen` under `transfer_no`; asking again with the same
    number returns that transfer's state and never pays twice."""
    if provider_name != SANDBOX and not payee:
        raise PayoutRefused(_("No payee account was given for this withdrawal."))
    try:
        provider = provider_for_payout(provider_name)
    except DomainError as exc:  # switched off or unknown: nothing was sent
        raise PayoutRefused(exc.message, details={"cause": exc.code}) from exc
    request = TransferRequest(
        transfer_no=transfer_no,
        amount_fen=amount_fen,
        payee=payee,
        payee_name=payee_name,  # the remark is left to each adapter's own default (佣金提现)
    )
    try:
        result = provider.transfer(request)
    except DomainError as exc:
        if exc.status >= 500:
            raise PayoutUncertain(exc.message, details={"cause": exc.code}) from exc
        # The adapters check their input (real name, amount) before any request is made.
        raise PayoutRefused(exc.message, details={"cause": exc.code}) from exc
    except Exception as exc:
        logger.exception("payout %s: unexpected error from %s", transfer_no, provider_name)
        raise PayoutUncertain(_("The payment provider could not be asked.")) from exc
    status = _STATUSES.get(str(result.status))
    if status is None:
        logger.warning(
            "payout %s: unknown status %r from %s", transfer_no, result.status, provider_name
        )
        status = "processing"  # never give money back on an answer we do not understand
    raw = getattr(result, "raw", None) or {}
    message = str(raw.get("fail_reason") or raw.get("sub_msg") or "") if status == "failed" else ""
    waiting = status == "processing" and raw.get("state") == WAIT_USER_CONFIRM
    return PayoutAnswer(
        status=status,
        provider_transfer_id=str(result.provider_transfer_id or ""),
        message=message[:200],
        package_info=str(raw.get("package_info") or "") if waiting else "",
    )
