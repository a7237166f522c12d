"""Applying with a licence photo, and sending a corrected application again: all or nothing."""

import io

import pytest
from PIL import Image
from tests.factories import MemberFactory, merchant, phone, valid_uscc

from sharemall.core.errors import DomainError
from sharemall.merchants import rules, services
from sharemall.merchants.models import Merchant, MerchantEvent

pytestmark = pytest.mark.django_db


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def fields() -> dict[str, str]:
    return {
        "legal_name": "深圳市好物分享科技有限公司",
        "uscc": valid_uscc(),
        "legal_rep": "李四",
        "contact_phone": phone(),
    }


def test_an_application_with_its_licence_photo_is_sent_for_review() -> None:
    owner = MemberFactory.create()

    made = services.merchant_apply_with_licence(owner=owner, licence=png(), **fields())

    made.refresh_from_db()
    assert made.status == rules.SUBMITTED
    assert str(made.licence_image.name).endswith(".png")


def test_a_refused_licence_photo_leaves_no_application_behind() -> None:
    owner = MemberFactory.create()

    with pytest.raises(DomainError):
        services.merchant_apply_with_licence(owner=owner, licence=b"<script>", **fields())

    assert not Merchant.objects.filter(owner=owner).exists()


def test_a_rejected_application_is_corrected_and_sent_again() -> None:
    owner = MemberFactory.create()
    operator = MemberFactory.create(is_operator=True)
    rejected = merchant(owner, approved=False)
    services.merchant_reject(rejected, operator=operator, reason="模糊")

    sent = services.merchant_resubmit(rejected, actor=owner, licence=png(), legal_rep="王五")

    sent.refresh_from_db()
    assert (sent.status, sent.legal_rep) == (rules.SUBMITTED, "王五")
    assert str(sent.licence_image.name).endswith(".png")


def test_a_refused_photo_keeps_the_correction_and_the_status_unchanged() -> None:
    owner = MemberFactory.create()
    operator = MemberFactory.create(is_operator=True)
    rejected = merchant(owner, approved=False)
    services.merchant_reject(rejected, operator=operator, reason="模糊")
    events = MerchantEvent.objects.filter(merchant=rejected).count()

    with pytest.raises(DomainError):
        services.merchant_resubmit(rejected, actor=owner, licence=b"<script>", legal_rep="王五")

    rejected.refresh_from_db()
    assert (rejected.status, rejected.legal_rep) == (rules.REJECTED, "张三")
    assert MerchantEvent.objects.filter(merchant=rejected).count() == events
