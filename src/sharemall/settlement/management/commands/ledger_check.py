from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sharemall.settlement.selectors import merchant_ledger_check
from sharemall.wallet.services import ledger_check, ledger_counts


class Command(BaseCommand):
    help = (
        "Check that the ledger balances, that cached balances equal their postings, and that "
        "merchant and order accounts agree with the orders."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # The ledger's own checks (wallet), then those of merchant settlement, which know
        # orders: the wallet sits below orders and cannot.
        problems = ledger_check() + merchant_ledger_check()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                _("The ledger has drifted: %(n)d problem(s) found.") % {"n": len(problems)}
            )
        transactions, postings = ledger_counts()
        self.stdout.write(
            _("ledger OK: %(transactions)d transactions, %(postings)d postings")
            % {"transactions": transactions, "postings": postings}
        )
