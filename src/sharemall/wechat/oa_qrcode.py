"""Parametric QR codes of the official account that carry a share code.

A sharer's code (QR_STR_SCENE, the share code as the scene) lets whoever scans it follow the
account and be bound to the sharer in one step (wechat/oa.py). WeChat keeps a temporary code for
at most 30 days; ours is made once per share link and reused until a day before it expires, so
a sharer printing a poster gets a code with at least a day left.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import quote

import requests
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatException

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.sharing.selectors import link_by_code
from sharemall.wechat import config, merchant_accounts
from sharemall.wechat.failures import WechatError
from sharemall.wechat.models import OaQrCode

logger = logging.getLogger(__name__)

LIFETIME_SECONDS = 30 * 24 * 3600  # WeChat's longest for a temporary code
RENEW_BEFORE = timedelta(days=1)


def image_url(ticket: str) -> str:
    """Where a browser gets the code's picture (mp.weixin.qq.com, or the simulator's page)."""
    return f"{config.mp_web_base()}/cgi-bin/showqrcode?ticket={quote(ticket, safe='')}"


def _create(account: config.Account, scene: str) -> tuple[str, str, int]:
    app_id = account.app_id
    try:
        answer = merchant_accounts.client_for(account).qrcode.create(
            {
                "expire_seconds": LIFETIME_SECONDS,
                "action_name": "QR_STR_SCENE",
                "action_info": {"scene": {"scene_str": scene}},
            }
        )
        ticket = str(answer["ticket"])
        lifetime = int(answer.get("expire_seconds") or LIFETIME_SECONDS)
    except (WeChatException, requests.RequestException, KeyError, TypeError, ValueError) as err:
        logger.warning("WeChat refused a QR code for %s: %s", app_id, err)
        raise WechatError(_("WeChat could not make the QR code; try again later.")) from None
    return ticket, str(answer.get("url") or ""), lifetime


def qrcode_for(member: Member, share_code: str) -> OaQrCode:
    """The official account's QR code for one of `member`'s own share links (404 for anyone
    else's, or no such link), made at WeChat when there is none with a day left."""
    link = link_by_code((share_code or "").strip())
    if link is None or link.sharer_id != member.pk:
        raise NotFound(_("No such share link."))
    # The shop's own official account when it is connected, else the platform's: either way
    # a follow through the code binds the follower to the sharer (wechat/oa.py).
    account = merchant_accounts.account_for_link(link)
    now = timezone.now()
    kept = OaQrCode.objects.filter(app_id=account.app_id, link=link).first()
    if kept is not None and kept.expires_at - RENEW_BEFORE > now:
        return kept
    ticket, url, lifetime = _create(account, link.code)
    fields = {"ticket": ticket, "url": url, "expires_at": now + timedelta(seconds=lifetime)}
    if kept is not None:
        OaQrCode.objects.filter(pk=kept.pk).update(created_at=now, **fields)
        kept.refresh_from_db()
        return kept
    try:
        with transaction.atomic():
            return OaQrCode.objects.create(
                app_id=account.app_id, link=link, created_at=now, **fields
            )
    except IntegrityError:  # two requests made one at once: either code works, keep theirs
        return OaQrCode.objects.get(app_id=account.app_id, link=link)
