"""A member's personal-data rights from the settings page: download my data (a JSON file), and
close my account (the consequences spelled out, then the password)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from sharemall.accounts.models import Member
from sharemall.core.http import client_address
from sharemall.legal import services as legal
from sharemall.privacy import selectors as privacy_selectors
from sharemall.privacy import services as privacy
from sharemall.web.access import member_page
from sharemall.web.actions import run_action
from sharemall.web.forms import CloseAccountForm

CLOSE_ERROR_FIELDS = {"invalid_password": "password", "invalid_code": "sms_code"}


@member_page
def me_export(request: HttpRequest, member: Member) -> HttpResponse:
    document = privacy_selectors.member_export(member)
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="sharemall-my-data.json"'
    return response


@member_page
def me_consent(request: HttpRequest, member: Member) -> HttpResponse:
    """The member accepts the current versions of the terms (the banner on 我的)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    legal.consent_record(member, address=client_address(request))
    return HttpResponseRedirect(reverse("web:me"))


@sensitive_post_parameters("password")
@member_page
def me_close(request: HttpRequest, member: Member) -> HttpResponse:
    passwordless = not member.has_usable_password()
    if request.method == "POST":
        form = CloseAccountForm(request.POST, passwordless=passwordless)
        if form.is_valid():
            outcome = run_action(
                request,
                lambda: privacy.member_close(
                    member,
                    password=form.cleaned_data.get("password", ""),
                    sms_code=form.cleaned_data.get("sms_code", ""),
                ),
                form=form,
                error_fields=CLOSE_ERROR_FIELDS,
            )
            if outcome:
                auth_logout(request)
                messages.success(request, _("Your account is closed. Goodbye."))
                return HttpResponseRedirect("/")
    else:
        form = CloseAccountForm(passwordless=passwordless)
    return render(
        request,
        "web/me_close.html",
        {"form": form, "member": member, "passwordless": passwordless},
    )
