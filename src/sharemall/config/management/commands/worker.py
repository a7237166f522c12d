import json
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from sharemall.config.jobs import run_due_jobs


class Command(BaseCommand):
    help = "The background worker: runs the due periodic jobs every --interval seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=30.0)
        parser.add_argument("--once", action="store_true", help="run one round and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def _stop(signum: int, frame: object) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        self.stdout.write("worker started")
        while not stop.is_set():
            close_old_connections()
            try:
                results = run_due_jobs(timezone.now())
                if any(results.values()):
                    self.stdout.write(
                        json.dumps({"at": timezone.now().isoformat(), "jobs": results})
                    )
            except Exception as exc:  # a failing sweep is retried next round, never kills the loop
                self.stderr.write(f"job round failed: {exc!r}")
            if options["once"]:
                break
            stop.wait(options["interval"])
        self.stdout.write("worker stopped")
