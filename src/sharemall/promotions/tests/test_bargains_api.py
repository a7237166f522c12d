"""The bargain (砍价) API: merchants set it up, a member starts a run, distinct friends cut it to
exactly the floor at the K-th help, and the BARGAIN offer handler sells the starter one unit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.utils import timezone
from tests.factories import MemberFactory, OperatorFactory, merchant, product
from tests.flows import buy

from sharemall.accounts.models import Member
from sharemall.catalog.models import Sku
from sharemall.core.errors import Conflict, NotFound
from sharemall.merchants.models import Merchant
from sharemall.orders.models import Order
from sharemall.promotions.models import BargainDeviceFlag, BargainHelp, BargainRun
from sharemall.promotions.rules import bargains as rules
from sharemall.promotions.rules.offers import BARGAIN
from sharemall.promotions.selectors import bargains as selectors
from sharemall.promotions.services import offers

pytestmark = pytest.mark.django_db

PRICE = 9900


@pytest.fixture
def shop() -> tuple[Merchant, Sku]:
    m = merchant()
    sku = product(m, price_fen=PRICE, stock=20).skus.get()
    return m, sku


def create(api: Api, m: Merchant, sku: Sku, **changes: Any) -> Any:
    body = {"sku_id": sku.pk, "floor_price_fen": 100, "helpers_needed": 5, "hours": 24, **changes}
    return api.post(f"/merchants/{m.pk}/bargains", body, as_=m.owner)


def bargain_id(api: Api, m: Merchant, sku: Sku, **changes: Any) -> int:
    answer = create(api, m, sku, **changes)
    assert answer.status == 201, answer.body
    return int(answer.body["id"])


def start(api: Api, bid: int, starter: Member) -> dict[str, Any]:
    answer = api.post(f"/bargains/{bid}/start", as_=starter)
    assert answer.status == 201, answer.body
    return dict(answer.body)


def test_the_merchant_creates_lists_and_stops_a_bargain(
    api: Api, shop: tuple[Merchant, Sku]
) -> None:
    m, sku = shop
    bid = bargain_id(api, m, sku)
    listed = api.get(f"/merchants/{m.pk}/bargains", as_=m.owner)
    assert listed.status == 200
    assert [
        (b["id"], b["start_price_fen"], b["floor_price_fen"], b["status"]) for b in listed.body
    ] == [(bid, PRICE, 100, "active")]
    public = api.get(f"/bargains/{bid}")
    assert public.status == 200
    assert public.body["helpers_needed"] == 5
    stopped = api.post(f"/merchants/{m.pk}/bargains/{bid}/stop", as_=m.owner)
    assert stopped.status == 200
    assert stopped.body["status"] == "stopped"
    refused = api.post(f"/bargains/{bid}/start", as_=MemberFactory.create())
    assert (refused.status, refused.error_code) == (409, "bargain_stopped")


@pytest.mark.parametrize(
    "changes",
    [
        {"floor_price_fen": 0},
        {"floor_price_fen": PRICE},
        {"floor_price_fen": PRICE + 1},
        {"helpers_needed": 0},
        {"helpers_needed": 101},
        {"hours": 0},
        {"hours": 169},
        {"floor_price_fen": PRICE - 4, "helpers_needed": 5},
    ],
)
def test_bad_terms_answer_400(
    api: Api, shop: tuple[Merchant, Sku], changes: dict[str, int]
) -> None:
    m, sku = shop
    answer = create(api, m, sku, **changes)
    assert (answer.status, answer.error_code) == (400, "invalid_bargain"), answer.body


def test_another_merchants_sku_or_a_stranger_is_refused(
    api: Api, shop: tuple[Merchant, Sku]
) -> None:
    m, _sku = shop
    other_sku = product(price_fen=PRICE).skus.get()
    answer = create(api, m, other_sku)
    assert (answer.status, answer.error_code) == (400, "unknown_sku")
    stranger = api.post(
        f"/merchants/{m.pk}/bargains",
        {"sku_id": _sku.pk, "floor_price_fen": 100, "helpers_needed": 5, "hours": 24},
        as_=MemberFactory.create(),
    )
    assert stranger.status == 404


def test_k_distinct_helpers_bring_the_price_exactly_to_the_floor(
    api: Api, shop: tuple[Merchant, Sku]
) -> None:
    m, sku = shop
    k = 7
    bid = bargain_id(api, m, sku, floor_price_fen=1234, helpers_needed=k)
    starter = MemberFactory.create()
    run = start(api, bid, starter)
    assert run["current_price_fen"] == PRICE
    rid = run["run_id"]

    own = api.post(f"/bargain-runs/{rid}/help", as_=starter)
    assert (own.status, own.error_code) == (409, "cannot_help")

    helpers = MemberFactory.create_batch(k)
    prices = [PRICE]
    for i, helper in enumerate(helpers):
        answer = api.post(f"/bargain-runs/{rid}/help", as_=helper, headers={"X-Device-Id": f"d{i}"})
        assert answer.status == 200, answer.body
        assert answer.body["cut_fen"] >= 1
        assert answer.body["current_price_fen"] == prices[-1] - answer.body["cut_fen"]
        prices.append(answer.body["current_price_fen"])
        again = api.post(f"/bargain-runs/{rid}/help", as_=helper)
        assert (again.status, again.error_code) == (409, "cannot_help")
    assert prices[-1] == 1234
    assert all(p > 1234 for p in prices[:-1])

    late = api.post(f"/bargain-runs/{rid}/help", as_=MemberFactory.create())
    assert (late.status, late.error_code) == (409, "floor_reached")

    page = api.get(f"/bargain-runs/{rid}")
    assert page.status == 200
    assert page.body["current_price_fen"] == 1234
    assert page.body["helps"] == k
    assert page.body["floor_reached"] is True
    assert page.body["status"] == "open"
    assert [h["member_id"] for h in page.body["helpers"]] == [h.pk for h in helpers]
    assert [h["nickname"] for h in page.body["helpers"]] == [h.nickname for h in helpers]
    assert page.body["share_code"] == run["share_code"]
    saved = BargainRun.objects.get(pk=rid)
    assert [h.cut_fen for h in selectors.helps_of(saved)] == rules.cuts(PRICE - 1234, k, saved.seed)
    assert list(BargainHelp.objects.filter(run=saved).values_list("device_id", flat=True)) == [
        f"d{i}" for i in range(k)
    ]


def test_starting_again_answers_the_open_run(api: Api, shop: tuple[Merchant, Sku]) -> None:
    m, sku = shop
    bid = bargain_id(api, m, sku)
    starter = MemberFactory.create()
    first = start(api, bid, starter)
    again = api.post(f"/bargains/{bid}/start", as_=starter)
    assert again.status == 200
    assert again.body == first
    assert BargainRun.objects.count() == 1


def test_helping_an_expired_run_is_refused_and_a_new_run_may_start(
    api: Api, shop: tuple[Merchant, Sku]
) -> None:
    m, sku = shop
    bid = bargain_id(api, m, sku, hours=1)
    starter = MemberFactory.create()
    run = start(api, bid, starter)
    # An hour and a second later.
    BargainRun.objects.filter(pk=run["run_id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    late = api.post(f"/bargain-runs/{run['run_id']}/help", as_=MemberFactory.create())
    assert (late.status, late.error_code) == (409, "bargain_expired")
    assert api.get(f"/bargain-runs/{run['run_id']}").body["status"] == "expired"
    fresh = start(api, bid, starter)
    assert fresh["run_id"] != run["run_id"]
    assert BargainRun.objects.get(pk=run["run_id"]).status == rules.EXPIRED


def test_helping_needs_a_sign_in(api: Api, shop: tuple[Merchant, Sku]) -> None:
    m, sku = shop
    run = start(api, bargain_id(api, m, sku), MemberFactory.create())
    assert api.post(f"/bargain-runs/{run['run_id']}/help").status == 401


def test_a_device_helping_too_many_runs_is_refused_and_flagged(
    api: Api, shop: tuple[Merchant, Sku], settings: Any
) -> None:
    settings.BARGAIN_DEVICE_RUN_LIMIT = 3
    m, sku = shop
    bid = bargain_id(api, m, sku)
    runs = [start(api, bid, MemberFactory.create())["run_id"] for _ in range(5)]
    device = {"X-Device-Id": "phone-farm-1"}
    for rid in runs[:3]:
        ok = api.post(f"/bargain-runs/{rid}/help", as_=MemberFactory.create(), headers=device)
        assert ok.status == 200, ok.body
    for rid in runs[3:]:
        refused = api.post(f"/bargain-runs/{rid}/help", as_=MemberFactory.create(), headers=device)
        assert (refused.status, refused.error_code) == (409, "device_flagged")
    flag = BargainDeviceFlag.objects.get(device_id="phone-farm-1")
    assert (flag.runs_helped, flag.refusals) == (3, 2)
    assert list(selectors.flagged_devices(now=timezone.now())) == [flag]
    operator = OperatorFactory.create()
    listed = api.get("/platform/bargain-device-flags", as_=operator)
    assert listed.status == 200
    assert [(f["device_id"], f["refusals"]) for f in listed.body] == [("phone-farm-1", 2)]
    assert api.get("/platform/bargain-device-flags", as_=m.owner).status == 403
    assert BargainRun.objects.get(pk=runs[4]).helps == 0
    # Another device helps the same run freely.
    assert (
        api.post(
            f"/bargain-runs/{runs[4]}/help",
            as_=MemberFactory.create(),
            headers={"X-Device-Id": "own-phone"},
        ).status
        == 200
    )


# --- the BARGAIN offer handler, called as checkout calls it -------------------------------------


def _order(api: Api, buyer: Member, sku: Sku) -> Order:
    created = buy(api, buyer, sku)
    return Order.objects.get(pk=created["orders"][0]["id"])


def test_only_the_starter_is_offered_one_unit_at_the_current_price(
    api: Api, shop: tuple[Merchant, Sku]
) -> None:
    m, sku = shop
    bid = bargain_id(api, m, sku)
    starter = MemberFactory.create()
    rid = start(api, bid, starter)["run_id"]
    helped = api.post(f"/bargain-runs/{rid}/help", as_=MemberFactory.create()).body
    now = timezone.now()
    offer = offers.offer(BARGAIN, rid, buyer=starter, sku_id=sku.pk, now=now)
    assert (offer.kind, offer.ref_id, offer.sku_id) == (BARGAIN, rid, sku.pk)
    assert (offer.unit_fen, offer.max_quantity) == (helped["current_price_fen"], 1)
    assert offer.campaign == bid
    with pytest.raises(NotFound):
        offers.offer(BARGAIN, rid, buyer=MemberFactory.create(), sku_id=sku.pk, now=now)
    with pytest.raises(NotFound):
        offers.offer(BARGAIN, rid, buyer=starter, sku_id=sku.pk + 1, now=now)
    with pytest.raises(Conflict) as expired:
        offers.offer(BARGAIN, rid, buyer=starter, sku_id=sku.pk, now=now + timedelta(hours=25))
    assert expired.value.code == "bargain_expired"


def test_reserve_once_release_then_paid(api: Api, shop: tuple[Merchant, Sku]) -> None:
    m, sku = shop
    bid = bargain_id(api, m, sku)
    starter = MemberFactory.create()
    rid = start(api, bid, starter)["run_id"]
    offer = offers.offer(BARGAIN, rid, buyer=starter, sku_id=sku.pk, now=timezone.now())
    first, second = _order(api, starter, sku), _order(api, starter, sku)

    offers.reserve(offer, buyer=starter, quantity=1, order=first)
    assert BargainRun.objects.get(pk=rid).status == rules.ORDERED
    with pytest.raises(Conflict) as taken:
        offers.reserve(offer, buyer=starter, quantity=1, order=second)
    assert taken.value.code == "bargain_closed"
    with pytest.raises(Conflict):
        offers.offer(BARGAIN, rid, buyer=starter, sku_id=sku.pk, now=timezone.now())
    closed = api.post(f"/bargain-runs/{rid}/help", as_=MemberFactory.create())
    assert (closed.status, closed.error_code) == (409, "bargain_closed")

    offers.release([first.pk])
    run = BargainRun.objects.get(pk=rid)
    assert (run.status, run.order_id) == (rules.OPEN, None)

    offers.reserve(offer, buyer=starter, quantity=1, order=second)
    assert offers.paid([second]) == []
    run = BargainRun.objects.get(pk=rid)
    assert (run.status, run.order_id) == (rules.BOUGHT, second.pk)
    assert run.bought_at is not None
    # Paid: releasing it (or anything else) changes nothing, and the member cannot start again.
    offers.release([second.pk])
    assert BargainRun.objects.get(pk=rid).status == rules.BOUGHT
    again = api.post(f"/bargains/{bid}/start", as_=starter)
    assert (again.status, again.error_code) == (409, "bargain_bought")


def test_a_help_between_pricing_and_reserving_makes_the_offer_stale(
    api: Api, shop: tuple[Merchant, Sku]
) -> None:
    m, sku = shop
    starter = MemberFactory.create()
    rid = start(api, bargain_id(api, m, sku), starter)["run_id"]
    offer = offers.offer(BARGAIN, rid, buyer=starter, sku_id=sku.pk, now=timezone.now())
    assert api.post(f"/bargain-runs/{rid}/help", as_=MemberFactory.create()).status == 200
    with pytest.raises(Conflict) as stale:
        offers.reserve(offer, buyer=starter, quantity=1, order=_order(api, starter, sku))
    assert stale.value.code == "price_changed"
    assert BargainRun.objects.get(pk=rid).status == rules.OPEN
