"""The Open Platform component's endpoints: WeChat's authorisation-events URL, and the merchant
owner's view of their shop's official account (docs/wechat-component.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from sharemall.accounts.auth import member_auth, require_member
from sharemall.wechat import component_accounts, component_wire, merchant_accounts, pushes, wire
from sharemall.wechat.component import require_account

router = Router(tags=["wechat"])


@router.post(
    "/wechat/component/callback",
    auth=None,
    openapi_extra=pushes.openapi(
        "The text `success`: the notice (verify ticket, authorized, updateauthorized, "
        "unauthorized) was taken. A wrong signature answers 403 `invalid_signature`, a body "
        "that is not WeChat's 400 `invalid_message`.",
        "signature",
        "timestamp",
        "nonce",
        "encrypt_type",
        "msg_signature",
        xml=False,
    ),
)
def component_callback(request: HttpRequest) -> HttpResponse:
    """WeChat's authorisation events for our component (no sign-in: the signature is the
    proof). Always encrypted with the component's token, key and app id."""
    account = require_account()
    timestamp, nonce = pushes.query(request, "timestamp"), pushes.query(request, "nonce")
    wire.verify(account, pushes.query(request, "signature"), timestamp, nonce)
    notice = component_wire.read(
        account,
        request.body,
        msg_signature=pushes.query(request, "msg_signature"),
        timestamp=timestamp,
        nonce=nonce,
    )
    component_accounts.receive(account, notice)
    return pushes.text(pushes.RECEIVED)


@router.post(
    "/wechat/component/events/{app_id}",
    auth=None,
    openapi_extra=pushes.openapi(
        "The reply to a follower of a merchant's connected official account (encrypted XML), "
        "or the text `success`.",
        *pushes.EVENT_QUERY,
    ),
)
def authorizer_events(request: HttpRequest, app_id: str) -> HttpResponse:
    """Messages and events of a merchant's own official account, which WeChat sends to our
    component (消息与事件接收 URL, `$APPID$` = the account): handled like the platform's own —
    a follow through a share's QR code binds the follower to the sharer. An account that is not
    connected (any more) is answered `success` and nothing is done."""
    component_account = require_account()
    found = merchant_accounts.connected(app_id)
    server = merchant_accounts.as_account(found, component_account) if found else None
    return pushes.follower_event(request, component_account, server)


class WechatAccountOut(Schema):
    available: bool  # the platform has a component set up at all
    connected: bool
    status: str  # "connected", "disconnected", or "" when none was ever connected
    app_id: str
    nickname: str
    original_id: str  # gh_…
    certified: bool
    connected_at: datetime | None
    disconnected_at: datetime | None


class ConnectOut(Schema):
    url: str


@router.get("/merchants/{merchant_id}/wechat", response=WechatAccountOut, auth=member_auth)
def merchant_wechat(request: HttpRequest, merchant_id: int) -> dict[str, Any]:
    """The shop's official account: connected or not, its name, gh id and certification.
    The owner only (clerks 403 `owner_only`)."""
    merchant = component_accounts.owned(require_member(request), merchant_id)
    return component_accounts.state_of(merchant.pk)


@router.post("/merchants/{merchant_id}/wechat/connect", response=ConnectOut, auth=member_auth)
def merchant_wechat_connect(request: HttpRequest, merchant_id: int) -> dict[str, str]:
    """Where to send the owner to authorise the shop's official account (WeChat's page; the
    simulator's under WECHAT_SANDBOX). WeChat then sends them back to the console page
    /merchant/wechat/authorized, which finishes the connection. 503 `wechat_unavailable` while
    the component is not set up or WeChat has not sent its verify ticket yet."""
    return {"url": component_accounts.connect_url(require_member(request), merchant_id)}


@router.post(
    "/merchants/{merchant_id}/wechat/disconnect", response=WechatAccountOut, auth=member_auth
)
def merchant_wechat_disconnect(request: HttpRequest, merchant_id: int) -> dict[str, Any]:
    """Disconnect the shop's official account here (revoke it in WeChat too). 409
    `wechat_not_connected` when none is connected."""
    component_accounts.disconnect(require_member(request), merchant_id)
    return component_accounts.state_of(merchant_id)
