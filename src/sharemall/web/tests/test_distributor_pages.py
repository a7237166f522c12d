"""The distributor centre, /me/distribution: enabling, the sub-store link, wallet and earnings,
team, commissions, the sub-store editor and withdrawals — each checked against the database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from conftest import Api
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from tests.factories import MemberFactory, merchant, phone, product
from tests.flows import buy, pay, register, share

from sharemall.accounts.binding import bind
from sharemall.accounts.models import Member
from sharemall.catalog.models import Product
from sharemall.checkout.services import orders_complete
from sharemall.distribution.models import CommissionEntry, SubStore
from sharemall.orders.models import Order
from sharemall.platform import services as platform
from sharemall.platform.models import PlatformSettings
from sharemall.sharing.models import ShareLink
from sharemall.wallet.models import Withdrawal, WithdrawalDay
from sharemall.wallet.services_withdrawals import wallet_summary
from sharemall.web.distributor.forms import fen_from_yuan

pytestmark = pytest.mark.django_db

PLAN = {
    "share_budget_bp": 2000,
    "buyer_discount_bp": 500,
    "level_bp": [800, 400, 200],
    "region_agent_bp": 100,
}
PRICE_FEN = 9999
# The buyer saves floor(9999 × 5 %) = 499 and pays 9500; the sharer earns floor(9500 × 8 %).
PAID_FEN = PRICE_FEN - PRICE_FEN * 500 // 10_000
EARNED_FEN = PAID_FEN * 800 // 10_000

PAGES = [
    "/me/distribution",
    "/me/distribution/team",
    "/me/distribution/commissions",
    "/me/distribution/substore",
    "/me/distribution/withdraw",
    "/me/distribution/withdraw/fee?amount=12",
]


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


def _signed_in(client: Client, member: Member) -> Client:
    client.force_login(member)
    return client


def _body(response: object) -> str:
    content = getattr(response, "content", b"")
    assert isinstance(content, bytes)
    return content.decode()


@dataclass
class Sale:
    sharer: Member
    order_id: int
    product_id: int


def _sale(api: Api, *, settle: bool) -> Sale:
    """A real sale through a share: plan, share, sign-up through it, buy, pay — then, when
    `settle`, ship, receive and run the completion job past the return window."""
    shop = merchant()
    item = product(shop, price_fen=PRICE_FEN, stock=100)
    assert api.put(f"/merchants/{shop.pk}/commission-plan", PLAN, as_=shop.owner).status == 200
    sharer_id, sharer_token = register(api, phone())
    code = share(api, sharer_token, item.pk)
    _buyer_id, buyer = register(api, phone(), code)
    created = buy(api, buyer, item.skus.get(), share_code=code)
    pay(api, buyer, created["payment_id"])
    order_id = created["orders"][0]["id"]
    if settle:
        assert (
            api.post(
                f"/orders/{order_id}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=shop.owner
            ).status
            == 200
        )
        assert api.post(f"/orders/{order_id}/confirm-receipt", as_=buyer).status == 200
        # The order-completion job, as `run-due-jobs` runs it once the return window closes.
        assert orders_complete(timezone.now() + timedelta(days=8)) == 1
    return Sale(Member.objects.get(pk=sharer_id), order_id, item.pk)


@pytest.fixture
def settled(api: Api) -> Sale:
    sale = _sale(api, settle=True)
    assert wallet_summary(sale.sharer.pk).available_fen == EARNED_FEN
    return sale


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_strangers_are_sent_to_log_in(client: Client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/me/distribution")


@pytest.mark.parametrize(
    "url",
    ["/me/distribution/enable", "/me/distribution/substore-link", "/me/distribution/withdraw"],
)
def test_strangers_cannot_post_either(client: Client, url: str) -> None:
    response = client.post(url, {"amount": "5"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not Member.objects.filter(is_distributor=True).exists()
    assert not Withdrawal.objects.exists()


@pytest.mark.parametrize("url", PAGES)
def test_pages_carry_a_csp_and_no_inline_scripts_or_styles(client: Client, url: str) -> None:
    member = MemberFactory.create(is_distributor=True)
    response = _signed_in(client, member).get(url)

    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "no-cache" in response.headers["Cache-Control"]
    body = _body(response)
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", body, flags=re.S)
    assert scripts == [""] * len(scripts)
    assert all(src.startswith("/static/") for src in re.findall(r'<script[^>]*src="([^"]+)"', body))
    assert "style=" not in body
    assert "<style" not in body
    assert not re.search(r"<[^>]+\son[a-z]+=", body)  # no inline event handlers
    assert "hx-on" not in body


def test_enabling_distribution_needs_a_post(client: Client) -> None:
    member = MemberFactory.create()

    response = _signed_in(client, member).get("/me/distribution/enable")

    assert response.status_code == 405
    member.refresh_from_db()
    assert member.is_distributor is False


# --- overview -------------------------------------------------------------------------------


def test_overview_explains_distribution_before_it_is_enabled(client: Client) -> None:
    member = MemberFactory.create()

    body = _body(_signed_in(client, member).get("/me/distribution"))

    assert "no entry fee" in body
    assert 'action="/me/distribution/enable"' in body
    assert "Enable distribution — free" in body
    assert "My sub-store" not in body


def test_enabling_opens_the_sub_store_and_makes_its_share_link(client: Client) -> None:
    member = MemberFactory.create()
    _signed_in(client, member)

    response = client.post("/me/distribution/enable")

    assert response.status_code == 302
    assert response["Location"] == "/me/distribution"
    member.refresh_from_db()
    assert member.is_distributor is True
    link = ShareLink.objects.get(sharer=member)
    assert (link.target_type, link.target_id, link.rewarded) == ("substore", member.pk, True)
    body = _body(client.get("/me/distribution"))
    assert "Distribution is on." in body
    assert f'src="/api/v1/shares/{link.code}/qr.png"' in body
    assert f'href="/api/v1/shares/{link.code}/poster.png"' in body
    assert f"/s/{link.code}" in body
    assert "Enable distribution — free" not in body
    # Enabling again changes nothing and makes no second link.
    client.post("/me/distribution/enable")
    assert ShareLink.objects.filter(sharer=member).count() == 1


def test_a_sub_store_link_past_the_daily_cap_can_be_remade(client: Client) -> None:
    member = MemberFactory.create(is_distributor=True)
    _signed_in(client, member)
    platform.current()
    PlatformSettings.objects.update(share_daily_cap=0)
    client.post("/me/distribution/substore-link")
    link = ShareLink.objects.get(sharer=member)
    assert link.rewarded is False

    body = _body(client.get("/me/distribution"))

    assert "sales through it earn nothing" in body
    assert "Make a new sub-store link" in body


def test_overview_shows_the_wallet_in_yuan_and_the_earnings_chart(
    client: Client, settled: Sale
) -> None:
    body = _body(_signed_in(client, settled.sharer).get("/me/distribution"))

    assert "<svg" in body
    available = f"¥{EARNED_FEN // 100}.{EARNED_FEN % 100:02d}"
    assert f'Available to withdraw</dt><dd class="available">{available}' in body
    assert 'Pending earnings</dt><dd class="pending">¥0.00' in body
    assert 'Withdrawing</dt><dd class="withdrawing">¥0.00' in body
    assert 'Withdrawn so far</dt><dd class="withdrawn">¥0.00' in body
    # Thirty days, two series: settled (drawn) and pending (empty).
    bars = re.findall(r'<rect class="bar series-(\d)"[^>]*height="([\d.]+)"', body)
    assert len(bars) == 60
    assert [s for s, h in bars if float(h) > 0] == ["0"]
    assert f"Settled in this period: ¥{EARNED_FEN // 100}.{EARNED_FEN % 100:02d}" in body
    # The share that sold, with its click count and reward.
    assert "好物" in body
    assert "Earns" in body


def test_an_unsettled_commission_is_a_pending_bar(client: Client, api: Api) -> None:
    sale = _sale(api, settle=False)

    body = _body(_signed_in(client, sale.sharer).get("/me/distribution"))

    bars = re.findall(r'<rect class="bar series-(\d)"[^>]*height="([\d.]+)"', body)
    assert [s for s, h in bars if float(h) > 0] == ["1"]
    assert 'Pending earnings</dt><dd class="pending">¥7.60' in body


# --- team ------------------------------------------------------------------------------------


def test_team_page_counts_levels_and_lists_direct_members(client: Client, api: Api) -> None:
    item = product()
    top_id, top = register(api, phone())
    mid_id, mid = register(api, phone(), share(api, top, item.pk))
    low_id, _low = register(api, phone(), share(api, mid, item.pk))
    second_id, _second = register(api, phone(), share(api, top, item.pk))

    body = _body(_signed_in(client, Member.objects.get(pk=top_id)).get("/me/distribution/team"))

    assert '<dd class="level-1">2</dd>' in body
    assert '<dd class="level-2">1</dd>' in body
    assert '<dd class="level-3">0</dd>' in body
    for direct in (mid_id, second_id):
        nickname = Member.objects.get(pk=direct).nickname
        assert f'<span class="team-name">{nickname}</span>' in body
    assert f'<span class="team-name">{Member.objects.get(pk=low_id).nickname}</span>' not in body
    assert f"joined {timezone.localdate():%Y-%m-%d}" in body


# --- commissions -----------------------------------------------------------------------------


def test_commissions_page_lists_the_settled_commission(client: Client, settled: Sale) -> None:
    entry = CommissionEntry.objects.get(beneficiary=settled.sharer)
    _signed_in(client, settled.sharer)

    body = _body(client.get("/me/distribution/commissions"))

    assert f'id="commission-{entry.pk}"' in body
    assert '<span class="status status-settled">settled</span>' in body
    assert (
        f'<dd class="entry-order is-wide">{Order.objects.get(pk=settled.order_id).order_no}</dd>'
        in body
    )
    assert "¥7.60" in body  # the amount
    assert "¥95.00" in body  # the base
    assert "8 %" in body  # the rate

    only_settled = _body(client.get("/me/distribution/commissions", {"status": "settled"}))
    only_pending = _body(client.get("/me/distribution/commissions", {"status": "pending"}))
    assert f'id="commission-{entry.pk}"' in only_settled
    assert f'id="commission-{entry.pk}"' not in only_pending
    assert "No commissions with this status." in only_pending


def test_a_bad_status_filter_shows_everything(client: Client, settled: Sale) -> None:
    response = _signed_in(client, settled.sharer).get(
        "/me/distribution/commissions", {"status": "x'; --", "page": "nine"}
    )

    assert response.status_code == 200
    assert "status-settled" in _body(response)


def test_another_members_commissions_and_wallet_stay_hidden(client: Client, settled: Sale) -> None:
    stranger = MemberFactory.create(is_distributor=True)
    _signed_in(client, stranger)

    commissions = _body(client.get("/me/distribution/commissions"))
    overview = _body(client.get("/me/distribution"))

    assert "status-settled" not in commissions
    assert "No commissions yet." in commissions
    assert "¥7.60" not in overview


# --- the sub-store editor --------------------------------------------------------------------


def test_substore_editor_saves_title_and_products(client: Client) -> None:
    member = MemberFactory.create(is_distributor=True)
    tea = product(title="Green tea")
    cup = product(title="Tea cup")
    product(title="Coffee beans")
    _signed_in(client, member)

    search = _body(client.get("/me/distribution/substore", {"q": "tea"}))
    assert "Green tea" in search and "Tea cup" in search
    assert "Coffee beans" not in search

    response = client.post(
        "/me/distribution/substore", {"title": "  Lily's  picks ", "product": [cup.pk, tea.pk]}
    )

    assert response.status_code == 302
    store = SubStore.objects.get(member=member)
    assert store.title == "Lily's picks"
    assert list(store.items.values_list("product_id", flat=True)) == [cup.pk, tea.pk]
    page = _body(client.get("/me/distribution/substore"))
    assert "Your sub-store is saved." in page
    assert f'name="product" value="{cup.pk}" checked' in page
    assert 'value="Lily&#x27;s picks"' in page


def test_substore_search_answers_htmx_with_the_results_only(client: Client) -> None:
    member = MemberFactory.create(is_distributor=True)
    product(title="Green tea")
    _signed_in(client, member)

    body = _body(
        client.get("/me/distribution/substore", {"q": "tea"}, headers={"HX-Request": "true"})
    )

    assert body.lstrip().startswith('<div id="substore-results"')
    assert "Green tea" in body
    assert "<html" not in body


@pytest.mark.parametrize("bad", ["draft", "not-a-number", "-3"])
def test_substore_editor_refuses_what_the_api_refuses(client: Client, bad: str) -> None:
    member = MemberFactory.create(is_distributor=True)
    kept = product(title="Kept")
    _signed_in(client, member)
    client.post("/me/distribution/substore", {"title": "Mine", "product": [kept.pk]})
    draft = product(on_sale=False, title="Draft")
    value = str(draft.pk) if bad == "draft" else bad

    response = client.post("/me/distribution/substore", {"title": "Changed", "product": [value]})

    assert response.status_code == 200
    body = _body(response)
    if bad == "draft":
        assert f"These products are not on sale: {draft.pk}" in body
    else:
        assert "Choose products from the list." in body
    store = SubStore.objects.get(member=member)
    assert store.title == "Mine"
    assert list(store.items.values_list("product_id", flat=True)) == [kept.pk]


def test_the_sub_store_needs_distribution_enabled(client: Client) -> None:
    member = MemberFactory.create()
    item = product()
    _signed_in(client, member)

    page = _body(client.get("/me/distribution/substore"))
    response = client.post("/me/distribution/substore", {"product": [item.pk]})

    assert "Enable distribution — free" in page
    assert "Enable distribution first; it is free." in _body(response)
    assert not SubStore.objects.exists()


# --- withdrawals -----------------------------------------------------------------------------


def test_withdraw_page_shows_the_terms(client: Client, settled: Sale) -> None:
    body = _body(_signed_in(client, settled.sharer).get("/me/distribution/withdraw"))

    assert "At least ¥1.00 each time." in body
    assert "At most ¥5,000.00 a day; ¥5,000.00 left today." in body
    assert "No fee on the first ¥1,000.00 of a withdrawal; 0.1 % of the rest." in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'hx-get="/me/distribution/withdraw/fee"' in body
    # The fee partial is the whole <p id="fee-preview">: it must replace it, not nest in it.
    assert 'hx-swap="outerHTML"' in body


def test_a_withdrawal_request_holds_the_money_at_once(client: Client, settled: Sale) -> None:
    _signed_in(client, settled.sharer)

    response = client.post(
        "/me/distribution/withdraw", {"amount": "5.00", "channel": "wechat", "payee": "openid-1"}
    )

    assert response.status_code == 302
    withdrawal = Withdrawal.objects.get(member=settled.sharer)
    assert (withdrawal.status, withdrawal.amount_fen, withdrawal.fee_fen) == ("requested", 500, 0)
    # A WeChat payout goes to the linked WeChat account: what was typed is never sent.
    assert (withdrawal.channel, withdrawal.payee) == ("wechat", "")
    wallet = wallet_summary(settled.sharer.pk)
    assert (wallet.available_fen, wallet.withdrawing_fen) == (EARNED_FEN - 500, 500)
    body = _body(client.get("/me/distribution/withdraw"))
    assert "You asked to withdraw ¥5.00." in body
    assert f'id="withdrawal-{withdrawal.pk}"' in body
    assert '<span class="status status-requested">requested</span>' in body
    assert '<dd class="withdrawing">¥5.00</dd>' in body
    assert "¥4,995.00 left today" in body


def test_a_bank_card_withdrawal_shows_only_the_last_digits(client: Client, settled: Sale) -> None:
    _signed_in(client, settled.sharer)

    client.post(
        "/me/distribution/withdraw",
        {
            "amount": "1",
            "channel": "bank",
            "payee": "6222 0200 1234 5678",
            "payee_name": "王五",
        },
    )

    withdrawal = Withdrawal.objects.get(member=settled.sharer)
    assert (withdrawal.channel, withdrawal.payee, withdrawal.amount_fen) == (
        "bank",
        "6222020012345678",
        100,
    )
    body = _body(client.get("/me/distribution/withdraw"))
    assert "**** 5678" in body
    assert "6222020012345678" not in body


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "0"}, "The least you can withdraw is ¥1.00."),
        ({"amount": "0.99"}, "The least you can withdraw is ¥1.00."),
        ({"amount": "-5"}, "Enter an amount in yuan, such as 12.50."),
        ({"amount": "abc"}, "Enter an amount in yuan, such as 12.50."),
        ({"amount": "1e3"}, "Enter an amount in yuan, such as 12.50."),
        ({"amount": ""}, "This field is required."),
        ({"amount": "1.234"}, "Amounts go down to the fen: at most two decimal places."),
        ({"amount": "7.61"}, "Your available balance does not cover ¥7.61."),
        ({"amount": "99999999999999"}, "That amount is too large."),
        ({"amount": "6000"}, "You can withdraw at most ¥5,000.00 a day."),
        ({"amount": "5", "channel": "paypal"}, "Select a valid choice."),
        ({"amount": "5", "channel": "bank"}, "Enter the bank card number."),
        (
            {"amount": "5", "channel": "bank", "payee": "12ab", "payee_name": "王五"},
            "A bank card number has 12 to 19 digits.",
        ),
    ],
)
def test_bad_withdrawals_are_refused_and_change_nothing(
    client: Client, settled: Sale, fields: dict[str, str], message: str
) -> None:
    _signed_in(client, settled.sharer)
    before = wallet_summary(settled.sharer.pk)

    response = client.post("/me/distribution/withdraw", {"channel": "wechat", **fields})

    assert response.status_code == 200
    assert message in _body(response)
    assert not Withdrawal.objects.exists()
    assert wallet_summary(settled.sharer.pk) == before
    assert not WithdrawalDay.objects.filter(requested_fen__gt=0).exists()


def test_the_fee_preview_uses_the_services_rule(client: Client) -> None:
    _signed_in(client, MemberFactory.create())

    big = _body(client.get("/me/distribution/withdraw/fee", {"amount": "2000"}))
    small = _body(client.get("/me/distribution/withdraw/fee", {"amount": "12.5"}))
    bad = _body(client.get("/me/distribution/withdraw/fee", {"amount": "1.001"}))

    # 0.1 % of the ¥1,000 above the fee-free ¥1,000.
    assert "Fee ¥1.00; you receive ¥1,999.00." in big
    assert "Fee ¥0.00; you receive ¥12.50." in small
    assert 'id="fee-preview"' in bad
    assert "Fee" not in bad


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12.5", 1250), ("¥1,234.56", 123456), (" 0.01 ", 1), ("3", 300), ("3.", None)],
)
def test_amounts_in_yuan_become_fen_without_floats(text: str, fen: int | None) -> None:
    if fen is None:
        with pytest.raises(ValidationError):
            fen_from_yuan(text)
    else:
        assert fen_from_yuan(text) == fen


def test_a_share_of_a_product_taken_off_sale_still_lists(client: Client) -> None:
    """A share of a product taken off sale still lists, under its type and id."""
    member = MemberFactory.create(is_distributor=True)
    item = product(title="Soon gone")
    ShareLink.objects.create(
        code="ABCDEFGHJK", sharer=member, target_type="product", target_id=item.pk, rewarded=True
    )
    Product.objects.filter(pk=item.pk).update(status="draft")

    body = _body(_signed_in(client, member).get("/me/distribution"))

    assert f"product #{item.pk}" in body
    assert "Soon gone" not in body


def test_the_overview_says_who_i_am_bound_to_and_links_the_binding_page(client: Client) -> None:
    referrer, member = MemberFactory.create(nickname="RefRita"), MemberFactory.create()
    assert bind(member, referrer, source="signup:AAAA", newcomer=True)

    body = _body(_signed_in(client, member).get("/me/distribution"))

    row = re.search(
        r'<a class="dist-card dist-row referrer-row" href="([^"]+)">(.*?)</a>', body, re.S
    )
    assert row is not None
    assert row[1] == "/me/distribution/binding"
    assert '<span class="binding-parent">RefRita</span>' in row[2]
    assert "No end" in row[2] or "until " in row[2]


def test_an_unbound_member_sees_not_bound_on_the_overview(client: Client) -> None:
    body = _body(_signed_in(client, MemberFactory.create()).get("/me/distribution"))

    assert re.search(r'referrer-row".*?Not bound', body, re.S)


def test_the_payout_request_asks_before_it_is_sent(client: Client, settled: Sale) -> None:
    body = _body(_signed_in(client, settled.sharer).get("/me/distribution/withdraw"))

    form = re.search(r'<form method="post" action="/me/distribution/withdraw"[^>]*>', body)
    assert form is not None
    assert 'data-confirm="Ask for this payout?' in form[0]
