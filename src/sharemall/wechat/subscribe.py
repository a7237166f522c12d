"""WeChat subscribe messages: the notifications' WeChat channel, and the operator's templates.

`send(delivery)` is registered as the `wechat` sender of the notifications outbox
(WechatConfig.ready()): it is called by the delivery job with retries and back-off like SMS.
A notice goes out when the operator configured a template for its kind and the member has an
openid under the template's app; otherwise the delivery is skipped (`ChannelMissing`), never
retried. WeChat's "the user has not accepted this template" (43101) is a skip too: retrying
cannot change it. Any other failure is raised and retried.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatClientException

from sharemall.accounts.identities import openid_of
from sharemall.core.errors import DomainError
from sharemall.notifications import rules as notices
from sharemall.notifications.models import Delivery
from sharemall.notifications.services import ChannelMissing
from sharemall.wechat import clients, config
from sharemall.wechat import subscribe_rules as rules
from sharemall.wechat.models import SubscribeTemplate

NOT_ACCEPTED = 43101  # the user has not accepted (or has used up) this template


def _app(template: SubscribeTemplate) -> tuple[config.Account, clients.SharedTokenClient]:
    kind = config.MP if template.app == "mp" else config.OA
    account = config.account(kind)
    if account is None:
        raise ChannelMissing(f"WeChat {kind} is not set up")
    return account, clients.SharedTokenClient(account)


def send(delivery: Delivery) -> str:
    notice = delivery.notice
    template = SubscribeTemplate.objects.filter(kind=notice.kind, enabled=True).first()
    if template is None:
        raise ChannelMissing(f"no subscribe template for {notice.kind}")
    account, client = _app(template)
    openid = openid_of(notice.recipient, account.app_id)
    if not openid:
        raise ChannelMissing("no WeChat account linked")
    values: dict[str, object] = {
        **notice.params,
        "@title": notices.title(notice.kind, notice.params),
        "@body": notices.body(notice.kind, notice.params),
        "@time": timezone.localtime(notice.created_at).strftime("%Y-%m-%d %H:%M"),
    }
    body: dict[str, Any] = {
        "touser": openid,
        "template_id": template.template_id,
        "data": rules.template_data(template.fields, values),
    }
    if template.app == "mp":
        path = "https://api.weixin.qq.com/cgi-bin/message/subscribe/send"
        if template.page:
            body["page"] = template.page
    else:
        path = "https://api.weixin.qq.com/cgi-bin/message/subscribe/bizsend"
        if template.page:
            body["page"] = f"{settings.PUBLIC_BASE_URL}{template.page}"
    try:
        answer = client.post(path, data=body)
    except WeChatClientException as refused:
        if refused.errcode == NOT_ACCEPTED:
            raise ChannelMissing("the member has not accepted this template") from None
        raise
    return str((answer or {}).get("msgid", "") or delivery.dedupe_id)


# --- the operator's templates ------------------------------------------------------------------


def template_set(
    *, kind: str, app: str, template_id: str, fields: str, page: str = "", enabled: bool = True
) -> SubscribeTemplate:
    """Keep the template of one notice kind; what WeChat would refuse → 400 `invalid_template`."""
    if kind not in notices.RULES:
        raise DomainError(_("Unknown notice kind."), code="invalid_template")
    if app not in rules.APPS:
        raise DomainError(
            _("Send by mp (mini-program) or oa (official account)."), code="invalid_template"
        )
    template_id = (template_id or "").strip()
    if not template_id or len(template_id) > 64 or not template_id.isascii():
        raise DomainError(
            _("Paste the template id from WeChat's back office."), code="invalid_template"
        )
    page = (page or "").strip()
    if len(page) > 200:
        raise DomainError(_("The page is at most 200 characters."), code="invalid_template")
    with transaction.atomic():
        template, _created = SubscribeTemplate.objects.update_or_create(
            kind=kind,
            defaults={
                "app": app,
                "template_id": template_id,
                "fields": rules.parse_fields(fields),
                "page": page,
                "enabled": enabled,
                "updated_at": timezone.now(),
            },
        )
    return template


def template_remove(kind: str) -> bool:
    return bool(SubscribeTemplate.objects.filter(kind=kind).delete()[0])
