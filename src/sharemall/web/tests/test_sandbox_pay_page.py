import pytest
from django.test import Client
from tests.factories import MemberFactory, product

from sharemall.checkout import services as checkout
from sharemall.payments.models import Payment

pytestmark = pytest.mark.django_db

EXPRESS = checkout.Delivery("express", "440305", "路 1 号", "收件人", "13912345678")


def test_the_sandbox_pay_page_pays_through_the_signed_callback() -> None:
    sku = product(price_fen=2500).skus.get()
    buyer = MemberFactory.create()
    result = checkout.order_create(buyer=buyer, items=[checkout.Item(sku.pk, 2)], delivery=EXPRESS)
    url = f"/pay/sandbox/{result.payment.payment_no}"
    client = Client()
    assert client.get(url).status_code == 302  # strangers log in first
    client.force_login(buyer)
    page = client.get(url)
    assert page.status_code == 200
    assert "¥50.00" in page.content.decode()
    paid = client.post(url)
    assert paid.status_code == 200
    assert Payment.objects.get(pk=result.payment.pk).status == "paid"
    other = Client()
    other.force_login(MemberFactory.create())
    assert other.get(url).status_code == 404
