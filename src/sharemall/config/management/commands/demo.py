from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "migrate + seed-demo + serve, on the configured (default SQLite) database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo")
        if settings.WECHAT_SANDBOX:
            self._wechat_verify_ticket()
        call_command("serve", host=options["host"], port=options["port"])

    def _wechat_verify_ticket(self) -> None:
        """WeChat pushes our component a verify ticket every ten minutes, and merchants can only
        connect their official accounts once one has come: the simulator sends one at start."""
        from sharemall.wechat_sim.push import PushRefused, push_component_ticket  # noqa: PLC0415

        try:
            delivery = push_component_ticket()
        except PushRefused as refused:
            self.stdout.write(f"  note: no WeChat verify ticket was pushed ({refused}).")
            return
        if delivery.push.status != HTTPStatus.OK:
            self.stdout.write(
                f"  note: the WeChat verify ticket was refused ({delivery.push.status})."
            )
