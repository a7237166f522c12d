from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from sharemall.notifications import rules
from sharemall.notifications.models import Notice


class MessageOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    created_at: datetime
    read: bool


_KIND_PATTERN = "^(" + "|".join(rules.KINDS) + ")$"


class SettingOut(Schema):
    kind: str
    in_app: bool
    sms: bool
    wechat: bool


class SettingIn(Schema):
    kind: str = Field(pattern=_KIND_PATTERN)
    sms: bool | None = None
    wechat: bool | None = None


class ReadAllOut(Schema):
    read: int


def message_out(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "title": rules.title(notice.kind, notice.params),
        "body": rules.body(notice.kind, notice.params),
        "created_at": notice.created_at,
        "read": notice.read_at is not None,
    }
