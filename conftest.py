"""Fixtures for the whole suite: a JSON API client and the cast of roles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
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
    from sharemall.core import versions  # noqa: PLC0415 - after Django is set up
    from sharemall.recommendations import serving  # noqa: PLC0415 - after Django is set up

    cache.clear()
    serving.forget()  # each test's database has its own model runs
    # The rollback after each test takes the version rows back too, so an entry cached under
    # a version could match again in the next test while its rows are gone; and a request
    # whose view raised into the test leaves its scope of cache versions behind.
    versions.forget_all()
    yield
    cache.clear()
    serving.forget()
    versions.forget_all()


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


# --- tests that start `sharemall` processes on their own SQLite file ------------------------------

SHAREMALL_COMMAND = str(Path(sys.executable).parent / "sharemall")


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file `sharemall migrate` made once per run. Tests that serve or run commands on
    a fresh database copy it (`fresh_sqlite_in`) instead of migrating again: every migration of
    every app on SQLite costs tens of seconds. It is made as an operator would, from nothing in
    an empty directory, and test_cli checks the commands that follow on a copy."""
    workdir = tmp_path_factory.mktemp("migrated")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    subprocess.run(  # noqa: S603 - our own command
        [SHAREMALL_COMMAND, "migrate", "-v0"],
        cwd=workdir,
        env={**env, "SECRET_KEY": "migrated-once"},
        check=True,
        timeout=300,
    )
    return workdir / "sharemall.db"


@pytest.fixture
def fresh_sqlite_in(migrated_sqlite: Path) -> Callable[[Path], Path]:
    """Puts a copy of the migrated file at <dir>/sharemall.db, where `sharemall` looks first."""

    def copy(directory: Path) -> Path:
        target = directory / "sharemall.db"
        shutil.copyfile(migrated_sqlite, target)
        return target

    return copy


# Under CI's two passes (CI_PASS=sqlite and CI_PASS=postgres, side by side) a test that never
# touches the suite's database (pure rules, the command line and live servers on their own SQLite
# file) would repeat the SQLite pass exactly on PostgreSQL: it runs in the SQLite pass only.
# Anywhere else (CI_PASS unset) every test runs.
_DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
)


def _touches_the_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") or item.get_closest_marker("postgres"):
        return True
    return not _DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


# Of those, the slowest (fresh processes migrating and serving their own SQLite files) run in
# the PostgreSQL pass instead, the shorter of the two, so both passes end about together.
_IN_THE_POSTGRES_PASS = ("tests/test_cli.py", "tests/test_cached_rules_live.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    run = os.environ.get("CI_PASS")
    if run not in {"sqlite", "postgres"}:
        return
    once = pytest.mark.skip(reason="never touches the database: it runs in the other pass")
    for item in items:
        if _touches_the_database(item):
            continue
        in_postgres_pass = item.nodeid.startswith(_IN_THE_POSTGRES_PASS)
        if in_postgres_pass != (run == "postgres"):
            item.add_marker(once)
