"""The user agreement and the privacy policy in the back office: the current version of each,
publishing a new one, and the versions before it. A version is never edited once published:
members agreed to its words."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.accounts.models import Member
from sharemall.legal import rules
from sharemall.legal import selectors as legal_selectors
from sharemall.legal import services as legal
from sharemall.web.access import operator_page
from sharemall.web.actions import run_action
from sharemall.web.platform.common import _render


class PublishForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k, k) for k in rules.KINDS], widget=forms.HiddenInput)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=rules.TITLE_MAX_LENGTH)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=rules.BODY_MAX_LENGTH,
        help_text=gettext_lazy("Plain text; a blank line starts a new paragraph."),
        widget=forms.Textarea(attrs={"rows": 18}),
    )


@operator_page
def legal_page(request: HttpRequest, member: Member) -> HttpResponse:
    bound: PublishForm | None = None
    if request.method == "POST":
        bound = PublishForm(request.POST)
        if bound.is_valid():
            data = bound.cleaned_data
            outcome = run_action(
                request,
                lambda: legal.document_publish(
                    kind=data["kind"], title=data["title"], body=data["body"], actor=member
                ),
                form=bound,
            )
            if outcome:
                messages.success(
                    request,
                    _("Version %(version)d is published.") % {"version": outcome.value.version},
                )
                return HttpResponseRedirect(reverse("web:platform_legal"))
    documents = []
    for kind in rules.KINDS:
        current = legal.current(kind)
        if bound is not None and bound.data.get("kind") == kind:
            form = bound
        else:
            form = PublishForm(initial={"kind": kind, "title": current.title, "body": current.body})
        documents.append(
            {
                "kind": kind,
                "slug": rules.SLUGS[kind],
                "current": current,
                "form": form,
                "history": list(legal_selectors.history(kind)[:20]),
            }
        )
    return _render(request, "web/platform/legal.html", {"documents": documents})
