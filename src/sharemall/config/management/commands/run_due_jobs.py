import json
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sharemall.config.jobs import all_jobs, run_due_jobs


def parse_now(raw: str | None) -> datetime:
    if not raw:
        return timezone.now()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise CommandError(
            f"--now must be an ISO-8601 time, e.g. 2026-11-22T10:00:00+08:00; got {raw!r}"
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Run every periodic job that is due at --now (default: the clock). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO-8601 time to treat as now")

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_now(options.get("now"))
        results = run_due_jobs(now)
        self.stdout.write(
            json.dumps(
                {"now": now.isoformat(), "jobs": results, "known": [j.name for j in all_jobs()]}
            )
        )
