import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
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


def test_a_friend_pays_through_the_pay_for_me_page() -> None:
    sku = product(price_fen=1200).skus.get()
    buyer = MemberFactory.create(nickname="小红")
    result = checkout.order_create(buyer=buyer, items=[checkout.Item(sku.pk, 1)], delivery=EXPRESS)
    payment = result.payment
    owner_view = Client()
    owner_view.force_login(buyer)
    order_page = owner_view.get(f"/orders/{result.orders[0].pk}").content.decode()
    link = f"/pay-for-me/{payment.pay_token}"
    assert link in order_page  # the buyer copies the link from the order

    url = link
    assert Client().get(url).status_code == 302  # strangers sign in first
    friend = MemberFactory.create()
    client = Client()
    client.force_login(friend)
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "小红" in body and "¥12.00" in body
    assert client.get("/pay-for-me/not-a-token").status_code == 404

    taken = client.post(url)
    assert taken.status_code == 302
    assert taken["Location"] == f"/pay/sandbox/{payment.payment_no}"
    paid = client.post(taken["Location"])
    assert paid.status_code == 200
    payment.refresh_from_db()
    assert (payment.status, payment.buyer_id, payment.payer_id) == ("paid", buyer.pk, friend.pk)
    # The order is the buyer's, not the friend's; a paid link can no longer be taken up.
    assert client.get(f"/orders/{result.orders[0].pk}").status_code == 404
    latecomer = Client()
    latecomer.force_login(MemberFactory.create())
    refused = latecomer.post(url, follow=True)
    assert refused.status_code == 200
    with translation.override("zh-hans"):
        assert gettext("This payment is no longer waiting to be paid.") in refused.content.decode()
    assert Payment.objects.get(pk=payment.pk).payer_id == friend.pk
