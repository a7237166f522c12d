"""Fixtures for the whole suite: a JSON API client and the cast of roles."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from tests.factories import MemberFactory, OperatorFactory

from sharemall.accounts.models import Member
from sharemall.accounts.services import token_issue


@dataclass
class Answer:
    status: int
    body: Any

    @property
    def error_code(self) -> str | None:
        if isinstance(self.body, dict) and "error" in self.body:
            return str(self.body["error"]["code"])
        return None


class Api:
    """Calls /api/v1 as a client app would: JSON bodies and a bearer token."""

    def __init__(self) -> None:
        self.client = Client()

    def call(
        self,
        method: str,
        path: str,
        *,
        as_: Member | str | None = None,
        json_body: Any = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Answer:
        extra: dict[str, str] = dict(headers or {})
        if isinstance(as_, Member):
            extra["Authorization"] = f"Bearer {token_issue(as_)}"
        elif isinstance(as_, str):
            extra["Authorization"] = f"Bearer {as_}"
        url = "/api/v1" + path
        fn = getattr(self.client, method.lower())
        if data is not None:  # multipart
            response = fn(url, data=data, headers=extra)
        elif raw is not None:
            response = fn(url, data=raw, content_type="application/json", headers=extra)
        elif json_body is not None or method.upper() in {"POST", "PUT", "PATCH"}:
            response = fn(
                url,
                data=json.dumps(json_body if json_body is not None else {}),
                content_type="application/json",
                headers=extra,
            )
        else:
            response = fn(url, headers=extra)
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.content
        return Answer(response.status_code, body)

    def get(self, path: str, **kw: Any) -> Answer:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Answer:
        return self.call("POST", path, json_body=body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Answer:
        return self.call("PUT", path, json_body=body, **kw)

    def delete(self, path: str, **kw: Any) -> Answer:
        return self.call("DELETE", path, **kw)


@pytest.fixture
def api(db: None) -> Api:
    return Api()


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(tmp_path: Any, settings: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def member(db: None) -> Member:
    return MemberFactory.create()


@pytest.fixture
def operator(db: None) -> Member:
    return OperatorFactory.create()


_ = settings  # keep the import: pytest-django's `settings` fixture shadows it in signatures
