"""The consoles' table helper (web/tables.py): sort only by declared columns, filter, search,
page and export the same rows as CSV."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from tests.factories import MemberFactory

from sharemall.accounts.models import Member
from sharemall.web.tables import (
    DATETIME,
    EXPORT_SELECTED,
    MONEY,
    BatchAction,
    ChoiceFilter,
    Column,
    DateRangeFilter,
    Table,
    TableSpec,
    labelled,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")

MEMBERS = TableSpec(
    columns=(
        Column("phone", "Phone", sortable=True),
        Column("nickname", "Nickname", sortable=True),
        Column("is_distributor", "Sharer", formatter=labelled([(True, "yes"), (False, "no")])),
        Column("pk", "Spent", kind=MONEY, value=lambda m: m.pk * 100 + 5),
        Column("date_joined", "Joined", sortable=True, kind=DATETIME),
        Column("password", "Secret", in_page=False, in_csv=False),
    ),
    default_sort="phone",
    filters=(
        ChoiceFilter("sharer", "Sharer", [("1", "yes"), ("0", "no")], lookup="is_distributor"),
        DateRangeFilter("joined", "Joined", lookup="date_joined"),
    ),
    search=("nickname", "phone"),
    batch=(BatchAction("ban", "Ban", url="/ban", confirm="Sure?"), EXPORT_SELECTED),
    export_name="members",
)


def bind(params: dict[str, Any] | None = None, *, post: dict[str, Any] | None = None) -> Table:
    factory = RequestFactory()
    if post is not None:
        request = factory.post(
            "/members?" + "&".join(f"{k}={v}" for k, v in (params or {}).items()), post
        )
    else:
        request = factory.get("/members", params or {})
    return MEMBERS.bind(request, Member.objects.all())


def phones(table: Table) -> list[str]:
    return [row.obj.phone for row in table.rows]


@pytest.fixture
def people() -> list[Member]:
    joined = datetime(2026, 3, 10, 9, tzinfo=SHANGHAI)
    return [
        MemberFactory.create(phone="13800000003", nickname="小王", date_joined=joined),
        MemberFactory.create(
            phone="13800000001", nickname="=HYPERLINK(1)", is_distributor=True, date_joined=joined
        ),
        MemberFactory.create(
            phone="13800000002",
            nickname="王老师",
            is_distributor=True,
            date_joined=joined + timedelta(days=3),
        ),
    ]


def test_rows_follow_the_default_order_and_declared_sorts(people: list[Member]) -> None:
    assert phones(bind()) == ["13800000001", "13800000002", "13800000003"]
    assert phones(bind({"sort": "-phone"})) == ["13800000003", "13800000002", "13800000001"]
    assert phones(bind({"sort": "-date_joined"}))[0] == "13800000002"


@pytest.mark.parametrize("sort", ["password", "-password", "is_distributor", "pk", "phone__x", ""])
def test_a_sort_on_an_undeclared_field_is_ignored(people: list[Member], sort: str) -> None:
    table = bind({"sort": sort})

    assert table.sort == "phone"
    assert phones(table) == ["13800000001", "13800000002", "13800000003"]


def test_sort_headers_link_to_the_flipped_order_and_keep_the_filters(people: list[Member]) -> None:
    headers = {
        h.column.key: h for h in bind({"sort": "-phone", "sharer": "1", "page": "2"}).headers
    }

    assert headers["phone"].direction == "desc"
    assert headers["phone"].aria_sort == "descending"
    assert headers["phone"].url == "/members?sort=phone&sharer=1"
    assert headers["nickname"].url == "/members?sort=-nickname&sharer=1"
    assert headers["is_distributor"].url == ""  # not sortable


def test_a_choice_filter_narrows_and_an_unknown_choice_is_ignored(people: list[Member]) -> None:
    assert phones(bind({"sharer": "1"})) == ["13800000001", "13800000002"]
    assert phones(bind({"sharer": "0"})) == ["13800000003"]
    assert len(phones(bind({"sharer": "maybe"}))) == 3
    assert bind({"sharer": "1"}).is_filtered
    assert not bind({"sharer": "maybe"}).is_filtered


def test_a_date_range_counts_whole_days_in_china(people: list[Member]) -> None:
    assert phones(bind({"joined_from": "2026-03-11"})) == ["13800000002"]
    assert phones(bind({"joined_to": "2026-03-10"})) == ["13800000001", "13800000003"]
    assert phones(bind({"joined_from": "2026-03-10", "joined_to": "2026-03-13"})) == [
        "13800000001",
        "13800000002",
        "13800000003",
    ]
    assert len(phones(bind({"joined_from": "not a day"}))) == 3


def test_search_looks_in_every_declared_field(people: list[Member]) -> None:
    assert phones(bind({"q": "王"})) == ["13800000002", "13800000003"]
    assert phones(bind({"q": " 0000001 "})) == ["13800000001"]
    assert phones(bind({"q": "nobody"})) == []


def test_pages_hold_twenty_rows() -> None:
    for n in range(45):
        MemberFactory.create(phone=f"139{n:08d}")

    first, third = bind(), bind({"page": "3"})

    assert len(first.rows) == 20
    assert first.page.paginator.num_pages == 3
    assert phones(third) == [f"139{n:08d}" for n in range(40, 45)]
    assert len(bind({"page": "99"}).rows) == 5  # past the end: the last page


def test_cells_are_formatted_for_people(people: list[Member]) -> None:
    row = bind({"q": "13800000002"}).rows[0]
    cells = {cell.column.key: cell for cell in row.cells}

    # Ids run on across tests on PostgreSQL, so the figure may have a thousands separator.
    assert cells["pk"].text == f"¥{people[2].pk:,}.05"
    assert cells["pk"].column.align == "num"
    assert cells["is_distributor"].text == "yes"
    assert cells["date_joined"].text == "2026-03-13 09:00"  # in China's time
    assert "password" not in cells


def test_csv_export_has_a_bom_and_every_matching_row_in_order(people: list[Member]) -> None:
    table = bind({"sharer": "1", "sort": "-phone", "export": "csv"})

    assert table.wants_csv
    response = table.csv_response()

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="members-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Phone,Nickname,Sharer,Spent,Joined"
    # Money as plain yuan so the spreadsheet can sum it; a would-be formula made harmless.
    assert lines[1] == f"13800000002,王老师,yes,{people[2].pk}.05,2026-03-13 09:00"
    assert lines[2] == f"13800000001,'=HYPERLINK(1),yes,{people[1].pk}.05,2026-03-10 09:00"
    assert len(lines) == 3


def test_csv_export_is_not_limited_to_the_page() -> None:
    for n in range(25):
        MemberFactory.create(phone=f"139{n:08d}")

    lines = bind({"export": "csv", "page": "1"}).csv_response().content.decode().splitlines()

    assert len(lines) == 1 + 25


def test_export_selected_keeps_only_the_checked_rows_in_scope(people: list[Member]) -> None:
    stranger = MemberFactory.create(phone="13900000009")
    checked = [people[0].pk, people[2].pk, stranger.pk, "x"]

    table = bind({"q": "138"}, post={"export": "csv", "ids": checked})

    assert table.wants_csv
    lines = table.csv_response().content.decode().splitlines()
    assert [line.split(",")[0].lstrip("\ufeff") for line in lines[1:]] == [
        "13800000002",
        "13800000003",
    ]


def test_the_partial_renders_toolbar_headers_batch_bar_and_rows(people: list[Member]) -> None:
    table = bind({"sharer": "1"})

    html = render_to_string("web/console_table.html", {"table": table})

    assert 'name="q"' in html
    assert '<option value="1" selected>yes</option>' in html
    assert 'name="joined_from"' in html
    assert 'href="/members?sharer=1&amp;export=csv"' in html
    assert 'data-confirm="Sure?"' in html
    assert 'formaction="/ban"' in html
    assert html.count('name="ids"') == 2
    assert 'aria-sort="ascending"' in html
    assert "style=" not in html
