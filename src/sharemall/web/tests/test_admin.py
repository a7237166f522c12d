"""The operators' back office: decisions go through the services and leave a trail."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import CategoryFactory, MemberFactory, OperatorFactory, merchant, product

from sharemall.accounts.models import Member
from sharemall.catalog.models import Product
from sharemall.merchants.models import Merchant, MerchantEvent

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/merchants/merchant/"


@pytest.fixture
def operator() -> Member:
    return OperatorFactory.create()


@pytest.fixture
def client(operator: Member) -> Client:
    c = Client(headers={"accept-language": "en"})
    c.force_login(operator)
    return c


def test_admin_site_has_the_platform_header(client: Client) -> None:
    assert "ShareMall platform back office" in client.get("/admin/").content.decode()
    zh = client.get("/admin/", headers={"accept-language": "zh-hans"}).content.decode()
    assert "ShareMall 平台后台" in zh


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/member/",
        "/admin/merchants/merchant/",
        "/admin/catalog/category/",
        "/admin/catalog/product/",
    ],
)
def test_operator_sees_the_back_office_lists(client: Client, url: str) -> None:
    product()

    assert client.get(url).status_code == 200


def test_a_buyer_cannot_enter_the_back_office() -> None:
    c = Client()
    c.force_login(MemberFactory.create())

    response = c.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_merchant_change_page_shows_the_decision_trail(client: Client) -> None:
    shop = merchant()
    item = product(shop)

    merchant_page = client.get(f"/admin/merchants/merchant/{shop.pk}/change/")
    product_page = client.get(f"/admin/catalog/product/{item.pk}/change/")

    assert merchant_page.status_code == 200
    assert "Decision trail" in merchant_page.content.decode()
    assert product_page.status_code == 200


def test_member_change_page_never_shows_the_password_hash(client: Client) -> None:
    member = MemberFactory.create()

    body = client.get(f"/admin/accounts/member/{member.pk}/change/").content.decode()

    assert member.phone in body
    assert member.password not in body
    assert member.password.split("$")[-1] not in body


def test_approve_action_records_the_operator(client: Client, operator: Member) -> None:
    shop = merchant(approved=False)

    response = client.post(CHANGELIST, {"action": "approve", "_selected_action": [shop.pk]})

    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.status == "approved"
    event = MerchantEvent.objects.filter(merchant=shop).order_by("-id").first()
    assert event is not None
    assert (event.from_status, event.to_status, event.actor_id) == (
        "submitted",
        "approved",
        operator.pk,
    )


def test_approve_action_reports_a_refused_transition_and_changes_nothing(client: Client) -> None:
    shop = merchant(approved=False)
    Merchant.objects.filter(pk=shop.pk).update(status="draft")
    events_before = MerchantEvent.objects.filter(merchant=shop).count()

    response = client.post(
        CHANGELIST, {"action": "approve", "_selected_action": [shop.pk]}, follow=True
    )

    shop.refresh_from_db()
    assert shop.status == "draft"
    assert MerchantEvent.objects.filter(merchant=shop).count() == events_before
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_reject_action_asks_for_the_reason_first(client: Client) -> None:
    shop = merchant(approved=False)

    response = client.post(CHANGELIST, {"action": "reject", "_selected_action": [shop.pk]})

    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    shop.refresh_from_db()
    assert shop.status == "submitted"


def test_reject_action_with_a_reason_records_the_operator(client: Client, operator: Member) -> None:
    shop = merchant(approved=False)

    response = client.post(
        CHANGELIST,
        {
            "action": "reject",
            "_selected_action": [shop.pk],
            "apply": "yes",
            "reason": "The licence photo is blurred.",
        },
    )

    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.status == "rejected"
    assert shop.rejection_reason == "The licence photo is blurred."
    event = MerchantEvent.objects.filter(merchant=shop).order_by("-id").first()
    assert event is not None
    assert (event.to_status, event.actor_id, event.reason) == (
        "rejected",
        operator.pk,
        "The licence photo is blurred.",
    )


def test_reject_without_a_reason_shows_the_form_again(client: Client) -> None:
    shop = merchant(approved=False)

    response = client.post(
        CHANGELIST,
        {"action": "reject", "_selected_action": [shop.pk], "apply": "yes", "reason": ""},
    )

    assert response.status_code == 200
    shop.refresh_from_db()
    assert shop.status == "submitted"


def test_suspend_and_reinstate_actions(client: Client, operator: Member) -> None:
    shop = merchant()
    item = product(shop, title="Soon hidden")

    client.post(
        CHANGELIST,
        {"action": "suspend", "_selected_action": [shop.pk], "apply": "yes", "reason": "Fraud"},
    )
    shop.refresh_from_db()
    assert shop.status == "suspended"
    assert Client().get(f"/p/{item.pk}").status_code == 404

    client.post(CHANGELIST, {"action": "reinstate", "_selected_action": [shop.pk]})
    shop.refresh_from_db()
    assert shop.status == "approved"
    actors = set(
        MerchantEvent.objects.filter(merchant=shop, to_status__in=["suspended"]).values_list(
            "actor_id", flat=True
        )
    )
    assert actors == {operator.pk}


def test_take_off_sale_action(client: Client) -> None:
    item = product()

    client.post(
        "/admin/catalog/product/", {"action": "take_off_sale", "_selected_action": [item.pk]}
    )

    assert Product.objects.get(pk=item.pk).status == "off_sale"


def test_category_cannot_be_moved_under_its_own_child(client: Client) -> None:
    parent = CategoryFactory.create(name="Drinks")
    child = CategoryFactory.create(name="Tea", parent=parent)

    response = client.post(
        f"/admin/catalog/category/{parent.pk}/change/",
        {"name": "Drinks", "parent": child.pk, "position": 0},
    )

    assert response.status_code == 200
    parent.refresh_from_db()
    assert parent.parent_id is None


def test_operator_can_edit_a_member_without_touching_the_password(client: Client) -> None:
    member = MemberFactory.create(nickname="Before")
    password_hash = member.password

    response = client.post(
        f"/admin/accounts/member/{member.pk}/change/",
        {
            "nickname": "After",
            "is_active": "on",
            "api_tokens-TOTAL_FORMS": "0",
            "api_tokens-INITIAL_FORMS": "0",
            "devices-TOTAL_FORMS": "0",
            "devices-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.nickname == "After"
    assert member.password == password_hash
    assert client.get("/admin/accounts/member/add/").status_code == 403
