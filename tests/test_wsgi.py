"""The served WSGI application never hands the process environment to a request."""

from __future__ import annotations

from typing import Any

from sharemall.config.wsgi import without_process_environment


def test_process_variables_are_removed_from_the_request_environ() -> None:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ)
        return [b""]

    wrapped = without_process_environment(app, ["DATABASE_URL", "SECRET_KEY", "PATH_INFO"])
    wrapped(
        {
            "DATABASE_URL": "postgres://u:secret@db/x",
            "SECRET_KEY": "k",
            "PATH_INFO": "/s/abc",
            "HTTP_HOST": "example.com",
            "REQUEST_METHOD": "GET",
        },
        lambda *a: None,
    )
    assert "DATABASE_URL" not in seen and "SECRET_KEY" not in seen
    assert seen["PATH_INFO"] == "/s/abc"
    assert seen["HTTP_HOST"] == "example.com"
