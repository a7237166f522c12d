"""The shop's own official account, connected through the platform's WeChat component: its
state, 连接公众号 (off to WeChat's authorisation page and back), and disconnecting. The
owner's business, like the API (`/merchants/{id}/wechat`): clerks get the 404 page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from sharemall.web.actions import run_action
from sharemall.web.merchant.console import Console, _back, _render, _trail, console_page, owner_page
from sharemall.wechat import component_accounts
from sharemall.wechat.models import MerchantWechatAccount

NOTES = {
    component_accounts.NOTE_OWNER: gettext_lazy("disconnected in the console"),
    component_accounts.NOTE_REVOKED: gettext_lazy("authorisation revoked in WeChat"),
    component_accounts.NOTE_REPLACED: gettext_lazy("replaced by another account"),
}


@require_GET
@console_page
@owner_page
def merchant_wechat(request: HttpRequest, console: Console) -> HttpResponse:
    merchant_id = console.merchant.pk
    events = component_accounts.history(merchant_id)
    return _render(
        request,
        console,
        "web/merchant/wechat.html",
        {
            "account": component_accounts.state_of(merchant_id),
            "events": _trail(
                events, dict(MerchantWechatAccount.Status.choices), lambda n: str(NOTES.get(n, n))
            ),
        },
    )


@require_POST
@console_page
@owner_page
def merchant_wechat_connect(request: HttpRequest, console: Console) -> HttpResponse:
    """Off to WeChat's authorisation page with a fresh pre-auth code."""
    outcome = run_action(
        request, lambda: component_accounts.connect_url(console.member, console.merchant.pk)
    )
    if not outcome:
        return _back("merchant_wechat")
    return HttpResponseRedirect(outcome.value)


@require_GET
@console_page
def merchant_wechat_authorized(request: HttpRequest, console: Console) -> HttpResponse:
    """Where WeChat sends the owner back with the auth code. The shop is the one named in the
    signed state the owner left with (checked to be theirs), not the console's current one."""
    outcome = run_action(
        request,
        lambda: component_accounts.connect(
            console.member,
            state=str(request.GET.get("state", "")),
            auth_code=str(request.GET.get("auth_code", "")),
        ),
        lambda account: _("Connected %(name)s.") % {"name": account.nickname or account.app_id},
    )
    if outcome:
        console.at(request, outcome.value.merchant_id)
    return _back("merchant_wechat")


@require_POST
@console_page
@owner_page
def merchant_wechat_disconnect(request: HttpRequest, console: Console) -> HttpResponse:
    run_action(
        request,
        lambda: component_accounts.disconnect(console.member, console.merchant.pk),
        _("The official account is disconnected. Revoke the authorisation in WeChat as well."),
    )
    return _back("merchant_wechat")
