"""Writes for SMS verification codes: issue (and send), check a guess, consume.

The phone is the caller's to normalise (accounts does, with its phone rules); the purpose is one
of rules.PURPOSES. Only the newest code of a phone and purpose counts: asking again replaces
the code before it.

Checking and consuming are two steps on purpose. `code_check` counts the guess with a
conditional increment that must stay counted even when what follows fails, so it runs outside
any transaction; `code_consume` runs inside the caller's transaction with the write the code
allows (a sign-up, a password change), so a write that fails leaves the code usable, and its
conditional update lets only one of two concurrent requests use a code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.core.http import ip_or_none
from sharemall.sms import services as sms
from sharemall.sms.rules import SmsUnavailable
from sharemall.verification.models import SendGuard, VerificationCode
from sharemall.verification.rules import (
    PURPOSES,
    TEMPLATE_PREFIX,
    DailyLimit,
    TooSoon,
    code_matches,
    hash_code,
    invalid_code,
    new_code,
    retry_after,
)

DAY = timedelta(days=1)
# Rows are kept two days: a day for the daily caps, a day to look back on.
KEEP = timedelta(days=2)


@dataclass(frozen=True)
class Issued:
    resend_after: int  # seconds until this phone may ask again
    expires_in: int  # seconds the code is good for


def template_name(purpose: str) -> str:
    return TEMPLATE_PREFIX + purpose


def code_issue(
    *,
    phone: str,
    purpose: str,
    address: str | None = None,
    deliver: bool = True,
    now: datetime | None = None,
) -> Issued:
    """Make a new code for the phone and text it (unless `deliver` is false: then nothing is
    sent, but the request counts against the interval and the caps all the same).

    At most one code per phone per SMS_RESEND_SECONDS (429 `too_soon`, `retry_after` in the
    details), and SMS_DAILY_LIMIT_PER_PHONE / _PER_ADDRESS codes in any 24 hours
    (429 `sms_daily_limit`); AUTH_THROTTLE=off lifts the per-address cap, as it lifts the other
    per-address limits, never the per-phone ones."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    now = now or timezone.now()
    interval = settings.SMS_RESEND_SECONDS
    ip = ip_or_none(address)
    _claim_send(phone, now, interval)
    since = now - DAY
    if (
        VerificationCode.objects.filter(phone=phone, created_at__gt=since).count()
        >= settings.SMS_DAILY_LIMIT_PER_PHONE
    ) or (
        ip
        and settings.AUTH_THROTTLE
        and VerificationCode.objects.filter(address=ip, created_at__gt=since).count()
        >= settings.SMS_DAILY_LIMIT_PER_ADDRESS
    ):
        raise DailyLimit(_("Too many codes requested today. Try again tomorrow."))
    code = new_code()
    row = VerificationCode.objects.create(
        phone=phone,
        purpose=purpose,
        code_hash=hash_code(settings.SECRET_KEY, phone, purpose, code),
        delivered=deliver,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
        address=ip,
    )
    if deliver:
        try:
            message_id = sms.send(phone, template_name(purpose), {"code": code})
        except SmsUnavailable:
            # Not sent: forget the code and give the phone its turn back.
            row.delete()
            SendGuard.objects.filter(phone=phone, next_allowed_at=now + _seconds(interval)).update(
                next_allowed_at=now
            )
            raise
        VerificationCode.objects.filter(pk=row.pk).update(message_id=message_id[:64])
    return Issued(resend_after=interval, expires_in=settings.SMS_CODE_TTL_SECONDS)


def _seconds(n: int) -> timedelta:
    return timedelta(seconds=n)


def _claim_send(phone: str, now: datetime, interval: int) -> None:
    """Take the phone's turn to be sent a code, or refuse with how long to wait."""
    guards = SendGuard.objects.filter(phone=phone)
    if not guards.exists():
        SendGuard.objects.bulk_create(
            [SendGuard(phone=phone, next_allowed_at=now)], ignore_conflicts=True
        )
    if guards.filter(next_allowed_at__lte=now).update(next_allowed_at=now + _seconds(interval)):
        return
    guard = guards.first()
    wait = retry_after(guard.next_allowed_at if guard else None, now=now)
    raise TooSoon(
        _("A code was sent a moment ago. Wait %(n)d seconds before asking again.") % {"n": wait},
        details={"retry_after": wait},
    )


# Count one guess at the phone's newest code for a purpose, if it may still be guessed at
# (rules.can_try, as a condition): one statement on PostgreSQL and SQLite alike.
_GUESS_SQL = """
UPDATE verification_verificationcode SET attempts = attempts + 1
WHERE id = (
    SELECT id FROM verification_verificationcode WHERE phone = %s AND purpose = %s
    ORDER BY created_at DESC, id DESC LIMIT 1
) AND delivered AND used_at IS NULL AND expires_at > %s AND attempts < %s
RETURNING id, code_hash, attempts
"""


def code_guess(
    *, phone: str, purpose: str, code: str | None, now: datetime | None = None
) -> VerificationCode | None:
    """Count one guess at the phone's newest code for `purpose` (one conditional update) and
    compare it: the code's row when right (still to be consumed), None otherwise.

    A wrong guess must stay counted: run it outside a transaction (as `code_check` does), or
    inside one the caller commits whenever this answers None. A right guess may be rolled back
    with what it allowed: it tells nobody anything new."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _GUESS_SQL,
            [
                phone,
                purpose,
                connection.ops.adapt_datetimefield_value(now),
                settings.SMS_CODE_MAX_ATTEMPTS,
            ],
        )
        found = cursor.fetchone()
    if found is None:
        return None
    pk, code_hash, attempts = found
    if not code_matches(settings.SECRET_KEY, phone, purpose, code or "", code_hash):
        return None
    row = VerificationCode(
        pk=pk, phone=phone, purpose=purpose, code_hash=code_hash, attempts=attempts
    )
    row._state.adding = False
    return row


def code_check(
    *, phone: str, purpose: str, code: str | None, now: datetime | None = None
) -> VerificationCode:
    """Count one guess at the phone's newest code for `purpose` and compare it; the code's row
    when right (still to be consumed), 400 `invalid_code` otherwise.

    Call it outside a transaction: the guess stays counted whatever happens next."""
    row = code_guess(phone=phone, purpose=purpose, code=code, now=now)
    if row is None:
        raise invalid_code()
    return row


def code_consume(row: VerificationCode, *, now: datetime | None = None) -> None:
    """Use a checked code up: only one caller ever gets past this for a given code."""
    now = now or timezone.now()
    if not VerificationCode.objects.filter(
        pk=row.pk, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now):
        raise invalid_code()
    row.used_at = now


def codes_purge(now: datetime) -> int:
    """Job: forget codes (and idle send guards) older than two days; the caps look back one."""
    deleted, _by_model = VerificationCode.objects.filter(created_at__lt=now - KEEP).delete()
    SendGuard.objects.filter(next_allowed_at__lt=now - KEEP).delete()
    return deleted
