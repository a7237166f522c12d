"""The community convention through the API: the convention, penalties, appeals, and that a
muted member still buys, pays and withdraws (PRODUCT §14)."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import Api

from sharemall.accounts.models import Member
from sharemall.community import rules
from sharemall.community.models import Appeal, ConventionVersion, Penalty
from sharemall.notifications import rules as notices
from sharemall.notifications.models import Notice
from sharemall.wallet.models import Withdrawal
from sharemall.wallet.services import Entry, ledger_post, member, merchant_receivable
from tests.factories import PASSWORD, MemberFactory, OperatorFactory, product
from tests.flows import buy, pay

pytestmark = pytest.mark.django_db


def _penalise(api: Api, operator: Member, target: Member, level: str, **body: object) -> dict:
    answer = api.post(
        f"/platform/members/{target.pk}/penalties",
        {"level": level, "rule": "spam", "note": "刷广告", **body},
        as_=operator,
    )
    assert answer.status == 201, answer.body
    return dict(answer.body)


def test_the_convention_is_public_and_versioned(api: Api) -> None:
    current = api.get("/convention")
    assert current.status == 200
    assert current.body["version"] == 1
    assert "社区公约" in current.body["text"]
    assert [c["code"] for c in current.body["categories"]] == list(rules.CATEGORIES)
    assert [c["code"] for c in current.body["levels"]] == list(rules.LADDER)
    assert current.body["categories"][0]["label"] == "违法违规内容"

    operator = OperatorFactory.create()
    published = api.post("/platform/convention", {"text": "第二版\n\n新增条款"}, as_=operator)
    assert published.status == 201
    assert (published.body["version"], published.body["author_id"]) == (2, operator.pk)
    assert api.get("/convention").body["text"] == "第二版\n\n新增条款"
    assert [v["version"] for v in api.get("/convention/versions").body] == [2, 1]

    empty = api.post("/platform/convention", {"text": "  "}, as_=operator)
    assert (empty.status, empty.error_code) == (400, "invalid_convention")
    refused = api.post("/platform/convention", {"text": "x"}, as_=MemberFactory.create())
    assert refused.status == 403
    assert ConventionVersion.objects.count() == 2


def test_an_operator_penalises_a_member_and_sees_the_next_step(api: Api) -> None:
    operator, target = OperatorFactory.create(), MemberFactory.create()
    shown = api.get(f"/platform/members/{target.pk}/penalties", as_=operator).body
    assert shown == {
        "member_id": target.pk,
        "suggested_level": "warning",
        "mute": None,
        "penalties": [],
    }

    made = _penalise(api, operator, target, "mute_7d", aggravations=["multi_account"])
    assert {
        k: made[k]
        for k in ("member_id", "level", "rule", "aggravations", "note", "actor_id", "status")
    } == {
        "member_id": target.pk,
        "level": "mute_7d",
        "rule": "spam",
        "aggravations": ["multi_account"],
        "note": "刷广告",
        "actor_id": operator.pk,
        "status": "active",
    }
    created = datetime.fromisoformat(made["created_at"])
    ends = datetime.fromisoformat(made["ends_at"])
    assert (ends - created).days == 7

    shown = api.get(f"/platform/members/{target.pk}/penalties", as_=operator).body
    assert shown["suggested_level"] == "mute_15d"
    assert datetime.fromisoformat(shown["mute"]["until"]) == ends
    assert [p["id"] for p in shown["penalties"]] == [made["id"]]
    raised = api.get(
        f"/platform/members/{target.pk}/penalties?aggravations=multi_account,minors", as_=operator
    ).body
    assert raised["suggested_level"] == "close"
    assert Notice.objects.filter(recipient=target, kind=notices.PENALTY_IMPOSED).count() == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"level": "mute_2d", "rule": "spam"}, "invalid_penalty"),
        ({"level": "warning", "rule": "rude"}, "invalid_penalty"),
        ({"level": "warning", "rule": "spam", "aggravations": ["often"]}, "invalid_penalty"),
        ({"level": "warning"}, "invalid_input"),
    ],
)
def test_a_bad_penalty_is_refused(api: Api, body: dict, code: str) -> None:
    operator, target = OperatorFactory.create(), MemberFactory.create()
    answer = api.post(f"/platform/members/{target.pk}/penalties", body, as_=operator)
    assert (answer.status, answer.error_code) == (400, code)
    assert not Penalty.objects.exists()


def test_an_unknown_member_cannot_be_penalised(api: Api) -> None:
    operator = OperatorFactory.create()
    answer = api.post(
        "/platform/members/999999/penalties", {"level": "warning", "rule": "spam"}, as_=operator
    )
    assert (answer.status, answer.error_code) == (404, "not_found")
    assert api.get("/platform/members/999999/penalties", as_=operator).status == 404


def test_a_closed_account_can_no_longer_sign_in(api: Api) -> None:
    operator, target = OperatorFactory.create(), MemberFactory.create()
    _penalise(api, operator, target, "close")
    login = api.post("/auth/login", {"phone": target.phone, "password": PASSWORD})
    assert login.status == 401
    target.refresh_from_db()
    assert not target.is_active
    assert target.closed_at is None  # nothing erased: orders, ledger and earnings stay


def test_a_penalised_member_appeals_once_and_another_operator_overturns(api: Api) -> None:
    decider, reviewer, target = (
        OperatorFactory.create(),
        OperatorFactory.create(),
        MemberFactory.create(),
    )
    made = _penalise(api, decider, target, "mute_15d")
    mine = api.get("/me/penalties", as_=target).body
    assert [(p["id"], p["level_label"], p["rule_label"], p["appeal_status"]) for p in mine] == [
        (made["id"], "禁言15天", str(rules.CATEGORIES["spam"]), None)
    ]
    assert mine[0]["until"] == made["ends_at"]

    filed = api.post(
        "/appeals",
        {"decision_type": "penalty", "decision_id": made["id"], "statement": "我没有发广告"},
        as_=target,
    )
    assert filed.status == 201
    assert {k: filed.body[k] for k in ("decision_type", "decision_id", "status", "statement")} == {
        "decision_type": "penalty",
        "decision_id": made["id"],
        "status": "pending",
        "statement": "我没有发广告",
    }
    again = api.post(
        "/appeals",
        {"decision_type": "penalty", "decision_id": made["id"], "statement": "再申诉"},
        as_=target,
    )
    assert (again.status, again.error_code) == (409, "already_appealed")

    queue = api.get("/platform/appeals?status=pending", as_=reviewer).body
    assert [(a["id"], a["decided_by_id"], a["appellant_id"]) for a in queue] == [
        (filed.body["id"], decider.pk, target.pk)
    ]
    own = api.post(
        f"/platform/appeals/{filed.body['id']}/review",
        {"outcome": "overturned", "note": "自己复核"},
        as_=decider,
    )
    assert (own.status, own.error_code) == (403, "same_reviewer")
    reviewed = api.post(
        f"/platform/appeals/{filed.body['id']}/review",
        {"outcome": "overturned", "note": "证据不足"},
        as_=reviewer,
    )
    assert reviewed.status == 200
    assert (reviewed.body["status"], reviewed.body["reviewer_id"]) == ("overturned", reviewer.pk)
    twice = api.post(
        f"/platform/appeals/{filed.body['id']}/review", {"outcome": "upheld"}, as_=reviewer
    )
    assert (twice.status, twice.error_code) == (409, "already_reviewed")

    assert api.get("/platform/appeals", as_=reviewer).body == []
    mine = api.get("/me/penalties", as_=target).body
    assert (mine[0]["status"], mine[0]["appeal_status"]) == ("overturned", "overturned")
    assert [a["status"] for a in api.get("/me/appeals", as_=target).body] == ["overturned"]
    shown = api.get(f"/platform/members/{target.pk}/penalties", as_=reviewer).body
    assert shown["mute"] is None
    assert Notice.objects.filter(recipient=target, kind=notices.APPEAL_DECIDED).count() == 1


def test_appeals_of_what_is_not_yours_or_not_known(api: Api) -> None:
    operator, target, other = (
        OperatorFactory.create(),
        MemberFactory.create(),
        MemberFactory.create(),
    )
    made = _penalise(api, operator, target, "warning")
    body = {"decision_type": "penalty", "decision_id": made["id"], "statement": "冤"}
    assert api.post("/appeals", body, as_=other).status == 404
    unknown = api.post("/appeals", {**body, "decision_id": 999999}, as_=target)
    assert unknown.status == 404
    bad_type = api.post("/appeals", {**body, "decision_type": "order"}, as_=target)
    assert (bad_type.status, bad_type.error_code) == (400, "invalid_appeal")
    empty = api.post("/appeals", {**body, "statement": " "}, as_=target)
    assert (empty.status, empty.error_code) == (400, "invalid_appeal")
    bad_outcome = api.post("/platform/appeals/999999/review", {"outcome": "maybe"}, as_=operator)
    assert bad_outcome.status == 400
    assert (
        api.post("/platform/appeals/999999/review", {"outcome": "upheld"}, as_=operator).status
        == 404
    )
    assert not Appeal.objects.exists()


def test_a_muted_member_still_buys_pays_and_withdraws(api: Api) -> None:
    """Muting silences; it never touches buying or being paid what was earned."""
    operator, muted = OperatorFactory.create(), MemberFactory.create()
    _penalise(api, operator, muted, "mute_forever")
    sku = product(price_fen=2000, stock=5).skus.get()
    created = buy(api, muted, sku)
    assert pay(api, muted, created["payment_id"])["status"] == "paid"
    ledger_post(
        key="test:earned",
        kind="test_credit",
        entries=[
            Entry(merchant_receivable(sku.product.merchant_id), 5000),
            Entry(member("member_available", muted.pk), -5000),
        ],
    )
    asked = api.post("/withdrawals", {"amount_fen": 3000, "channel": "wechat"}, as_=muted)
    assert asked.status == 201, asked.body
    assert Withdrawal.objects.filter(member=muted).count() == 1
