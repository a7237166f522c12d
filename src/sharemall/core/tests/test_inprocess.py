"""The in-process transport answers the reserved sandbox host from this process's views."""

from __future__ import annotations

import pytest
import requests
from tests.factories import CategoryFactory

from sharemall.core import inprocess

pytestmark = pytest.mark.django_db


def test_a_sandbox_url_is_answered_by_the_view_in_process() -> None:
    CategoryFactory.create(name="茶具")
    answer = inprocess.session().get(f"{inprocess.SANDBOX_BASE}/api/v1/categories")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    assert [c["name"] for c in answer.json()] == ["茶具"]


def test_a_json_body_and_query_reach_the_view_and_unknown_paths_are_404() -> None:
    session = inprocess.session()
    refused = session.post(
        f"{inprocess.SANDBOX_BASE}/api/v1/auth/login?x=1", json={"phone": "1", "password": "x"}
    )
    assert refused.status_code in (400, 401)
    assert "error" in refused.json()
    assert session.get(f"{inprocess.SANDBOX_BASE}/no/such/page").status_code == 404


def test_other_hosts_are_not_answered_in_process() -> None:
    assert not inprocess.is_sandbox_url("http://127.0.0.1:8000/api/v1/categories")
    with pytest.raises(requests.ConnectionError):
        inprocess.session().get("http://sandbox.invalid.example.invalid/x", timeout=2)
