"""The pages of terms, consent and personal-data rights: the public documents, the consent box
on the register page, download my data and close my account, and the back office's versions."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from tests.factories import PASSWORD, MemberFactory, OperatorFactory, merchant

from sharemall.accounts.models import Member
from sharemall.legal import services as legal
from sharemall.legal.models import Consent, LegalDocument

pytestmark = pytest.mark.django_db


def _csrf(client: Client, path: str) -> str:
    client.get(path)
    return client.cookies["csrftoken"].value


def test_the_documents_are_public_pages() -> None:
    client = Client(headers={"accept-language": "zh-hans"})
    agreement = client.get("/legal/user-agreement")
    assert agreement.status_code == 200
    assert "用户协议" in agreement.content.decode()
    policy = client.get("/legal/privacy").content.decode()
    assert "电子商务法" in policy and "第三十一条" in policy
    assert client.get("/legal/nothing").status_code == 404
    assert client.get("/legal/privacy?version=99").status_code == 404


def test_the_register_page_needs_the_consent_box(client: Client) -> None:
    page = client.get("/register/").content.decode()
    assert 'name="accept_terms"' in page
    assert "/legal/user-agreement" in page and "/legal/privacy" in page
    token = _csrf(client, "/register/")
    body = {
        "phone": "13800138055",
        "nickname": "Xiao",
        "password": "Tea-and-2-biscuits",
        "csrfmiddlewaretoken": token,
    }
    refused = client.post("/register/", body)
    assert refused.status_code == 200
    assert not Member.objects.filter(phone="13800138055").exists()

    assert client.post("/register/", {**body, "accept_terms": "on"}).status_code == 302
    member = Member.objects.get(phone="13800138055")
    assert set(Consent.objects.filter(member=member).values_list("kind", "version")) == {
        ("user_agreement", 1),
        ("privacy_policy", 1),
    }


def test_download_my_data_is_a_json_file() -> None:
    member = MemberFactory.create()
    client = Client()
    client.force_login(member)
    response = client.get("/me/settings/export")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["profile"]["phone"] == member.phone
    assert Client().get("/me/settings/export").status_code == 302  # to log in


def test_the_settings_page_links_to_the_rights() -> None:
    client = Client()
    client.force_login(MemberFactory.create())
    page = client.get("/me/settings").content.decode()
    assert "/me/settings/export" in page and "/me/settings/close" in page


def test_closing_on_the_page_signs_out_and_the_old_session_is_dead() -> None:
    member = MemberFactory.create()
    client = Client()
    client.force_login(member)
    page = client.get("/me/settings/close").content.decode()
    assert "data-confirm" in page
    token = client.cookies["csrftoken"].value
    wrong = client.post("/me/settings/close", {"password": "nope", "csrfmiddlewaretoken": token})
    assert wrong.status_code == 200
    member.refresh_from_db()
    assert member.is_active

    other = Client()
    other.force_login(member)  # a second device, signed in before closing
    done = client.post("/me/settings/close", {"password": PASSWORD, "csrfmiddlewaretoken": token})
    assert done.status_code == 302
    assert SESSION_KEY not in client.session
    member.refresh_from_db()
    assert not member.is_active
    assert other.get("/me/settings").status_code == 302  # that session ended too


def test_a_shop_owner_sees_why_closing_is_refused() -> None:
    shop = merchant()
    client = Client()
    client.force_login(shop.owner)
    token = _csrf(client, "/me/settings/close")
    page = client.post("/me/settings/close", {"password": PASSWORD, "csrfmiddlewaretoken": token})
    assert page.status_code == 200
    assert "请先将店铺转交他人" in page.content.decode()


def test_operators_publish_a_new_version_and_keep_the_old() -> None:
    operator = OperatorFactory.create()
    client = Client()
    client.force_login(operator)
    assert client.get("/platform/legal").status_code == 200
    token = client.cookies["csrftoken"].value
    answer = client.post(
        "/platform/legal",
        {
            "kind": "privacy_policy",
            "title": "隐私政策（第二版）",
            "body": "第一段。\n\n第二段 <script>x</script>",
            "csrfmiddlewaretoken": token,
        },
    )
    assert answer.status_code == 302
    versions = list(
        LegalDocument.objects.filter(kind="privacy_policy").values_list("version", flat=True)
    )
    assert sorted(versions) == [1, 2]
    page = Client().get("/legal/privacy").content.decode()
    assert "第二段" in page and "<script>x" not in page
    assert "电子商务法" in Client().get("/legal/privacy?version=1").content.decode()


def test_the_legal_back_office_is_for_operators_only() -> None:
    client = Client()
    client.force_login(MemberFactory.create())
    assert client.get("/platform/legal").status_code == 404


def test_a_new_policy_version_is_shown_on_me_until_accepted() -> None:
    member = MemberFactory.create()
    legal.consent_record(member)
    client = Client()
    client.force_login(member)
    assert "me/consent" not in client.get("/me").content.decode()

    legal.document_publish(
        kind="privacy_policy", title="隐私政策（第二版）", body="新的内容。", actor=member
    )
    page = client.get("/me").content.decode()
    assert "me/consent" in page and "隐私政策（第二版）" in page
    token = client.cookies["csrftoken"].value
    assert client.post("/me/consent", {"csrfmiddlewaretoken": token}).status_code == 302
    assert Consent.objects.filter(member=member, kind="privacy_policy", version=2).exists()
    assert "me/consent" not in client.get("/me").content.decode()
    assert client.get("/me/consent").status_code == 405


def test_a_member_without_a_password_closes_with_a_texted_code() -> None:
    member = MemberFactory.create()
    member.set_unusable_password()
    member.save()
    client = Client()
    client.force_login(member)
    page = client.get("/me/settings/close").content.decode()
    assert 'name="sms_code"' in page and 'data-sms-purpose="login"' in page
    assert 'name="password"' not in page
    assert f'name="phone" value="{member.phone}"' in page
