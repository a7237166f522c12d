"""Sign-up is one transaction from the member row to the bearer token (issue 17, part 4):
member with its ancestors, binding, device sighting, consumed SMS code, consent and token
commit together or not at all, in a fixed number of statements, for password, SMS-code and
WeChat sign-ups; and sixteen sign-ups of one phone at once make one member."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from conftest import Api
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sharemall.accounts import services, signup
from sharemall.accounts.identities import WechatUser, member_from_wechat
from sharemall.accounts.models import ApiToken, Binding, Member, MemberDevice, WechatIdentity
from sharemall.accounts.rules import hash_token
from sharemall.accounts.signals import member_signed_up
from sharemall.core.errors import DomainError
from sharemall.legal.models import Consent
from sharemall.verification.models import VerificationCode
from tests.factories import PASSWORD, MemberFactory
from tests.races import all_at_once, postgres_only

DEVICE = "dev-" + "a" * 28
NEWCOMER = "13800138041"


@pytest.fixture(autouse=True)
def _sandbox_sms(settings: Any) -> None:
    settings.SMS_BACKEND = "sandbox"
    settings.AUTH_THROTTLE = False


@pytest.fixture
def sharer(db: None) -> Member:
    """A sharer two levels down a chain, so a newcomer below it has three ancestors. The
    platform's settings row and the legal documents are in place, as on a running platform
    (a transactional test starts with empty tables)."""
    from sharemall.legal import rules as legal_rules  # noqa: PLC0415
    from sharemall.legal.services import current as legal_current  # noqa: PLC0415
    from sharemall.platform.services import current as platform_current  # noqa: PLC0415

    platform_current()
    for kind in legal_rules.KINDS:
        legal_current(kind)
    top = MemberFactory()
    middle = MemberFactory(parent=top)
    return MemberFactory(parent=middle, grandparent=top)


def texted(phone: str, purpose: str) -> str:
    from sharemall.sms.models import SandboxSms  # noqa: PLC0415

    services.sms_code_request(phone=phone, purpose=purpose)
    message = SandboxSms.objects.filter(phone=phone).order_by("-sent_at", "-id").first()
    assert message is not None
    return str(message.params["code"])


class Counted:
    """Statements one sign-up sends, transaction control included."""

    def __init__(self, captured: CaptureQueriesContext) -> None:
        self.sql = [q["sql"].strip().split()[0].upper() for q in captured.captured_queries]
        self.full = [q["sql"][:100] for q in captured.captured_queries]

    @property
    def total(self) -> int:
        return len(self.sql)

    def count(self, word: str) -> int:
        return self.sql.count(word)


@pytest.fixture
def counted() -> Iterator[Any]:
    def run(action: Any) -> tuple[Any, Counted]:
        with CaptureQueriesContext(connection) as captured:
            result = action()
        return result, Counted(captured)

    return run


def nothing_half_made(phone: str) -> None:
    assert not Member.objects.filter(phone=phone).exists()
    assert not Binding.objects.filter(member__phone=phone).exists()
    assert not ApiToken.objects.filter(member__phone=phone).exists()
    assert not MemberDevice.objects.filter(device_id=DEVICE).exists()
    assert not Consent.objects.filter(member__phone=phone).exists()


def whole(member: Member, sharer: Member, *, label: str, device: str = DEVICE) -> None:
    """Everything one sign-up writes is there, as the member object says."""
    row = Member.objects.get(pk=member.pk)
    assert (row.parent_id, row.grandparent_id, row.great_grandparent_id) == (
        sharer.pk,
        sharer.parent_id,
        sharer.grandparent_id,
    )
    assert (member.parent_id, member.grandparent_id, member.great_grandparent_id) == (
        row.parent_id,
        row.grandparent_id,
        row.great_grandparent_id,
    )
    binding = Binding.objects.get(member=row)
    assert (binding.parent_id, binding.previous_parent_id) == (sharer.pk, None)
    assert MemberDevice.objects.filter(member=row, device_id=device).count() == 1
    token = ApiToken.objects.get(member=row)
    assert token.key_hash == hash_token(member.issued_token)
    assert token.label == label
    assert Consent.objects.filter(member=row).count() == 2


# --- one transaction, few statements -----------------------------------------------------------

# Per sign-up on PostgreSQL: a code sign-up is one statement, its own commit (the guess, the
# code, the member and its rows, the consent: accounts.signup.code_signup); a password sign-up
# is BEGIN, the sign-up statement, the consent, COMMIT (with PHONE_VERIFICATION on its code is
# checked before, as the hasher runs before). A change that adds a statement fails here.
CODE_SIGNUP_STATEMENTS = {"postgresql": 1, "sqlite": 12}
CODE_SIGNUP_COMMITS = {"postgresql": (0, 0, 0), "sqlite": (1, 1, 0)}  # BEGIN, COMMIT, SAVEPOINT
PASSWORD_SIGNUP_STATEMENTS = {"postgresql": 4, "sqlite": 10}
WECHAT_SIGNUP_STATEMENTS = {"postgresql": 6, "sqlite": 13}


@pytest.mark.django_db(transaction=True)
def test_a_code_sign_up_with_binding_is_one_transaction(sharer: Member, counted: Any) -> None:
    code = texted(NEWCOMER, "login")
    (member, is_new), sql = counted(
        lambda: services.member_login_by_code(
            phone=NEWCOMER,
            sms_code=code,
            device=DEVICE,
            referrer=sharer,
            source="signup:abc",
            bearer_label="login-by-code",
        )
    )
    assert is_new
    whole(member, sharer, label="login-by-code")
    assert Binding.objects.get(member=member).source == "signup:abc"
    assert VerificationCode.objects.get(phone=NEWCOMER).used_at is not None
    commits = (sql.count("BEGIN"), sql.count("COMMIT"), sql.count("SAVEPOINT"))
    assert commits == CODE_SIGNUP_COMMITS[connection.vendor], sql.full
    assert sql.total == CODE_SIGNUP_STATEMENTS[connection.vendor], sql.sql


@pytest.mark.django_db(transaction=True)
def test_a_password_sign_up_with_binding_is_one_transaction(
    sharer: Member, counted: Any, settings: Any
) -> None:
    settings.PHONE_VERIFICATION = False
    member, sql = counted(
        lambda: services.member_signup(
            phone=NEWCOMER,
            password=PASSWORD,
            nickname="新人",
            device=DEVICE,
            referrer=sharer,
            bearer_label="register",
        )
    )
    whole(member, sharer, label="register")
    assert Member.objects.get(pk=member.pk).check_password(PASSWORD)
    assert (sql.count("BEGIN"), sql.count("COMMIT"), sql.count("SAVEPOINT")) == (1, 1, 0), sql.full
    assert sql.total == PASSWORD_SIGNUP_STATEMENTS[connection.vendor], sql.sql


@pytest.mark.django_db(transaction=True)
def test_a_wechat_sign_up_with_binding_is_one_transaction(sharer: Member, counted: Any) -> None:
    user = WechatUser(app_id="wxapp", openid="o-new", unionid="u-new", nickname="微信新人")
    (member, is_new), sql = counted(
        lambda: member_from_wechat(user, referrer=sharer, bearer_label="wechat-mp")
    )
    assert is_new
    whole(member, sharer, label="wechat-mp", device="wx:o-new")
    assert ApiToken.objects.get(member=member).device_id == "wx:o-new"
    assert WechatIdentity.objects.get(member=member).unionid == "u-new"
    assert (sql.count("BEGIN"), sql.count("COMMIT"), sql.count("SAVEPOINT")) == (1, 1, 0), sql.full
    assert sql.total == WECHAT_SIGNUP_STATEMENTS[connection.vendor], sql.sql
    again, is_new = member_from_wechat(user, bearer_label="wechat-mp")
    assert (again.pk, is_new) == (member.pk, False)
    assert ApiToken.objects.filter(member=member).count() == 2


def test_the_api_answers_the_token_the_sign_up_transaction_wrote(
    api: Api, sharer: Member, settings: Any
) -> None:
    settings.PHONE_VERIFICATION = False
    answer = api.post(
        "/auth/register",
        {"phone": NEWCOMER, "password": PASSWORD, "nickname": "新人"},
    )
    assert answer.status == 201, answer.body
    assert ApiToken.objects.get(member_id=answer.body["id"]).key_hash == hash_token(
        answer.body["token"]
    )
    me = api.get("/me", as_=answer.body["token"])
    assert me.status == 200 and me.body["id"] == answer.body["id"]
    again = api.post(
        "/auth/register", {"phone": NEWCOMER, "password": PASSWORD, "nickname": "又一个"}
    )
    assert (again.status, again.error_code) == (409, "phone_taken")


def test_a_time_limited_binding_is_written_with_its_end(sharer: Member, settings: Any) -> None:
    from sharemall.platform.services import current  # noqa: PLC0415

    row = current()
    row.binding_mode, row.binding_days = "time_limited", 30
    row.save()
    settings.PHONE_VERIFICATION = False
    member = services.member_signup(
        phone=NEWCOMER, password=PASSWORD, nickname="新人", referrer=sharer
    )
    binding = Binding.objects.get(member=member)
    assert binding.mode == "time_limited"
    assert binding.bound_until is not None
    assert (binding.bound_until - binding.bound_at).days == 30
    assert Member.objects.get(pk=member.pk).bound_until == binding.bound_until


def test_an_inactive_sharer_binds_nobody(sharer: Member, settings: Any) -> None:
    settings.PHONE_VERIFICATION = False
    Member.objects.filter(pk=sharer.pk).update(is_active=False)
    stale = Member.objects.get(pk=sharer.pk)
    stale.is_active = True  # the edge read it a moment before it was switched off
    member = services.member_signup(
        phone=NEWCOMER, password=PASSWORD, nickname="新人", referrer=stale
    )
    assert Member.objects.get(pk=member.pk).parent_id is None
    assert not Binding.objects.filter(member=member).exists()


def test_a_login_by_code_of_a_known_number_logs_in_with_a_token(sharer: Member) -> None:
    known = MemberFactory(phone=NEWCOMER)
    code = texted(NEWCOMER, "login")
    member, is_new = services.member_login_by_code(
        phone=NEWCOMER, sms_code=code, referrer=sharer, bearer_label="login-by-code"
    )
    assert (member.pk, is_new) == (known.pk, False)
    assert ApiToken.objects.get(member=known).key_hash == hash_token(member.issued_token)
    assert not Binding.objects.filter(member=known).exists()
    assert VerificationCode.objects.get(phone=NEWCOMER).used_at is not None


# --- a crash between steps leaves nothing half made ---------------------------------------------


def test_a_failing_token_insert_leaves_no_member_and_the_code_unused(sharer: Member) -> None:
    """The token is the last row written; make its insert fail (a key that exists already)."""
    other = MemberFactory()
    raw = "smt_taken"
    ApiToken.objects.create(
        member=other, key_hash=hash_token(raw), expires_at="2099-01-01T00:00:00Z"
    )
    code = texted(NEWCOMER, "login")
    with (
        mock.patch.object(signup, "new_token", return_value=(raw, hash_token(raw))),
        pytest.raises(DomainError),
    ):
        services.member_login_by_code(
            phone=NEWCOMER,
            sms_code=code,
            device=DEVICE,
            referrer=sharer,
            bearer_label="login-by-code",
        )
    nothing_half_made(NEWCOMER)
    assert VerificationCode.objects.get(phone=NEWCOMER).used_at is None
    member, is_new = services.member_login_by_code(
        phone=NEWCOMER, sms_code=code, device=DEVICE, referrer=sharer, bearer_label="x"
    )
    assert is_new and member.parent_id == sharer.pk


def test_a_crash_after_the_rows_before_commit_leaves_nothing(sharer: Member, settings: Any) -> None:
    """A `member_signed_up` receiver that fails (after the member, binding and token rows are
    written, before COMMIT) takes the whole sign-up with it, code included."""
    settings.PHONE_VERIFICATION = True

    def crash(**_: Any) -> None:
        raise RuntimeError("power cut")

    code = texted(NEWCOMER, "register")
    member_signed_up.connect(crash, dispatch_uid="test-crash")
    try:
        with pytest.raises(RuntimeError):
            services.member_signup(
                phone=NEWCOMER,
                password=PASSWORD,
                nickname="新人",
                device=DEVICE,
                referrer=sharer,
                sms_code=code,
                bearer_label="register",
            )
    finally:
        member_signed_up.disconnect(dispatch_uid="test-crash")
    nothing_half_made(NEWCOMER)
    assert VerificationCode.objects.get(phone=NEWCOMER).used_at is None


def test_a_taken_phone_leaves_the_code_unused(sharer: Member, settings: Any) -> None:
    settings.PHONE_VERIFICATION = True
    code = texted(NEWCOMER, "register")
    MemberFactory(phone=NEWCOMER)  # registered after the code was sent
    with pytest.raises(DomainError) as refused:
        services.member_signup(
            phone=NEWCOMER, password=PASSWORD, nickname="新人", sms_code=code, referrer=sharer
        )
    assert refused.value.code == "phone_taken"
    assert VerificationCode.objects.get(phone=NEWCOMER).used_at is None
    assert Binding.objects.count() == 0


def test_a_spent_code_makes_nothing(sharer: Member) -> None:
    code = texted(NEWCOMER, "login")
    checked = VerificationCode.objects.get(phone=NEWCOMER)
    with mock.patch(
        "sharemall.verification.services.code_guess", return_value=checked
    ):  # guessed right, while another request spent the code
        VerificationCode.objects.filter(pk=checked.pk).update(used_at=checked.created_at)
        with pytest.raises(DomainError) as refused:
            services.member_login_by_code(phone=NEWCOMER, sms_code=code, referrer=sharer)
    assert refused.value.code == "invalid_code"
    nothing_half_made(NEWCOMER)


def test_a_wrong_code_stays_counted_and_makes_nothing(sharer: Member) -> None:
    code = texted(NEWCOMER, "login")
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(DomainError) as refused:
        services.member_login_by_code(phone=NEWCOMER, sms_code=wrong, referrer=sharer)
    assert refused.value.code == "invalid_code"
    row = VerificationCode.objects.get(phone=NEWCOMER)
    assert (row.attempts, row.used_at) == (1, None)
    nothing_half_made(NEWCOMER)


# --- the PostgreSQL statement and the portable path write the same rows ------------------------


def _rows(member: Member) -> dict[str, Any]:
    row = Member.objects.filter(pk=member.pk).values().get()
    binding = Binding.objects.filter(member=member).values(
        "parent_id", "previous_parent_id", "mode", "source", "bound_at", "bound_until"
    )
    devices = MemberDevice.objects.filter(member=member).values(
        "device_id", "first_seen", "last_seen", "last_ip"
    )
    tokens = ApiToken.objects.filter(member=member).values(
        "label", "device_id", "created_at", "expires_at", "last_used_at", "revoked_at"
    )
    drop = {"id", "phone", "password"}
    return {
        "member": {k: v for k, v in row.items() if k not in drop},
        "binding": list(binding),
        "devices": list(devices),
        "tokens": list(tokens),
    }


def test_the_one_statement_and_the_orm_path_write_the_same_rows(sharer: Member) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement path is PostgreSQL's")
    from django.utils import timezone  # noqa: PLC0415

    now = timezone.now()
    made = []
    for phone, insert in (
        ("13800138051", signup._insert_postgres),
        ("13800138052", signup._insert_orm),
    ):
        new = signup.NewMember(
            phone=phone,
            nickname="同一个",
            password="!x",
            signup_ip="10.1.2.3",
            signup_device=DEVICE,
            now=now,
            last_login=now,
        )
        extras = signup.Extras(referrer_id=sharer.pk, source="signup:same", bearer_label="same")
        member = insert(new, extras, "hash-" + phone)
        assert member is not None
        made.append(_rows(member))
    assert made[0] == made[1]


# --- races (PostgreSQL) ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_sign_ups_of_one_phone_make_one_member(settings: Any) -> None:
    postgres_only()
    settings.PHONE_VERIFICATION = False
    settings.AUTH_THROTTLE = False
    parent = MemberFactory()

    def attempt(i: int) -> Any:
        try:
            return services.member_signup(
                phone=NEWCOMER,
                password=PASSWORD,
                nickname=f"racer{i}",
                device=f"dev-{i:028d}",
                referrer=parent,
                bearer_label="register",
            ).pk
        except DomainError as exc:
            return exc.code

    outcomes = all_at_once([lambda i=i: attempt(i) for i in range(16)])
    made = [o for o in outcomes if isinstance(o, int)]
    assert len(made) == 1, outcomes
    assert sorted(o for o in outcomes if not isinstance(o, int)) == ["phone_taken"] * 15
    assert Member.objects.filter(phone=NEWCOMER).count() == 1
    assert list(Binding.objects.values_list("member_id", flat=True)) == made
    assert list(ApiToken.objects.values_list("member_id", flat=True)) == made
    assert list(MemberDevice.objects.values_list("member_id", flat=True)) == made
    assert Consent.objects.filter(member_id=made[0]).count() == 2
    assert Consent.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_code_sign_ups_of_one_phone_make_one_member() -> None:
    postgres_only()
    parent = MemberFactory()
    code = texted(NEWCOMER, "login")

    def attempt() -> Any:
        try:
            member, _is_new = services.member_login_by_code(
                phone=NEWCOMER, sms_code=code, referrer=parent, bearer_label="login-by-code"
            )
            return member.pk
        except DomainError as exc:
            return exc.code

    outcomes = all_at_once([attempt] * 16)
    made = [o for o in outcomes if isinstance(o, int)]
    assert len(made) == 1, outcomes
    assert {o for o in outcomes if not isinstance(o, int)} == {"invalid_code"}
    assert list(Binding.objects.values_list("member_id", flat=True)) == made
    assert list(ApiToken.objects.values_list("member_id", flat=True)) == made
