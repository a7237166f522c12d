"""The platform back office: operators only, and every decision through the API's services."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Api
from django.test import Client
from PIL import Image
from tests.factories import MemberFactory, OperatorFactory, merchant, product
from tests.flows import buy, buy_and_receive, pay, register, share

from sharemall.accounts.models import Member
from sharemall.accounts.services import device_seen
from sharemall.aftersales.models import AfterSale, Dispute
from sharemall.community.rules import CATEGORIES
from sharemall.distribution.models import CommissionEntry
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant, MerchantEvent
from sharemall.orders.models import Order
from sharemall.platform import services as platform_services
from sharemall.platform.models import PlatformSettings, SettingsChange
from sharemall.posts import services as post_services
from sharemall.posts.models import BannedWord, ModerationEvent, Post, PostReport
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet import services as ledger
from sharemall.wallet.models import Withdrawal
from sharemall.wallet.services_withdrawals import withdrawal_request

pytestmark = pytest.mark.django_db

PLAN = {"share_budget_bp": 2000, "buyer_discount_bp": 500, "level_bp": [800, 400, 200]}
LEVELS_WARNING = "Three commissioned levels: regulators count the buyer"
_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def _no_cached_accounts() -> Iterator[None]:
    # Platform ledger accounts are cached per process; a test's rolled-back ones must not leak.
    ledger.forget_cached_accounts()
    yield
    ledger.forget_cached_accounts()


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def desk(client: Client, operator: Member) -> Client:
    """The operator's browser."""
    client.force_login(operator)
    return client


def body(response: Any) -> str:
    return str(response.content.decode())


def shown(client: Client, url: str) -> str:
    """The page as the browser lands on it after a decision (POST, redirect, GET)."""
    return body(client.get(url))


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 60)).save(out, format="PNG")
    return out.getvalue()


def fund(who: Member, amount_fen: int) -> None:
    """Settled commission the member may withdraw (as the wallet tests make it)."""
    ledger.ledger_post(
        key=f"test:platform-pages:{next(_keys)}",
        kind="commission_settled",
        entries=ledger.transfer(
            debit=ledger.merchant_receivable(1),
            credit=ledger.member(wallet_rules.MEMBER_AVAILABLE, who.pk),
            amount_fen=amount_fen,
        ),
    )


def requested_withdrawal(channel: str = "wechat", payee: str = "openid-abc") -> Withdrawal:
    who = MemberFactory.create()
    fund(who, 100_000)
    return withdrawal_request(member=who, amount_fen=50_000, channel=channel, payee=payee)


def held_commission(api: Api) -> CommissionEntry:
    """A sharer who pays for the buyer's order: the commission is held as self-dealing."""
    shop = merchant()
    item = product(shop, price_fen=10_000, stock=10)
    assert api.put(f"/merchants/{shop.pk}/commission-plan", PLAN, as_=shop.owner).status == 200
    _sharer_id, sharer = register(api, "13700000901")
    code = share(api, sharer, item.pk)
    _buyer_id, buyer = register(api, "13600000901")
    created = buy(api, buyer, item.skus.get(), share_code=code)
    link = api.post(f"/payments/{created['payment_id']}/pay-link", as_=buyer).body
    assert api.post(f"/pay-for-me/{link['token']}/sandbox-complete", as_=sharer).status == 200
    return CommissionEntry.objects.get(status="held")


def open_dispute(api: Api) -> Dispute:
    shop = merchant()
    item = product(shop, price_fen=3333, stock=10)
    buyer = MemberFactory.create()
    created = buy(api, buyer, item.skus.get())
    pay(api, buyer, created["payment_id"])
    order = Order.objects.get(pk=created["orders"][0]["id"])
    asked = api.post(
        f"/orders/{order.pk}/aftersales",
        {
            "type": "refund",
            "lines": [{"line_id": order.lines.get().pk, "quantity": 1}],
            "reason": "Arrived broken",
        },
        as_=buyer,
    ).body
    api.post(f"/aftersales/{asked['id']}/reject", {"reason": "Broken by the buyer"}, as_=shop.owner)
    answer = api.post(
        f"/aftersales/{asked['id']}/escalate", {"statement": "The box was crushed"}, as_=buyer
    )
    assert answer.status == 201, answer.body
    return Dispute.objects.get(pk=answer.body["id"])


def reported_post(api: Api) -> Post:
    shop = merchant()
    item = product(shop, price_fen=10_000, stock=10)
    author = MemberFactory.create()
    created = buy_and_receive(api, author, item.skus.get(), shop.owner)
    written = post_services.post_create(
        author=author,
        order_line_id=created["orders"][0]["lines"][0]["id"],
        text="Cheap copy, buy it from my own shop instead",
        rating=1,
        images=[],
    )
    for _i in range(2):
        post_services.post_report(
            reporter=MemberFactory.create(), post_id=written.pk, reason="spam"
        )
    return written


# --- who may see the back office -------------------------------------------------------------

PAGES = [
    "/platform/",
    "/platform/merchants",
    "/platform/merchants/{merchant}",
    "/platform/disputes",
    "/platform/holds",
    "/platform/withdrawals",
    "/platform/settings",
    "/platform/posts",
    "/platform/banned-words",
    "/platform/agents",
    "/platform/propagation",
    "/platform/compliance",
]


@pytest.fixture
def pages() -> list[str]:
    applicant = merchant(approved=False)
    return [url.format(merchant=applicant.pk) for url in PAGES]


def test_strangers_are_sent_to_log_in(client: Client, pages: list[str]) -> None:
    for url in pages:
        response = client.get(url)

        assert response.status_code == 302, url
        assert response["Location"] == f"/login/?next={url}"


def test_a_member_who_is_not_an_operator_gets_the_404_page_everywhere(
    client: Client, pages: list[str]
) -> None:
    client.force_login(MemberFactory.create())
    for url in pages:
        response = client.get(url)

        assert response.status_code == 404, url
        assert "web/not_found.html" in [t.name for t in response.templates]


def test_a_member_who_is_not_an_operator_cannot_decide_anything(client: Client) -> None:
    applicant = merchant(approved=False)
    withdrawal = requested_withdrawal()
    client.force_login(MemberFactory.create())

    approve = client.post(f"/platform/merchants/{applicant.pk}/approve")
    pay_out = client.post(f"/platform/withdrawals/{withdrawal.pk}/approve")
    settings = client.post("/platform/settings", {"max_levels": "1"})

    assert (approve.status_code, pay_out.status_code, settings.status_code) == (404, 404, 404)
    applicant.refresh_from_db()
    withdrawal.refresh_from_db()
    assert (applicant.status, withdrawal.status) == ("submitted", "requested")
    assert SettingsChange.objects.count() == 0


def test_decisions_are_posts_only(desk: Client) -> None:
    applicant = merchant(approved=False)

    response = desk.get(f"/platform/merchants/{applicant.pk}/approve")

    assert response.status_code == 405
    applicant.refresh_from_db()
    assert applicant.status == "submitted"


def test_decisions_need_the_csrf_token_the_page_carries(operator: Member) -> None:
    browser = Client(headers={"accept-language": "en"}, enforce_csrf_checks=True)
    browser.force_login(operator)
    applicant = merchant(approved=False)
    url = f"/platform/merchants/{applicant.pk}"

    forged = browser.post(f"{url}/approve")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', shown(browser, url))
    assert token is not None
    real = browser.post(f"{url}/approve", {"csrfmiddlewaretoken": token.group(1)})

    assert (forged.status_code, real.status_code) == (403, 302)
    applicant.refresh_from_db()
    assert applicant.status == "approved"


def test_an_unknown_or_absurd_id_is_the_404_page(desk: Client) -> None:
    assert desk.get("/platform/merchants/999999").status_code == 404
    assert desk.get("/platform/disputes/999999").status_code == 404
    assert desk.post("/platform/holds/999999/release").status_code == 404
    assert desk.get(f"/platform/merchants/{2**70}").status_code == 404


def test_pages_carry_a_content_security_policy(desk: Client, pages: list[str]) -> None:
    for url in pages:
        policy = desk.get(url).headers["Content-Security-Policy"]

        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy


def test_pages_have_no_inline_scripts_or_styles(
    desk: Client, api: Api, pages: list[str], operator: Member
) -> None:
    dispute = open_dispute(api)
    reported_post(api)
    held_commission(api)
    requested_withdrawal()
    for url in [*pages, f"/platform/disputes/{dispute.pk}"]:
        response = desk.get(url)
        html = body(response)

        assert response.status_code == 200, url
        scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S)
        assert scripts == [""] * len(scripts)
        assert all(
            src.startswith("/static/") for src in re.findall(r'<script[^>]*src="([^"]+)"', html)
        )
        assert "style=" not in html
        assert "<style" not in html
        assert not re.search(r"<[^>]+\son[a-z]+=", html), url
        assert "hx-on" not in html


# --- the dashboard ---------------------------------------------------------------------------


def test_the_dashboard_counts_what_waits_in_each_queue(desk: Client, api: Api) -> None:
    merchant(approved=False)
    merchant(approved=False)
    open_dispute(api)
    held_commission(api)
    requested_withdrawal()
    reported_post(api)

    html = shown(desk, "/platform/")

    counts = {
        title: int(n)
        for n, title in re.findall(
            r'<strong class="pf-count">(\d+)</strong><span class="pf-queue-title">([^<]+)</span>',
            html,
        )
    }
    assert counts == {
        "Merchant applications": 2,
        "Disputes": 1,
        "Held commissions": 1,
        "Withdrawals to approve": 1,
        "Bank transfers to make": 0,
        "Reported posts": 1,
        "Appeals to review": 0,
    }
    for url in (
        "/platform/merchants",
        "/platform/disputes",
        "/platform/holds",
        "/platform/withdrawals",
        "/platform/posts",
        "/platform/compliance",
    ):
        assert f'href="{url}"' in html


# --- merchants -------------------------------------------------------------------------------


def test_the_review_queue_lists_submitted_applications_and_filters_by_status(
    desk: Client,
) -> None:
    waiting = merchant(approved=False, legal_name="Waiting Tea Ltd")
    merchant(legal_name="Approved Cups Ltd")

    queue = shown(desk, "/platform/merchants")
    approved = shown(desk, "/platform/merchants?status=approved")
    everything = shown(desk, "/platform/merchants?status=all")
    nonsense = shown(desk, "/platform/merchants?status=%27;drop")

    assert "Waiting Tea Ltd" in queue
    assert f'href="/platform/merchants/{waiting.pk}"' in queue
    assert "Approved Cups Ltd" not in queue
    assert "Approved Cups Ltd" in approved
    assert "Waiting Tea Ltd" not in approved
    assert "Waiting Tea Ltd" in everything
    assert "Approved Cups Ltd" in everything
    assert "Waiting Tea Ltd" in nonsense  # an unknown filter falls back to the queue


def test_the_application_shows_its_fields_licence_and_trail(desk: Client) -> None:
    applicant = merchant(approved=False, legal_name="Licence Check Ltd", legal_rep="李四")
    merchant_services.licence_upload(applicant, png())
    applicant.refresh_from_db()

    html = shown(desk, f"/platform/merchants/{applicant.pk}")

    assert "Licence Check Ltd" in html
    assert applicant.uscc in html
    assert "李四" in html
    assert f'<img src="{applicant.licence_image.url}"' in html
    assert "submitted" in html
    assert applicant.owner.nickname in html
    assert "/approve" in html
    assert "/reject" in html
    assert "/suspend" not in html


def test_an_operator_approves_a_submitted_merchant(desk: Client, operator: Member) -> None:
    applicant = merchant(approved=False)

    response = desk.post(f"/platform/merchants/{applicant.pk}/approve")

    assert response.status_code == 302
    assert response["Location"] == f"/platform/merchants/{applicant.pk}"
    applicant.refresh_from_db()
    assert applicant.status == "approved"
    event = MerchantEvent.objects.filter(merchant=applicant).latest("id")
    assert (event.from_status, event.to_status, event.actor_id) == (
        "submitted",
        "approved",
        operator.pk,
    )
    assert "The merchant is approved." in shown(desk, response["Location"])


def test_a_rejection_needs_a_reason(desk: Client, operator: Member) -> None:
    applicant = merchant(approved=False)
    events = MerchantEvent.objects.filter(merchant=applicant).count()

    empty = desk.post(f"/platform/merchants/{applicant.pk}/reject", {"reason": "   "})

    applicant.refresh_from_db()
    assert applicant.status == "submitted"
    assert MerchantEvent.objects.filter(merchant=applicant).count() == events
    assert "Give a reason." in shown(desk, empty["Location"])

    desk.post(f"/platform/merchants/{applicant.pk}/reject", {"reason": "The licence is blurred"})

    applicant.refresh_from_db()
    assert (applicant.status, applicant.rejection_reason) == ("rejected", "The licence is blurred")
    event = MerchantEvent.objects.filter(merchant=applicant).latest("id")
    assert (event.to_status, event.reason, event.actor_id) == (
        "rejected",
        "The licence is blurred",
        operator.pk,
    )
    html = shown(desk, f"/platform/merchants/{applicant.pk}")
    assert "The application is rejected." in html
    assert "The licence is blurred" in html


def test_an_operator_suspends_with_a_reason_and_reinstates(desk: Client) -> None:
    shop = merchant()

    desk.post(f"/platform/merchants/{shop.pk}/suspend", {"reason": ""})
    shop.refresh_from_db()
    assert shop.status == "approved"

    desk.post(f"/platform/merchants/{shop.pk}/suspend", {"reason": "Sells fakes"})
    shop.refresh_from_db()
    assert shop.status == "suspended"

    desk.post(f"/platform/merchants/{shop.pk}/reinstate", {"reason": ""})
    shop.refresh_from_db()
    assert shop.status == "approved"
    assert list(
        MerchantEvent.objects.filter(merchant=shop).order_by("id").values_list("to_status", "note")
    ) == [("submitted", ""), ("approved", ""), ("suspended", "Sells fakes"), ("approved", "")]


def test_a_refused_transition_is_a_message_not_an_error(desk: Client) -> None:
    shop = merchant()  # already approved

    response = desk.post(f"/platform/merchants/{shop.pk}/approve")

    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.status == "approved"
    assert "cannot go from approved to approved" in shown(desk, response["Location"])


# --- disputes --------------------------------------------------------------------------------


def test_disputes_list_and_detail_show_the_responsibility_trail(desk: Client, api: Api) -> None:
    dispute = open_dispute(api)
    order = dispute.aftersale.order

    listing = shown(desk, "/platform/disputes")
    detail = shown(desk, f"/platform/disputes/{dispute.pk}")

    assert f'href="/platform/disputes/{dispute.pk}"' in listing
    assert order.merchant.legal_name in listing
    assert "The box was crushed" in detail
    assert "Arrived broken" in detail
    assert "Broken by the buyer" in detail
    assert order.merchant.uscc in detail
    assert order.payment.payment_no in detail
    assert "requested → rejected" in detail
    assert "rejected → disputed" in detail
    assert "pending payment → paid" in detail
    assert "submitted → approved" in detail
    assert 'name="ruling"' in detail


def test_an_operator_rules_a_dispute_with_a_statement(desk: Client, api: Api) -> None:
    dispute = open_dispute(api)

    desk.post(f"/platform/disputes/{dispute.pk}/rule", {"ruling": "refund", "note": ""})
    dispute.refresh_from_db()
    assert dispute.ruling == ""

    response = desk.post(
        f"/platform/disputes/{dispute.pk}/rule",
        {"ruling": "refund", "note": "The photos show the damage"},
    )

    dispute.refresh_from_db()
    assert (dispute.ruling, dispute.ruling_note) == ("refund", "The photos show the damage")
    assert AfterSale.objects.get(pk=dispute.aftersale_id).status == "refunded"
    html = shown(desk, response["Location"])
    assert "The ruling is recorded." in html
    assert "The photos show the damage" in html
    assert 'name="ruling"' not in html
    assert shown(desk, "/platform/disputes").count("pf-card") == 0


# --- the fraud queue -------------------------------------------------------------------------


def test_the_fraud_queue_shows_held_commissions_with_their_reason(desk: Client, api: Api) -> None:
    entry = held_commission(api)

    html = shown(desk, "/platform/holds")

    assert f'id="entry-{entry.pk}"' in html
    assert entry.reason == "beneficiary paid for the order"  # kept as the API gives it
    assert "The earner paid for the order" in html
    assert entry.beneficiary.nickname in html


def test_the_fraud_queue_reads_in_chinese_on_a_chinese_page(operator: Member, api: Api) -> None:
    held_commission(api)
    chinese = Client(headers={"accept-language": "zh-CN"})
    chinese.force_login(operator)

    html = shown(chinese, "/platform/holds")

    assert "收益人替买家付了款" in html
    assert "beneficiary paid for the order" not in html


def test_an_operator_releases_a_held_commission(desk: Client, api: Api) -> None:
    entry = held_commission(api)

    response = desk.post(f"/platform/holds/{entry.pk}/release", {"reason": "Family, checked"})

    entry.refresh_from_db()
    assert entry.status == "pending"
    assert entry.reason == "released: Family, checked"
    assert "The commission is released." in shown(desk, response["Location"])
    assert f'id="entry-{entry.pk}"' not in shown(desk, "/platform/holds")


def test_rejecting_a_held_commission_needs_a_reason(desk: Client, api: Api) -> None:
    entry = held_commission(api)

    desk.post(f"/platform/holds/{entry.pk}/reject", {"reason": ""})
    entry.refresh_from_db()
    assert entry.status == "held"

    desk.post(f"/platform/holds/{entry.pk}/reject", {"reason": "Buying for themselves"})
    entry.refresh_from_db()
    assert (entry.status, entry.reason) == ("rejected", "Buying for themselves")


# --- withdrawals -----------------------------------------------------------------------------


def test_the_withdrawal_queue_shows_member_amount_fee_and_channel(desk: Client) -> None:
    withdrawal = requested_withdrawal(channel="bank", payee="6222020200001234567")

    html = shown(desk, "/platform/withdrawals")

    assert withdrawal.member.nickname in html
    assert "¥500.00" in html
    assert f"¥{withdrawal.fee_fen / 100:.2f}" in html
    assert "bank card" in html
    assert "6222020200001234567" in html  # the operator pays it, so sees it whole


def test_approving_a_sandbox_withdrawal_pays_it_at_once(desk: Client, operator: Member) -> None:
    withdrawal = requested_withdrawal()

    response = desk.post(
        f"/platform/withdrawals/{withdrawal.pk}/approve", {"next": "/platform/withdrawals"}
    )

    assert response["Location"] == "/platform/withdrawals"
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.provider, withdrawal.reviewed_by_id) == (
        "paid",
        "sandbox",
        operator.pk,
    )
    assert f"Withdrawal {withdrawal.pk} is now paid." in shown(desk, response["Location"])


def test_a_withdrawal_rejection_needs_a_reason_and_gives_the_money_back(desk: Client) -> None:
    withdrawal = requested_withdrawal()
    who = withdrawal.member

    desk.post(f"/platform/withdrawals/{withdrawal.pk}/reject", {"reason": ""})
    withdrawal.refresh_from_db()
    assert withdrawal.status == "requested"

    desk.post(f"/platform/withdrawals/{withdrawal.pk}/reject", {"reason": "Payee name wrong"})
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.reason) == ("rejected", "Payee name wrong")
    assert ledger.balances_for_member(who.pk)[wallet_rules.MEMBER_AVAILABLE] == 100_000


def test_a_bank_withdrawal_is_marked_paid_by_hand_or_failed_and_retried(desk: Client) -> None:
    paid = requested_withdrawal(channel="bank", payee="6222020200001234567")
    failed = requested_withdrawal(channel="bank", payee="6222020200007654321")
    for withdrawal in (paid, failed):
        desk.post(f"/platform/withdrawals/{withdrawal.pk}/approve")
        withdrawal.refresh_from_db()
        assert withdrawal.status == "approved"
    assert "/mark-paid" in shown(desk, "/platform/withdrawals?status=approved")

    desk.post(f"/platform/withdrawals/{paid.pk}/mark-paid", {"reference": ""})
    paid.refresh_from_db()
    assert paid.status == "approved"
    desk.post(f"/platform/withdrawals/{paid.pk}/mark-paid", {"reference": "ICBC-778899"})
    desk.post(f"/platform/withdrawals/{failed.pk}/mark-failed", {"reason": "Card closed"})
    paid.refresh_from_db()
    failed.refresh_from_db()
    assert (paid.status, paid.provider_transfer_id) == ("paid", "ICBC-778899")
    assert (failed.status, failed.reason) == ("failed", "Card closed")

    desk.post(f"/platform/withdrawals/{failed.pk}/retry")
    failed.refresh_from_db()
    assert (failed.status, failed.retries) == ("approved", 1)


def test_an_operator_cannot_approve_their_own_withdrawal(desk: Client, operator: Member) -> None:
    fund(operator, 100_000)
    own = withdrawal_request(member=operator, amount_fen=50_000, channel="wechat", payee="me")

    assert "another operator must review it" in shown(desk, "/platform/withdrawals")
    response = desk.post(f"/platform/withdrawals/{own.pk}/approve")

    own.refresh_from_db()
    assert own.status == "requested"
    assert "Another operator must review your own withdrawal." in shown(desk, response["Location"])


# --- settings --------------------------------------------------------------------------------

SETTINGS = {
    "max_levels": "2",
    "distribution_mode": "everyone",
    "binding_mode": "first_touch",
    "binding_days": "90",
    "attribution_window_days": "7",
    "share_daily_cap": "20",
    "share_product_daily_cap": "3",
    "share_device_daily_cap": "30",
    "share_ip_daily_cap": "60",
    "share_budget_cap_percent": "30",
    "settlement_delay_days": "0",
    "quality_guarantee_days": "15",
}


def levels() -> int:
    row = PlatformSettings.objects.filter(pk=1).first()
    return row.max_levels if row else 2


def test_the_settings_form_saves_through_the_platform_service(
    desk: Client, operator: Member
) -> None:
    response = desk.post(
        "/platform/settings", {**SETTINGS, "max_levels": "1", "attribution_window_days": "14"}
    )

    assert response.status_code == 302
    row = PlatformSettings.objects.get(pk=1)
    assert (row.max_levels, row.attribution_window_days) == (1, 14)
    change = SettingsChange.objects.get()
    assert change.changed_by_id == operator.pk
    assert change.changes == {"max_levels": [2, 1], "attribution_window_days": [7, 14]}
    html = shown(desk, "/platform/settings")
    assert "The platform settings are saved." in html
    assert "Commissioned levels: 2 → 1" in html
    assert "Attribution window (days): 7 → 14" in html


def test_three_levels_warn_first_and_save_only_once_the_risk_is_accepted(desk: Client) -> None:
    form = shown(desk, "/platform/settings")
    # The warning is on the page before anything is sent, hidden until 3 is chosen (script).
    assert LEVELS_WARNING in form
    assert re.search(r'id="levels-warning"[^>]*hidden', form)
    assert 'src="/static/web/platform.js"' in form

    asked = desk.post("/platform/settings", {**SETTINGS, "max_levels": "3"})

    assert asked.status_code == 200
    assert levels() == 2
    html = body(asked)
    assert LEVELS_WARNING in html
    assert not re.search(r'id="levels-warning"[^>]*hidden', html)
    assert "Read the warning and tick this box to save." in html

    saved = desk.post("/platform/settings", {**SETTINGS, "max_levels": "3", "accept_risk": "on"})

    assert saved.status_code == 302
    assert levels() == 3
    page = shown(desk, "/platform/settings")
    assert "Warning about the rules in force" in page
    assert LEVELS_WARNING in page
    assert LEVELS_WARNING in shown(desk, "/platform/")


def test_a_new_risk_on_top_of_three_levels_asks_for_consent_again(
    desk: Client, operator: Member
) -> None:
    platform_services.settings_update({"max_levels": 3}, actor=operator)
    page = shown(desk, "/platform/settings")
    assert re.search(r'id="levels-warning"[^>]*hidden', page)  # warned at the top instead

    asked = desk.post(
        "/platform/settings", {**SETTINGS, "max_levels": "3", "self_purchase_rebate": "on"}
    )

    assert "Self-purchase rebate with three levels pays four people per sale." in body(asked)
    assert not PlatformSettings.objects.get(pk=1).self_purchase_rebate
    desk.post(
        "/platform/settings",
        {**SETTINGS, "max_levels": "3", "self_purchase_rebate": "on", "accept_risk": "on"},
    )
    assert PlatformSettings.objects.get(pk=1).self_purchase_rebate


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_levels", "4"),
        ("max_levels", "0"),
        ("max_levels", "99999999999999999999999"),
        ("binding_days", "0"),
        ("share_budget_cap_percent", "100.01"),
        ("share_budget_cap_percent", "12.345"),
        ("share_budget_cap_percent", "a lot"),
        ("binding_mode", "forever"),
        ("attribution_window_days", "seven"),
    ],
)
def test_invalid_settings_are_refused_and_nothing_changes(
    desk: Client, field: str, value: str
) -> None:
    response = desk.post("/platform/settings", {**SETTINGS, field: value, "accept_risk": "on"})

    assert response.status_code == 200
    assert 'class="errorlist' in body(response)
    assert SettingsChange.objects.count() == 0
    assert levels() == 2


def test_the_share_budget_cap_is_typed_in_percent_and_kept_in_basis_points(
    desk: Client,
) -> None:
    assert 'value="30"' in shown(desk, "/platform/settings")  # 3000 bp by default

    response = desk.post("/platform/settings", {**SETTINGS, "share_budget_cap_percent": "12.5 %"})

    assert response.status_code == 302
    assert PlatformSettings.objects.get(pk=1).share_budget_cap_bp == 1250
    html = shown(desk, "/platform/settings")
    assert 'value="12.5"' in html
    assert "Share budget cap: 30 % → 12.5 %" in html


def test_a_percentage_past_the_whole_is_refused_in_chinese(operator: Member) -> None:
    chinese = Client(headers={"accept-language": "zh-CN"})
    chinese.force_login(operator)

    response = chinese.post("/platform/settings", {**SETTINGS, "share_budget_cap_percent": "150"})

    assert response.status_code == 200
    assert "最多 100 %。" in body(response)
    assert SettingsChange.objects.count() == 0


def test_four_levels_get_the_rules_own_refusal(desk: Client) -> None:
    response = desk.post("/platform/settings", {**SETTINGS, "max_levels": "4"})

    assert "max_levels is 1, 2 or 3; never more than three levels." in body(response)


SPAM = CATEGORIES["spam"].message  # the English msgid, as the desk reads English


# --- posts -----------------------------------------------------------------------------------


def test_reported_posts_show_their_reasons_and_counts(desk: Client, api: Api) -> None:
    written = reported_post(api)

    html = shown(desk, "/platform/posts")

    assert f'id="post-{written.pk}"' in html
    assert re.search(r'<td class="num cs-col-number">\s*2\s*</td>', html)  # open reports
    assert f"{SPAM} × 2" in html
    assert "Cheap copy" in html
    # Rulings cite the convention's categories, not the older hide rules.
    assert f'<option value="other_harm">{CATEGORIES["other_harm"].message}</option>' in html
    assert '<option value="not_genuine">' not in html


def test_an_operator_hides_a_reported_post_citing_a_rule_and_restores_it(
    desk: Client, api: Api, operator: Member
) -> None:
    written = reported_post(api)

    desk.post(f"/platform/posts/{written.pk}/hide", {"rule": "ugly"})
    written.refresh_from_db()
    assert written.status == "visible"

    response = desk.post(f"/platform/posts/{written.pk}/hide", {"rule": "spam", "note": "Ad"})

    written.refresh_from_db()
    assert (written.status, written.hidden_rule) == ("hidden", "spam")
    event = ModerationEvent.objects.get(post=written)
    assert (event.actor_id, event.rule, event.note) == (operator.pk, "spam", "Ad")
    assert not PostReport.objects.filter(post=written, resolved_at__isnull=True).exists()
    html = shown(desk, response["Location"])
    assert "The post is hidden." in html
    assert f'id="post-{written.pk}"' not in html
    hidden = shown(desk, "/platform/posts?status=hidden")
    assert f'id="post-{written.pk}"' in hidden
    assert SPAM in hidden  # the rule it broke

    desk.post(f"/platform/posts/{written.pk}/restore", {"note": ""})
    written.refresh_from_db()
    assert written.status == "visible"


def test_keeping_a_reported_post_closes_its_reports(desk: Client, api: Api) -> None:
    written = reported_post(api)

    desk.post(f"/platform/posts/{written.pk}/keep", {"note": "Negative but genuine"})

    written.refresh_from_db()
    assert written.status == "visible"
    assert not PostReport.objects.filter(post=written, resolved_at__isnull=True).exists()
    assert f'id="post-{written.pk}"' not in shown(desk, "/platform/posts")


def test_operators_add_and_remove_banned_words(desk: Client) -> None:
    page = shown(desk, "/platform/banned-words")
    assert "加微信" in page  # built in

    desk.post("/platform/banned-words", {"word": "代购"})
    word = BannedWord.objects.get()
    assert word.word == "代购"
    refused = desk.post("/platform/banned-words", {"word": ""})
    assert refused.status_code == 200
    assert BannedWord.objects.count() == 1

    desk.post(f"/platform/banned-words/{word.pk}/remove")
    assert not BannedWord.objects.exists()


# --- agents and partners ---------------------------------------------------------------------


def test_operators_appoint_and_end_regional_agents_and_add_partners(desk: Client) -> None:
    agent = MemberFactory.create()
    partner = OperatorFactory.create()

    desk.post("/platform/agents/appoint", {"phone": agent.phone, "region_code": "440305"})
    desk.post("/platform/agents/appoint", {"phone": "13900000000", "region_code": "440305"})
    desk.post("/platform/partners/add", {"phone": partner.phone})

    html = shown(desk, "/platform/agents")
    assert "南山区" in html
    assert agent.nickname in html
    assert partner.nickname in html
    appointed = agent.agencies.get()
    assert appointed.is_active
    assert "No member has this mobile number." in html
    assert Member.objects.get(pk=partner.pk).partnership.is_active

    desk.post(f"/platform/agents/{appointed.pk}/end")
    appointed.refresh_from_db()
    assert not appointed.is_active


def test_everything_a_merchant_application_needs_is_clickable(desk: Client) -> None:
    """The journey's step: an applicant waits in the queue; the operator opens it and approves."""
    applicant = merchant(approved=False, legal_name="Journey Shop Ltd")
    dashboard = shown(desk, "/platform/")
    assert 'href="/platform/merchants"' in dashboard

    queue = shown(desk, "/platform/merchants")
    assert f'href="/platform/merchants/{applicant.pk}"' in queue
    detail = shown(desk, f"/platform/merchants/{applicant.pk}")
    assert f'action="/platform/merchants/{applicant.pk}/approve"' in detail

    desk.post(f"/platform/merchants/{applicant.pk}/approve")

    assert Merchant.objects.get(pk=applicant.pk).status == "approved"


# --- a merchant's platform fee ---------------------------------------------------------------


def test_an_operator_sets_a_merchants_fee_in_percent(desk: Client, operator: Member) -> None:
    shop = merchant()
    page = shown(desk, f"/platform/merchants/{shop.pk}")
    assert f'action="/platform/merchants/{shop.pk}/fee"' in page
    assert 'data-confirm="Change this merchant’s platform fee?' in page

    response = desk.post(f"/platform/merchants/{shop.pk}/fee", {"fee": "8"})

    assert response["Location"] == f"/platform/merchants/{shop.pk}"
    shop.refresh_from_db()
    assert shop.platform_fee_bp == 800
    event = MerchantEvent.objects.filter(merchant=shop).latest("id")
    assert (event.actor_id, event.to_status) == (operator.pk, "approved")
    html = shown(desk, response["Location"])
    assert "The platform fee is now 8 %." in html
    assert 'name="fee" value="8"' in html  # the form reads the rate back in percent
    assert "Platform fee changed:" in html  # on the trail
    assert "8 %" in shown(desk, "/platform/merchants?status=approved")


@pytest.mark.parametrize(
    ("typed", "error"),
    [("abc", "请输入百分比"), ("150", "最多 100 %。"), ("", "请以百分比填写平台服务费率。")],
)
def test_a_bad_fee_is_refused_in_chinese(operator: Member, typed: str, error: str) -> None:
    shop = merchant()
    before = shop.platform_fee_bp
    events = MerchantEvent.objects.filter(merchant=shop).count()
    chinese = Client(headers={"accept-language": "zh-CN"})
    chinese.force_login(operator)

    response = chinese.post(f"/platform/merchants/{shop.pk}/fee", {"fee": typed})

    assert error in shown(chinese, response["Location"])
    shop.refresh_from_db()
    assert shop.platform_fee_bp == before
    assert MerchantEvent.objects.filter(merchant=shop).count() == events


def test_only_an_operator_sets_a_fee(client: Client) -> None:
    shop = merchant()
    before = shop.platform_fee_bp
    client.force_login(shop.owner)

    response = client.post(f"/platform/merchants/{shop.pk}/fee", {"fee": "1"})

    assert response.status_code == 404
    shop.refresh_from_db()
    assert shop.platform_fee_bp == before


# --- the lists' tabs -------------------------------------------------------------------------


def test_queue_tabs_count_what_each_holds_and_keep_the_search(desk: Client) -> None:
    requested_withdrawal()
    requested_withdrawal(channel="bank", payee="6222020200001234567")

    html = shown(desk, "/platform/withdrawals?q=138&channel=bank")

    kept = "/platform/withdrawals?q=138&amp;channel=bank"
    assert f'class="cs-tab is-active" href="{kept}&amp;status=requested"' in html
    assert 'requested <span class="cs-tab-count">2</span>' in html  # the search does not narrow it
    assert f'href="{kept}&amp;status=paid"' in html
    assert '<input type="hidden" name="status" value="requested">' in html


def test_reports_show_the_conventions_labels_older_codes_and_the_notes(
    desk: Client, api: Api
) -> None:
    written = reported_post(api)
    post_services.post_report(
        reporter=MemberFactory.create(),
        post_id=written.pk,
        reason="unfriendly",
        note="Calls buyers idiots",
    )
    # Filed before the convention codes: the code is no longer offered but still has a label.
    PostReport.objects.create(post=written, reporter=MemberFactory.create(), reason="other")

    html = shown(desk, "/platform/posts")

    assert f"{CATEGORIES['unfriendly'].message} × 1" in html
    assert "Something else × 1" in html
    assert f"{SPAM} × 2" in html
    assert "What the reporters wrote" in html
    assert "“Calls buyers idiots”" in html
    assert "unfriendly ×" not in html


def test_reported_posts_read_in_chinese(operator: Member, api: Api) -> None:
    written = reported_post(api)
    post_services.post_report(
        reporter=MemberFactory.create(), post_id=written.pk, reason="clickbait"
    )
    chinese = Client(headers={"accept-language": "zh-CN"})
    chinese.force_login(operator)

    html = shown(chinese, "/platform/posts")

    assert "Clickbait" not in html
    assert ">clickbait" not in html  # the code is a form value, never the text shown
    assert "clickbait ×" not in html
    assert "举报说明" in html


def test_the_fraud_queue_shows_the_devices_and_addresses_in_chinese(
    operator: Member, api: Api
) -> None:
    entry = held_commission(api)
    farm = "farm-phone-0123456789abcdef"
    Order.objects.filter(pk=entry.order_id).update(device_id=farm, client_ip="203.0.113.9")
    Member.objects.filter(pk=entry.beneficiary_id).update(
        signup_device=farm, signup_ip="203.0.113.9"
    )
    device_seen(entry.beneficiary_id, farm, "203.0.113.9")
    device_seen(entry.order.buyer_id, farm, "203.0.113.9")
    chinese = Client(headers={"accept-language": "zh-CN"})
    chinese.force_login(operator)

    html = shown(chinese, "/platform/holds")

    assert "设备与地址" in html
    assert "下单：设备 farm-phone-012…，IP 203.0.113.9" in html
    assert "收益人注册：设备 farm-phone-012…，IP 203.0.113.9" in html
    assert "收益人用过的设备：farm-phone-012…" in html
    assert "买家用过的设备：farm-phone-012…" in html
    sheet = chinese.get("/platform/holds", {"export": "csv"}).content.decode("utf-8-sig")
    assert farm in sheet


def test_a_reported_posts_author_leads_to_their_member_page(desk: Client, api: Api) -> None:
    written = reported_post(api)
    html = shown(desk, "/platform/posts")
    assert f'href="/platform/members/{written.author_id}"' in html
