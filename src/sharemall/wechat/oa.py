"""The official account's server: what a follow, a scan, an unfollow and a message do.

- A follow through a QR code (`subscribe` with EventKey `qrscene_<scene>`) or a scan by a
  follower (`SCAN`, EventKey `<scene>`) names a share code as its scene. The follower becomes a
  member (or is found as one) and is bound to the code's sharer as the platform's binding mode
  allows — a newcomer at sign-up, an existing member exactly as a share-link landing binds them
  (accounts.binding.bind; first_touch never rebinds). The binding's source is
  `wechat-qr:<code>`. A follow without a scene makes or finds the member, unbound.
- An unfollow is recorded on the follower only.
- Each of those events is acted on once: WeChat retries a push that got no answer in five
  seconds, and the retry finds the first one's row (`OaEvent`, unique on sender, time and
  event) and gets the same reply.
- A text message gets a short help reply with the shop's address; other pushes get none.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatException

from sharemall.accounts.binding import bind
from sharemall.accounts.identities import WechatUser, member_from_wechat
from sharemall.accounts.models import Member, WechatIdentity
from sharemall.core.errors import DomainError
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing.models import ShareLink
from sharemall.sharing.selectors import link_by_code
from sharemall.wechat import merchant_accounts
from sharemall.wechat.config import Account
from sharemall.wechat.models import OaEvent, OaFollower
from sharemall.wechat.oa_wire import SCAN, SUBSCRIBE, TEXT, UNSUBSCRIBE, Incoming

logger = logging.getLogger(__name__)

RECORDED = (SUBSCRIBE, SCAN, UNSUBSCRIBE)
SOURCE_PREFIX = "wechat-qr"


def home_url() -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/"


# Followers are answered in the platform's language (Chinese): WeChat's push carries none.


def welcome_text(link: ShareLink | None) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        if link is None:
            return _("Thanks for following! Start shopping here: %(url)s") % {"url": home_url()}
        url = sharing_rules.share_url(settings.PUBLIC_BASE_URL, link.code)
        return _("Thanks for following! Here is what your friend shared with you: %(url)s") % {
            "url": url
        }


def help_text() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Shop, share and earn rebates here: %(url)s") % {"url": home_url()}


def _profile(account: Account, openid: str) -> dict[str, Any]:
    """WeChat's profile of a follower we do not know yet, for the unionid (the same person in
    our mini-program). Best effort: the follow goes ahead without it."""
    if WechatIdentity.objects.filter(app_id=account.app_id, openid=openid).exists():
        return {}
    try:
        answer = merchant_accounts.client_for(account).user.get(openid)
    except (WeChatException, requests.RequestException, ValueError, DomainError) as failed:
        logger.warning("WeChat user info for a new follower failed: %s", failed)
        return {}
    return answer if isinstance(answer, dict) else {}


def _stamp(incoming: Incoming) -> datetime:
    return datetime.fromtimestamp(incoming.create_time, tz=UTC)


def _follower(account: Account, incoming: Incoming, member: Member | None) -> None:
    """The follower's state as of this event, unless a later event already set it."""
    following = incoming.kind != UNSUBSCRIBE
    when = _stamp(incoming)
    changes: dict[str, Any] = {"subscribed": following, "changed_at": when}
    changes["subscribed_at" if following else "unsubscribed_at"] = when
    if member is not None:
        changes["member"] = member
    mine = OaFollower.objects.filter(app_id=account.app_id, openid=incoming.openid)
    if mine.filter(changed_at__lte=when).update(**changes) or mine.exists():
        return
    try:
        with transaction.atomic():
            OaFollower.objects.create(app_id=account.app_id, openid=incoming.openid, **changes)
    except IntegrityError:  # another event of the same follower made the row meanwhile
        mine.filter(changed_at__lte=when).update(**changes)


def _follow(
    account: Account, incoming: Incoming, profile: dict[str, Any]
) -> tuple[Member | None, str]:
    """Make or find the follower's member and bind it to the scene's sharer. Answers the
    member (None when the account is closed) and the welcome."""
    link = link_by_code(incoming.scene) if incoming.scene else None
    source = f"{SOURCE_PREFIX}:{link.code}" if link is not None else ""
    user = WechatUser(
        app_id=account.app_id,
        openid=incoming.openid,
        unionid=str(profile.get("unionid") or "")[:64],
        nickname=str(profile.get("nickname") or ""),
    )
    try:
        member, is_new = member_from_wechat(
            user, referrer=link.sharer if link else None, source=source
        )
    except DomainError:  # a closed or switched-off account: welcome them, bind nothing
        return None, welcome_text(link)
    if link is not None and not is_new:
        bind(member, link.sharer, source=source)
    return member, welcome_text(link)


def _done(account: Account, incoming: Incoming) -> OaEvent | None:
    return OaEvent.objects.filter(
        app_id=account.app_id,
        openid=incoming.openid,
        create_time=incoming.create_time,
        key=incoming.key,
    ).first()


def receive(account: Account, incoming: Incoming) -> str:
    """Act on a pushed message or event once; answer the reply text ("" for none)."""
    if incoming.kind == TEXT:
        return help_text()
    if incoming.kind not in RECORDED:
        return ""
    seen = _done(account, incoming)
    if seen is not None:
        return seen.reply
    profile = _profile(account, incoming.openid) if incoming.kind != UNSUBSCRIBE else {}
    try:
        with transaction.atomic():
            event = OaEvent.objects.create(
                app_id=account.app_id,
                openid=incoming.openid,
                create_time=incoming.create_time,
                key=incoming.key,
                scene=incoming.scene,
            )
            member, reply = None, ""
            if incoming.kind != UNSUBSCRIBE:
                member, reply = _follow(account, incoming, profile)
            _follower(account, incoming, member)
            event.member, event.reply = member, reply
            event.save(update_fields=["member", "reply"])
    except IntegrityError:
        # A retry that arrived while the first was being handled: it waited on the unique key
        # and now reads what the first one answered.
        seen = _done(account, incoming)
        if seen is None:
            raise
        return seen.reply
    return reply
