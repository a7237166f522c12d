"""The back office at desktop width: the KPI overview, tables (filter, search, sort, CSV export),
batch decisions, platform-wide propagation, and the back office in the reader's language."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from conftest import Api
from django.test import Client
from tests.factories import MemberFactory, merchant

from sharemall.accounts.models import Member
from sharemall.distribution.models import CommissionEntry
from sharemall.posts.models import Post
from sharemall.wallet.models import Withdrawal, WithdrawalEvent
from sharemall.wallet.services import ledger_post, merchant_receivable, transfer
from sharemall.wallet.services import merchant as merchant_account
from sharemall.wallet.services_withdrawals import withdrawal_request
from sharemall.web.tests.test_platform_pages import (
    held_commission,
    open_dispute,
    reported_post,
    requested_withdrawal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(operator: Member) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(operator)
    return client


def chinese(operator: Member) -> Client:
    client = Client(headers={"accept-language": "zh-CN"})
    client.force_login(operator)
    return client


def body(response: Any) -> str:
    return str(response.content.decode())


def csv_of(response: Any) -> list[list[str]]:
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")  # Excel in China opens UTF-8 only with the BOM
    return list(csv.reader(io.StringIO(raw[1:])))


# --- the overview ----------------------------------------------------------------------------


def test_the_overview_shows_platform_kpis_and_charts_in_the_console_shell(desk: Client) -> None:
    html = body(desk.get("/platform/?days=7"))

    assert 'class="cs-side"' in html  # the sidebar
    assert 'aria-current="page"' in html  # the overview is the current menu item
    for kpi in (
        "gmv",
        "orders",
        "paid_conversion",
        "share_conversion",
        "commission_ratio",
        "refund_amount",
        "new_bindings",
    ):
        assert f'data-kpi="{kpi}"' in html
    assert "The last 7 days" in html
    assert 'href="/platform/propagation"' in html
    assert 'href="/platform/banners"' in html


def test_a_member_cannot_open_the_overview_or_the_propagation_view() -> None:
    member = Client()
    member.force_login(MemberFactory.create())

    assert member.get("/platform/").status_code == 404
    assert member.get("/platform/propagation").status_code == 404
    assert Client().get("/platform/propagation").status_code == 302  # to log in


def test_the_menu_counts_what_waits(desk: Client) -> None:
    requested_withdrawal()
    requested_withdrawal()

    html = body(desk.get("/platform/settings"))

    assert '<span class="cs-nav-count">2</span>' in html


# --- tables ----------------------------------------------------------------------------------


def test_merchants_filter_by_status_search_sort_and_export(desk: Client) -> None:
    merchant(approved=False, legal_name="Alpha Tea Ltd")
    merchant(approved=False, legal_name="Beta Cups Ltd")
    merchant(legal_name="Gamma Pots Ltd")

    waiting = body(desk.get("/platform/merchants"))
    searched = body(desk.get("/platform/merchants?status=all&q=cups"))
    by_name = body(desk.get("/platform/merchants?status=submitted&sort=-legal_name"))

    assert "Alpha Tea Ltd" in waiting and "Gamma Pots Ltd" not in waiting
    assert "Beta Cups Ltd" in searched and "Alpha Tea Ltd" not in searched
    assert by_name.index("Beta Cups Ltd") < by_name.index("Alpha Tea Ltd")
    rows = csv_of(desk.get("/platform/merchants?status=all&export=csv"))
    assert rows[0][:2] == ["Legal name", "Licence code"]
    assert {r[0] for r in rows[1:]} == {"Alpha Tea Ltd", "Beta Cups Ltd", "Gamma Pots Ltd"}


def test_withdrawals_filter_by_channel_and_export_the_selected(desk: Client) -> None:
    wechat = requested_withdrawal()
    bank = requested_withdrawal(channel="bank", payee="6222020200001234567")

    only_bank = body(desk.get("/platform/withdrawals?channel=bank"))
    selected = desk.post("/platform/withdrawals", {"export": "csv", "ids": [str(bank.pk)]})

    assert f'id="withdrawal-{bank.pk}"' in only_bank
    assert f'id="withdrawal-{wechat.pk}"' not in only_bank
    rows = csv_of(selected)
    assert len(rows) == 2
    assert rows[1][0] == str(bank.pk)
    assert rows[1][3] == "500.00"  # plain yuan, so a spreadsheet sums it


def test_disputes_and_holds_are_tables_that_export(desk: Client, api: Api) -> None:
    dispute = open_dispute(api)
    entry = held_commission(api)

    assert f'href="/platform/disputes/{dispute.pk}"' in body(desk.get("/platform/disputes"))
    assert f'id="entry-{entry.pk}"' in body(desk.get("/platform/holds"))
    rows = csv_of(desk.get("/platform/holds?export=csv"))
    assert "The earner paid for the order" in rows[1]


# --- batch decisions -------------------------------------------------------------------------


def test_batch_approve_pays_each_once_and_reports_the_one_refused(
    desk: Client, operator: Member
) -> None:
    first, second = requested_withdrawal(), requested_withdrawal()
    own = requested_withdrawal()
    Withdrawal.objects.filter(pk=own.pk).update(member=operator)  # one the operator may not review

    response = desk.post(
        "/platform/withdrawals/approve",
        {"ids": [str(first.pk), str(second.pk), str(own.pk), str(first.pk)]},
    )

    assert response.status_code == 302
    statuses = dict(Withdrawal.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "paid", second.pk: "paid", own.pk: "requested"}
    # Named twice, paid once: one approval and one payment event each.
    assert WithdrawalEvent.objects.filter(withdrawal=first, to_status="approved").count() == 1
    assert WithdrawalEvent.objects.filter(withdrawal=first, to_status="paid").count() == 1
    html = body(desk.get(response["Location"]))
    assert "2 withdrawals approved." in html
    assert f"Withdrawal {own.pk}: Another operator must review your own withdrawal." in html


def test_batch_approve_again_changes_nothing(desk: Client) -> None:
    paid = requested_withdrawal()
    desk.post("/platform/withdrawals/approve", {"ids": [str(paid.pk)]})

    again = desk.post("/platform/withdrawals/approve", {"ids": [str(paid.pk)]})

    assert WithdrawalEvent.objects.filter(withdrawal=paid, to_status="paid").count() == 1
    assert "withdrawals approved" not in body(desk.get(again["Location"]))


def test_batch_hide_and_batch_release(desk: Client, api: Api) -> None:
    written = reported_post(api)
    entry = held_commission(api)

    desk.post("/platform/posts/hide", {"ids": [str(written.pk)], "rule": "spam", "note": ""})
    desk.post("/platform/holds/release", {"ids": [str(entry.pk)], "reason": "Family, checked"})

    assert Post.objects.get(pk=written.pk).status == "hidden"
    assert CommissionEntry.objects.get(pk=entry.pk).status in ("pending", "settled")


def test_a_batch_hide_needs_a_rule(desk: Client, api: Api) -> None:
    written = reported_post(api)

    desk.post("/platform/posts/hide", {"ids": [str(written.pk)], "rule": "ugly"})

    assert Post.objects.get(pk=written.pk).status == "visible"


def test_irreversible_decisions_ask_first(desk: Client, api: Api) -> None:
    requested_withdrawal()
    reported_post(api)

    withdrawals = body(desk.get("/platform/withdrawals"))
    posts = body(desk.get("/platform/posts"))

    assert withdrawals.count("data-confirm=") >= 3  # approve, reject, batch approve
    assert "Approve and pay ¥" in withdrawals
    assert "Hide this post? Its author is told which rule it broke." in posts


# --- propagation -----------------------------------------------------------------------------


def test_the_propagation_view_counts_share_orders_by_degree_and_product(
    desk: Client, api: Api
) -> None:
    entry = held_commission(api)  # an order through a share, degree 1
    order = entry.order
    title = order.lines.get().title

    html = body(desk.get("/platform/propagation?days=30"))

    assert 'data-kpi="viral"' in html
    assert title in html
    assert re.search(r'data-kpi="orders">.*?<strong class="cs-kpi-value">1</strong>', html)


# --- the reader's language -------------------------------------------------------------------


def test_a_dispute_reads_in_chinese_or_english(operator: Member, api: Api, desk: Client) -> None:
    dispute = open_dispute(api)

    zh = body(chinese(operator).get(f"/platform/disputes/{dispute.pk}"))
    en = body(desk.get(f"/platform/disputes/{dispute.pk}"))

    assert "<dd>沙箱</dd>" in zh  # the provider, named
    assert "<dd>sandbox</dd>" not in zh
    assert "<dd>Sandbox</dd>" in en


def test_settings_names_read_in_chinese_on_the_compliance_report(operator: Member) -> None:
    html = body(chinese(operator).get("/platform/compliance"))

    assert "分佣层级" in html
    assert "max_levels" not in html
    assert "30 %" in html  # the share budget cap, 3000 bp


def test_withdrawals_show_whose_money_and_filter_by_it(desk: Client, operator: Member) -> None:
    own = requested_withdrawal()
    shop = merchant(legal_name="Delta Bowls Ltd")
    ledger_post(
        key="test:settled",
        kind="order_settled",
        entries=transfer(
            debit=merchant_receivable(shop.pk),
            credit=merchant_account("merchant_available", shop.pk),
            amount_fen=80_000,
        ),
    )
    shops = withdrawal_request(
        member=shop.owner,
        merchant_id=shop.pk,
        amount_fen=60_000,
        channel="bank",
        payee="6222020200001234567",
    )

    everyone = body(desk.get("/platform/withdrawals"))
    merchants_only = body(desk.get("/platform/withdrawals?holder=merchant"))
    found = body(desk.get("/platform/withdrawals?q=Delta"))
    rows = csv_of(desk.get("/platform/withdrawals?holder=merchant&export=csv"))

    assert f'id="withdrawal-{own.pk}"' in everyone and f'id="withdrawal-{shops.pk}"' in everyone
    assert "Delta Bowls Ltd" in everyone
    assert f'id="withdrawal-{shops.pk}"' in merchants_only
    assert f'id="withdrawal-{own.pk}"' not in merchants_only
    assert f'id="withdrawal-{shops.pk}"' in found and f'id="withdrawal-{own.pk}"' not in found
    assert rows[0][-2:] == ["Whose money", "Merchant"]
    assert [r[0] for r in rows[1:]] == [str(shops.pk)]
    assert rows[1][-2:] == ["Merchant", "Delta Bowls Ltd"]

    approved = desk.post(
        f"/platform/withdrawals/{shops.pk}/approve", {"next": "/platform/withdrawals"}
    )
    assert approved.status_code == 302
    assert Withdrawal.objects.get(pk=shops.pk).status == "approved"
