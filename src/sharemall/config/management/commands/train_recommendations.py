import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sharemall.config.management.commands.run_due_jobs import parse_now
from sharemall.recommendations.services import model_train


class Command(BaseCommand):
    help = (
        "Train the recommendation model and the SKU quality verdicts now (run-due-jobs does it "
        "when the mall changed). --force trains even when nothing changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO-8601 time to treat as now")
        parser.add_argument("--force", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        run = model_train(parse_now(options.get("now")), force=options["force"])
        if run is None:
            self.stdout.write(json.dumps({"trained": False, "reason": "nothing changed"}))
            return
        self.stdout.write(
            json.dumps(
                {
                    "trained": True,
                    "model": run.pk,
                    "members": run.members,
                    "products": run.products,
                    "interactions": run.interactions,
                    "seconds": round(run.seconds, 3),
                }
            )
        )
