from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from sharemall.catalog.search import reindex_all


class Command(BaseCommand):
    help = (
        "Rebuild the product search index: after a change to the segmentation, an upgrade of "
        "jieba, or a category renamed outside the back office."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # A transaction per batch inside: a big catalogue never holds SQLite's write lock long.
        count = reindex_all()
        self.stdout.write(
            ngettext(
                "Search index rebuilt: %(n)d product.",
                "Search index rebuilt: %(n)d products.",
                count,
            )
            % {"n": count}
        )
