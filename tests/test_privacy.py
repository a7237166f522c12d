"""Personal-data rights (PIPL): a member downloads their data, and closes their account; the
personal data goes, the orders, ledger and commissions stay, and the phone number is free for a
new person who sees nothing of the old account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.utils import timezone

from sharemall.accounts.binding import bind
from sharemall.accounts.models import ApiToken, Binding, Member, WechatIdentity
from sharemall.accounts.rules import RECENT_SIGN_IN
from sharemall.accounts.services import token_issue
from sharemall.addresses.models import Address
from sharemall.addresses.rules import address_fields
from sharemall.addresses.services import address_create
from sharemall.distribution.models import CommissionEntry
from sharemall.legal.models import Consent
from sharemall.notifications.models import Notice
from sharemall.notifications.rules import ORDER_SHIPPED
from sharemall.notifications.services import notify
from sharemall.orders.models import Order
from sharemall.posts.models import Post
from sharemall.sharing.models import ShareClick, ShareLink
from sharemall.verification.models import SendGuard
from sharemall.wallet.models import Posting
from sharemall.wallet.services import balances_for_member
from tests.factories import PASSWORD, MemberFactory, merchant, product
from tests.flows import buy_and_receive, register
from tests.settlement_support import ledger_clean, sell, shop_with_plan

pytestmark = pytest.mark.django_db


def close(api: Api, who: Member | str, password: str = PASSWORD) -> Any:
    return api.post("/me/close", {"password": password}, as_=who)


def snapshot() -> dict[str, Any]:
    """Everything closing must not change: orders, commissions, postings, bindings."""
    return {
        "orders": list(Order.objects.order_by("id").values_list("id", "buyer_id", "total_fen")),
        "commissions": list(
            CommissionEntry.objects.order_by("id").values_list(
                "id", "beneficiary_id", "amount_fen", "status"
            )
        ),
        "postings": Posting.objects.count(),
        "bindings": list(Binding.objects.order_by("id").values_list("member_id", "parent_id")),
    }


def test_export_holds_the_members_profile_consents_binding_and_orders(api: Api) -> None:
    sale = sell(shop_with_plan(), [(10_000, 1)])
    buyer = sale.buyer
    answer = api.get("/me/export", as_=buyer)
    assert answer.status == 200, answer.body
    data = answer.body
    assert data["profile"]["phone"] == buyer.phone
    assert data["profile"]["nickname"] == buyer.nickname
    assert data["binding"]["parent_id"] == buyer.parent_id
    assert [b["parent_id"] for b in data["binding"]["history"]] == [buyer.parent_id]
    [order] = data["orders"]
    assert order["order_no"] == sale.order.order_no
    assert order["total_fen"] == sale.order.total_fen
    assert order["address"] == sale.order.address
    assert order["lines"][0]["quantity"] == 1
    assert data["commissions"] == []


def test_export_lists_a_sharers_commissions(api: Api) -> None:
    sale = sell(shop_with_plan(), [(10_000, 1)])
    assert sale.buyer.parent is not None
    sharer = sale.buyer.parent
    data = api.get("/me/export", as_=sharer).body
    amounts = CommissionEntry.objects.filter(beneficiary=sharer).values_list(
        "amount_fen", flat=True
    )
    assert [c["amount_fen"] for c in data["commissions"]] == list(amounts)
    assert data["commissions"]


def test_sign_up_records_consent_and_export_shows_it(api: Api) -> None:
    member_id, token = register(api, "13800138001")
    consents = Consent.objects.filter(member_id=member_id)
    assert sorted(consents.values_list("kind", "version")) == [
        ("privacy_policy", 1),
        ("user_agreement", 1),
    ]
    data = api.get("/me/export", as_=token).body
    assert sorted(c["kind"] for c in data["consents"]) == ["privacy_policy", "user_agreement"]


def test_export_is_for_members_only(api: Api) -> None:
    assert api.get("/me/export").status == 401
    assert api.post("/me/close", {"password": PASSWORD}).status == 401


def test_the_address_book_and_the_messages_go_on_closing(api: Api) -> None:
    someone = MemberFactory.create()
    address_create(
        someone,
        address_fields(
            region_code="440305", address="科技园 1 号", receiver="王小二", phone="13912345678"
        ),
    )

    notify(someone.pk, ORDER_SHIPPED, "test:shipped", order_no="2026120600000001")

    exported = api.get("/me/export", as_=someone).body["addresses"]
    assert [(a["receiver"], a["region_code"], a["is_default"]) for a in exported] == [
        ("王小二", "440305", True)
    ]
    assert close(api, someone).status == 200
    assert not Address.objects.filter(member=someone).exists()
    assert not Notice.objects.filter(recipient=someone).exists()


def test_closing_erases_personal_data_and_keeps_the_books(api: Api) -> None:
    sale = sell(shop_with_plan(), [(10_000, 2)])
    buyer = sale.buyer
    old_phone, old_nickname = buyer.phone, buyer.nickname
    parent_id = buyer.parent_id
    before = snapshot()
    token = api.post("/auth/login", {"phone": old_phone, "password": PASSWORD}).body["token"]
    ShareClick.objects.create(
        link=ShareLink.objects.get(pk=sale.order.share_link_id),
        visitor_key="k",
        visitor=buyer,
        ip="203.0.113.9",
    )

    answer = close(api, token)
    assert answer.status == 200, answer.body
    assert answer.body == {"closed": True}

    buyer.refresh_from_db()
    assert buyer.phone != old_phone and not buyer.phone.isdigit()
    assert buyer.nickname == "已注销用户" != old_nickname
    assert buyer.signup_ip is None and buyer.signup_device == ""
    assert not buyer.is_active and buyer.closed_at is not None
    assert not buyer.has_usable_password()
    assert buyer.parent_id == parent_id  # its own binding stays
    assert snapshot() == before
    assert ledger_clean() == []
    assert list(ShareClick.objects.filter(visitor=buyer).values_list("ip", flat=True)) == [""]
    assert not ApiToken.objects.filter(member=buyer, revoked_at__isnull=True).exists()

    # The hidden check: it cannot log in, and its export is gone.
    assert api.get("/me/export", as_=token).status == 401
    login = api.post("/auth/login", {"phone": old_phone, "password": PASSWORD})
    assert login.status == 401 and login.error_code == "invalid_credentials"
    assert close(api, token).status == 401


def test_the_downline_keeps_its_binding_history(api: Api) -> None:
    upline = MemberFactory.create()
    child = MemberFactory.create()
    bind(child, upline, source="test", newcomer=True)
    assert close(api, upline).status == 200
    child.refresh_from_db()
    assert child.parent_id == upline.pk
    assert list(Binding.objects.filter(member=child).values_list("parent_id", flat=True)) == [
        upline.pk
    ]


def test_the_number_can_be_registered_again_by_a_new_person(api: Api) -> None:
    sale = sell(shop_with_plan(), [(10_000, 1)])
    number = sale.buyer.phone
    assert close(api, sale.buyer).status == 200

    new_id, token = register(api, number)
    assert new_id != sale.buyer.pk
    assert _items(api.get("/orders", as_=token).body) == []
    data = api.get("/me/export", as_=token).body
    assert data["orders"] == [] and data["commissions"] == [] and data["posts"] == []
    assert data["binding"]["history"] == []
    assert data["profile"]["id"] == new_id


def _items(body: Any) -> list[dict[str, Any]]:
    return list(body["items"] if isinstance(body, dict) else body)


def test_closing_takes_the_members_posts_down(api: Api) -> None:
    """Posts are the author's own words and photos: closing takes them down as a deletion by the
    author would (the order line they were about stays)."""
    shop = merchant()
    item = product(shop, price_fen=5_000, stock=5)
    buyer = MemberFactory.create()
    created = buy_and_receive(api, buyer, item.skus.get(), shop.owner)
    line_id = created["orders"][0]["lines"][0]["id"]
    made = api.call(
        "POST",
        "/posts",
        data={"order_line_id": line_id, "text": "用了一周，很满意。", "rating": 5},
        as_=buyer,
    )
    assert made.status == 201, made.body
    assert close(api, buyer).status == 200
    assert list(Post.objects.filter(author=buyer).values_list("status", flat=True)) == ["deleted"]
    assert api.get(f"/posts/{made.body['id']}").status == 404


def test_a_wrong_password_is_refused_and_writes_nothing(api: Api) -> None:
    someone = MemberFactory.create()
    answer = close(api, someone, password="not-my-password")
    assert answer.status == 400 and answer.error_code == "invalid_password"
    someone.refresh_from_db()
    assert someone.is_active and someone.closed_at is None
    assert api.post("/me/close", {"password": 5}, as_=someone).error_code == "invalid_input"


def test_a_fresh_sign_in_confirms_closing_and_an_old_token_must_send_the_password(
    api: Api,
) -> None:
    someone = MemberFactory.create()
    old = token_issue(someone)
    ApiToken.objects.filter(member=someone).update(
        created_at=timezone.now() - RECENT_SIGN_IN - timedelta(seconds=1)
    )
    for body in (b"{}", b""):  # an empty object, or no body at all
        answer = api.call("POST", "/me/close", raw=body, as_=old)
        assert answer.error_code == "invalid_password", answer.body
    someone.refresh_from_db()
    assert someone.closed_at is None
    # Just signed in: the token is the proof, as the password would be.
    fresh = api.post("/auth/login", {"phone": someone.phone, "password": PASSWORD}).body["token"]
    assert api.call("POST", "/me/close", raw=b"", as_=fresh).status == 200
    assert api.post("/auth/login", {"phone": someone.phone, "password": PASSWORD}).status == 401
    assert api.get("/me/export", as_=fresh).status == 401


def test_money_left_is_refused_and_writes_nothing(api: Api) -> None:
    sale = sell(shop_with_plan(), [(10_000, 1)])
    sharer = sale.buyer.parent
    assert sharer is not None
    assert any(v > 0 for v in balances_for_member(sharer.pk).values())
    phone_before = sharer.phone
    answer = close(api, sharer)
    assert answer.status == 400 and answer.error_code == "balance_not_empty"
    sharer.refresh_from_db()
    assert sharer.is_active and sharer.phone == phone_before


def test_a_shop_owner_is_refused_and_writes_nothing(api: Api) -> None:
    shop = merchant()
    answer = close(api, shop.owner)
    assert answer.status == 400 and answer.error_code == "owns_merchant"
    shop.owner.refresh_from_db()
    assert shop.owner.is_active and shop.owner.closed_at is None


def test_a_passwordless_member_closes_with_a_texted_code(api: Api, settings: Any) -> None:
    settings.SMS_BACKEND = "sandbox"
    number = "13800138077"
    api.post("/auth/sms-code", {"phone": number, "purpose": "login"})
    code = api.get(f"/sandbox/sms/{number}").body[0]["code"]
    first = api.post("/auth/login-by-code", {"phone": number, "sms_code": code})
    assert first.status == 200 and first.body["is_new"]
    token = first.body["token"]
    assert Consent.objects.filter(member_id=first.body["id"]).count() == 2

    assert api.post("/me/close", {"sms_code": "000000"}, as_=token).error_code == "invalid_code"
    SendGuard.objects.filter(phone=number).update(next_allowed_at=timezone.now())
    api.post("/auth/sms-code", {"phone": number, "purpose": "login"})
    code = api.get(f"/sandbox/sms/{number}").body[0]["code"]
    assert api.post("/me/close", {"sms_code": code}, as_=token).status == 200

    # Logging in by code again makes a new, empty account: never the closed one.
    SendGuard.objects.filter(phone=number).update(next_allowed_at=timezone.now())
    api.post("/auth/sms-code", {"phone": number, "purpose": "login"})
    code = api.get(f"/sandbox/sms/{number}").body[0]["code"]
    again = api.post("/auth/login-by-code", {"phone": number, "sms_code": code})
    assert again.status == 200 and again.body["is_new"]
    assert again.body["id"] != first.body["id"]


def test_terms_refused_at_sign_up_is_400(api: Api) -> None:
    answer = api.post(
        "/auth/register",
        {"phone": "13800138002", "password": PASSWORD, "nickname": "x", "accept_terms": False},
    )
    assert answer.status == 400 and answer.error_code == "terms_not_accepted"
    assert not Member.objects.filter(phone="13800138002").exists()


def test_export_lists_the_linked_wechat_accounts(api: Api) -> None:
    someone = MemberFactory.create()
    WechatIdentity.objects.create(member=someone, app_id="wxapp", openid="o-1", unionid="u-1")
    exported = api.get("/me/export", as_=someone).body["wechat"]
    assert [(w["app_id"], w["openid"], w["unionid"]) for w in exported] == [("wxapp", "o-1", "u-1")]
