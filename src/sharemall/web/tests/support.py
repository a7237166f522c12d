"""What the buyer page tests share: a browser (the Django test client) signed in as someone or
nobody, reading a page that must load, an order moved to a status through the real services,
and small photos to upload."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from tests.factories import product

import sharemall.web
from sharemall.accounts.models import Member
from sharemall.catalog.models import Product
from sharemall.checkout import services as checkout
from sharemall.orders import services as order_services
from sharemall.orders.models import Order

# A commission plan that gives a friend arriving through a share 5 % off.
PLAN = {"share_budget_bp": 2000, "buyer_discount_bp": 500, "level_bp": [800, 400, 0]}
EXPRESS = checkout.Delivery("express", "440305", "路 1 号", "收件人", "13912345678")
# The checkout page's delivery fields, filled in.
EXPRESS_FORM = {
    "delivery": "express",
    "province": "440000",
    "city": "440300",
    "district": "440305",
    "address": "科技园 1 号",
    "receiver": "王小二",
    "phone": "13912345678",
}
HTMX = {"HX-Request": "true"}
STATIC = Path(sharemall.web.__file__).parent / "static" / "web"


def browser(member: Member | None = None) -> Client:
    """A client reading English pages, signed in as `member` when one is given."""
    client = Client(headers={"accept-language": "en"})
    if member is not None:
        client.force_login(member)
    return client


def page(client: Client, url: str) -> str:
    """The page's HTML; it must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, response
    return response.content.decode()


def order_in(
    buyer: Member,
    status: str = "paid",
    *,
    item: Product | None = None,
    quantity: int = 1,
    title: str = "Tea",
    price_fen: int = 2500,
) -> Order:
    """An order of `buyer` for `item` (a new product when none is given), moved through the
    real services to `status`: pending_payment, paid, shipped or received."""
    item = item or product(title=title, price_fen=price_fen)
    result = checkout.order_create(
        buyer=buyer, items=[checkout.Item(item.skus.get().pk, quantity)], delivery=EXPRESS
    )
    order = Order.objects.get(pk=result.orders[0].pk)
    if status == "pending_payment":
        return order
    checkout.sandbox_complete(result.payment)
    order.refresh_from_db()
    if status in ("shipped", "received"):
        order_services.order_ship(
            order, actor=order.merchant.owner, carrier="SF", tracking_no="SF1"
        )
        order.refresh_from_db()
    if status == "received":
        order_services.order_confirm_receipt(order, actor=buyer)
        order.refresh_from_db()
    return order


def image_bytes(size: tuple[int, int] = (40, 30), image_format: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format=image_format)
    return out.getvalue()


def png(size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    """A small photo as a browser uploads it."""
    return SimpleUploadedFile("photo.png", image_bytes(size), content_type="image/png")
