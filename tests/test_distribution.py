"""Share, bind, earn — through the API, with every amount checked against a calculation made
here independently of the engine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import Api
from django.db import IntegrityError, transaction
from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.config.jobs import run_due_jobs
from sharemall.distribution.models import CommissionEntry
from sharemall.orders.models import Order
from sharemall.platform.models import PlatformSettings
from sharemall.wallet.services import balances_for_member, ledger_check
from tests.factories import PASSWORD, OperatorFactory, merchant, product
from tests.flows import ADDRESS, register, share

pytestmark = pytest.mark.django_db

PLAN = {
    "share_budget_bp": 2000,
    "buyer_discount_bp": 500,
    "level_bp": [800, 400, 200],
    "region_agent_bp": 100,
}


def floor_bp(amount: int, bp: int) -> int:
    return amount * bp // 10_000


@pytest.fixture
def shop(api: Api) -> tuple[int, int, Member]:
    m = merchant()
    p = product(m, price_fen=9999, stock=100)
    answer = api.put(f"/merchants/{m.pk}/commission-plan", PLAN, as_=m.owner)
    assert answer.status == 200, answer.body
    assert answer.body["level_bp"] == [800, 400, 200]
    return p.pk, p.skus.get().pk, m.owner


def chain(api: Api, product_id: int) -> tuple[list[int], list[str], str]:
    """A ← B ← C ← D, each bound through the previous one's share; D shares last."""
    ids, tokens = [], []
    code = None
    for i in range(4):
        member_id, token = register(api, f"1370000{i:04d}", code)
        ids.append(member_id)
        tokens.append(token)
        code = share(api, token, product_id)
    assert code is not None
    return ids, tokens, code


def test_a_sale_through_a_share_pays_two_levels_by_default(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, owner = shop
    ids, tokens, code = chain(api, product_id)
    _a, _b, c, d = ids
    assert api.get("/me", as_=tokens[3]).body["parent_id"] == c
    assert api.get("/team", as_=tokens[0]).body["counts"] == {"level1": 1, "level2": 1, "level3": 1}
    _buyer_id, buyer = register(api, "13600000001", code)
    created = api.post(
        "/orders",
        {"items": [{"sku_id": sku_id, "quantity": 2}], "delivery": ADDRESS, "share_code": code},
        as_=buyer,
    ).body
    list_fen = 9999 * 2
    discount = floor_bp(list_fen, 500)
    paid = list_fen - discount
    assert created["amount_fen"] == paid
    assert created["orders"][0]["lines"][0]["paid_fen"] == paid
    api.post(f"/payments/sandbox/{created['payment_id']}/complete", as_=buyer)

    # The sharer D is level 1, C level 2; max_levels 2 means B earns nothing.
    expected = {d: floor_bp(paid, 800), c: floor_bp(paid, 400)}
    for member_id, token in zip(ids, tokens, strict=True):
        entries = api.get("/commissions", as_=token).body
        amount = sum(e["amount_fen"] for e in entries)
        assert amount == expected.get(member_id, 0)
        wallet = api.get("/wallet", as_=token).body
        assert wallet["pending_fen"] == expected.get(member_id, 0)
        assert wallet["available_fen"] == 0
    [entry] = api.get("/commissions", as_=tokens[3]).body
    assert (entry["level"], entry["base_fen"], entry["rate_bp"], entry["status"]) == (
        1,
        paid,
        800,
        "pending",
    )

    order_id = created["orders"][0]["id"]
    api.post(f"/orders/{order_id}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=owner)
    api.post(f"/orders/{order_id}/confirm-receipt", as_=buyer)
    run_due_jobs(timezone.now() + timedelta(days=8))
    assert Order.objects.get(pk=order_id).status == "completed"
    wallet = api.get("/wallet", as_=tokens[3]).body
    assert (wallet["pending_fen"], wallet["available_fen"]) == (0, expected[d])
    assert {e["status"] for e in api.get("/commissions", as_=tokens[3]).body} == {"settled"}
    assert ledger_check() == []


def test_a_refund_before_settlement_reverses_in_proportion(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, owner = shop
    _ids, tokens, code = chain(api, product_id)
    _buyer_id, buyer = register(api, "13600000002", code)
    created = api.post(
        "/orders",
        {"items": [{"sku_id": sku_id, "quantity": 3}], "delivery": ADDRESS, "share_code": code},
        as_=buyer,
    ).body
    api.post(f"/payments/sandbox/{created['payment_id']}/complete", as_=buyer)
    order_id = created["orders"][0]["id"]
    line = created["orders"][0]["lines"][0]
    paid = line["paid_fen"]
    l1 = floor_bp(paid, 800)
    request = api.post(
        f"/orders/{order_id}/aftersales",
        {"type": "refund", "lines": [{"line_id": line["id"], "quantity": 1}], "reason": "x"},
        as_=buyer,
    ).body
    api.post(f"/aftersales/{request['id']}/approve", as_=owner)
    refunded = paid * 1 // 3
    assert request["refund_fen"] == refunded
    reversed_l1 = l1 * refunded // paid
    entries = api.get("/commissions", as_=tokens[3]).body
    by_status: dict[str, int] = {}
    for e in entries:
        by_status[e["status"]] = by_status.get(e["status"], 0) + e["amount_fen"]
    assert by_status == {"pending": l1 - reversed_l1, "reversed": reversed_l1}
    assert api.get("/wallet", as_=tokens[3]).body["pending_fen"] == l1 - reversed_l1
    assert ledger_check() == []


def test_max_levels_three_and_one(api: Api, shop: tuple[int, int, Member]) -> None:
    product_id, sku_id, _owner = shop
    operator = OperatorFactory.create()
    changed = api.put("/platform/settings", {"max_levels": 3}, as_=operator)
    assert changed.body["max_levels"] == 3
    assert changed.body["warnings"]  # an operator who sets 3 is warned
    _ids, tokens, code = chain(api, product_id)
    _b, buyer = register(api, "13600000003", code)
    created = api.post(
        "/orders",
        {"items": [{"sku_id": sku_id, "quantity": 1}], "delivery": ADDRESS, "share_code": code},
        as_=buyer,
    ).body
    api.post(f"/payments/sandbox/{created['payment_id']}/complete", as_=buyer)
    paid = created["amount_fen"]
    got = [sum(e["amount_fen"] for e in api.get("/commissions", as_=t).body) for t in tokens]
    assert got == [0, floor_bp(paid, 200), floor_bp(paid, 400), floor_bp(paid, 800)]

    api.put("/platform/settings", {"max_levels": 1}, as_=operator)
    _b2, buyer2 = register(api, "13600000004", code)
    created = api.post(
        "/orders",
        {"items": [{"sku_id": sku_id, "quantity": 1}], "delivery": ADDRESS, "share_code": code},
        as_=buyer2,
    ).body
    api.post(f"/payments/sandbox/{created['payment_id']}/complete", as_=buyer2)
    assert CommissionEntry.objects.filter(order_id=created["orders"][0]["id"]).count() == 1


@pytest.mark.parametrize("levels", [0, 4, 7, "3"])
def test_more_than_three_levels_can_never_be_configured(api: Api, levels: object) -> None:
    operator = OperatorFactory.create()
    answer = api.put("/platform/settings", {"max_levels": levels}, as_=operator)
    assert answer.status == 400
    assert answer.error_code in {"invalid_settings", "invalid_input"}


def test_the_database_refuses_four_levels_too() -> None:
    PlatformSettings.objects.get_or_create(pk=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlatformSettings.objects.filter(pk=1).update(max_levels=4)


@pytest.mark.parametrize(
    ("plan", "status"),
    [
        ({**PLAN, "share_budget_bp": 1000}, 400),  # parts exceed the budget
        ({**PLAN, "share_budget_bp": 3001, "level_bp": [800, 400, 200]}, 400),  # over the cap
        ({**PLAN, "level_bp": [-1, 0, 0]}, 400),
        ({**PLAN, "share_budget_bp": "20%"}, 400),
    ],
)
def test_invalid_plans_are_refused(api: Api, plan: dict, status: int) -> None:
    m = merchant()
    answer = api.put(f"/merchants/{m.pk}/commission-plan", plan, as_=m.owner)
    assert answer.status == status
    assert answer.error_code in {"invalid_plan", "invalid_input"}


def test_plan_needs_the_owner(api: Api) -> None:
    m = merchant()
    stranger = merchant().owner
    assert api.put(f"/merchants/{m.pk}/commission-plan", PLAN, as_=stranger).status == 404
    assert api.put(f"/merchants/{m.pk}/commission-plan", PLAN).status == 401


def test_no_share_no_discount_but_the_parent_still_earns(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, _owner = shop
    sharer_id, sharer = register(api, "13700000100")
    code = share(api, sharer, product_id)
    _buyer_id, buyer = register(api, "13600000005", code)  # bound to the sharer
    created = api.post(
        "/orders", {"items": [{"sku_id": sku_id, "quantity": 1}], "delivery": ADDRESS}, as_=buyer
    ).body
    assert created["amount_fen"] == 9999  # no share click now: no buyer discount
    api.post(f"/payments/sandbox/{created['payment_id']}/complete", as_=buyer)
    order = Order.objects.get(pk=created["orders"][0]["id"])
    assert (order.attribution, order.referrer_id) in {("share", sharer_id), ("parent", sharer_id)}
    assert sum(e["amount_fen"] for e in api.get("/commissions", as_=sharer).body) == floor_bp(
        order.total_fen, 800
    )


def test_approved_mode_pays_only_enabled_distributors(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, _owner = shop
    operator = OperatorFactory.create()
    api.put("/platform/settings", {"distribution_mode": "approved"}, as_=operator)
    _sharer_id, sharer = register(api, "13700000200")
    code = share(api, sharer, product_id)
    _b, buyer = register(api, "13600000006")
    created = api.post(
        "/orders",
        {"items": [{"sku_id": sku_id, "quantity": 1}], "delivery": ADDRESS, "share_code": code},
        as_=buyer,
    ).body
    assert created["amount_fen"] == 9999 - floor_bp(9999, 500)  # the buyer still saves
    api.post(f"/payments/sandbox/{created['payment_id']}/complete", as_=buyer)
    assert api.get("/commissions", as_=sharer).body == []
    assert api.post("/me/distributor", as_=sharer).body == {"is_distributor": True}
    _b2, buyer2 = register(api, "13600000007")
    created = api.post(
        "/orders",
        {"items": [{"sku_id": sku_id, "quantity": 1}], "delivery": ADDRESS, "share_code": code},
        as_=buyer2,
    ).body
    api.post(f"/payments/sandbox/{created['payment_id']}/complete", as_=buyer2)
    assert len(api.get("/commissions", as_=sharer).body) == 1


def test_a_sharer_paying_for_the_buyer_is_held_for_review(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, _owner = shop
    _s, sharer = register(api, "13700000300")
    code = share(api, sharer, product_id)
    _b, buyer = register(api, "13600000008")
    created = api.post(
        "/orders",
        {"items": [{"sku_id": sku_id, "quantity": 1}], "delivery": ADDRESS, "share_code": code},
        as_=buyer,
    ).body
    link = api.post(f"/payments/{created['payment_id']}/pay-link", as_=buyer).body
    api.post(f"/pay-for-me/{link['token']}/sandbox-complete", as_=sharer)
    [entry] = api.get("/commissions", as_=sharer).body
    assert entry["status"] == "held"
    assert "paid" in entry["reason"]
    operator = OperatorFactory.create()
    queue = api.get("/platform/commission-holds", as_=operator).body
    assert [e["id"] for e in queue] == [entry["id"]]
    rejected = api.post(
        f"/platform/commissions/{entry['id']}/reject", {"reason": "自买自卖"}, as_=operator
    )
    assert rejected.body["status"] == "rejected"
    assert api.get("/wallet", as_=sharer).body["pending_fen"] == 0
    assert ledger_check() == []


def test_binding_refuses_self_and_cycles(api: Api, shop: tuple[int, int, Member]) -> None:
    product_id, _sku_id, _owner = shop
    operator = OperatorFactory.create()
    api.put("/platform/settings", {"binding_mode": "last_touch"}, as_=operator)
    a_id, a = register(api, "13700000400")
    a_code = share(api, a, product_id)
    b_id, b = register(api, "13700000401", a_code)
    b_code = share(api, b, product_id)
    # A arriving through B's share would make A its own grandparent: refused.
    from sharemall.accounts.binding import bind  # noqa: PLC0415

    a_member = Member.objects.get(pk=a_id)
    assert not bind(a_member, Member.objects.get(pk=b_id), source=f"share:{b_code}")
    assert not bind(a_member, a_member, source="self")
    assert Member.objects.get(pk=a_id).parent_id is None


def test_first_touch_binding_is_permanent(api: Api, shop: tuple[int, int, Member]) -> None:
    product_id, _sku_id, _owner = shop
    first_id, first = register(api, "13700000500")
    second_id, _second = register(api, "13700000501")
    member_id, _token = register(api, "13700000502", share(api, first, product_id))
    from sharemall.accounts.binding import bind  # noqa: PLC0415

    assert not bind(
        Member.objects.get(pk=member_id), Member.objects.get(pk=second_id), source="share"
    )
    assert Member.objects.get(pk=member_id).parent_id == first_id


def test_compliance_report(api: Api, shop: tuple[int, int, Member]) -> None:
    product_id, sku_id, _owner = shop
    _ids, _tokens, code = chain(api, product_id)
    _b, buyer = register(api, "13600000009", code)
    created = api.post(
        "/orders",
        {"items": [{"sku_id": sku_id, "quantity": 1}], "delivery": ADDRESS, "share_code": code},
        as_=buyer,
    ).body
    api.post(f"/payments/sandbox/{created['payment_id']}/complete", as_=buyer)
    operator = OperatorFactory.create()
    report = api.get("/platform/compliance", as_=operator).body
    assert report["settings"]["max_levels"] == 2
    assert report["deepest_level_paid"] == 2
    assert report["signup_rewards_paid_fen"] == 0
    assert api.get("/platform/compliance", as_=_tokens[0]).status == 403
    _ = balances_for_member


def test_only_a_failed_withdrawal_can_be_retried(api: Api) -> None:
    from sharemall.wallet.services import Entry, ledger_post, member, merchant_receivable  # noqa: PLC0415

    m = merchant()
    _id, token = register(api, "13700000900")
    ledger_post(
        key="gift:900",
        kind="test_credit",
        entries=[
            Entry(merchant_receivable(m.pk), 5000),
            Entry(member("member_available", _id), -5000),
        ],
    )
    created = api.post("/withdrawals", {"amount_fen": 3000, "channel": "wechat"}, as_=token).body
    operator = OperatorFactory.create()
    retry = api.post(f"/platform/withdrawals/{created['id']}/retry", as_=operator)
    assert (retry.status, retry.error_code) == (409, "invalid_transition")
    wallet = api.get("/wallet", as_=token).body
    assert (wallet["available_fen"], wallet["withdrawing_fen"]) == (2000, 3000)
    assert ledger_check() == []


def test_a_distributor_chooses_a_sub_store_and_shares_it(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, _sku_id, _owner = shop
    member_id, token = register(api, "13700001000")
    refused = api.put("/me/substore", {"product_ids": [product_id]}, as_=token)
    assert (refused.status, refused.error_code) == (400, "not_a_distributor")
    api.post("/me/distributor", as_=token)
    draft = product(on_sale=False)
    bad = api.put("/me/substore", {"product_ids": [product_id, draft.pk]}, as_=token)
    assert (bad.status, bad.error_code) == (400, "invalid_product")
    saved = api.put("/me/substore", {"title": "我的好物", "product_ids": [product_id]}, as_=token)
    assert saved.status == 200
    public = api.get(f"/substores/{member_id}")
    assert public.body["title"] == "我的好物"
    assert [p["id"] for p in public.body["products"]] == [product_id]
    shared = api.post("/shares", {"target_type": "substore", "target_id": member_id}, as_=token)
    assert shared.status == 201


def test_whole_team_depths_by_recursive_query(api: Api, shop: tuple[int, int, Member]) -> None:
    product_id, _sku_id, _owner = shop
    _ids, tokens, _code = chain(api, product_id)
    depths = api.get("/team/depths?depth=5", as_=tokens[0]).body
    assert depths == [
        {"depth": 1, "members": 1},
        {"depth": 2, "members": 1},
        {"depth": 3, "members": 1},
    ]


def test_registering_on_the_page_binds_through_the_landing_cookie(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    from django.test import Client  # noqa: PLC0415

    product_id, _sku_id, _owner = shop
    sharer_id, sharer = register(api, "13700001100")
    code = share(api, sharer, product_id)
    browser = Client()
    assert browser.get(f"/s/{code}").status_code == 302
    page = browser.post(
        "/register/",
        {
            "phone": "13700001101",
            "nickname": "新人",
            "password": PASSWORD,
            "password2": PASSWORD,
            "accept_terms": "on",
        },
    )
    assert page.status_code in {200, 302}
    newcomer = Member.objects.get(phone="13700001101")
    assert newcomer.parent_id == sharer_id


def test_the_compliance_page_is_for_operators(api: Api) -> None:
    from django.test import Client  # noqa: PLC0415

    browser = Client()
    assert browser.get("/platform/compliance").status_code == 302
    browser.force_login(Member.objects.get(pk=register(api, "13700001200")[0]))
    assert browser.get("/platform/compliance").status_code == 404
    browser.force_login(OperatorFactory.create())
    page = browser.get("/platform/compliance")
    assert page.status_code == 200
    # Settings by the names operators know them by, not their keys.
    assert "分佣层级" in page.content.decode()
    assert "max_levels" not in page.content.decode()


def test_plan_changes_are_kept(api: Api, shop: tuple[int, int, Member]) -> None:
    _p, _s, owner = shop
    merchant_id = owner.owned_merchants.get().pk
    api.put(
        f"/merchants/{merchant_id}/commission-plan", {**PLAN, "buyer_discount_bp": 300}, as_=owner
    )
    history = api.get(f"/merchants/{merchant_id}/commission-plan/history", as_=owner).body
    assert [h["after"]["buyer_discount"] for h in history] == [300, 500]
    assert history[0]["before"]["buyer_discount"] == 500


def _held_entry(api: Api, shop: tuple[int, int, Member], phone_suffix: str) -> CommissionEntry:
    product_id, sku_id, _owner = shop
    _s, sharer = register(api, f"1370000{phone_suffix}")
    code = share(api, sharer, product_id)
    _b, buyer = register(api, f"1360000{phone_suffix}")
    created = api.post(
        "/orders",
        {"items": [{"sku_id": sku_id, "quantity": 1}], "delivery": ADDRESS, "share_code": code},
        as_=buyer,
    ).body
    link = api.post(f"/payments/{created['payment_id']}/pay-link", as_=buyer).body
    api.post(f"/pay-for-me/{link['token']}/sandbox-complete", as_=sharer)
    entry = CommissionEntry.objects.get(order_id=created["orders"][0]["id"])
    assert entry.status == "held"
    return entry


def test_releasing_a_held_commission_records_the_operator(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    entry = _held_entry(api, shop, "0401")
    operator = OperatorFactory.create()
    released = api.post(
        f"/platform/commissions/{entry.pk}/release", {"reason": "checked"}, as_=operator
    )
    assert released.status == 200, released.body
    assert list(entry.events.values_list("from_status", "to_status", "actor_id")) == [
        ("held", "pending", operator.pk)
    ]
    # Deciding again finds nothing held, and writes nothing.
    again = api.post(f"/platform/commissions/{entry.pk}/release", {"reason": "x"}, as_=operator)
    assert again.status == 409
    assert entry.events.count() == 1


def test_rejecting_a_held_commission_records_the_operator(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    entry = _held_entry(api, shop, "0402")
    operator = OperatorFactory.create()
    api.post(f"/platform/commissions/{entry.pk}/reject", {"reason": "自买自卖"}, as_=operator)
    assert list(entry.events.values_list("from_status", "to_status", "actor_id", "note")) == [
        ("held", "rejected", operator.pk, "自买自卖")
    ]
    assert ledger_check() == []


def test_settling_and_reversing_commissions_write_events(
    api: Api, shop: tuple[int, int, Member]
) -> None:
    product_id, sku_id, owner = shop
    _ids, _tokens, code = chain(api, product_id)
    _buyer_id, buyer = register(api, "13600000403", code)
    created = api.post(
        "/orders",
        {"items": [{"sku_id": sku_id, "quantity": 1}], "delivery": ADDRESS, "share_code": code},
        as_=buyer,
    ).body
    api.post(f"/payments/sandbox/{created['payment_id']}/complete", as_=buyer)
    order_id = created["orders"][0]["id"]
    api.post(f"/orders/{order_id}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=owner)
    api.post(f"/orders/{order_id}/confirm-receipt", as_=buyer)
    run_due_jobs(timezone.now() + timedelta(days=8))
    entries = CommissionEntry.objects.filter(order_id=order_id, reversal_of=None)
    assert entries.count() == 2
    for entry in entries:
        assert list(entry.events.values_list("from_status", "to_status", "actor_id")) == [
            ("pending", "settled", None)
        ]


def test_the_share_caps_per_device_and_address_are_settings_of_the_api(api: Api) -> None:
    operator = OperatorFactory.create()
    changed = api.put(
        "/platform/settings", {"share_device_daily_cap": 12, "share_ip_daily_cap": 40}, as_=operator
    )
    assert changed.status == 200
    assert (changed.body["share_device_daily_cap"], changed.body["share_ip_daily_cap"]) == (12, 40)
    refused = api.put("/platform/settings", {"share_device_daily_cap": -1}, as_=operator)
    assert refused.status == 400
