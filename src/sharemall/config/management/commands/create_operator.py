from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sharemall.accounts.services import operator_create
from sharemall.core.errors import DomainError


class Command(BaseCommand):
    help = "Create a platform operator (or make an existing member one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--phone", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--nickname", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            member = operator_create(
                phone=options["phone"], password=options["password"], nickname=options["nickname"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"operator {member.phone} (id {member.pk}) is ready")
