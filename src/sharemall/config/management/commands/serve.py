import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from granian import Granian
from granian.constants import Interfaces

# The served application: Django behind the share-click fast path (config/wsgi.py).
TARGET = "sharemall.config.wsgi:application"
# How long a stopping worker may take to finish its requests and write the share clicks it has
# buffered before it is killed.
GRACE_SECONDS = 20


class Command(BaseCommand):
    help = "Serve pages, static files and the API with granian (a production-grade server)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "0"))
        )
        parser.add_argument(
            "--threads", type=int, default=4, help="requests each worker runs at once"
        )
        parser.add_argument(
            "--no-access-log",
            dest="access_log",
            action="store_false",
            help="leave request logging to the proxy in front (it costs each request a little)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Each worker runs Python on one core at a time; threads overlap database waits.
        workers = options["workers"] or os.cpu_count() or 1
        self.stdout.write(
            f"ShareMall serving on http://{options['host']}:{options['port']} "
            f"({workers} workers × {options['threads']} threads)"
        )
        self.stdout.flush()
        Granian(
            TARGET,
            address=options["host"],
            port=options["port"],
            interface=Interfaces.WSGI,
            workers=workers,
            blocking_threads=options["threads"],
            log_access=options["access_log"],
            workers_kill_timeout=GRACE_SECONDS,
        ).serve()
