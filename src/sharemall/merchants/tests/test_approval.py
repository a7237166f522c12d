"""An operator certifies only a complete application: every field and the licence image."""

from __future__ import annotations

import io

import pytest
from conftest import Api
from django.contrib.admin.sites import site
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import Client, RequestFactory
from PIL import Image
from tests.factories import merchant

from sharemall.accounts.models import Member
from sharemall.merchants import services
from sharemall.merchants.models import Merchant, MerchantEvent

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def _events(m: Merchant) -> list[str]:
    return list(MerchantEvent.objects.filter(merchant=m).values_list("to_status", flat=True))


def test_the_api_refuses_an_application_without_a_licence_image(api: Api, operator: Member) -> None:
    applicant = merchant(approved=False, licence=False)

    answer = api.post(f"/platform/merchants/{applicant.pk}/approve", as_=operator)

    assert (answer.status, answer.error_code) == (400, "application_incomplete")
    assert answer.body["error"]["details"] == {"missing": ["licence_image"]}
    applicant.refresh_from_db()
    assert applicant.status == "submitted"
    assert _events(applicant) == ["submitted"]


def test_the_api_refuses_an_application_missing_a_field(api: Api, operator: Member) -> None:
    applicant = merchant(approved=False)
    Merchant.objects.filter(pk=applicant.pk).update(legal_rep=" ", contact_phone="")

    answer = api.post(f"/platform/merchants/{applicant.pk}/approve", as_=operator)

    assert (answer.status, answer.error_code) == (400, "application_incomplete")
    assert answer.body["error"]["details"] == {"missing": ["legal_rep", "contact_phone"]}
    assert Merchant.objects.get(pk=applicant.pk).status == "submitted"


def test_a_complete_application_is_approved_once_its_licence_is_uploaded(
    api: Api, operator: Member
) -> None:
    applicant = merchant(approved=False, licence=False)
    services.licence_upload(applicant, _png())

    answer = api.post(f"/platform/merchants/{applicant.pk}/approve", as_=operator)

    assert (answer.status, answer.body) == (200, {"id": applicant.pk, "status": "approved"})
    assert _events(applicant) == ["submitted", "approved"]


def test_the_back_office_page_refuses_it_too(client: Client, operator: Member) -> None:
    applicant = merchant(approved=False, licence=False)
    client.force_login(operator)

    response = client.post(f"/platform/merchants/{applicant.pk}/approve", follow=True)

    assert response.status_code == 200
    assert "licence_image" in response.content.decode()
    assert Merchant.objects.get(pk=applicant.pk).status == "submitted"
    assert _events(applicant) == ["submitted"]


def test_the_admin_action_refuses_it_too(operator: Member) -> None:
    applicant = merchant(approved=False, licence=False)
    admin = site._registry[Merchant]
    request = RequestFactory().post("/admin/merchants/merchant/")
    request.user = operator
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]

    admin.approve(request, Merchant.objects.filter(pk=applicant.pk))  # type: ignore[attr-defined]

    assert Merchant.objects.get(pk=applicant.pk).status == "submitted"
