"""The operator's WeChat subscribe-message templates, one per kind of notice."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from sharemall.accounts.auth import member_auth, require_operator
from sharemall.core.errors import NotFound
from sharemall.notifications import rules as notices
from sharemall.wechat import subscribe, subscribe_rules
from sharemall.wechat.models import SubscribeTemplate

router = Router(tags=["wechat"])


class TemplateIn(Schema):
    app: Literal["mp", "oa"] = "mp"
    template_id: str
    # One `key=value` per line: thing1=@title, amount2=amount, time3=@time …
    fields: str
    page: str = ""
    enabled: bool = True


class TemplateOut(Schema):
    kind: str
    app: str
    template_id: str
    fields: str
    page: str
    enabled: bool


def _out(template: SubscribeTemplate) -> dict[str, Any]:
    return {
        "kind": template.kind,
        "app": template.app,
        "template_id": template.template_id,
        "fields": subscribe_rules.format_fields(template.fields),
        "page": template.page,
        "enabled": template.enabled,
    }


@router.get("/platform/wechat/subscribe-templates", response=list[TemplateOut], auth=member_auth)
def templates(request: HttpRequest) -> list[dict[str, Any]]:
    """The configured templates. Operators only."""
    require_operator(request)
    return [_out(t) for t in SubscribeTemplate.objects.all()]


@router.put("/platform/wechat/subscribe-templates/{kind}", response=TemplateOut, auth=member_auth)
def template_put(request: HttpRequest, kind: str, payload: TemplateIn) -> dict[str, Any]:
    """Set the template of a notice kind (`order_shipped`, …). Fields that WeChat would refuse →
    400 `invalid_template`. Operators only."""
    require_operator(request)
    return _out(subscribe.template_set(kind=kind, **payload.dict()))


@router.delete(
    "/platform/wechat/subscribe-templates/{kind}", response={204: None}, auth=member_auth
)
def template_delete(request: HttpRequest, kind: str) -> Status[None]:
    """Stop sending a kind on WeChat. Operators only."""
    require_operator(request)
    if kind not in notices.RULES or not subscribe.template_remove(kind):
        raise NotFound(_("No template for this kind."))
    return Status(204, None)
