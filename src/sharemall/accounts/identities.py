"""Members found or made from a WeChat identity (official account, OAuth, mini-program).

A WeChat user is the same member across our apps through the unionid; a new one becomes a
member with no phone yet (a `wx-…` placeholder, accounts.rules.has_phone) and is bound to the
sharer whose link or QR code brought them, exactly as a sign-up through a share link is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts import signup
from sharemall.accounts.models import Member, WechatIdentity
from sharemall.accounts.rules import has_phone, normalize_phone
from sharemall.accounts.services import device_seen, token_issue
from sharemall.accounts.signals import member_signed_up
from sharemall.core import ids
from sharemall.core.errors import Conflict, Unauthenticated
from sharemall.core.http import ip_or_none

NICKNAME_MAX = 40


@dataclass(frozen=True)
class WechatUser:
    app_id: str
    openid: str
    unionid: str = ""
    nickname: str = ""


def _placeholder_phone() -> str:
    return f"wx-{secrets.token_hex(8)}"


def _found(user: WechatUser) -> Member | None:
    identity = (
        WechatIdentity.objects.select_related("member")
        .filter(app_id=user.app_id, openid=user.openid)
        .first()
    )
    if identity is not None:
        return identity.member
    if user.unionid:
        sibling = (
            WechatIdentity.objects.select_related("member")
            .filter(unionid=user.unionid)
            .order_by("pk")
            .first()
        )
        if sibling is not None:
            WechatIdentity.objects.create(
                member=sibling.member,
                app_id=user.app_id,
                openid=user.openid,
                unionid=user.unionid,
            )
            return sibling.member
    return None


def member_from_wechat(
    user: WechatUser,
    *,
    referrer: Member | None = None,
    source: str = "",
    address: str | None = None,
    bearer_label: str | None = None,
) -> tuple[Member, bool]:
    """The member behind a WeChat user, made (and bound to `referrer`) when new. Answers the
    member and whether it is new. The WeChat account is the device of this log-in ("wx:" and
    the openid): the sign-up's device, and a sighting for the fraud signals. A closed
    account's identities are gone with it, so the same WeChat user arriving again is a new
    member. With `bearer_label` a bearer token carrying that device is issued in the same
    transaction (`member.issued_token`).

    A new member is one statement on PostgreSQL (accounts.signup): the member with its
    ancestors, the WeChat identity, the binding, the sighting and the token; the consent
    (`member_signed_up`) follows in the same transaction."""
    device = ids.wechat_device(user.openid)
    now = timezone.now()
    try:
        with transaction.atomic():
            member = _found(user)
            if member is not None:
                if not member.is_active:
                    raise Unauthenticated(_("This account is closed."), code="invalid_credentials")
                Member.objects.filter(pk=member.pk).update(last_login=now)
                device_seen(member.pk, device, address)
                if bearer_label is not None:
                    member.issued_token = signup.token_insert(
                        member, label=bearer_label, device=device, now=now
                    )
                return member, False
            new = signup.NewMember(
                phone=_placeholder_phone(),
                nickname=(user.nickname.strip() or _("WeChat user"))[:NICKNAME_MAX],
                password=signup.unusable_password(),
                signup_ip=ip_or_none(address),
                signup_device=device,
                now=now,
                last_login=now,
            )
            made = signup.insert(
                new,
                signup.Extras(
                    referrer_id=(
                        referrer.pk if referrer is not None and referrer.is_active else None
                    ),
                    source=source or "wechat",
                    wechat=(user.app_id, user.openid, user.unionid),
                    bearer_label=bearer_label,
                    token_device=device,
                ),
            )
            if made is None:  # a placeholder drawn twice (2^-64): as a race, below
                raise IntegrityError("placeholder phone taken")
            member_signed_up.send(sender=Member, member=made, address=address)
    except IntegrityError:
        # The same WeChat user arrived twice at once: the other request made the member.
        member = _found(user)
        if member is None:
            raise
        if bearer_label is not None:
            member.issued_token = token_issue(member, label=bearer_label, device=device)
        return member, False
    return made, True


def wechat_link(member: Member, user: WechatUser) -> WechatIdentity:
    """Link a WeChat account to a signed-in member (a phone account adding its WeChat).
    409 `wechat_taken` when that WeChat account belongs to another member."""
    existing = WechatIdentity.objects.filter(app_id=user.app_id, openid=user.openid).first()
    if existing is not None:
        if existing.member_id != member.pk:
            raise Conflict(
                _("This WeChat account is linked to another member."), code="wechat_taken"
            )
        return existing
    try:
        with transaction.atomic():
            return WechatIdentity.objects.create(
                member=member, app_id=user.app_id, openid=user.openid, unionid=user.unionid
            )
    except IntegrityError:
        raise Conflict(
            _("Your account is already linked to another WeChat account."),
            code="wechat_taken",
        ) from None


def openid_of(member: Member, app_id: str) -> str:
    """The member's openid under `app_id`, or "" when none is linked."""
    return (
        WechatIdentity.objects.filter(member=member, app_id=app_id)
        .values_list("openid", flat=True)
        .first()
        or ""
    )


def _phone_taken() -> Conflict:
    return Conflict(
        _(
            "This phone number belongs to another account. Log in with the phone number and "
            "link WeChat in its settings instead."
        ),
        code="phone_taken",
    )


def phone_from_wechat(member: Member, phone: str) -> str:
    """Give a member who arrived through WeChat the phone number WeChat vouched for (the
    mini-program's phone button), and answer it. The same number again is fine; another
    member's number is 409 `phone_taken`; a member who has a different number already keeps
    it (409 `phone_already_set`: changing a log-in number is a settings matter, with an SMS
    code). The write is conditional on the placeholder still being there, so two requests at
    once set one number."""
    number = normalize_phone(phone)
    if member.phone == number:
        return number
    if has_phone(member.phone):
        raise Conflict(
            _("Your account has a phone number already; change it in settings."),
            code="phone_already_set",
        )
    if Member.objects.filter(phone=number).exclude(pk=member.pk).exists():
        raise _phone_taken()
    try:
        with transaction.atomic():
            changed = Member.objects.filter(pk=member.pk, phone=member.phone).update(phone=number)
    except IntegrityError:  # another member took the number a moment ago
        raise _phone_taken() from None
    if not changed:  # a twin request got there first: answer as if it were this one
        current = Member.objects.filter(pk=member.pk).values_list("phone", flat=True).get()
        if current != number:
            raise Conflict(
                _("Your account has a phone number already; change it in settings."),
                code="phone_already_set",
            )
    member.phone = number
    return number
