"""Writes for members: registration, login with lockout or by SMS code, password reset, tokens,
roles."""

from __future__ import annotations

import functools
import hashlib
import secrets
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts import signup
from sharemall.accounts.models import ApiToken, LoginGuard, Member, MemberDevice
from sharemall.accounts.rules import RECENT_SIGN_IN, TOKEN_PREFIX, hash_token, normalize_phone
from sharemall.accounts.signals import member_signed_up
from sharemall.core import ids, versions
from sharemall.core.errors import Conflict, DomainError, RateLimited, Unauthenticated
from sharemall.core.http import ip_or_none
from sharemall.core.sql import is_postgres, prepared_cursor
from sharemall.core.throttle import allow
from sharemall.verification import services as verification
from sharemall.verification.models import VerificationCode
from sharemall.verification.rules import invalid_code, typed_code_hash
from sharemall.verification.services import Issued

NICKNAME_MAX = 40
# What a closed account is called wherever it still appears (a node of a team, an old order):
# stored data, the same in every language.
CLOSED_NICKNAME = "已注销用户"
# A phone's wrong guesses are forgotten a day after the last one (unless it is locked then).
LOGIN_GUARD_KEEP = timedelta(days=1)
# A device an API client keeps naming is recorded at most this often per member.
SIGHTING_INTERVAL_SECONDS = 3600


class InvalidPassword(DomainError):
    code = "invalid_password"


def _address_gate(action: str, address: str | None) -> None:
    """Per-address limit on sign-up and login; AUTH_THROTTLE=off lifts it for load tests."""
    if not settings.AUTH_THROTTLE or not address:
        return
    if not allow(
        f"{action}:{address}", limit=settings.AUTH_ADDRESS_LIMIT_PER_MINUTE, window_seconds=60
    ):
        raise RateLimited(_("Too many attempts from this address. Try again in a minute."))


def _clean_nickname(nickname: str) -> str:
    cleaned = " ".join((nickname or "").split())
    if not cleaned:
        raise DomainError(_("Choose a nickname."), code="invalid_nickname")
    if len(cleaned) > NICKNAME_MAX:
        raise DomainError(
            _("A nickname has at most %(n)d characters.") % {"n": NICKNAME_MAX},
            code="invalid_nickname",
        )
    return cleaned


def _terms_refused() -> DomainError:
    return DomainError(
        _("Accept the user agreement and the privacy policy to sign up."),
        code="terms_not_accepted",
    )


def _check_password(password: str, member: Member | None = None) -> None:
    try:
        validate_password(password, member)
    except ValidationError as exc:
        raise InvalidPassword(" ".join(exc.messages)) from None


def _device(raw: str) -> str:
    """A device id as an edge passed it, or "" for one no client of ours sends (the API's raw
    X-Device-Id header may carry anything)."""
    value = (raw or "").strip()
    if ids.is_device_id(value) or value.startswith(ids.WECHAT_DEVICE_PREFIX):
        return value[:64]
    return ""


def _password_newcomer(
    *, phone: str, password: str, nickname: str, address: str | None, device: str
) -> signup.NewMember:
    """A password sign-up's member row, checked and hashed with the real hasher (the costly
    part: docs/BENCHMARKS.md gives its time), before any transaction opens."""
    _address_gate("register", address)
    normalized = normalize_phone(phone)
    name = _clean_nickname(nickname)
    candidate = Member(phone=normalized, nickname=name)
    _check_password(password, candidate)
    return signup.NewMember(
        phone=normalized,
        nickname=name,
        password=make_password(password),
        signup_ip=ip_or_none(address),
        signup_device=_device(device),
        now=timezone.now(),
    )


def _phone_taken() -> Conflict:
    return Conflict(_("This phone number is already registered."), code="phone_taken")


def _made(new: signup.NewMember, extras: signup.Extras) -> Member:
    """The sign-up's rows, in the caller's transaction; raises (so the caller's transaction
    rolls back, code and all) when the phone is taken or the code was spent meanwhile."""
    try:
        member = signup.insert(new, extras)
    except signup.CodeSpent:
        raise invalid_code() from None
    if member is None:
        raise _phone_taken()
    return member


def member_register(
    *, phone: str, password: str, nickname: str, address: str | None = None, device: str = ""
) -> Member:
    """A member with a password, no binding and no token (the demo data, operators' tools)."""
    new = _password_newcomer(
        phone=phone, password=password, nickname=nickname, address=address, device=device
    )
    try:
        with transaction.atomic():
            return _made(new, signup.Extras())
    except IntegrityError:
        raise _phone_taken() from None


def member_signup(
    *,
    phone: str,
    password: str,
    nickname: str,
    address: str | None = None,
    device: str = "",
    referrer: Member | None = None,
    source: str = "",
    sms_code: str | None = None,
    accept_terms: bool = True,
    bearer_label: str | None = None,
) -> Member:
    """Register, and bind the newcomer to `referrer` (the sharer whose link brought them, found
    by the edge) as the binding mode allows. Nothing is ever paid for a sign-up.

    While PHONE_VERIFICATION is on the phone must be proved with the sign-up code texted to it
    (400 `invalid_code` otherwise); the code is used up only if the member is made.

    One transaction writes everything (accounts.signup): the member with its ancestors, the
    binding, the device sighting, the consumed code, the consent (`member_signed_up`) and,
    with `bearer_label`, a bearer token (`member.issued_token`)."""
    if not accept_terms:
        raise _terms_refused()
    checked = None
    if settings.PHONE_VERIFICATION:
        checked = verification.code_check(
            phone=normalize_phone(phone), purpose="register", code=sms_code
        )
    new = _password_newcomer(
        phone=phone, password=password, nickname=nickname, address=address, device=device
    )
    extras = signup.Extras(
        referrer_id=referrer.pk if referrer is not None and referrer.is_active else None,
        source=source or "signup",
        code_id=checked.pk if checked is not None else None,
        bearer_label=bearer_label,
    )
    try:
        with transaction.atomic():
            newcomer = _made(new, extras)
            member_signed_up.send(sender=Member, member=newcomer, address=address)
    except IntegrityError:
        raise _phone_taken() from None
    if checked is not None:
        checked.used_at = new.now
    return newcomer


def sms_code_request(*, phone: str, purpose: str, address: str | None = None) -> Issued:
    """Text the phone a verification code for `purpose` (register, login, reset_password).

    The answer never tells whether the number has an account: a sign-up code for a number
    already registered, or a reset code for one that is not, is answered alike and sends
    nothing (and counts against the interval and caps all the same)."""
    _address_gate("sms-code", address)
    normalized = normalize_phone(phone)
    registered = Member.objects.filter(phone=normalized).exists()
    deliver = {"register": not registered, "reset_password": registered}.get(purpose, True)
    return verification.code_issue(
        phone=normalized, purpose=purpose, address=address, deliver=deliver
    )


def member_login_by_code(
    *,
    phone: str,
    sms_code: str,
    address: str | None = None,
    device: str = "",
    referrer: Member | None = None,
    source: str = "",
    accept_terms: bool = True,
    bearer_label: str | None = None,
) -> tuple[Member, bool]:
    """Log in with the code texted to the phone (no password); a number without an account
    gets one, bound to `referrer` as at sign-up. Answers the member and whether it is new.

    On PostgreSQL a new number is one statement and one commit (accounts.signup.code_signup):
    the guess counted, then for a right code the code consumed, the member with its ancestors,
    binding, device sighting, consent and, with `bearer_label`, the bearer token
    (`member.issued_token`). Elsewhere, or when that statement cannot stand for the general
    path, one transaction does the same in a few statements. A wrong guess is committed before
    the answer, so it stays counted; a number that has an account is logged in, its code used
    up in the log-in's transaction."""
    _address_gate("login", address)
    normalized = normalize_phone(phone)
    now = timezone.now()
    device_id = _device(device)
    new = signup.NewMember(
        phone=normalized,
        nickname=_("User %(digits)s") % {"digits": normalized[-4:]},
        password=signup.unusable_password(),
        signup_ip=ip_or_none(address),
        signup_device=device_id,
        now=now,
        last_login=now,
    )
    extras = signup.Extras(
        referrer_id=referrer.pk if referrer is not None and referrer.is_active else None,
        source=source or "signup",
        bearer_label=bearer_label,
    )
    if accept_terms and signup.code_signup_ready():
        done = _code_signup_one_statement(new, extras, sms_code)
        if done is not None:
            member, is_new = done
            if not is_new:
                device_seen(member.pk, device_id, address)
            return member, is_new
    try:
        with transaction.atomic():
            checked = verification.code_guess(
                phone=normalized, purpose="login", code=sms_code, now=now
            )
            if checked is None:
                made = None
            else:
                made = _code_signup(
                    new,
                    checked,
                    extras,
                    accept_terms=accept_terms,
                    address=address,
                )
    except IntegrityError:
        # The same number signed up a moment ago by another request: its code is spent.
        raise invalid_code() from None
    if checked is None or made is None:  # committed: the wrong guess stays counted
        raise invalid_code()
    checked.used_at = now
    member, is_new = made
    if not is_new:
        device_seen(member.pk, device_id, address)
    return member, is_new


def _code_signup_one_statement(
    new: signup.NewMember, extras: signup.Extras, sms_code: str | None
) -> tuple[Member, bool] | None:
    """member_login_by_code's PostgreSQL path: the guess and a newcomer's whole sign-up in one
    statement, its own commit (a savepoint inside a caller's transaction, so a failure leaves
    that transaction usable). None when the statement could not run (it wrote nothing)."""
    code_hash = typed_code_hash(settings.SECRET_KEY, new.phone, "login", sms_code)
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            done = signup.code_signup(
                new,
                extras,
                purpose="login",
                code_hash=code_hash,
                max_attempts=settings.SMS_CODE_MAX_ATTEMPTS,
            )
    except IntegrityError:
        # A row that cannot be written (a token hash taken): nothing of the statement stays.
        raise invalid_code() from None
    if done is None:
        return None
    if not done.right:
        raise invalid_code()  # its guess is counted and committed
    if done.member is not None:
        return done.member, True
    # The number has an account: the right code logs it in. The statement left the code for
    # the log-in to use up, unless a sign-up of the number won a race a moment ago (then the
    # statement used it up and made nothing).
    with transaction.atomic():
        if not done.consumed:
            verification.code_consume(VerificationCode(pk=done.code_id), now=new.now)
        return _log_in_known(new, extras.bearer_label), False


def _code_signup(
    new: signup.NewMember,
    checked: VerificationCode,
    extras: signup.Extras,
    *,
    accept_terms: bool,
    address: str | None,
) -> tuple[Member, bool]:
    """The right code's part of member_login_by_code's general path, in its transaction: the
    newcomer made, or the account behind the number logged in."""
    if not accept_terms and not Member.objects.filter(phone=new.phone).exists():
        raise _terms_refused()  # rolls the right guess back with everything else
    try:
        member = signup.insert(new, replace(extras, code_id=checked.pk))
    except signup.CodeSpent:
        raise invalid_code() from None
    if member is not None:
        member_signed_up.send(sender=Member, member=member, address=address)
        return member, True
    # The number has an account: the code (consumed above) logs it in.
    return _log_in_known(new, extras.bearer_label), False


def _log_in_known(new: signup.NewMember, bearer_label: str | None) -> Member:
    """The account behind `new.phone` logged in by its right code, in the caller's transaction
    (which has used the code up): last log-in set and, with `bearer_label`, a token."""
    member = Member.objects.filter(phone=new.phone).first()
    if member is None or not member.is_active:
        raise Unauthenticated(_("Wrong phone number or password."), code="invalid_credentials")
    Member.objects.filter(pk=member.pk).update(last_login=new.now)
    member.last_login = new.now
    if bearer_label is not None:
        member.issued_token = signup.token_insert(member, label=bearer_label, now=new.now)
    return member


def password_reset(
    *, phone: str, sms_code: str, new_password: str, address: str | None = None
) -> Member:
    """Set a new password with the reset code texted to the phone. Every bearer token of the
    member is revoked (page sessions end by themselves: they carry the old password's hash),
    and a lockout from wrong passwords is lifted."""
    _address_gate("password-reset", address)
    normalized = normalize_phone(phone)
    member = Member.objects.filter(phone=normalized, is_active=True).first()
    _check_password(new_password, member)
    checked = verification.code_check(phone=normalized, purpose="reset_password", code=sms_code)
    if member is None:  # no reset code is ever delivered to such a number
        raise invalid_code()
    with transaction.atomic():
        verification.code_consume(checked)
        member.set_password(new_password)
        member.save(update_fields=["password"])
        tokens_revoke_all(member)
        LoginGuard.objects.filter(phone=normalized).delete()
    return member


def member_login(
    *, phone: str, password: str, address: str | None = None, device: str = ""
) -> Member:
    """Check the password, at most LOGIN_FAILURE_LOCKOUT guesses per phone per lockout window.

    Each guess is claimed before its password is checked, so parallel log-ins cannot slip extra
    guesses past the count. The count is kept per phone number whether or not it is registered,
    and the dummy hash for an unknown number costs what a real check costs, so neither the
    answers nor their timing tell which numbers have accounts. A locked number stays locked
    whatever the address, so AUTH_THROTTLE=off never weakens it."""
    _address_gate("login", address)
    failure = Unauthenticated(_("Wrong phone number or password."), code="invalid_credentials")
    try:
        normalized = normalize_phone(phone)
    except DomainError:
        raise failure from None
    now = timezone.now()
    if not _claim_guess(normalized, now):
        raise _locked()
    member = Member.objects.filter(phone=normalized).first()
    if not _password_matches(member, password):
        if _lock_if_spent(normalized, now):
            raise _locked()
        raise failure
    assert member is not None  # a match needs a member
    LoginGuard.objects.filter(phone=normalized, locked_until__isnull=True).update(
        claims=0, updated_at=now
    )
    Member.objects.filter(pk=member.pk).update(last_login=now)
    device_seen(member.pk, _device(device), address)
    return member


def _locked() -> RateLimited:
    return RateLimited(
        _("Too many wrong passwords. This account is locked for a while."),
        code="account_locked",
    )


def _claim_guess(phone: str, now: datetime) -> bool:
    """Count one guess against the phone if the window has one left; False while locked."""
    guards = LoginGuard.objects.filter(phone=phone)
    # A lock that has run out opens a new window; only one caller can clear a given lock.
    guards.filter(locked_until__lte=now).update(claims=0, locked_until=None, updated_at=now)
    if not guards.exists():
        LoginGuard.objects.bulk_create([LoginGuard(phone=phone)], ignore_conflicts=True)
    return bool(
        guards.filter(locked_until__isnull=True, claims__lt=settings.LOGIN_FAILURE_LOCKOUT).update(
            claims=F("claims") + 1, updated_at=now
        )
    )


def _lock_if_spent(phone: str, now: datetime) -> bool:
    """After a wrong guess: lock the phone once its window's guesses are all spent."""
    until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    return bool(
        LoginGuard.objects.filter(
            phone=phone, locked_until__isnull=True, claims__gte=settings.LOGIN_FAILURE_LOCKOUT
        ).update(locked_until=until, updated_at=now)
    )


def login_guards_purge(now: datetime) -> int:
    """Job: forget the guess counts of phones nobody has tried for a day, so the table holds
    only recent attempts, whoever sends numbers at it. A phone still locked keeps its row."""
    deleted, _by_model = (
        LoginGuard.objects.filter(updated_at__lt=now - LOGIN_GUARD_KEEP)
        .exclude(locked_until__gt=now)
        .delete()
    )
    return deleted


def _password_matches(member: Member | None, password: str) -> bool:
    """The one place a guess is checked; an unknown phone spends the same time hashing."""
    if member is None:
        make_password(password)
        return False
    return member.check_password(password) and member.is_active


def token_issue(member: Member, *, label: str = "", device: str = "") -> str:
    """A new bearer token; the caller sees it once, we keep only its hash. `device` is the one
    the log-in proved (a WeChat openid), used when a request names none."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        member=member,
        key_hash=hash_token(raw),
        label=label[:60],
        device_id=device.strip()[:64],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return raw


@dataclass(frozen=True, slots=True)
class _CachedToken:
    """What a bearer token says, kept per process under the `tokens` version. Its member is
    never kept: whether they are active, operator or bound to whom is read on every request."""

    token_id: int
    member_id: int
    created_at: datetime
    expires_at: datetime
    device_id: str
    last_used_at: datetime | None


# token hash → token; only tokens that were valid when read (an unknown hash is never stored,
# so guessing fills nothing).
_tokens: versions.VersionedCache[str, _CachedToken] = versions.VersionedCache(versions.TOKENS)

_MEMBER_ATTNAMES = tuple(f.attname for f in Member._meta.concrete_fields)


@functools.cache
def _member_sql(vendor: str) -> str:
    columns = ", ".join(
        f"m.{connection.ops.quote_name(f.column or f.attname)}"
        for f in Member._meta.concrete_fields
    )
    return (
        f"SELECT {columns}, {versions.versions_subquery(vendor)} "  # noqa: S608 - constant names; the id is a parameter
        f"FROM {Member._meta.db_table} m WHERE m.id = %s"
    )


def _member_and_versions(member_id: int) -> tuple[Member | None, dict[str, int]]:
    """The member's row, fresh, and every cache version, in one statement: prepared once per
    connection on PostgreSQL (parsed and planned once), through the ORM elsewhere (SQLite's
    driver would hand back naive datetimes to a raw cursor)."""
    if is_postgres():
        with prepared_cursor() as cursor:
            cursor.execute(_member_sql("postgresql"), [member_id])
            row = cursor.fetchone()
        if row is None:
            return None, {}
        member = Member.from_db(DEFAULT_DB_ALIAS, _MEMBER_ATTNAMES, row[:-1])
        return member, versions.parse_versions(row[-1])
    found = (
        Member.objects.filter(pk=member_id)
        .annotate(cache_versions=RawSQL(versions.versions_subquery(connection.vendor), ()))  # noqa: S611 - constant SQL
        .first()
    )
    if found is None:
        return None, {}
    raw = found.__dict__.pop("cache_versions")
    return found, versions.parse_versions(raw)


def token_authenticate(raw: str) -> Member | None:
    """The member behind a bearer token, or None. In a request, a token seen before costs one
    statement: the member row with the cache versions; the token itself comes from the process
    cache while the `tokens` version is unchanged (every revocation bumps it)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    key_hash = hash_token(raw)
    caching = versions.usable(versions.TOKENS)
    if caching and (entry := _tokens.peek(key_hash)) is not None:
        version, cached = entry
        member, found = _member_and_versions(cached.member_id)
        if member is None:  # deleted, and its tokens with it
            return None
        versions.install(found)
        if found.get(versions.TOKENS, 0) == version:
            if cached.expires_at <= now:
                return None
            return _admitted(key_hash, version, cached, member, now)
        # The token may have been revoked since: look it up as if never seen.
    tokens = ApiToken.objects.select_related("member").filter(
        key_hash=key_hash, revoked_at__isnull=True, expires_at__gt=now
    )
    if caching:
        # The versions in the same statement as the token: what is stored under them is
        # never older than they are.
        tokens = tokens.annotate(
            cache_versions=RawSQL(versions.versions_subquery(connection.vendor), ())  # noqa: S611 - constant SQL
        )
    token = tokens.first()
    if token is None:
        return None
    cached = _CachedToken(
        token_id=token.pk,
        member_id=token.member_id,
        created_at=token.created_at,
        expires_at=token.expires_at,
        device_id=token.device_id,
        last_used_at=token.last_used_at,
    )
    version = 0
    if caching:
        found = versions.parse_versions(token.__dict__.pop("cache_versions"))
        versions.install(found)
        version = found.get(versions.TOKENS, 0)
        _tokens.put(key_hash, version, cached)
    return _admitted(key_hash, version if caching else None, cached, token.member, now)


def _admitted(
    key_hash: str, version: int | None, token: _CachedToken, member: Member, now: datetime
) -> Member | None:
    if not member.is_active:
        return None
    # Touch at most once a minute: a read-mostly API should not write on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.token_id).update(last_used_at=now)
        if version is not None:
            _tokens.put(key_hash, version, replace(token, last_used_at=now))
    member.authenticated_at = token.created_at
    member.token_device = token.device_id
    return member


def token_revoke(raw: str) -> bool:
    with transaction.atomic():
        # In the revoking transaction: every process drops its cached tokens as it commits.
        versions.bump(versions.TOKENS)
        return bool(
            ApiToken.objects.filter(key_hash=hash_token(raw), revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
        )


def tokens_revoke_all(member: Member) -> int:
    with transaction.atomic():
        versions.bump(versions.TOKENS)
        return ApiToken.objects.filter(member=member, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )


def operator_create(*, phone: str, password: str, nickname: str = "") -> Member:
    """A platform operator: reviews merchants and uses the back office (Django admin)."""
    normalized = normalize_phone(phone)
    member = Member.objects.filter(phone=normalized).first()
    if member is None:
        member = Member(phone=normalized, nickname=_clean_nickname(nickname or _("Operator")))
    _check_password(password, member)
    member.set_password(password)
    member.is_operator = True
    member.is_staff = True
    member.is_superuser = True
    member.save()
    return member


def distributor_enable(member: Member) -> Member:
    """Enabling distribution is free and needs no approval: nothing is ever paid to join."""
    Member.objects.filter(pk=member.pk).update(is_distributor=True)
    member.is_distributor = True
    return member


def closing_confirm(
    member: Member, *, password: str = "", sms_code: str = ""
) -> VerificationCode | None:
    """Closing an account asks for the current password, or for a member who never set one
    (signed up by texted code) a `login` code texted to the phone: 400 `invalid_password` or
    `invalid_code` otherwise. A caller who sends neither but signed in within
    `RECENT_SIGN_IN` (a fresh bearer token) has just proved it. Call it outside a
    transaction (a wrong guess stays counted); the code it answers is used up by member_close,
    only once the account closes."""
    signed_in = member.authenticated_at
    just_signed_in = signed_in is not None and timezone.now() - signed_in <= RECENT_SIGN_IN
    if just_signed_in and not password and not sms_code:
        return None
    if member.has_usable_password():
        if not password or not member.check_password(password):
            raise InvalidPassword(_("The password is wrong."))
        return None
    return verification.code_check(phone=member.phone, purpose="login", code=sms_code or None)


def member_close(member: Member, *, code: VerificationCode | None = None) -> Member:
    """Close the account and erase what identifies the person (PIPL art. 47): the phone becomes
    a placeholder that is no phone number, so the number can be registered again by somebody
    else; the nickname, sign-up device and address go; the password becomes unusable (which
    also ends its page sessions) and every token is revoked. The row itself stays: it is the
    party of orders, commissions and ledger postings kept for the legal retention period, and a
    node of its downline's binding history. Run inside the caller's transaction; closing twice
    is refused (409 `already_closed`)."""
    now = timezone.now()
    placeholder = f"closed-{member.pk}-{secrets.token_hex(3)}"[:20]
    closed = Member.objects.filter(pk=member.pk, closed_at__isnull=True).update(
        phone=placeholder,
        nickname=CLOSED_NICKNAME,
        signup_ip=None,
        signup_device="",
        password=make_password(None),
        is_active=False,
        is_distributor=False,
        closed_at=now,
    )
    if not closed:
        raise Conflict(_("This account is already closed."), code="already_closed")
    if code is not None:
        verification.code_consume(code, now=now)
    LoginGuard.objects.filter(phone=member.phone).delete()
    tokens_revoke_all(member)
    member.refresh_from_db()
    return member


def member_suspend(member: Member) -> bool:
    """Shut the member out (the community convention's closed account): no more sign-in by
    password, texted code or WeChat, every token revoked, and page sessions end because the
    auth backend refuses inactive members. Unlike `member_close` nothing is erased: the row,
    its orders, ledger and earnings stay, and `member_reinstate` lets the member back in.
    False when the member was already shut out."""
    suspended = Member.objects.filter(pk=member.pk, is_active=True).update(is_active=False)
    tokens_revoke_all(member)
    member.is_active = False
    return bool(suspended)


def member_reinstate(member: Member) -> bool:
    """Let a suspended member sign in again (an appeal overturned the closing). An account
    its owner closed themselves stays closed: its personal data is gone."""
    reinstated = Member.objects.filter(
        pk=member.pk, is_active=False, closed_at__isnull=True
    ).update(is_active=True)
    if reinstated:
        member.is_active = True
    return bool(reinstated)


def device_seen(member_id: int, device_id: str, ip: str | None = None) -> None:
    """Remember that the member used this device (from this address). Cheap and idempotent:
    one conditional update, an insert only for a device not seen before."""
    device_id = (device_id or "").strip()[:64]
    if not device_id:
        return
    now = timezone.now()
    address = ip_or_none(ip)
    if MemberDevice.objects.filter(member_id=member_id, device_id=device_id).update(
        last_seen=now, last_ip=address
    ):
        return
    try:
        with transaction.atomic():
            MemberDevice.objects.create(
                member_id=member_id,
                device_id=device_id,
                first_seen=now,
                last_seen=now,
                last_ip=address,
            )
    except IntegrityError:  # a twin request recorded it first
        pass


def device_seen_recently(member_id: int, device_id: str, ip: str | None = None) -> None:
    """`device_seen` for hot paths (every authenticated API request naming its device): at most
    one write per member, device and SIGHTING_INTERVAL, remembered in the cache (per process
    without Redis, which only means one write per process)."""
    if not device_id:
        return
    digest = hashlib.sha256(f"{member_id}:{device_id}".encode()).hexdigest()[:32]
    if cache.add(f"device-seen:{digest}", 1, timeout=SIGHTING_INTERVAL_SECONDS):
        device_seen(member_id, device_id, ip)
