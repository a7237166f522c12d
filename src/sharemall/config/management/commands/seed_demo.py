from typing import Any

from django.core.management.base import BaseCommand

from sharemall.demo.seed import seed_demo


class Command(BaseCommand):
    help = "Fill the database with demo merchants, stores, products, members (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = seed_demo()
        for line in summary:
            self.stdout.write(line)
