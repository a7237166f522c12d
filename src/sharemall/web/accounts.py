"""Signing in, registering and signing out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from sharemall.accounts import services as accounts
from sharemall.accounts.models import Member
from sharemall.core.http import client_address
from sharemall.distribution import services as distribution
from sharemall.sharing import selectors as sharing_selectors
from sharemall.web.actions import run_action
from sharemall.web.forms import LoginForm, RegisterForm

PHONE_BACKEND = "sharemall.accounts.backends.PhoneBackend"


# Which form field a registration error belongs to, by its domain code.
REGISTER_ERROR_FIELDS = {
    "invalid_phone": "phone",
    "phone_taken": "phone",
    "invalid_nickname": "nickname",
    "invalid_password": "password",
}


def _safe_next(request: HttpRequest, target: str | None) -> str:
    """Only a path on this site: never send a freshly signed-in member somewhere else."""
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return "/"


def _sign_in(request: HttpRequest, member: Member) -> None:
    auth_login(request, member, backend=PHONE_BACKEND)


@sensitive_post_parameters("password")
@never_cache
def login(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = LoginForm(request.POST)
        if form.is_valid():
            outcome = run_action(
                request,
                lambda: accounts.member_login(
                    phone=form.cleaned_data["phone"],
                    password=form.cleaned_data["password"],
                    address=client_address(request),
                ),
                form=form,
            )
            if outcome:
                member = outcome.value
                _sign_in(request, member)
                return HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
    else:
        form = LoginForm(initial={"next": request.GET.get("next", "")})
    return render(request, "web/login.html", {"form": form})


@sensitive_post_parameters("password")
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = RegisterForm(request.POST)
        if form.is_valid():
            referrer, source = distribution.signup_referrer(
                sharing_selectors.code_from_cookie(request)
            )
            outcome = run_action(
                request,
                lambda: accounts.member_signup(
                    phone=form.cleaned_data["phone"],
                    nickname=form.cleaned_data["nickname"],
                    password=form.cleaned_data["password"],
                    address=client_address(request),
                    referrer=referrer,
                    source=source,
                ),
                form=form,
                error_fields=REGISTER_ERROR_FIELDS,
            )
            if outcome:
                member = outcome.value
                _sign_in(request, member)
                messages.success(
                    request, _("Welcome to ShareMall, %(name)s!") % {"name": member.nickname}
                )
                return HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
    else:
        form = RegisterForm(initial={"next": request.GET.get("next", "")})
    return render(request, "web/register.html", {"form": form})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return HttpResponseRedirect("/")
