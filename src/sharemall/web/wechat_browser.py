"""WeChat's in-app browser, as every area of the pages sees it: telling it apart, and sending a
stranger there through WeChat's silent log-in instead of the log-in page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from sharemall.wechat import oauth

# Set once WeChat's silent log-in did not sign this browser in (a newcomer who has not agreed,
# or an error): later pages send it to the ordinary log-in page instead of round and round.
SESSION_TRIED = "wechat_oauth_tried"


def in_wechat(request: HttpRequest) -> bool:
    return "MicroMessenger" in request.headers.get("User-Agent", "")


def oauth_start_url(next_path: str, scope: str = oauth.BASE) -> str:
    return f"{reverse('web:wechat_oauth_start')}?{urlencode({'next': next_path, 'scope': scope})}"


def wechat_login_offered(request: HttpRequest) -> bool:
    """The log-in page's 微信登录 button: inside WeChat, with the official account set up."""
    return in_wechat(request) and oauth.available()


def login_redirect(request: HttpRequest, next_path: str | None = None) -> HttpResponse:
    """Where a stranger opening a members' page goes: inside WeChat (with the official account
    set up) through snsapi_base, which signs a known WeChat user in without a click; anywhere
    else, or after that did not work once, the log-in page."""
    target = next_path or request.get_full_path()
    if wechat_login_offered(request) and not request.session.get(SESSION_TRIED):
        return HttpResponseRedirect(oauth_start_url(target))
    return redirect_to_login(target)
