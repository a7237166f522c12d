"""The `sharemall` command: our subcommands (hyphenated) plus every Django management command."""

from __future__ import annotations

import os
import secrets
import sys

OURS = {
    "create-operator",
    "seed-demo",
    "run-due-jobs",
    "serve",
    "demo",
    "worker",
    "ledger-check",
    "reindex-search",
    "train-recommendations",
}


def _served_at(options: list[str]) -> str:
    """http://host:port from `demo [--host H] [--port P]` (its defaults: 127.0.0.1:8000)."""
    found = {"--host": "127.0.0.1", "--port": "8000"}
    for i, option in enumerate(options):
        name, _, value = option.partition("=")
        if name in found:
            found[name] = value or (options[i + 1] if i + 1 < len(options) else found[name])
    host = found["--host"]
    if host in {"0.0.0.0", "::"}:  # noqa: S104 - reading the option, not binding
        host = "127.0.0.1"
    return f"http://{host}:{found['--port']}"


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharemall.config.settings")
    if args and args[0] == "demo":
        # The demo is for trying ShareMall on one machine: sandbox payments and text messages
        # on, and a throwaway secret key unless the caller set one.
        os.environ.setdefault("SANDBOX_PAYMENTS", "1")
        os.environ.setdefault("SMS_BACKEND", "sandbox")
        os.environ.setdefault("WECHAT_SANDBOX", "1")
        os.environ.setdefault("SECRET_KEY", "demo-" + secrets.token_urlsafe(40))
        # Links the demo hands out (share links, WeChat's OAuth return address) point at the
        # address it serves on.
        os.environ.setdefault("PUBLIC_BASE_URL", _served_at(args[1:]))
    if args and args[0] in OURS:
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line  # noqa: PLC0415 - after env

    execute_from_command_line(["sharemall", *args])


if __name__ == "__main__":
    main()
