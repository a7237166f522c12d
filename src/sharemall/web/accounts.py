"""Signing in (by password or by a texted code), registering, resetting a forgotten password
and signing out."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from sharemall.accounts import services as accounts
from sharemall.accounts.models import Member
from sharemall.core.devices import device_of
from sharemall.core.http import client_address
from sharemall.sharing import selectors as sharing_selectors
from sharemall.web.actions import run_action
from sharemall.web.forms import CodeLoginForm, LoginForm, PasswordResetForm, RegisterForm
from sharemall.web.wechat_browser import oauth_start_url, wechat_login_offered

PHONE_BACKEND = "sharemall.accounts.backends.PhoneBackend"


# Which form field a registration error belongs to, by its domain code.
REGISTER_ERROR_FIELDS = {
    "invalid_phone": "phone",
    "phone_taken": "phone",
    "invalid_nickname": "nickname",
    "invalid_password": "password",
    "invalid_code": "sms_code",
}
CODE_ERROR_FIELDS = {"invalid_phone": "phone", "invalid_code": "sms_code"}
RESET_ERROR_FIELDS = {**CODE_ERROR_FIELDS, "invalid_password": "new_password"}


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


def welcome(request: HttpRequest, member: Member) -> None:
    """The greeting a new member sees, however they signed up."""
    messages.success(request, _("Welcome to ShareMall, %(name)s!") % {"name": member.nickname})


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
                    device=device_of(request),
                ),
                form=form,
            )
            if outcome:
                member = outcome.value
                _sign_in(request, member)
                return HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
    else:
        form = LoginForm(initial={"next": request.GET.get("next", "")})
    return render(request, "web/login.html", {"form": form, **_wechat_login(request, form)})


def _wechat_login(request: HttpRequest, form: LoginForm | CodeLoginForm) -> dict[str, str]:
    """微信登录 on the log-in pages, inside WeChat with the official account set up."""
    if not wechat_login_offered(request):
        return {}
    target = _safe_next(request, form["next"].value())
    return {"wechat_login_url": oauth_start_url(target, "snsapi_userinfo")}


@sensitive_post_parameters("password")
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    verify = bool(settings.PHONE_VERIFICATION)
    if request.method == "POST":
        form = RegisterForm(request.POST, phone_verification=verify)
        if form.is_valid():
            referrer, source = sharing_selectors.cookie_referrer(request)
            outcome = run_action(
                request,
                lambda: accounts.member_signup(
                    phone=form.cleaned_data["phone"],
                    nickname=form.cleaned_data["nickname"],
                    password=form.cleaned_data["password"],
                    address=client_address(request),
                    device=device_of(request),
                    referrer=referrer,
                    source=source,
                    sms_code=form.cleaned_data.get("sms_code"),
                ),
                form=form,
                error_fields=REGISTER_ERROR_FIELDS,
            )
            if outcome:
                member = outcome.value
                _sign_in(request, member)
                welcome(request, member)
                return HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
    else:
        form = RegisterForm(
            initial={"next": request.GET.get("next", "")}, phone_verification=verify
        )
    return render(request, "web/register.html", {"form": form})


@never_cache
def login_by_code(request: HttpRequest) -> HttpResponse:
    """Log in with a texted code, no password; a new number becomes a member (bound to the
    sharer whose link brought it, as at sign-up)."""
    if request.method == "POST":
        form = CodeLoginForm(request.POST)
        if form.is_valid():
            referrer, source = sharing_selectors.cookie_referrer(request)
            outcome = run_action(
                request,
                lambda: accounts.member_login_by_code(
                    phone=form.cleaned_data["phone"],
                    sms_code=form.cleaned_data["sms_code"],
                    address=client_address(request),
                    device=device_of(request),
                    referrer=referrer,
                    source=source,
                ),
                form=form,
                error_fields=CODE_ERROR_FIELDS,
            )
            if outcome:
                member, is_new = outcome.value
                _sign_in(request, member)
                if is_new:
                    welcome(request, member)
                return HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
    else:
        form = CodeLoginForm(initial={"next": request.GET.get("next", "")})
    return render(request, "web/login_code.html", {"form": form, **_wechat_login(request, form)})


@sensitive_post_parameters("new_password")
@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    """Forgot the password: a new one with a texted code, then log in with it."""
    if request.method == "POST":
        form = PasswordResetForm(request.POST)
        if form.is_valid():
            outcome = run_action(
                request,
                lambda: accounts.password_reset(
                    phone=form.cleaned_data["phone"],
                    sms_code=form.cleaned_data["sms_code"],
                    new_password=form.cleaned_data["new_password"],
                    address=client_address(request),
                ),
                form=form,
                error_fields=RESET_ERROR_FIELDS,
            )
            if outcome:
                messages.success(request, _("Your password is changed. Log in with the new one."))
                return HttpResponseRedirect(reverse("web:login"))
    else:
        form = PasswordResetForm()
    return render(request, "web/password_reset.html", {"form": form})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return HttpResponseRedirect("/")
