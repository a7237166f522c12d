"""A merchant's own official account, connected through our component, acting as the platform's
does: its followers' events are handled by the same server logic (wechat/oa.py) under the
merchant account's app id, and its parametric QR codes bind new followers to the sharer exactly
like the platform's own. Which account a share's QR code comes from: the merchant's, when the
shared product or store belongs to a merchant with a connected account; the platform's
otherwise."""

from __future__ import annotations

from sharemall.catalog.models import Product
from sharemall.merchants.models import Store
from sharemall.sharing.models import ShareLink
from sharemall.wechat import clients, component, config
from sharemall.wechat.component_accounts import live_account
from sharemall.wechat.models import MerchantWechatAccount

MERCHANT = "MERCHANT"  # an Account.kind beside config.OA / MP / COMPONENT


def as_account(
    connected: MerchantWechatAccount, component_account: config.Account
) -> config.Account:
    """The merchant's account as the server logic sees it: its own app id and gh id, and the
    component's token and key (WeChat signs and encrypts an authorised account's pushes with
    them)."""
    return config.Account(
        kind=MERCHANT,
        app_id=connected.app_id,
        secret="",
        token=component_account.token,
        aes_key=component_account.aes_key,
        original_id=connected.original_id,
    )


def connected(app_id: str) -> MerchantWechatAccount | None:
    return MerchantWechatAccount.objects.filter(
        app_id=app_id, status=MerchantWechatAccount.Status.CONNECTED
    ).first()


def client_for(account: config.Account) -> clients.SharedTokenClient:
    """The wechatpy client that calls WeChat as `account` (the platform's or a merchant's)."""
    if account.kind == MERCHANT:
        found = connected(account.app_id)
        if found is None:
            raise component.NotConnected("This official account is not connected.")
        return component.authorizer_client(found)
    return clients.oa_client()


def _merchant_of(link: ShareLink) -> int | None:
    if link.target_type == "product":
        return (
            Product.objects.filter(pk=link.target_id).values_list("merchant_id", flat=True).first()
        )
    if link.target_type == "store":
        return Store.objects.filter(pk=link.target_id).values_list("merchant_id", flat=True).first()
    return None


def account_for_link(link: ShareLink) -> config.Account:
    """The account whose QR code carries this share: the shop's own when it is connected."""
    merchant_id = _merchant_of(link)
    mine = live_account(merchant_id) if merchant_id is not None else None
    component_account = config.account(config.COMPONENT)
    if mine is not None and component_account is not None:
        return as_account(mine, component_account)
    return config.require(config.OA)
