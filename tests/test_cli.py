"""The `sharemall` command as an operator runs it: a fresh process, configured by environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

SHAREMALL = str(Path(sys.executable).parent / "sharemall")


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [SHAREMALL, *args],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_secret_key_is_required_without_debug(tmp_path: Path) -> None:
    result = run(["check"], tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "SQLite or PostgreSQL"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"AUTH_THROTTLE": "sometimes"}, "AUTH_THROTTLE must be one of"),
        ({"SANDBOX_PAYMENTS": "2"}, "SANDBOX_PAYMENTS must be one of"),
        ({"PHONE_VERIFICATION": "later"}, "PHONE_VERIFICATION must be one of"),
        ({"SMS_BACKEND": "pigeon"}, "SMS_BACKEND must be sandbox, aliyun or tencent"),
        # A real SMS backend without its settings stops the process, naming what is missing.
        ({"SMS_BACKEND": "aliyun"}, "ALIYUN_SMS_ACCESS_KEY_ID"),
        ({"SMS_BACKEND": "tencent"}, "TENCENT_SMS_SDK_APP_ID"),
    ],
)
def test_bad_configuration_fails_loudly_at_start(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = run(["check"], tmp_path, SECRET_KEY="k", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_migrate_operator_and_jobs_on_a_fresh_sqlite_file(
    tmp_path: Path, migrated_sqlite: Path, fresh_sqlite_in: Callable[[Path], Path]
) -> None:
    # The session's file is `sharemall migrate` run from nothing in an empty directory, as an
    # operator would (conftest.migrated_sqlite: it fails the run if migrate fails); migrating
    # a second file from nothing here cost this pass close to a minute.
    assert migrated_sqlite.name == "sharemall.db"  # the default: a file in the working directory
    fresh_sqlite_in(tmp_path)
    made = run(
        ["create-operator", "--phone", "13800000099", "--password", "Op-pass-2026"],
        tmp_path,
        SECRET_KEY="k",
    )
    assert made.returncode == 0, made.stderr
    assert "13800000099" in made.stdout
    weak = run(
        ["create-operator", "--phone", "13800000098", "--password", "123"], tmp_path, SECRET_KEY="k"
    )
    assert weak.returncode != 0
    jobs = run(["run-due-jobs", "--now", "2026-11-22T10:00:00+08:00"], tmp_path, SECRET_KEY="k")
    assert jobs.returncode == 0, jobs.stderr
    assert json.loads(jobs.stdout)["now"] == "2026-11-22T10:00:00+08:00"
    bad = run(["run-due-jobs", "--now", "yesterday"], tmp_path, SECRET_KEY="k")
    assert bad.returncode != 0
    assert "ISO-8601" in bad.stderr
    once = run(["worker", "--once"], tmp_path, SECRET_KEY="k")
    assert once.returncode == 0, once.stderr
    assert "worker stopped" in once.stdout


def _free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_pages_api_and_static_files(
    tmp_path: Path, fresh_sqlite_in: Callable[[Path], Path]
) -> None:
    import time  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    fresh_sqlite_in(tmp_path)
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    server = subprocess.Popen(
        [SHAREMALL, "serve", "--port", str(port), "--workers", "1"],
        cwd=tmp_path,
        env={**env, "SECRET_KEY": "k"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # a loaded machine may take a while to start the server
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        home = urllib.request.urlopen(base + "/", timeout=5)
        assert home.status == 200
        assert "Content-Security-Policy" in home.headers
        schema = json.load(urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=5))
        assert "/api/v1/merchants" in schema["paths"]
        css = urllib.request.urlopen(base + "/static/web/site.css", timeout=5)
        assert css.status == 200
    except Exception:
        if log.exists():
            print(log.read_text())  # noqa: T201 - the server's own account of the failure
        raise
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_demo_hands_out_links_to_the_address_it_serves_on() -> None:
    from sharemall.cli import _served_at  # noqa: PLC0415

    assert _served_at([]) == "http://127.0.0.1:8000"
    assert _served_at(["--port", "8011"]) == "http://127.0.0.1:8011"
    assert _served_at(["--host=0.0.0.0", "--port=9000"]) == "http://127.0.0.1:9000"
    assert _served_at(["--host", "192.168.1.5"]) == "http://192.168.1.5:8000"
