"""Merchants connect their own official accounts to our component (docs/wechat-component.md).

The owner asks for WeChat's authorisation page (`connect_url`), picks the account there as its
administrator, and WeChat sends the browser back to `AUTHORIZED_PATH` with an auth code, which
`connect` exchanges (query_auth) for the authorizer's tokens and then reads the account's name,
gh id and certification. A signed `state` in our return address ties the answer to the owner
and merchant who asked, so nobody can slip their own account's auth code to another shop.

The component's callback (`receive`) keeps the verify ticket WeChat pushes every ten minutes
and marks an account disconnected when its administrator revokes us (unauthorized).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import Conflict, DomainError
from sharemall.merchants import selectors as merchant_selectors
from sharemall.merchants.models import Merchant
from sharemall.wechat import component_rules, config, tokens
from sharemall.wechat.component import answer_value, available, component
from sharemall.wechat.component_wire import Notice
from sharemall.wechat.failures import WechatError, translated
from sharemall.wechat.models import MerchantWechatAccount, MerchantWechatEvent

logger = logging.getLogger(__name__)

# The console page WeChat sends the owner back to (web/merchant/urls.py names it
# merchant_wechat_authorized; a test keeps the two equal).
AUTHORIZED_PATH = "/merchant/wechat/authorized"
_STATE_SALT = "sharemall.wechat.component.connect"
# WeChat's pre-auth code lives 30 minutes; the state a little longer.
STATE_MAX_AGE = 3600
# Event notes, shown on the account's history.
NOTE_OWNER, NOTE_REVOKED, NOTE_REPLACED = "owner", "unauthorized", "replaced"


class InvalidState(DomainError):
    code = "invalid_state"


# ---- reads ------------------------------------------------------------------------------------


def live_account(merchant_id: int) -> MerchantWechatAccount | None:
    return MerchantWechatAccount.objects.filter(
        merchant_id=merchant_id, status=component_rules.CONNECTED
    ).first()


def last_account(merchant_id: int) -> MerchantWechatAccount | None:
    """The live account, else the one disconnected last (the page says which it was)."""
    return (
        MerchantWechatAccount.objects.filter(merchant_id=merchant_id)
        .order_by("status", "-disconnected_at", "-pk")  # "connected" sorts first
        .first()
    )


def state_of(merchant_id: int) -> dict[str, Any]:
    """What the console page and `GET /merchants/{id}/wechat` show."""
    account = last_account(merchant_id)
    connected = account is not None and account.status == component_rules.CONNECTED
    return {
        "available": available(),
        "connected": connected,
        "status": account.status if account else "",
        "app_id": account.app_id if account else "",
        "nickname": account.nickname if account else "",
        "original_id": account.original_id if account else "",
        "certified": bool(account and account.certified),
        "connected_at": account.connected_at if account else None,
        "disconnected_at": account.disconnected_at if account else None,
    }


# ---- connecting -------------------------------------------------------------------------------


def owned(member: Member, merchant_id: int) -> Merchant:
    """The merchant if `member` owns it (404 for strangers, 403 `owner_only` for clerks)."""
    return merchant_selectors.merchant_for_staff(member, merchant_id, owner_only=True)


def connect_url(member: Member, merchant_id: int) -> str:
    """WeChat's authorisation page for the owner, with a fresh pre-auth code."""
    merchant = owned(member, merchant_id)
    state = signing.dumps({"merchant": merchant.pk, "member": member.pk}, salt=_STATE_SALT)
    redirect_uri = f"{settings.PUBLIC_BASE_URL}{AUTHORIZED_PATH}?{urlencode({'state': state})}"
    with translated():
        return component().login_page_url(redirect_uri)


def merchant_of_state(member: Member, state: str) -> Merchant:
    """The merchant the owner was connecting, from the state they were sent away with."""
    try:
        values = signing.loads(state, salt=_STATE_SALT, max_age=STATE_MAX_AGE)
        merchant_id, member_id = int(values["merchant"]), int(values["member"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidState(
            _("This authorisation link is not valid or has expired: connect again.")
        ) from None
    if member_id != member.pk:
        raise InvalidState(_("This authorisation was started by someone else: connect again."))
    return owned(member, merchant_id)


def connect(member: Member, *, state: str, auth_code: str) -> MerchantWechatAccount:
    """Finish the authorisation WeChat sent the owner back from."""
    merchant = merchant_of_state(member, state)
    if not auth_code or len(auth_code) > 512:
        raise InvalidState(_("WeChat sent no authorisation code: connect again."))
    client = component()
    with translated():
        # wechatpy's query_auth would also keep the tokens in its own memory: we keep them.
        info = client._query_auth(auth_code).get("authorization_info")
        if not isinstance(info, dict):
            raise WechatError(_("WeChat answered without the authorisation; connect again."))
        app_id = answer_value(info, "authorizer_appid")
        details = client.get_authorizer_info(app_id).get("authorizer_info")
        profile = component_rules.authorizer_profile(details if isinstance(details, dict) else {})
    try:
        return _store(
            merchant,
            member,
            app_id=app_id,
            refresh_token=str(info.get("authorizer_refresh_token") or ""),
            access_token=str(info.get("authorizer_access_token") or ""),
            expires_in=int(info.get("expires_in") or 7200),
            profile=profile,
        )
    except IntegrityError:  # another connection of the same shop or account won the race
        raise Conflict(
            _("This shop's official account changed meanwhile: reload the page."),
            code="wechat_account_taken",
        ) from None


def _store(
    merchant: Merchant,
    actor: Member,
    *,
    app_id: str,
    refresh_token: str,
    access_token: str,
    expires_in: int,
    profile: dict[str, Any],
) -> MerchantWechatAccount:
    now = timezone.now()
    fields = {"refresh_token": refresh_token, **profile}
    with transaction.atomic():
        account = MerchantWechatAccount.objects.filter(app_id=app_id).first()
        if (
            account is not None
            and account.merchant_id != merchant.pk
            and account.status == component_rules.CONNECTED
        ):
            raise Conflict(
                _("This official account is connected to another shop."),
                code="wechat_account_taken",
            )
        previous = live_account(merchant.pk)
        if previous is not None and previous.app_id != app_id:
            _disconnect(previous, actor, NOTE_REPLACED)
        if account is None:
            account = MerchantWechatAccount.objects.create(
                merchant=merchant, app_id=app_id, connected_at=now, **fields
            )
            MerchantWechatEvent.objects.create(
                account=account, from_status="", to_status=component_rules.CONNECTED, actor=actor
            )
        elif account.status == component_rules.DISCONNECTED:
            component_rules.ACCOUNT.move(
                account,
                component_rules.CONNECTED,
                actor=actor,
                merchant=merchant,
                connected_at=now,
                disconnected_at=None,
                **fields,
            )
        else:  # authorised again (more permissions, a new refresh token): same connection
            MerchantWechatAccount.objects.filter(pk=account.pk).update(**fields)
            account.refresh_from_db()
        if access_token:
            tokens.store(app_id, tokens.AUTHORIZER_TOKEN, access_token, expires_in)
    return account


def _disconnect(account: MerchantWechatAccount, actor: Member | None, note: str) -> None:
    component_rules.ACCOUNT.move(
        account,
        component_rules.DISCONNECTED,
        actor=actor,
        note=note,
        disconnected_at=timezone.now(),
        refresh_token="",
    )
    tokens.forget(account.app_id, tokens.AUTHORIZER_TOKEN)


def disconnect(member: Member, merchant_id: int) -> MerchantWechatAccount:
    """The owner disconnects the shop's account here (they also revoke us in WeChat)."""
    merchant = owned(member, merchant_id)
    account = live_account(merchant.pk)
    if account is None:
        raise Conflict(
            _("No official account is connected to this shop."), code="wechat_not_connected"
        )
    with transaction.atomic():
        _disconnect(account, member, NOTE_OWNER)
    return account


# ---- WeChat's notices -------------------------------------------------------------------------


def receive(account: config.Account, notice: Notice) -> None:
    """Act on one notice from the component's callback. Repeats change nothing further."""
    if notice.component_app_id and notice.component_app_id != account.app_id:
        logger.warning("component notice for another component: %s", notice.component_app_id)
        return
    if notice.kind == component_rules.VERIFY_TICKET and notice.verify_ticket:
        tokens.store(
            account.app_id,
            tokens.VERIFY_TICKET,
            notice.verify_ticket,
            component_rules.VERIFY_TICKET_SECONDS,
        )
    elif notice.kind == component_rules.UNAUTHORIZED and notice.authorizer_app_id:
        revoked(notice.authorizer_app_id)
    elif notice.kind in {component_rules.AUTHORIZED, component_rules.UPDATE_AUTHORIZED}:
        # The owner's browser brings the same auth code back to the console page, which
        # exchanges it there (it knows which shop asked); the notice is only noted.
        logger.info("official account %s %s the component", notice.authorizer_app_id, notice.kind)
    else:
        logger.info("component notice %s ignored", notice.kind)


def revoked(authorizer_app_id: str) -> None:
    """The account's administrator took our authorisation back in WeChat."""
    account = MerchantWechatAccount.objects.filter(
        app_id=authorizer_app_id, status=component_rules.CONNECTED
    ).first()
    if account is None:
        tokens.forget(authorizer_app_id, tokens.AUTHORIZER_TOKEN)
        return
    with transaction.atomic():
        try:
            _disconnect(account, None, NOTE_REVOKED)
        except DomainError:  # disconnected meanwhile (the owner, or WeChat's retry)
            logger.info("official account %s was already disconnected", authorizer_app_id)


def history(merchant_id: int) -> list[dict[str, Any]]:
    """Every connection and disconnection of the shop's official accounts, oldest first."""
    return [
        {
            "from": e.from_status,
            "to": e.to_status,
            "note": e.note,
            "at": e.created_at,
            "account": e.account.nickname or e.account.app_id,
        }
        for e in MerchantWechatEvent.objects.filter(account__merchant_id=merchant_id)
        .select_related("account")
        .order_by("created_at", "id")
    ]
