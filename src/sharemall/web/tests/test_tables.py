"""The consoles' table helper (web/tables.py): sort only by declared columns, filter, search,
page and export the same rows as CSV."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.html import format_html
from tests.factories import MemberFactory

from sharemall.accounts.models import Member
from sharemall.web.tables import (
    BATCH_MAX,
    DATETIME,
    EXPORT_SELECTED,
    MONEY,
    BatchAction,
    ChoiceFilter,
    Column,
    DateRangeFilter,
    StatusTabs,
    Table,
    TableSpec,
    labelled,
    selected_ids,
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
    # A nickname of its own: the factory's ("member138", after many tests) could match "138".
    stranger = MemberFactory.create(phone="13900000009", nickname="外人")
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


# --- what review queues add: tabs, row actions, row ids, selectable rows, batch fields ---------

DEVICES = replace(
    MEMBERS,
    tabs=StatusTabs(
        [("ios", "iPhone"), ("android", "Android")], name="device", lookup="signup_device"
    ),
    row_actions="row_actions.html",
    actions_label="Decide",
    row_id="member",
    batch_fields="batch_fields.html",
)
ROW_TEMPLATES = {
    "row_actions.html": (
        '<button class="decide">Decide on {{ obj.phone }} for {{ reviewer }}</button>'
    ),
    "batch_fields.html": '<input name="why" form="{{ form_id }}">',
}


@pytest.fixture
def row_templates(settings: Any) -> None:
    """The partials a spec names, served from memory next to the real templates."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["APP_DIRS"] = False
    templates[0]["OPTIONS"]["loaders"] = [
        ("django.template.loaders.locmem.Loader", ROW_TEMPLATES),
        "django.template.loaders.app_directories.Loader",
    ]
    settings.TEMPLATES = templates


@pytest.fixture
def devices() -> list[Member]:
    return [
        MemberFactory.create(phone="13800000011", nickname="甲", signup_device="ios"),
        MemberFactory.create(phone="13800000012", nickname="乙", signup_device="ios"),
        MemberFactory.create(phone="13800000013", nickname="丙", signup_device="android"),
    ]


def bind_devices(params: dict[str, Any] | None = None, **options: Any) -> Table:
    request = RequestFactory().get("/members", params or {})
    return DEVICES.bind(request, Member.objects.all(), **options)


def test_tabs_open_on_the_first_choice_and_narrow_to_it(devices: list[Member]) -> None:
    assert bind_devices().tab == "ios"
    assert phones(bind_devices()) == ["13800000011", "13800000012"]
    assert phones(bind_devices({"device": "android"})) == ["13800000013"]
    assert len(phones(bind_devices({"device": "all"}))) == 3
    assert bind_devices({"device": "'; drop"}).tab == "ios"  # unknown: the first tab
    assert not bind_devices({"device": "android"}).is_filtered  # a tab is not a filter


def test_tabs_count_their_rows_whatever_the_search(devices: list[Member]) -> None:
    tabs = bind_devices({"q": "甲", "device": "android"}).tabs

    assert [(t.value, t.count, t.active) for t in tabs] == [
        ("ios", 2, False),
        ("android", 1, True),
        ("all", None, False),
    ]


def test_tab_links_keep_the_search_filters_and_sort_and_start_at_page_one(
    devices: list[Member],
) -> None:
    tabs = bind_devices({"q": "138", "sharer": "0", "sort": "-phone", "page": "2"}).tabs

    assert tabs[1].url == "/members?q=138&sharer=0&sort=-phone&device=android"


def test_sort_export_and_reset_links_keep_the_tab(devices: list[Member]) -> None:
    table = bind_devices({"device": "android", "q": "丙"})
    headers = {h.column.key: h for h in table.headers}

    assert headers["phone"].url == "/members?device=android&q=%E4%B8%99&sort=-phone"
    assert table.export_url == "/members?device=android&q=%E4%B8%99&export=csv"
    assert table.reset_url == "/members?device=android"
    assert bind_devices({"q": "丙"}).reset_url == "/members"


def test_tab_counts_can_come_from_the_view(devices: list[Member]) -> None:
    tabs = bind_devices(tab_counts={"android": 7}).tabs

    assert [t.count for t in tabs] == [0, 7, None]


def test_the_partial_renders_tabs_row_actions_ids_and_batch_fields(
    devices: list[Member], row_templates: None
) -> None:
    table = bind_devices({"q": "138", "device": "ios"}, selectable=lambda m: m.nickname == "甲")

    html = render_to_string("web/console_table.html", {"table": table, "reviewer": "小李"})

    assert '<nav class="cs-tabs"' in html
    assert 'href="/members?q=138&amp;device=android"' in html
    assert (
        'class="cs-tab is-active" href="/members?q=138&amp;device=ios" aria-current="true"' in html
    )
    assert '<span class="cs-tab-count">2</span>' in html
    assert '<input type="hidden" name="device" value="ios">' in html  # the search keeps the tab
    assert '<th scope="col" class="cs-actions-col">Decide</th>' in html
    # The partial sees its row's object and the page's context.
    assert '<button class="decide">Decide on 13800000011 for 小李</button>' in html
    assert f'id="member-{devices[0].pk}"' in html
    assert f'id="member-{devices[1].pk}"' in html
    assert html.count('name="ids"') == 1  # only the selectable row can be ticked
    assert f'<input name="why" form="{table.dom_id}-batch">' in html
    assert 'name="next" value="/members?q=138&amp;device=ios"' in html


def test_row_actions_may_be_a_callable(devices: list[Member]) -> None:
    spec = replace(
        DEVICES,
        row_actions=lambda m: format_html("<a href='/m/{}'>Open</a>", m.pk),
        batch_fields="",
    )
    table = spec.bind(RequestFactory().get("/members"), Member.objects.all())

    html = render_to_string("web/console_table.html", {"table": table})

    assert f"<a href='/m/{devices[0].pk}'>Open</a>" in html
    assert html.count('class="cs-actions-col"') == 3  # the header and two rows


def test_a_plain_table_has_no_tabs_actions_or_row_ids(people: list[Member]) -> None:
    html = render_to_string("web/console_table.html", {"table": bind()})

    assert "cs-tabs" not in html
    assert "cs-actions-col" not in html
    assert "<tr id=" not in html
    assert html.count('name="ids"') == 3


def test_respond_answers_the_csv_or_the_page(devices: list[Member]) -> None:
    pages: list[Table] = []

    def page(table: Table) -> HttpResponse:
        pages.append(table)
        return HttpResponse("page")

    csv = DEVICES.respond(
        RequestFactory().get("/members", {"export": "csv", "device": "android"}),
        Member.objects.all(),
        page,
    )
    shown = DEVICES.respond(RequestFactory().get("/members"), Member.objects.all(), page)

    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert len(csv.content.decode().splitlines()) == 2  # the header and the android member
    assert shown.content == b"page"
    assert phones(pages[0]) == ["13800000011", "13800000012"]


def test_selected_ids_are_each_once_readable_and_capped() -> None:
    posted = ["3", "x", "3", "-1", str(2**70), *[str(n) for n in range(10, 200)]]
    request = RequestFactory().post("/members", {"ids": posted})

    ids = selected_ids(request)

    assert ids[:2] == [3, 10]
    assert len(ids) == BATCH_MAX
