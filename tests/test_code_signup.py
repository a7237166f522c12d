"""The code sign-up in one statement (accounts.signup.code_signup, PostgreSQL): it writes what
the general path writes, falls back to it whenever it cannot stand for it (a `member_signed_up`
receiver it has no companion for, a companion not ready), and leaves nothing half-made in the
races and failures it meets on its own."""

from __future__ import annotations

import threading
import time
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sharemall.accounts import services, signup
from sharemall.accounts.models import ApiToken, Binding, Member, MemberDevice
from sharemall.accounts.signals import member_signed_up
from sharemall.core.errors import DomainError
from sharemall.legal.models import Consent, LegalDocument
from sharemall.verification.models import VerificationCode
from tests.factories import MemberFactory
from tests.races import postgres_only

DEVICE = "dev-" + "b" * 28
NEWCOMER = "13800138061"
DIFFERENT = {"id", "phone", "password", "nickname"}


@pytest.fixture(autouse=True)
def _sandbox_sms(settings: Any) -> None:
    settings.SMS_BACKEND = "sandbox"
    settings.AUTH_THROTTLE = False


@pytest.fixture
def sharer(db: None) -> Member:
    """A sharer with two ancestors, the platform settings row and the legal documents in place."""
    from sharemall.legal import rules as legal_rules  # noqa: PLC0415
    from sharemall.legal.services import current as legal_current  # noqa: PLC0415
    from sharemall.platform.services import current as platform_current  # noqa: PLC0415

    platform_current()
    for kind in legal_rules.KINDS:
        legal_current(kind)
    top = MemberFactory()
    middle = MemberFactory(parent=top)
    return MemberFactory(parent=middle, grandparent=top)


def texted(phone: str) -> str:
    from sharemall.sms.models import SandboxSms  # noqa: PLC0415

    services.sms_code_request(phone=phone, purpose="login")
    message = SandboxSms.objects.filter(phone=phone).order_by("-sent_at", "-id").first()
    assert message is not None
    return str(message.params["code"])


def sign_up(phone: str, code: str, sharer: Member | None, **kwargs: Any) -> tuple[Member, bool]:
    return services.member_login_by_code(
        phone=phone,
        sms_code=code,
        device=kwargs.pop("device", DEVICE),
        referrer=sharer,
        source="signup:same",
        bearer_label="login-by-code",
        address="10.1.2.3",
        **kwargs,
    )


def statements(action: Any) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        result = action()
    return result, [q["sql"].split()[0].upper() for q in captured.captured_queries]


def rows_of(member: Member) -> dict[str, Any]:
    """Everything a sign-up wrote for `member`, without what differs by nature (ids, phone,
    the nickname's digits, the random password and token)."""
    row = Member.objects.filter(pk=member.pk).values().get()
    return {
        "member": {
            k: v for k, v in row.items() if k not in {"id", "phone", "password", "nickname"}
        },
        "unusable": row["password"].startswith("!"),
        "binding": list(
            Binding.objects.filter(member=member).values(
                "parent_id", "previous_parent_id", "mode", "source", "bound_at", "bound_until"
            )
        ),
        "devices": list(
            MemberDevice.objects.filter(member=member).values(
                "device_id", "first_seen", "last_seen", "last_ip"
            )
        ),
        "tokens": list(
            ApiToken.objects.filter(member=member).values(
                "label", "device_id", "created_at", "expires_at", "last_used_at", "revoked_at"
            )
        ),
        "consents": sorted(
            Consent.objects.filter(member=member).values_list(
                "kind", "version", "accepted_at", "ip"
            )
        ),
        "code": VerificationCode.objects.filter(phone=member.phone).values_list(
            "attempts", "used_at"
        )[0],
    }


def test_the_one_statement_writes_what_the_general_path_writes(sharer: Member) -> None:
    postgres_only()
    now = timezone.now()
    made = []
    for phone, fast in (("13800138062", True), ("13800138063", False)):
        code = texted(phone)
        with (
            mock.patch.object(timezone, "now", return_value=now),
            mock.patch.object(signup, "code_signup_ready", return_value=fast),
        ):
            (member, is_new), sql = statements(lambda: sign_up(phone, code, sharer))  # noqa: B023
        assert is_new
        work = [word for word in sql if word not in {"SAVEPOINT", "RELEASE"}]
        assert len(work) == (1 if fast else 3), sql  # the general path: guess, member, consent
        made.append(rows_of(member))
    assert made[0] == made[1]
    assert made[0]["consents"] and made[0]["binding"] and made[0]["code"] == (1, now)


def test_a_malformed_code_is_a_counted_wrong_guess(sharer: Member) -> None:
    texted(NEWCOMER)
    with pytest.raises(DomainError) as refused:
        sign_up(NEWCOMER, "12ab56", sharer)
    assert refused.value.code == "invalid_code"
    assert VerificationCode.objects.filter(phone=NEWCOMER).values_list(
        "attempts", "used_at"
    ).get() == (1, None)
    assert not Member.objects.filter(phone=NEWCOMER).exists()


def test_a_code_out_of_guesses_makes_nothing_even_when_right(sharer: Member, settings: Any) -> None:
    code = texted(NEWCOMER)
    VerificationCode.objects.filter(phone=NEWCOMER).update(attempts=settings.SMS_CODE_MAX_ATTEMPTS)
    with pytest.raises(DomainError) as refused:
        sign_up(NEWCOMER, code, sharer)
    assert refused.value.code == "invalid_code"
    assert not Member.objects.filter(phone=NEWCOMER).exists()


@pytest.mark.django_db(transaction=True)
def test_a_receiver_without_a_companion_takes_the_general_path_in_one_transaction(
    sharer: Member,
) -> None:
    """A receiver the statement cannot stand for runs in the sign-up's transaction; when it
    fails, nothing of the sign-up stays and the code is still usable."""
    seen: list[int] = []

    def record(*, member: Member, **_: Any) -> None:
        seen.append(member.pk)

    def crash(**_: Any) -> None:
        raise RuntimeError("power cut")

    code = texted(NEWCOMER)
    member_signed_up.connect(crash, dispatch_uid="test-crash")
    try:
        assert not signup.code_signup_ready()
        with pytest.raises(RuntimeError):
            sign_up(NEWCOMER, code, sharer)
    finally:
        member_signed_up.disconnect(dispatch_uid="test-crash")
    assert not Member.objects.filter(phone=NEWCOMER).exists()
    assert not Consent.objects.exists()
    assert VerificationCode.objects.get(phone=NEWCOMER).used_at is None

    member_signed_up.connect(record, dispatch_uid="test-record")
    try:
        (member, is_new), sql = statements(lambda: sign_up(NEWCOMER, code, sharer))
    finally:
        member_signed_up.disconnect(dispatch_uid="test-record")
    assert is_new and seen == [member.pk]
    assert (sql.count("BEGIN"), sql.count("COMMIT")) == (1, 1), sql
    assert Consent.objects.filter(member=member).count() == 2
    if connection.vendor == "postgresql":
        assert signup.code_signup_ready()  # once the receiver is gone


def test_a_companion_not_ready_writes_nothing_and_the_general_path_signs_up(
    sharer: Member,
) -> None:
    """Without published legal documents the statement counts no guess and makes nothing; the
    general path puts the first versions in place and records the consent."""
    LegalDocument.objects.all().delete()
    code = texted(NEWCOMER)
    member, is_new = sign_up(NEWCOMER, code, sharer)
    assert is_new
    assert Consent.objects.filter(member=member).count() == 2
    row = VerificationCode.objects.get(phone=NEWCOMER)
    assert row.attempts == 1 and row.used_at is not None  # counted once, by the general path


def test_a_known_number_uses_its_code_in_the_log_in(sharer: Member) -> None:
    known = MemberFactory(phone=NEWCOMER)
    code = texted(NEWCOMER)
    member, is_new = sign_up(NEWCOMER, code, sharer)
    assert (member.pk, is_new, member.last_login is not None) == (known.pk, False, True)
    assert VerificationCode.objects.get(phone=NEWCOMER).used_at is not None
    assert MemberDevice.objects.filter(member=known, device_id=DEVICE).exists()
    with pytest.raises(DomainError) as again:  # used up: the same code logs in once
        sign_up(NEWCOMER, code, sharer)
    assert again.value.code == "invalid_code"


def test_a_suspended_known_number_is_refused_and_its_code_stays(sharer: Member) -> None:
    MemberFactory(phone=NEWCOMER, is_active=False)
    code = texted(NEWCOMER)
    with pytest.raises(DomainError) as refused:
        sign_up(NEWCOMER, code, sharer)
    assert refused.value.code == "invalid_credentials"
    assert VerificationCode.objects.get(phone=NEWCOMER).used_at is None
    assert not ApiToken.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sign_up_that_loses_the_race_for_its_number_logs_in_the_winner(
    sharer: Member,
) -> None:
    """The statement sees no account for the number, uses the code up, and its member insert
    waits for another transaction that is making that number; when that one commits the insert
    makes nothing, and the service logs the new account in (the code is not used twice)."""
    postgres_only()
    code = texted(NEWCOMER)
    holding, release = threading.Event(), threading.Event()
    made: dict[str, Any] = {}

    def rival() -> None:
        try:
            with transaction.atomic():
                made["rival"] = MemberFactory(phone=NEWCOMER).pk
                holding.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    def signer() -> None:
        try:
            made["signer"] = sign_up(NEWCOMER, code, sharer)
        except Exception as exc:  # the outcome is what the test looks at
            made["signer"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rival)]
    threads[0].start()
    assert holding.wait(timeout=20)
    threads.append(threading.Thread(target=signer))
    threads[1].start()
    _wait_for_a_lock_wait()
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    member, is_new = made["signer"]
    assert (member.pk, is_new) == (made["rival"], False)
    assert member.issued_token
    assert Member.objects.filter(phone=NEWCOMER).count() == 1
    assert VerificationCode.objects.get(phone=NEWCOMER).used_at is not None
    assert not Binding.objects.exists() and not Consent.objects.exists()


def _wait_for_a_lock_wait() -> None:
    """Until a backend waits on a lock (the sign-up's insert behind the rival's row)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    raise AssertionError("the sign-up never waited for the rival")


def test_a_sign_up_writes_no_index_another_one_covers(db: None) -> None:
    """Every index on the tables a sign-up writes is one entry per row it makes: no
    LIKE-pattern twins of the unique phone and token hash, no member index that a unique
    (member, …) index already leads with. Uniqueness stays."""
    postgres_only()
    tables = (
        "accounts_member",
        "accounts_apitoken",
        "accounts_memberdevice",
        "accounts_binding",
        "legal_consent",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
            [list(tables)],
        )
        indexes = cursor.fetchall()
    assert not [name for _table, name, _def in indexes if name.endswith("_like")], indexes
    for table in ("accounts_memberdevice", "legal_consent"):
        defs = [d for t, _name, d in indexes if t == table]
        assert not [d for d in defs if d.endswith("(member_id)")], defs
        assert [d for d in defs if "UNIQUE" in d and "(member_id, " in d], defs
    unique = {d.split("(", 1)[1] for _t, _n, d in indexes if "UNIQUE" in d}
    assert {"phone)", "key_hash)"} <= unique, unique


@pytest.mark.parametrize(
    ("raw", "answer"),
    [
        ("+86 138 0013 8000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("010 6552 9988", "not a mobile number"),  # a Beijing fixed line
        ("12345678901", "not a valid mainland China number"),
        ("+1 650 253 0000", "not a valid mainland China number"),
    ],
)
def test_a_phone_is_checked_with_one_type_look_up(raw: str, answer: str) -> None:
    from django.utils import translation  # noqa: PLC0415

    from sharemall.accounts.rules import InvalidPhone, normalize_phone  # noqa: PLC0415

    with translation.override("en"):
        try:
            got = normalize_phone(raw)
        except InvalidPhone as refused:
            got = str(refused.message)
    assert answer in got


# --- group commit: concurrent code sign-ups of a process share a statement ----------------------


def _attempt(phone: str, code: str, sharer: Member | None, key_hash: str) -> signup.CodeAttempt:
    from django.conf import settings  # noqa: PLC0415

    from sharemall.verification.rules import typed_code_hash  # noqa: PLC0415

    now = timezone.now()
    return signup.CodeAttempt(
        signup.NewMember(
            phone=phone,
            nickname="新人",
            password="!x",
            signup_ip="10.1.2.3",
            signup_device=f"dev-{phone}",
            now=now,
            last_login=now,
        ),
        signup.Extras(
            referrer_id=sharer.pk if sharer else None, source="signup:g", bearer_label="g"
        ),
        purpose="login",
        code_hash=typed_code_hash(settings.SECRET_KEY, phone, "login", code),
        max_attempts=settings.SMS_CODE_MAX_ATTEMPTS,
        key_hash=key_hash,
    )


def test_one_statement_for_many_each_whole_or_answered_alone(sharer: Member) -> None:
    """A new number, a number with an account and a wrong code in one statement: the first is
    made with everything, the second left for its log-in (code unused), the third counted."""
    postgres_only()
    new, known, wrong = "13800138071", "13800138072", "13800138073"
    MemberFactory(phone=known)
    codes = {phone: texted(phone) for phone in (new, known, wrong)}
    bad = "000000" if codes[wrong] != "000000" else "111111"
    attempts = [
        _attempt(new, codes[new], sharer, "h-new"),
        _attempt(known, codes[known], sharer, "h-known"),
        _attempt(wrong, bad, sharer, "h-wrong"),
    ]
    answers = signup.code_signup_run(attempts)
    made = signup.code_signup_answer(attempts[0], answers[new], "raw")
    assert made is not None and made.member is not None
    assert rows_of(made.member)["consents"] and rows_of(made.member)["binding"]
    assert ApiToken.objects.get(member=made.member).key_hash == "h-new"
    taken = signup.code_signup_answer(attempts[1], answers[known], "raw")
    assert taken == signup.CodeSignup(right=True, consumed=False, code_id=taken.code_id)
    refused = signup.code_signup_answer(attempts[2], answers[wrong], "raw")
    assert refused is not None and not refused.right and refused.member is None
    codes_now = dict(VerificationCode.objects.values_list("phone", "attempts"))
    assert codes_now == {new: 1, known: 1, wrong: 1}
    assert VerificationCode.objects.get(phone=known).used_at is None
    assert Member.objects.filter(phone__in=[new, known, wrong]).count() == 2


def test_a_failing_row_fails_its_whole_statement_and_nothing_is_half_made(sharer: Member) -> None:
    """One row that cannot be written (its token hash is taken) takes the whole statement
    with it: no member, binding, token or consent of any row, no code used, no guess counted.
    (The group commit then runs each sign-up alone, so only that one fails.)"""
    postgres_only()
    from django.db import IntegrityError  # noqa: PLC0415

    other = MemberFactory()
    ApiToken.objects.create(member=other, key_hash="h-taken", expires_at=timezone.now())
    phones = ["13800138074", "13800138075"]
    codes = {phone: texted(phone) for phone in phones}
    attempts = [
        _attempt(phones[0], codes[phones[0]], sharer, "h-fine"),
        _attempt(phones[1], codes[phones[1]], sharer, "h-taken"),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        signup.code_signup_run(attempts)
    assert not Member.objects.filter(phone__in=phones).exists()
    assert not Binding.objects.exists() and not Consent.objects.exists()
    assert ApiToken.objects.count() == 1
    assert list(VerificationCode.objects.values_list("attempts", "used_at").distinct()) == [
        (0, None)
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_share_a_statement_and_each_gets_its_own_answer(
    sharer: Member,
) -> None:
    """Five sign-ups at once while one statement runs: the other four go in the next statement
    together, among them a number with an account (logged in) and a wrong code (refused, its
    guess counted); a token hash that collides fails its group, whose members then run alone,
    so only that one is refused."""
    postgres_only()
    from sharemall.accounts.signup_batch import GroupCommit  # noqa: PLC0415

    known = MemberFactory(phone="13800138082")
    phones = [f"1380013808{i}" for i in range(1, 7)]  # …81 new, …82 known, …83 wrong, …
    codes = {phone: texted(phone) for phone in phones}
    wrong = phones[2]
    guesses = dict(codes)
    guesses[wrong] = "000000" if codes[wrong] != "000000" else "111111"
    first = phones[0]
    groups: list[list[str]] = []
    grouped: GroupCommit[signup.CodeAttempt, signup.Answer]

    def run(attempts: list[signup.CodeAttempt]) -> dict[Any, signup.Answer]:
        groups.append([a.new.phone for a in attempts])
        if len(groups) == 1:  # hold the first statement until the others have queued
            deadline = time.monotonic() + 20
            while len(grouped._queue) < len(phones) - 1 and time.monotonic() < deadline:
                time.sleep(0.01)
        return signup.code_signup_run(attempts)

    grouped = GroupCommit(run, key=lambda attempt: attempt.new.phone)
    collide = phones[5]
    real_new_token = signup.new_token

    def token() -> tuple[str, str]:
        raw, key_hash = real_new_token()
        return raw, ("h-same" if threading.current_thread().name == collide else key_hash)

    ApiToken.objects.create(member=known, key_hash="h-same", expires_at=timezone.now())

    def attempt(phone: str) -> Any:
        threading.current_thread().name = phone
        if phone != first:
            while not groups:  # the first one leads
                time.sleep(0.005)
        try:
            member, is_new = sign_up(phone, guesses[phone], sharer, device=f"dev-{phone}")
            return member.pk, is_new
        except DomainError as exc:
            return exc.code

    with (
        mock.patch.object(signup, "together", grouped),
        mock.patch.object(signup, "new_token", token),
    ):
        outcomes = dict(
            zip(phones, _all_at_once([lambda p=p: attempt(p) for p in phones]), strict=True)
        )
    assert groups[0] == [first]
    assert sorted(groups[1]) == sorted(phones[1:])  # one statement for the other five
    assert outcomes[phones[1]] == (known.pk, False)
    assert outcomes[wrong] == "invalid_code"
    assert outcomes[collide] == "invalid_code"
    for phone in (phones[0], phones[3], phones[4]):
        pk, is_new = outcomes[phone]
        assert is_new
        member = Member.objects.get(pk=pk)
        assert member.phone == phone and member.parent_id == sharer.pk
        assert Consent.objects.filter(member=member).count() == 2
        assert ApiToken.objects.filter(member=member).count() == 1
        assert MemberDevice.objects.filter(member=member, device_id=f"dev-{phone}").exists()
    assert not Member.objects.filter(phone=collide).exists()
    assert VerificationCode.objects.get(phone=wrong).attempts == 1
    assert VerificationCode.objects.get(phone=collide).used_at is None


def _all_at_once(tasks: list[Any]) -> list[Any]:
    from tests.races import all_at_once  # noqa: PLC0415

    return all_at_once(tasks)


def test_the_group_commit_answers_each_caller_and_never_groups_one_key_twice() -> None:
    """Forty callers on eight keys from twenty threads: every caller gets the answer of its
    own item, no statement carries a key twice, statements do carry several items, and a
    statement that fails answers None (run alone) to each of its callers only."""
    from sharemall.accounts.signup_batch import GroupCommit  # noqa: PLC0415

    statements: list[list[tuple[int, int]]] = []
    lock = threading.Lock()

    def run(items: list[tuple[int, int]]) -> dict[Any, str]:
        with lock:
            statements.append(items)
        time.sleep(0.002)
        if any(n == 13 for _key, n in items):
            raise RuntimeError("a row that cannot be written")
        return {key: f"answer {n}" for key, n in items}

    grouped: GroupCommit[tuple[int, int], str] = GroupCommit(run, key=lambda item: item[0])
    answers: dict[int, str | None] = {}
    barrier = threading.Barrier(20)

    def caller(t: int) -> None:
        barrier.wait(timeout=10)
        for n in (t, t + 20):
            answers[n] = grouped.submit((n % 8, n))

    threads = [threading.Thread(target=caller, args=(t,)) for t in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers) == list(range(40))
    failed = next(items for items in statements if any(n == 13 for _k, n in items))
    for n, answer in answers.items():
        assert answer == (None if (n % 8, n) in failed else f"answer {n}"), n
    for items in statements:
        assert len({key for key, _n in items}) == len(items)
    assert max(len(items) for items in statements) > 1
    assert sum(len(items) for items in statements) == 40 == grouped.items
