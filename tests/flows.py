"""Steps of the API flows several tests walk: sign up, share, buy, pay, receive."""

from __future__ import annotations

from typing import Any

from conftest import Api

from sharemall.accounts.models import Member
from sharemall.catalog.models import Sku
from tests.factories import PASSWORD

ADDRESS = {
    "type": "express",
    "region_code": "440305",
    "address": "科技园 1 号",
    "receiver": "王小二",
    "phone": "13912345678",
}


def register(api: Api, phone: str, share_code: str | None = None) -> tuple[int, str]:
    body = {"phone": phone, "password": PASSWORD, "nickname": phone[-4:]}
    if share_code:
        body["share_code"] = share_code
    answer = api.post("/auth/register", body)
    assert answer.status == 201, answer.body
    return answer.body["id"], answer.body["token"]


def share(api: Api, token: str | Member, product_id: int, target_type: str = "product") -> str:
    answer = api.post("/shares", {"target_type": target_type, "target_id": product_id}, as_=token)
    assert answer.status == 201, answer.body
    return str(answer.body["code"])


def buy(
    api: Api, buyer: Member | str, sku: Sku | int, quantity: int = 1, **extra: Any
) -> dict[str, Any]:
    sku_id = sku if isinstance(sku, int) else sku.pk
    answer = api.post(
        "/orders",
        {"items": [{"sku_id": sku_id, "quantity": quantity}], "delivery": ADDRESS, **extra},
        as_=buyer,
    )
    assert answer.status == 201, answer.body
    return dict(answer.body)


def pay(api: Api, buyer: Member | str, payment_id: int) -> dict[str, Any]:
    answer = api.post(f"/payments/sandbox/{payment_id}/complete", as_=buyer)
    assert answer.status == 200, answer.body
    return dict(answer.body)


def buy_and_receive(
    api: Api, buyer: Member | str, sku: Sku | int, merchant_owner: Member, **extra: Any
) -> dict[str, Any]:
    """An order paid, shipped and received: its lines may now be reviewed."""
    created = buy(api, buyer, sku, **extra)
    pay(api, buyer, created["payment_id"])
    order_id = created["orders"][0]["id"]
    assert (
        api.post(
            f"/orders/{order_id}/ship", {"carrier": "SF", "tracking_no": "SF1"}, as_=merchant_owner
        ).status
        == 200
    )
    assert api.post(f"/orders/{order_id}/confirm-receipt", as_=buyer).status == 200
    return created
