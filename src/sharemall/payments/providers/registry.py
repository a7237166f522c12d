"""Which providers exist, and building each from settings (an unconfigured one says so)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.utils.translation import gettext as _

from sharemall.core.errors import DomainError
from sharemall.payments.providers.base import PaymentProvider

PROVIDER_NAMES = ("sandbox", "wechatpay", "alipay")


def _sandbox() -> PaymentProvider:
    from sharemall.payments.providers.sandbox import SandboxProvider  # noqa: PLC0415

    return SandboxProvider.from_settings()


def _wechatpay() -> PaymentProvider:
    from sharemall.payments.providers.wechatpay import WeChatPayProvider  # noqa: PLC0415

    return WeChatPayProvider.from_settings()


def _alipay() -> PaymentProvider:
    from sharemall.payments.providers.alipay import AlipayProvider  # noqa: PLC0415

    return AlipayProvider.from_settings()


_FACTORIES: dict[str, Callable[[], PaymentProvider]] = {
    "sandbox": _sandbox,
    "wechatpay": _wechatpay,
    "alipay": _alipay,
}


def provider_for(name: str) -> PaymentProvider:
    """The configured provider called `name`; ProviderNotConfigured when it is switched off."""
    factory = _FACTORIES.get(name)
    if factory is None:
        raise DomainError(
            _("Unknown payment provider: %(name)s") % {"name": name}, code="unknown_provider"
        )
    return _cached(name) if name != "sandbox" else factory()


@cache
def _cached(name: str) -> PaymentProvider:
    # The SDK clients load keys and certificates once per process.
    return _FACTORIES[name]()
