"""Who may open a page: the same gates as the API, answered the way pages answer.

Strangers are sent to log in and come back (inside WeChat, through WeChat's silent log-in); a
signed-in member who may not see a page gets the 404 page (as the API answers another member's
or merchant's object with 404).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from sharemall.accounts.auth import caller
from sharemall.accounts.models import Member
from sharemall.web.wechat_browser import login_redirect

MemberView = Callable[Concatenate[HttpRequest, Member, ...], HttpResponse]
# A back-office list may answer with a streamed CSV export instead of its page.
OperatorView = Callable[Concatenate[HttpRequest, Member, ...], HttpResponseBase]


def not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "web/not_found.html", status=404)


def member_page(view: MemberView) -> Callable[..., HttpResponse]:
    """A page for signed-in members; the view gets the member as its second argument.
    Pages with personal data are never cached."""

    @never_cache
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = caller(request)
        if member is None:
            return login_redirect(request)
        return view(request, member, *args, **kwargs)

    return wrapper


def operator_page(view: OperatorView) -> Callable[..., HttpResponseBase]:
    """A back-office page: operators only; anyone else signed in sees the 404 page."""

    @never_cache
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        member = caller(request)
        if member is None:
            return login_redirect(request)
        if not member.is_operator:
            return not_found(request)
        return view(request, member, *args, **kwargs)

    return wrapper
