from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema

from sharemall.notifications import rules
from sharemall.notifications.models import Notice


class MessageOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    created_at: datetime
    read: bool


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
