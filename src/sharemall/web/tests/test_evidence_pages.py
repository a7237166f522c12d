"""Photos as evidence on the pages of everyone who decides: the buyer sends them with the request
and with the escalation, the merchant sees the request's, the operator sees both."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.factories import MemberFactory, OperatorFactory

from sharemall.accounts.models import Member
from sharemall.aftersales import services as aftersale_services
from sharemall.aftersales.models import AfterSale, Dispute, DisputePhoto
from sharemall.orders.models import Order
from sharemall.web.tests.support import browser, image_bytes, order_in, page, png

pytestmark = pytest.mark.django_db

THUMB = re.compile(
    r'<li class="photo-cell"><a href="(/media/[^"]+)"[^>]*><img src="(/media/[^"]+/thumbs/[^"]+)"'
    r' alt="([^"]+)"'
)


def request_with_photos(photos: int = 2) -> tuple[AfterSale, Member, Order]:
    buyer = MemberFactory.create()
    order = order_in(buyer, "shipped")
    aftersale = aftersale_services.aftersale_request(
        buyer=buyer,
        order=order,
        kind="refund",
        lines=[(order.lines.get().pk, 1)],
        reason="Cracked lid",
        photos=[image_bytes() for _ in range(photos)],
    )
    return aftersale, buyer, order


def test_the_merchant_sees_the_buyers_photos_to_decide() -> None:
    aftersale, _buyer, order = request_with_photos(2)

    body = page(browser(order.merchant.owner), f"/merchant/aftersales/{aftersale.pk}")

    cells = THUMB.findall(body)
    assert len(cells) == 2
    assert all(full.startswith("/media/aftersales/") for full, _thumb, _alt in cells)
    assert [alt for _f, _t, alt in cells] == [
        "The buyer's photos: photo 1",
        "The buyer's photos: photo 2",
    ]
    assert "/static/web/upload.css" in body  # the grid's look


def test_the_buyer_escalates_with_photos_and_the_operator_sees_both_sets() -> None:
    aftersale, buyer, order = request_with_photos(1)
    aftersale_services.aftersale_reject(aftersale, actor=order.merchant.owner, reason="No")
    client = browser(buyer)

    before = page(client, f"/aftersales/{aftersale.pk}")
    escalate = before[before.index('id="escalate-form"') - 200 :]
    assert 'enctype="multipart/form-data"' in escalate[:400]
    assert 'data-upload data-max="9"' in escalate

    sent = client.post(
        f"/aftersales/{aftersale.pk}/escalate",
        {"statement": "The box was crushed", "photos": [png(), png(), png()]},
    )

    assert sent.status_code == 302
    dispute = Dispute.objects.get()
    assert DisputePhoto.objects.filter(dispute=dispute).count() == 3
    mine = page(client, f"/aftersales/{aftersale.pk}")
    assert len(THUMB.findall(mine)) == 4  # the request's one and the dispute's three
    assert "Your photos for the platform: photo 3" in mine

    desk = browser(OperatorFactory.create())
    ruling = page(desk, f"/platform/disputes/{dispute.pk}")
    cells = THUMB.findall(ruling)
    assert len(cells) == 4
    assert sum(full.startswith("/media/disputes/") for full, _t, _a in cells) == 3
    assert "The buyer's photos with the request: photo 1" in ruling
    assert "The buyer's photos for the platform: photo 3" in ruling
    # The merchant sees what the buyer told the platform, too.
    shop = page(browser(order.merchant.owner), f"/merchant/aftersales/{aftersale.pk}")
    assert len(THUMB.findall(shop)) == 4


def test_a_bad_photo_keeps_the_escalation_on_the_page_and_writes_nothing() -> None:
    aftersale, buyer, order = request_with_photos(0)
    aftersale_services.aftersale_reject(aftersale, actor=order.merchant.owner, reason="No")
    fake = SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")

    answer = browser(buyer).post(
        f"/aftersales/{aftersale.pk}/escalate",
        {"statement": "The box was crushed", "photos": [png(), fake]},
    )

    assert answer.status_code == 200
    body = answer.content.decode()
    assert 'href="#upload-photos"' in body  # the summary points at the photos
    assert "Photo 2:" in body
    assert "The box was crushed</textarea>" in body  # what was typed comes back
    assert not Dispute.objects.exists()
    assert AfterSale.objects.get(pk=aftersale.pk).status == "rejected"
