"""The member's message centre: in-app notices, newest first, and marking them read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from sharemall.accounts.auth import member_auth, require_member
from sharemall.core.schemas import Id, PageQuery
from sharemall.notifications import rules, selectors, services
from sharemall.notifications.schemas import (
    MessageOut,
    ReadAllOut,
    SettingIn,
    SettingOut,
    message_out,
)

router = Router(tags=["notifications"])


@router.get("/me/messages", response=list[MessageOut], auth=member_auth)
def messages(request: HttpRequest, page: Query[PageQuery]) -> list[dict[str, Any]]:
    found = selectors.messages_of(require_member(request))
    return [message_out(n) for n in found[page.offset : page.offset + page.limit]]


@router.post("/me/messages/read-all", response=ReadAllOut, auth=member_auth)
def messages_read_all(request: HttpRequest) -> dict[str, int]:
    return {"read": services.messages_read_all(require_member(request))}


@router.post("/me/messages/{message_id}/read", response=MessageOut, auth=member_auth)
def message_read(request: HttpRequest, message_id: Id) -> dict[str, Any]:
    return message_out(services.message_read(require_member(request), message_id))


@router.get("/me/notification-settings", response=list[SettingOut], auth=member_auth)
def settings_get(request: HttpRequest) -> list[dict[str, object]]:
    """Each kind of notice with its channels: in-app always; SMS and WeChat as chosen."""
    return selectors.settings_of(require_member(request))


@router.put("/me/notification-settings", response=list[SettingOut], auth=member_auth)
def settings_put(request: HttpRequest, payload: list[SettingIn]) -> list[dict[str, object]]:
    """Turn channels on or off per kind: `[{kind, sms?, wechat?}]`; what is left out stays."""
    member = require_member(request)
    services.settings_set(
        member,
        [
            (item.kind, channel, value)
            for item in payload[: len(rules.KINDS) * 2]
            for channel, value in ((rules.SMS, item.sms), (rules.WECHAT, item.wechat))
            if value is not None
        ],
    )
    return selectors.settings_of(member)
