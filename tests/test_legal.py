"""The user agreement and the privacy policy through the API: the current text is public,
operators publish new versions (history kept), members accept them."""

from __future__ import annotations

import pytest
from conftest import Api

from sharemall.accounts.models import Member
from sharemall.legal.models import Consent, LegalDocument
from tests.flows import register

pytestmark = pytest.mark.django_db


def test_the_current_text_is_public(api: Api) -> None:
    answer = api.get("/legal/privacy_policy")
    assert answer.status == 200
    assert answer.body["version"] == 1 and "第三十一条" in answer.body["body"]
    unknown = api.get("/legal/cookies")
    assert unknown.status == 400 and unknown.error_code == "invalid_input"


def test_operators_publish_versions_and_members_accept_them(api: Api, operator: Member) -> None:
    member_id, token = register(api, "13800138201")
    published = api.post(
        "/platform/legal/privacy_policy", {"title": "隐私政策", "body": "第二版。"}, as_=operator
    )
    assert published.status == 201 and published.body["version"] == 2
    assert api.get("/legal/privacy_policy").body["version"] == 2
    versions = [d["version"] for d in api.get("/platform/legal/privacy_policy", as_=operator).body]
    assert versions == [2, 1]
    assert LegalDocument.objects.get(kind="privacy_policy", version=1).body.startswith("本政策")

    accepted = api.post("/me/consents", as_=token)
    assert accepted.status == 200
    assert {(c["kind"], c["version"]) for c in accepted.body} == {
        ("privacy_policy", 2),
        ("user_agreement", 1),
    }
    assert Consent.objects.filter(member_id=member_id).count() == 3  # v1 ×2 at sign-up, v2


def test_an_empty_version_is_refused_and_writes_nothing(api: Api, operator: Member) -> None:
    answer = api.post(
        "/platform/legal/user_agreement", {"title": "用户协议", "body": "  "}, as_=operator
    )
    assert answer.status == 400 and answer.error_code == "invalid_body"
    assert (
        api.post(
            "/platform/legal/user_agreement", {"title": " ", "body": "x"}, as_=operator
        ).error_code
        == "invalid_title"
    )
    assert LegalDocument.objects.filter(kind="user_agreement").count() == 1
