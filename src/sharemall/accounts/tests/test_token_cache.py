"""Bearer tokens kept per process: a known token costs one statement per request (the member row
with the cache versions), and a revoked token dies on the very next request, wherever it was
revoked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.factories import MemberFactory

from sharemall.accounts import services
from sharemall.accounts.models import ApiToken, Member
from sharemall.accounts.rules import hash_token
from sharemall.core import versions

pytestmark = pytest.mark.django_db


def _me(api: Api, token: str) -> int:
    return api.get("/me", as_=token).status


def _auth_statements(api: Api, token: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert _me(api, token) == 200
    return [q["sql"] for q in queries]


def test_a_known_token_costs_one_statement_that_reads_the_member_fresh(
    api: Api, member: Member
) -> None:
    token = services.token_issue(member)
    first = _auth_statements(api, token)
    # Unknown to the process: the token with its member and the versions, then the first touch.
    assert len(first) == 2
    assert "accounts_apitoken" in first[0] and "core_cacheversion" in first[0]
    assert first[1].startswith("UPDATE")
    again = _auth_statements(api, token)
    assert len(again) == 1
    assert "accounts_member" in again[0] and "core_cacheversion" in again[0]
    assert "accounts_apitoken" not in again[0]


def test_a_token_revoked_by_another_process_gets_401_at_once(api: Api, member: Member) -> None:
    token = services.token_issue(member)
    assert _me(api, token) == 200
    assert _me(api, token) == 200  # now served from this process's cache
    # Another worker revokes it: its own UPDATE and bump, committed, nothing through our cache.
    ApiToken.objects.filter(key_hash=hash_token(token)).update(revoked_at=timezone.now())
    versions.bump(versions.TOKENS)
    assert _me(api, token) == 401
    assert _me(api, token) == 401


def test_logout_kills_the_token_at_once_and_leaves_the_others(api: Api, member: Member) -> None:
    token, other = services.token_issue(member), services.token_issue(member)
    assert (_me(api, token), _me(api, other)) == (200, 200)
    assert api.post("/auth/logout", as_=token).status == 204
    assert (_me(api, token), _me(api, other)) == (401, 200)


def test_logout_everywhere_kills_every_cached_token(api: Api, member: Member) -> None:
    tokens = [services.token_issue(member) for _ in range(3)]
    assert [_me(api, t) for t in tokens] == [200, 200, 200]
    assert api.post("/auth/logout-everywhere", as_=tokens[0]).status == 204
    assert [_me(api, t) for t in tokens] == [401, 401, 401]


def test_the_member_is_never_cached(api: Api, member: Member) -> None:
    """Deactivated by a plain UPDATE that bumps nothing: still refused on the next request,
    because the member row is read with every request."""
    token = services.token_issue(member)
    assert _me(api, token) == 200
    Member.objects.filter(pk=member.pk).update(is_active=False)
    assert _me(api, token) == 401
    Member.objects.filter(pk=member.pk).update(is_active=True, nickname="Renamed")
    answer = api.get("/me", as_=token)
    assert (answer.status, answer.body["nickname"]) == (200, "Renamed")


def test_a_deleted_member_is_refused_at_once(api: Api) -> None:
    member = MemberFactory.create()
    token = services.token_issue(member)
    assert _me(api, token) == 200
    Member.objects.filter(pk=member.pk).delete()  # its tokens go with it; nothing is bumped
    assert _me(api, token) == 401


def test_a_suspended_member_is_refused_at_once(api: Api, member: Member) -> None:
    token = services.token_issue(member)
    assert _me(api, token) == 200
    assert services.member_suspend(member)
    assert _me(api, token) == 401


def _clock_at(monkeypatch: Any, moment: Any) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_cached_token_still_expires(
    api: Api, member: Member, settings: Any, monkeypatch: Any
) -> None:
    settings.API_TOKEN_TTL_DAYS = 1
    token = services.token_issue(member)
    assert _me(api, token) == 200
    assert _me(api, token) == 200
    _clock_at(monkeypatch, timezone.now() + timedelta(days=1, seconds=1))
    assert _me(api, token) == 401


def test_last_used_is_touched_at_most_once_a_minute(
    api: Api, member: Member, monkeypatch: Any
) -> None:
    token = services.token_issue(member)
    row = ApiToken.objects.filter(key_hash=hash_token(token))
    assert _me(api, token) == 200
    touched = row.get().last_used_at
    assert touched is not None
    assert len(_auth_statements(api, token)) == 1  # within the minute: no write
    later = timezone.now() + timedelta(minutes=2)
    _clock_at(monkeypatch, later)
    statements = _auth_statements(api, token)
    assert len(statements) == 2 and statements[1].startswith("UPDATE")
    assert row.get().last_used_at == later
    assert len(_auth_statements(api, token)) == 1


def test_the_caller_sees_when_and_with_which_device_the_token_was_issued(
    api: Api, member: Member
) -> None:
    token = services.token_issue(member, device="wx:abc")
    issued = ApiToken.objects.get(key_hash=hash_token(token))
    for _ in range(2):  # unknown, then cached
        with versions.scope():
            found = services.token_authenticate(token)
        assert found is not None
        assert (found.pk, found.authenticated_at, found.token_device) == (
            member.pk,
            issued.created_at,
            "wx:abc",
        )


def test_outside_a_request_every_check_reads_the_token(member: Member) -> None:
    token = services.token_issue(member)
    assert services.token_authenticate(token) == member
    ApiToken.objects.filter(key_hash=hash_token(token)).update(revoked_at=timezone.now())
    assert services.token_authenticate(token) is None  # no bump needed: nothing was kept
