"""Web OAuth inside WeChat's browser: where to send the browser, and who came back.

The flow (docs/wechat-web.md): `authorize_url` sends the browser to WeChat's authorisation page
with a signed `state` (the page to go back to, the scope, and a nonce kept in the session, so a
state is good for one browser and one trip). WeChat sends it back to the callback with a `code`,
which `user_from_code` exchanges for the openid (and, with snsapi_userinfo, the nickname).
`arrive` then decides: a signed-in member links that WeChat account; a known WeChat user is
signed in; an unknown one after the silent snsapi_base is asked to agree first (`CONSENT`); an
unknown one after snsapi_userinfo becomes a member, bound to the sharer who brought them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatClientException, WeChatOAuthException

from sharemall.accounts import identities
from sharemall.accounts.identities import WechatUser
from sharemall.accounts.models import Member, WechatIdentity
from sharemall.core.errors import DomainError
from sharemall.wechat import clients, config
from sharemall.wechat.failures import WechatError

BASE, USERINFO = "snsapi_base", "snsapi_userinfo"
SCOPES = (BASE, USERINFO)
CALLBACK_PATH = "/wechat/oauth/callback"
STATE_SALT = "sharemall.wechat.oauth.state"
STATE_MAX_AGE_SECONDS = 600
# WeChat hands `state` back only up to 128 bytes; a longer one would lose the page to go back to,
# so a long `next` travels in the session instead (under the same nonce).
STATE_MAX_BYTES = 128
SESSION_NONCE = "wechat_oauth_nonce"
SESSION_NEXT = "wechat_oauth_next"

Outcome = Literal["linked", "signed_in", "created", "consent"]


class OAuthFailed(DomainError):
    """A code WeChat would not exchange (used, expired, forged) or a state that is not ours."""

    status = 400
    code = "wechat_oauth_failed"


def available() -> bool:
    """Whether web OAuth can run here: the official account is configured."""
    return config.account(config.OA) is not None


def redirect_uri() -> str:
    return f"{settings.PUBLIC_BASE_URL}{CALLBACK_PATH}"


def authorize_url(session: dict[str, object], *, next_path: str, scope: str) -> str:
    """WeChat's authorisation page for this browser (`session`: its Django session), which
    comes back to our callback. 503 `wechat_unavailable` when the official account is off."""
    if scope not in SCOPES:
        raise DomainError(_("Unknown WeChat log-in scope."), code="invalid_scope")
    account = config.require(config.OA)
    nonce = secrets.token_urlsafe(6)
    session[SESSION_NONCE] = nonce
    state = signing.dumps([nonce, scope, next_path], salt=STATE_SALT, compress=True)
    if len(state) > STATE_MAX_BYTES:
        session[SESSION_NEXT] = next_path
        state = signing.dumps([nonce, scope, ""], salt=STATE_SALT, compress=True)
    else:
        session.pop(SESSION_NEXT, None)
    query = urlencode(
        {
            "appid": account.app_id,
            "redirect_uri": redirect_uri(),
            "response_type": "code",
            "scope": scope,
            "state": state,
        }
    )
    return f"{config.open_base()}/connect/oauth2/authorize?{query}#wechat_redirect"


@dataclass(frozen=True)
class Trip:
    scope: str
    next_path: str


def read_state(session: dict[str, object], state: str) -> Trip:
    """The trip `state` started, once: the session's nonce is used up here, so a replayed or
    another browser's state is refused."""
    try:
        nonce, scope, next_path = signing.loads(
            state, salt=STATE_SALT, max_age=STATE_MAX_AGE_SECONDS
        )
    except (signing.BadSignature, ValueError, TypeError):
        raise OAuthFailed(_("This WeChat log-in link is not valid. Please try again.")) from None
    expected = session.pop(SESSION_NONCE, None)
    kept_next = session.pop(SESSION_NEXT, "")
    if not expected or not secrets.compare_digest(str(expected), str(nonce)):
        raise OAuthFailed(
            _("This WeChat log-in was already used or started elsewhere. Please try again.")
        )
    if scope not in SCOPES:
        raise OAuthFailed(_("This WeChat log-in link is not valid. Please try again."))
    return Trip(scope=scope, next_path=str(next_path or kept_next or "/"))


def user_from_code(code: str, scope: str) -> WechatUser:
    """Exchange WeChat's one-time `code` for who it names; with snsapi_userinfo also their
    nickname. 400 `wechat_oauth_failed` when WeChat refuses the code, 502 `wechat_error` when
    it cannot be reached."""
    account = config.require(config.OA)
    client = clients.oauth(account, redirect_uri(), scope)
    try:
        answer = client.fetch_access_token(code)
        openid = str(answer["openid"])
        unionid = str(answer.get("unionid") or "")
        nickname = ""
        if scope == USERINFO:
            info = client.get_user_info(openid)
            nickname = str(info.get("nickname") or "")
            unionid = str(info.get("unionid") or unionid)
    except (WeChatOAuthException, WeChatClientException, KeyError):
        raise OAuthFailed(
            _("WeChat did not accept this log-in (it may have been used already). Try again.")
        ) from None
    except requests.RequestException:
        raise WechatError(_("WeChat did not answer; try again later.")) from None
    return WechatUser(app_id=account.app_id, openid=openid, unionid=unionid, nickname=nickname)


def _known(user: WechatUser) -> bool:
    found = WechatIdentity.objects.filter(app_id=user.app_id, openid=user.openid)
    if user.unionid:
        found = found | WechatIdentity.objects.filter(unionid=user.unionid)
    return found.exists()


@dataclass(frozen=True)
class Arrival:
    outcome: Outcome
    member: Member | None


def arrive(
    user: WechatUser,
    scope: str,
    *,
    signed_in: Member | None,
    referrer: Member | None = None,
    source: str = "",
    address: str | None = None,
) -> Arrival:
    """What a WeChat user coming back from OAuth becomes (see the module's docstring).
    Linking someone else's WeChat account is 409 `wechat_taken`."""
    if signed_in is not None:
        identities.wechat_link(signed_in, user)
        return Arrival("linked", signed_in)
    if _known(user):
        member, _new = identities.member_from_wechat(user, address=address)
        return Arrival("signed_in", member)
    if scope == BASE:
        # snsapi_base says nothing of the person: making an account needs their consent.
        return Arrival("consent", None)
    member, is_new = identities.member_from_wechat(
        user, referrer=referrer, source=source or "wechat_oauth", address=address
    )
    return Arrival("created" if is_new else "signed_in", member)


def linked_openid(member: Member) -> str:
    """The member's openid under the official account ("" when not linked)."""
    account = config.account(config.OA)
    return identities.openid_of(member, account.app_id) if account else ""
