"""The mini-program's server side: log-in by `wx.login()` code, the phone number by the phone
button's code, mini-program codes whose scene is a share code, and the landing page that
applies such a scene.

- Log-in (`code2session`): the openid (and unionid) name the member; a new one is made and
  bound to the sharer of the `share_code` the mini-program was opened with, exactly as a
  sign-up through a share link is. The session_key is not kept: nothing here decrypts data
  with it (the phone number comes by its own code).
- A mini-program code (`getwxacodeunlimit`) carries the share code as its scene; scanning it
  opens the mini-program, whose landing page asks `landing(scene)` what to show, and the visit
  is recorded as a click on the share link, as the web landing records one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from PIL import Image

from sharemall.accounts.identities import WechatUser, member_from_wechat, phone_from_wechat
from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.core.ids import wechat_device
from sharemall.sharing import services as sharing
from sharemall.sharing.selectors import link_by_code, signup_referrer
from sharemall.wechat import clients, failures, rules

PHONE_NUMBER_URL = "https://api.weixin.qq.com/wxa/business/getuserphonenumber"
WXA_CODE_WIDTH = 430  # px, WeChat's default
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Landing:
    share_code: str
    target_type: str
    target_id: int
    path: str
    counted: bool


def _missing(what: str) -> failures.WechatError:
    return failures.WechatError(
        _("WeChat's answer had no %(what)s; try again later.") % {"what": what}
    )


def login(
    code: str, *, share_code: str | None = None, address: str | None = None
) -> tuple[Member, bool, str]:
    """The member behind a `wx.login()` code, made when new (bound to the sharer of
    `share_code`); answers the member, whether it is new, and the log-in's device (the openid,
    core.ids.wechat_device). 400 `invalid_code` for a wrong or
    used code, 502 `wechat_error` for WeChat's other refusals, 503 `wechat_unavailable` when
    the mini-program is not set up. The member's bearer token (label "wechat-mp", carrying the
    device) is issued in the same transaction: `member.issued_token`."""
    client = clients.mp_client()
    with failures.translated(codes_from_member=True):
        session: dict[str, Any] = client.wxa.code_to_session(code.strip())
    openid = str(session.get("openid") or "")
    if not openid:
        raise _missing("openid")
    referrer, source = signup_referrer(share_code)
    member, is_new = member_from_wechat(
        WechatUser(app_id=client.appid, openid=openid, unionid=str(session.get("unionid") or "")),
        referrer=referrer,
        source=source,
        address=address,
        bearer_label="wechat-mp",
    )
    return member, is_new, wechat_device(openid)


def phone_bind(member: Member, code: str) -> str:
    """The phone number WeChat vouches for with the phone button's `code`, set as the member's
    when they have none (accounts.identities.phone_from_wechat); answers the number."""
    client = clients.mp_client()
    with failures.translated(codes_from_member=True):
        answer: dict[str, Any] = client.post(PHONE_NUMBER_URL, data={"code": code.strip()})
    info = answer.get("phone_info") or {}
    number = str(info.get("phoneNumber") or info.get("purePhoneNumber") or "")
    if not number:
        raise _missing(_("phone number"))
    return phone_from_wechat(member, number)


def own_link_code(member: Member, share_code: str) -> str:
    """The caller's own share link's code; another's, or none, is 404."""
    link = link_by_code(share_code.strip())
    if link is None or link.sharer_id != member.pk:
        raise NotFound(_("No such share link."))
    return link.code


def wxa_code_png(member: Member, share_code: str, page: str | None = None) -> bytes:
    """A mini-program code (PNG) for one of the member's own share links: its scene is the
    share code, so the landing page can apply it; `page` is the page it opens (the home page
    when omitted; WeChat requires it to exist in the published mini-program)."""
    scene = rules.scene_for(own_link_code(member, share_code))
    opens = rules.mini_program_page(page)
    client = clients.mp_client()
    with failures.translated():
        answer = client.wxa.get_wxa_code_unlimited(scene=scene, page=opens, width=WXA_CODE_WIDTH)
    # WeChat answers the image itself (JPEG or PNG), or JSON with an errcode (raised above).
    content = getattr(answer, "content", None)
    if not isinstance(content, bytes):
        raise _missing(_("image"))
    return _as_png(content)


def _as_png(content: bytes) -> bytes:
    """The picture as PNG, whatever WeChat encoded it as; not a picture → 502."""
    if content.startswith(PNG_SIGNATURE):
        return content
    try:
        with Image.open(io.BytesIO(content)) as picture:
            picture.load()
            out = io.BytesIO()
            picture.save(out, format="PNG")
    except (OSError, ValueError, Image.DecompressionBombError):
        raise _missing(_("image")) from None
    return out.getvalue()


def landing(
    scene: str,
    *,
    visitor: Member | None = None,
    device_id: str | None = None,
    address: str = "",
) -> Landing:
    """What the mini-program's landing page opens for a scanned code's `scene` (a share code),
    with the visit recorded as a click on the share link (a signed-in visitor may be bound to
    the sharer, as on the web landing). An unknown scene is 404."""
    code = rules.share_code_from_scene(scene)
    if link_by_code(code) is None:
        raise NotFound(_("No such share link."))
    result = sharing.click_record(
        code=code, visitor_member=visitor, visitor_key=device_id, ip=address
    )
    link = result.link
    return Landing(
        share_code=link.code,
        target_type=link.target_type,
        target_id=link.target_id,
        path=sharing.target_url(link),
        counted=result.counted,
    )
