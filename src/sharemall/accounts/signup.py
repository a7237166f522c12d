"""What one sign-up writes, in the caller's transaction: the member with its ancestors, the
binding row, the device sighting, the bearer token and the consumed SMS code.

On PostgreSQL it is one statement (data-modifying CTEs): the code is consumed by a conditional
update, the platform's binding mode and the sharer's row with its two ancestors are read in the
same statement, the member is inserted with `ON CONFLICT (phone) DO NOTHING` (a number taken a
moment ago answers "not made" without an IntegrityError or a savepoint), and the binding, the
sighting and the token are inserted from the inserted row. Elsewhere (SQLite, tests) the same
rows are written by a few ORM statements in the same transaction.

A sign-up by texted code on PostgreSQL goes further (`code_signup`): the guess at the code is
counted and compared in the same statement, and what other apps write with a new member (the
consent) is folded in as `Companion` rows, so the whole sign-up is one statement that is its own
commit; concurrent ones of a process share that statement (group commit, `signup_batch`).

Nothing here decides whether a sign-up is allowed: the services check terms, codes, nicknames
and passwords first, and turn "not made" into their own answer (409 `phone_taken`,
400 `invalid_code`), raising inside their transaction so a consumed code comes back.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection

from sharemall.accounts.models import ApiToken, Binding, Member, MemberDevice, WechatIdentity
from sharemall.accounts.rules import TOKEN_PREFIX, hash_token
from sharemall.accounts.signals import member_signed_up
from sharemall.accounts.signup_batch import GroupCommit
from sharemall.core.sql import prepared_cursor
from sharemall.platform import rules as platform_rules
from sharemall.platform.models import PlatformSettings
from sharemall.platform.services import current as platform_settings
from sharemall.verification.models import VerificationCode

# The defaults of PlatformSettings, for a platform whose settings row is not made yet.
_DEFAULT_MODE = PlatformSettings._meta.get_field("binding_mode").get_default()
_DEFAULT_DAYS = PlatformSettings._meta.get_field("binding_days").get_default()


@dataclass(frozen=True)
class NewMember:
    """The member row a sign-up makes, as the service prepared it (validated, hashed)."""

    phone: str
    nickname: str
    password: str  # a hash, or an unusable password ("!…")
    signup_ip: str | None
    signup_device: str
    now: datetime
    last_login: datetime | None = None


@dataclass(frozen=True)
class Extras:
    """What is written with the member: the binding to `referrer_id` (when active), the code
    consumed, the WeChat identity and the bearer token. The sign-up's device, when it has one,
    is also the member's first device sighting (from the sign-up address)."""

    referrer_id: int | None = None
    source: str = "signup"
    code_id: int | None = None
    bearer_label: str | None = None  # None: no token
    token_device: str = ""
    wechat: tuple[str, str, str] | None = None  # app id, openid, unionid


class CodeSpent(Exception):
    """The SMS code was used (or ran out) between its check and this sign-up."""


def unusable_password() -> str:
    """What `make_password(None)` stores (the unusable prefix and random characters), from one
    call to the system's random source instead of forty."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def new_token() -> tuple[str, str]:
    """A fresh bearer token and its stored hash."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return raw, hash_token(raw)


def insert(new: NewMember, extras: Extras) -> Member | None:
    """Write the sign-up in the caller's transaction. The member (with `issued_token` set when
    a token was asked for), or None when the phone is taken; CodeSpent when the code could not
    be consumed. The caller raises on either, so nothing of the sign-up stays."""
    raw, key_hash = new_token() if extras.bearer_label is not None else ("", None)
    if connection.vendor == "postgresql":
        member = _insert_postgres(new, extras, key_hash)
    else:
        member = _insert_orm(new, extras, key_hash)
    if member is not None:
        member.issued_token = raw
    return member


# The member and what hangs from it, after a CTE `go` that answers one row when the sign-up may
# go ahead: the platform's binding rules, the sharer with its two ancestors, the member
# (`ON CONFLICT (phone) DO NOTHING`: a number taken a moment ago makes nothing), then the
# binding, the device sighting and the token from the inserted row.
_MEMBER_CTES = """
rules AS (
    SELECT coalesce(min(binding_mode), %(default_mode)s::text) AS mode,
        coalesce(min(binding_days), %(default_days)s::integer) AS days
    FROM platform_platformsettings WHERE id = 1
), parent AS (
    SELECT id, parent_id, grandparent_id FROM accounts_member
    WHERE id = %(referrer_id)s::bigint AND is_active
), made AS (
    INSERT INTO accounts_member (password, last_login, is_superuser, phone, nickname,
        is_distributor, parent_id, grandparent_id, great_grandparent_id, bound_until, signup_ip,
        signup_device, is_operator, is_staff, is_active, date_joined, closed_at)
    SELECT %(password)s, %(last_login)s::timestamptz, false, %(phone)s, %(nickname)s, false,
        p.id, p.parent_id, p.grandparent_id,
        CASE WHEN p.id IS NOT NULL AND r.mode = %(time_limited)s::text
            THEN %(now)s::timestamptz + make_interval(days => r.days) END,
        %(signup_ip)s::inet, %(signup_device)s::text, false, false, true,
        %(now)s::timestamptz, NULL
    FROM go CROSS JOIN rules AS r LEFT JOIN parent AS p ON true
    ON CONFLICT (phone) DO NOTHING
    RETURNING id, parent_id, grandparent_id, great_grandparent_id, bound_until
), bound AS (
    INSERT INTO accounts_binding (member_id, parent_id, previous_parent_id, mode, source,
        bound_at, bound_until)
    SELECT m.id, m.parent_id, NULL, r.mode, %(source)s, %(now)s::timestamptz, m.bound_until
    FROM made AS m CROSS JOIN rules AS r WHERE m.parent_id IS NOT NULL
), seen AS (
    INSERT INTO accounts_memberdevice (member_id, device_id, first_seen, last_seen, last_ip)
    SELECT id, %(signup_device)s::text, %(now)s::timestamptz, %(now)s::timestamptz,
        %(sighting_ip)s::inet
    FROM made WHERE %(signup_device)s::text <> ''
), token AS (
    INSERT INTO accounts_apitoken (member_id, key_hash, label, created_at, expires_at,
        last_used_at, revoked_at, device_id)
    SELECT id, %(key_hash)s::text, %(bearer_label)s, %(now)s::timestamptz,
        %(expires_at)s::timestamptz, NULL, NULL, %(token_device)s
    FROM made WHERE %(key_hash)s::text IS NOT NULL
)"""

_SIGNUP_SQL = "".join(
    (
        """
WITH code AS (
    UPDATE verification_verificationcode SET used_at = %(now)s::timestamptz
    WHERE id = %(code_id)s::bigint AND used_at IS NULL AND expires_at > %(now)s::timestamptz
    RETURNING id
), go AS (
    SELECT 1 AS ok WHERE %(code_id)s::bigint IS NULL OR EXISTS (SELECT 1 FROM code)
),""",
        _MEMBER_CTES,
        """, wechat AS (
    INSERT INTO accounts_wechatidentity (member_id, app_id, openid, unionid, created_at)
    SELECT id, %(wx_app)s::text, %(wx_openid)s, %(wx_unionid)s, %(now)s::timestamptz FROM made
    WHERE %(wx_app)s::text IS NOT NULL
)
SELECT (SELECT count(*) FROM go), m.id, m.parent_id, m.grandparent_id, m.great_grandparent_id,
    m.bound_until
FROM (SELECT 1) AS one LEFT JOIN made AS m ON true
""",
    )
)


def _token_ttl() -> timedelta:
    return timedelta(days=settings.API_TOKEN_TTL_DAYS)


def _token_expiry(now: datetime) -> datetime:
    return now + _token_ttl()


# Member's columns in the order its positional constructor takes them (the fast way to build
# a model instance, as a query's rows are built).
_MEMBER_COLUMNS = tuple(field.attname for field in Member._meta.concrete_fields)


def _member(
    new: NewMember,
    pk: int,
    ancestors: tuple[int | None, int | None, int | None],
    until: datetime | None,
) -> Member:
    """The Member the statement made, built from what it answered (no re-read)."""
    parent_id, grandparent_id, great_grandparent_id = ancestors
    values = {
        "id": pk,
        "password": new.password,
        "last_login": new.last_login,
        "is_superuser": False,
        "phone": new.phone,
        "nickname": new.nickname,
        "is_distributor": False,
        "parent_id": parent_id,
        "grandparent_id": grandparent_id,
        "great_grandparent_id": great_grandparent_id,
        "bound_until": until,
        "signup_ip": new.signup_ip,
        "signup_device": new.signup_device,
        "is_operator": False,
        "is_staff": False,
        "is_active": True,
        "date_joined": new.now,
        "closed_at": None,
    }
    return Member.from_db(
        connection.alias, _MEMBER_COLUMNS, [values[name] for name in _MEMBER_COLUMNS]
    )


def _insert_postgres(new: NewMember, extras: Extras, key_hash: str | None) -> Member | None:
    app, openid, unionid = extras.wechat or (None, "", "")
    params = {
        "now": new.now,
        "code_id": extras.code_id,
        "default_mode": _DEFAULT_MODE,
        "default_days": _DEFAULT_DAYS,
        "time_limited": platform_rules.TIME_LIMITED,
        "referrer_id": extras.referrer_id,
        "password": new.password,
        "last_login": new.last_login,
        "phone": new.phone,
        "nickname": new.nickname,
        "signup_ip": new.signup_ip,
        "signup_device": new.signup_device,
        "source": extras.source[:60],
        "sighting_ip": new.signup_ip,
        "wx_app": app,
        "wx_openid": openid,
        "wx_unionid": unionid,
        "key_hash": key_hash,
        "bearer_label": (extras.bearer_label or "")[:60],
        "token_device": extras.token_device.strip()[:64],
        "expires_at": _token_expiry(new.now),
    }
    with prepared_cursor() as cursor:
        cursor.execute(_SIGNUP_SQL, params)
        went, pk, parent_id, grandparent_id, great_grandparent_id, until = cursor.fetchone()
    if not went:
        raise CodeSpent
    if pk is None:
        return None
    return _member(new, pk, (parent_id, grandparent_id, great_grandparent_id), until)


# --- the code sign-up in one statement (PostgreSQL) ----------------------------------------------


@dataclass(frozen=True)
class Companion:
    """Rows an app above accounts writes with every member a code sign-up makes, folded into the
    one sign-up statement in place of its `member_signed_up` receiver (`receiver_uid`, the
    receiver's dispatch_uid), so the sign-up stays one statement and one commit.

    `insert` is a data-modifying CTE body that selects from `made`, the new members' rows
    (columns `id`, `date_joined`, `signup_ip`); `ready` is a SQL condition that holds when
    `insert` writes everything the receiver would. While it does not hold, the statement
    writes nothing (the guess is not even counted) and the service takes the general path,
    where the receiver runs."""

    receiver_uid: str
    insert: str
    ready: str = "true"


_COMPANIONS: dict[str, Companion] = {}


def companion_add(companion: Companion) -> None:
    """Register (from an app's ready()) the rows that stand for a `member_signed_up` receiver."""
    _COMPANIONS[companion.receiver_uid] = companion
    _code_signup_sql.cache_clear()


# One row per sign-up (a statement may carry several: accounts.signup_batch), from one JSON
# parameter so the prepared statement is the same whatever the values and the row count. Per
# row: the guess at the phone's newest code, counted whatever it is, and the code used up when
# the typed code's hash is right and the number has no account yet (one that has is logged in
# by the service, which uses the code up in the log-in's transaction); then the member with its
# ancestors (`ON CONFLICT (phone) DO NOTHING`: a number taken a moment ago makes nothing), the
# binding, the device sighting, the token and the companions' rows. Nothing at all happens
# while a companion is not ready. Phones are distinct within a statement (rows are matched by
# phone), which also keeps every guess counted.
_CODE_SIGNUP_HEAD = """
WITH ready AS (
    SELECT %s AS ok
), input AS (
    SELECT * FROM jsonb_to_recordset(%%(rows)s::jsonb) AS i(phone text, purpose text,
        code_hash text, max_attempts integer, nickname text, password text, signup_ip inet,
        signup_device text, referrer_id bigint, source text, key_hash text, bearer_label text,
        token_device text, now timestamptz, last_login timestamptz, expires_at timestamptz)
), newest AS (
    SELECT (
        SELECT id FROM verification_verificationcode
        WHERE phone = i.phone AND purpose = i.purpose
        ORDER BY created_at DESC, id DESC LIMIT 1
    ) AS id FROM input AS i
), guess AS (
    UPDATE verification_verificationcode AS c SET attempts = c.attempts + 1,
        used_at = CASE WHEN c.code_hash = i.code_hash AND NOT EXISTS (
            SELECT 1 FROM accounts_member WHERE phone = i.phone
        ) THEN i.now END
    FROM input AS i
    -- The codes by primary key whatever the planner guesses of the input's size (a hash join
    -- would read the whole table): each phone's newest, matched back to its row.
    WHERE c.id = ANY (ARRAY(SELECT id FROM newest)) AND c.phone = i.phone
        AND c.purpose = i.purpose AND c.delivered AND c.used_at IS NULL AND c.expires_at > i.now
        AND c.attempts < i.max_attempts AND (SELECT ok FROM ready)
    RETURNING i.phone, c.id, c.code_hash = i.code_hash AS right, c.used_at IS NOT NULL AS used
), rules AS (
    SELECT coalesce(min(binding_mode), %%(default_mode)s::text) AS mode,
        coalesce(min(binding_days), %%(default_days)s::integer) AS days
    FROM platform_platformsettings WHERE id = 1
), made AS (
    INSERT INTO accounts_member (password, last_login, is_superuser, phone, nickname,
        is_distributor, parent_id, grandparent_id, great_grandparent_id, bound_until, signup_ip,
        signup_device, is_operator, is_staff, is_active, date_joined, closed_at)
    SELECT i.password, i.last_login, false, i.phone, i.nickname, false,
        p.id, p.parent_id, p.grandparent_id,
        CASE WHEN p.id IS NOT NULL AND r.mode = %%(time_limited)s::text
            THEN i.now + make_interval(days => r.days) END,
        i.signup_ip, i.signup_device, false, false, true, i.now, NULL
    FROM input AS i JOIN guess AS g ON g.phone = i.phone AND g.used CROSS JOIN rules AS r
    LEFT JOIN accounts_member AS p ON p.id = i.referrer_id AND p.is_active
    ON CONFLICT (phone) DO NOTHING
    RETURNING id, phone, parent_id, grandparent_id, great_grandparent_id, bound_until,
        date_joined, signup_ip
), bound AS (
    INSERT INTO accounts_binding (member_id, parent_id, previous_parent_id, mode, source,
        bound_at, bound_until)
    SELECT m.id, m.parent_id, NULL, r.mode, i.source, m.date_joined, m.bound_until
    FROM made AS m JOIN input AS i ON i.phone = m.phone CROSS JOIN rules AS r
    WHERE m.parent_id IS NOT NULL
), seen AS (
    INSERT INTO accounts_memberdevice (member_id, device_id, first_seen, last_seen, last_ip)
    SELECT m.id, i.signup_device, m.date_joined, m.date_joined, m.signup_ip
    FROM made AS m JOIN input AS i ON i.phone = m.phone WHERE i.signup_device <> ''
), token AS (
    INSERT INTO accounts_apitoken (member_id, key_hash, label, created_at, expires_at,
        last_used_at, revoked_at, device_id)
    SELECT m.id, i.key_hash, i.bearer_label, m.date_joined, i.expires_at, NULL, NULL,
        i.token_device
    FROM made AS m JOIN input AS i ON i.phone = m.phone WHERE i.key_hash IS NOT NULL
)"""
_CODE_SIGNUP_TAIL = """
SELECT (SELECT ok FROM ready), i.phone, g.id, coalesce(g.right, false), coalesce(g.used, false),
    m.id, m.parent_id, m.grandparent_id, m.great_grandparent_id, m.bound_until
FROM input AS i LEFT JOIN guess AS g ON g.phone = i.phone LEFT JOIN made AS m ON m.phone = i.phone
"""


@cache
def _code_signup_sql(companions: tuple[Companion, ...]) -> str:
    """The statement with the companions' readiness and rows (SQL of this code base's apps)."""
    ready = " AND ".join(f"({c.ready})" for c in companions) or "true"
    rows = [f", companion_{i} AS ({c.insert})" for i, c in enumerate(companions)]
    return "".join((_CODE_SIGNUP_HEAD % ready, *rows, _CODE_SIGNUP_TAIL))


@dataclass(frozen=True)
class CodeSignup:
    """What the one-statement code sign-up did. `right`: the guess was right (it is counted
    either way). `member`: the newcomer, made with everything (token in `issued_token`).
    Right but no member: the number has an account; `consumed` says whether the statement used
    the code up (only when a sign-up of the same number won a race a moment ago; otherwise the
    code is left for the log-in, `code_id`)."""

    right: bool
    member: Member | None = None
    consumed: bool = False
    code_id: int | None = None


@dataclass(frozen=True)
class CodeAttempt:
    """One sign-up by texted code as the statement takes it: the newcomer, what comes with it,
    the guess (the typed code's hash, None for one that is no code, at the phone's newest
    `purpose` code, good for `max_attempts` guesses) and the token's hash (its raw value stays
    with the caller)."""

    new: NewMember
    extras: Extras
    purpose: str
    code_hash: str | None
    max_attempts: int
    key_hash: str | None


# What the statement answers per row: ready, phone, code id, right, used, then the member's id,
# parent, grandparent, great-grandparent and bound_until (None when nothing was made).
Answer = tuple[Any, ...]


def code_signup_ready() -> bool:
    """Whether the one-statement code sign-up may run: PostgreSQL, and every receiver of
    `member_signed_up` stood for by a companion (a receiver that is not would have to run
    outside the statement, so the general path, in a transaction, is taken instead)."""
    if connection.vendor != "postgresql":
        return False
    # Signal.receivers holds (lookup_key, …) with lookup_key = (dispatch_uid or receiver id,
    # sender id); a receiver connected without a companion's uid falls back.
    return all(entry[0][0] in _COMPANIONS for entry in member_signed_up.receivers)


def code_signup_statement(attempts: list[CodeAttempt]) -> tuple[str, dict[str, Any]]:
    """The statement and parameters for `attempts` (distinct phones); the benchmark's raw
    ceiling runs the same."""
    ttl = _token_ttl()
    rows = [
        {
            "phone": a.new.phone,
            "purpose": a.purpose,
            "code_hash": a.code_hash,
            "max_attempts": a.max_attempts,
            "nickname": a.new.nickname,
            "password": a.new.password,
            "signup_ip": a.new.signup_ip,
            "signup_device": a.new.signup_device,
            "referrer_id": a.extras.referrer_id,
            "source": a.extras.source[:60],
            "key_hash": a.key_hash,
            "bearer_label": (a.extras.bearer_label or "")[:60],
            "token_device": a.extras.token_device.strip()[:64],
            "now": a.new.now.isoformat(),
            "last_login": a.new.last_login.isoformat() if a.new.last_login else None,
            "expires_at": (a.new.now + ttl).isoformat(),
        }
        for a in attempts
    ]
    params = {
        "rows": json.dumps(rows),
        "default_mode": _DEFAULT_MODE,
        "default_days": _DEFAULT_DAYS,
        "time_limited": platform_rules.TIME_LIMITED,
    }
    return _code_signup_sql(tuple(_COMPANIONS.values())), params


def code_signup_run(attempts: list[CodeAttempt]) -> dict[Hashable, Answer]:
    """Run the statement for `attempts` (distinct phones) on this thread's connection: each
    phone's answer row. One statement: every sign-up in it is whole or not there at all."""
    sql, params = code_signup_statement(attempts)
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return {row[1]: row for row in cursor.fetchall()}


def code_signup_answer(attempt: CodeAttempt, answer: Answer, raw_token: str) -> CodeSignup | None:
    """The caller's outcome from its answer row (its Member built here, by the caller)."""
    ready, _phone, code_id, right, used, pk, parent, grandparent, great, until = answer
    if not ready:
        return None
    if pk is None:
        return CodeSignup(right=right, consumed=used, code_id=code_id)
    member = _member(attempt.new, pk, (parent, grandparent, great), until)
    member.issued_token = raw_token
    return CodeSignup(right=True, member=member, consumed=True, code_id=code_id)


# Concurrent code sign-ups of this process share statements (group commit): one statement and
# one commit for all that arrive while the one before runs (docs/SCALING.md).
together: GroupCommit[CodeAttempt, Answer] = GroupCommit(
    code_signup_run, key=lambda attempt: attempt.new.phone
)


def code_signup(
    new: NewMember, extras: Extras, *, purpose: str, code_hash: str | None, max_attempts: int
) -> CodeSignup | None:
    """A sign-up by texted code in one statement on PostgreSQL: the guess at the phone's newest
    `purpose` code counted, and when `code_hash` (the typed code's hash, None for a malformed
    one) is right and the number has no account, the code used up, the member with its
    ancestors, binding, device sighting, token and the companions' rows (consent). Nothing is
    half-made: the statement is atomic, and outside a transaction it is its own commit, so a
    wrong guess stays counted. Outside a transaction the statement is shared with the
    process's other code sign-ups of the moment (`together`); inside one it is the caller's
    own. None when the statement cannot stand for the general path (code_signup_ready, or a
    companion not ready): then it wrote nothing."""
    raw, key_hash = new_token() if extras.bearer_label is not None else ("", None)
    attempt = CodeAttempt(new, extras, purpose, code_hash, max_attempts, key_hash)
    answer = None if connection.in_atomic_block else together.submit(attempt)
    if answer is None:  # in a transaction, or the group's statement failed: alone
        answer = code_signup_run([attempt])[new.phone]
    return code_signup_answer(attempt, answer, raw)


def _insert_orm(new: NewMember, extras: Extras, key_hash: str | None) -> Member | None:
    """The same rows through the ORM, for databases without data-modifying CTEs."""
    if extras.code_id is not None and not VerificationCode.objects.filter(
        pk=extras.code_id, used_at__isnull=True, expires_at__gt=new.now
    ).update(used_at=new.now):
        raise CodeSpent
    if Member.objects.filter(phone=new.phone).exists():
        return None
    above = (
        Member.objects.filter(pk=extras.referrer_id, is_active=True)
        .values_list("pk", "parent_id", "grandparent_id")
        .first()
        if extras.referrer_id is not None
        else None
    )
    rules = platform_settings() if above is not None else None
    until = (
        new.now + timedelta(days=rules.binding_days)
        if rules is not None and rules.binding_mode == platform_rules.TIME_LIMITED
        else None
    )
    member = Member(
        phone=new.phone,
        nickname=new.nickname,
        password=new.password,
        last_login=new.last_login,
        signup_ip=new.signup_ip,
        signup_device=new.signup_device,
        date_joined=new.now,
        parent_id=above[0] if above else None,
        grandparent_id=above[1] if above else None,
        great_grandparent_id=above[2] if above else None,
        bound_until=until,
    )
    member.save(force_insert=True)
    if above is not None and rules is not None:
        Binding.objects.create(
            member=member,
            parent_id=above[0],
            mode=rules.binding_mode,
            source=extras.source[:60],
            bound_at=new.now,
            bound_until=until,
        )
    if new.signup_device:
        MemberDevice.objects.create(
            member=member,
            device_id=new.signup_device,
            first_seen=new.now,
            last_seen=new.now,
            last_ip=new.signup_ip,
        )
    if extras.wechat is not None:
        app, openid, unionid = extras.wechat
        WechatIdentity.objects.create(
            member=member, app_id=app, openid=openid, unionid=unionid, created_at=new.now
        )
    if key_hash is not None:
        ApiToken.objects.create(
            member=member,
            key_hash=key_hash,
            label=(extras.bearer_label or "")[:60],
            device_id=extras.token_device.strip()[:64],
            created_at=new.now,
            expires_at=_token_expiry(new.now),
        )
    return member


def token_insert(member: Member, *, label: str, device: str = "", now: datetime) -> str:
    """A bearer token for an existing member (a log-in), in the caller's transaction."""
    raw, key_hash = new_token()
    ApiToken.objects.create(
        member=member,
        key_hash=key_hash,
        label=label[:60],
        device_id=device.strip()[:64],
        created_at=now,
        expires_at=_token_expiry(now),
    )
    return raw
