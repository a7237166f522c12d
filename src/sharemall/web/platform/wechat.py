"""WeChat in the back office: which accounts are connected, and the subscribe-message template
of each kind of notice (the notifications' WeChat channel)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.accounts.models import Member
from sharemall.notifications import rules as notices
from sharemall.web.access import operator_page
from sharemall.web.actions import run_action
from sharemall.web.platform.common import _render
from sharemall.wechat import config, subscribe, subscribe_rules
from sharemall.wechat.models import SubscribeTemplate


class TemplateForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k, k) for k in notices.KINDS], widget=forms.HiddenInput)
    app = forms.ChoiceField(
        label=gettext_lazy("Sent by"),
        choices=[
            ("mp", gettext_lazy("Mini-program")),
            ("oa", gettext_lazy("Official account")),
        ],
    )
    template_id = forms.CharField(label=gettext_lazy("Template id"), max_length=64)
    template_fields = forms.CharField(
        label=gettext_lazy("Fields"),
        help_text=gettext_lazy(
            "One key=value per line, e.g. thing1=@title, character_string2=order_no, "
            "time3=@time. Values: @title, @body, @time or a notice parameter."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    page = forms.CharField(label=gettext_lazy("Opens"), max_length=200, required=False)
    enabled = forms.BooleanField(label=gettext_lazy("Send"), required=False, initial=True)


def _accounts() -> list[dict[str, object]]:
    names = {
        config.OA: _("Official account"),
        config.MP: _("Mini-program"),
        config.COMPONENT: _("Open Platform (merchants' accounts)"),
    }
    return [{"name": name, "account": config.account(kind)} for kind, name in names.items()]


@operator_page
def wechat_page(request: HttpRequest, member: Member) -> HttpResponse:
    bound: TemplateForm | None = None
    if request.method == "POST":
        bound = TemplateForm(request.POST)
        if bound.is_valid():
            data = bound.cleaned_data
            if request.POST.get("remove"):
                subscribe.template_remove(data["kind"])
                messages.success(request, _("The template is removed."))
                return HttpResponseRedirect(reverse("web:platform_wechat"))
            outcome = run_action(
                request,
                lambda: subscribe.template_set(
                    kind=data["kind"],
                    app=data["app"],
                    template_id=data["template_id"],
                    fields=data["template_fields"],
                    page=data["page"],
                    enabled=data["enabled"],
                ),
                form=bound,
                error_fields={"invalid_template": "template_fields"},
            )
            if outcome:
                messages.success(request, _("The template is saved."))
                return HttpResponseRedirect(reverse("web:platform_wechat"))
    saved = {t.kind: t for t in SubscribeTemplate.objects.all()}
    kinds = []
    for kind in notices.KINDS:
        template = saved.get(kind)
        if bound is not None and bound.data.get("kind") == kind:
            form = bound
        elif template is not None:
            form = TemplateForm(
                initial={
                    "kind": kind,
                    "app": template.app,
                    "template_id": template.template_id,
                    "template_fields": subscribe_rules.format_fields(template.fields),
                    "page": template.page,
                    "enabled": template.enabled,
                }
            )
        else:
            form = TemplateForm(initial={"kind": kind, "app": "mp", "enabled": True})
        kinds.append(
            {"kind": kind, "label": notices.KIND_LABELS[kind], "template": template, "form": form}
        )
    return _render(
        request,
        "web/platform/wechat.html",
        {"accounts": _accounts(), "sandbox": config.sandbox(), "kinds": kinds},
    )
