"""Product search (catalog/search.py) as the rest of ShareMall uses it: the demo mall, and the
`sharemall reindex-search` command line. Here because the catalogue app may not import either."""

from __future__ import annotations

import pytest
from django.core import management

from sharemall import cli
from sharemall.catalog import search, selectors
from sharemall.demo import data
from sharemall.demo.seed import seed_demo

pytestmark = pytest.mark.django_db


def titles(query: str) -> list[str]:
    return [p.title for p in search.search_products(selectors.visible_products(None), query)]


def test_demo_products_are_searchable() -> None:
    seed_demo()
    every_title = {p.title for m in data.MERCHANTS for p in m.products}
    assert "云南普洱熟茶饼 357g" in every_title
    assert "青禾 清透防晒乳 SPF50+ PA++++" in every_title

    assert titles("普洱") == ["云南普洱熟茶饼 357g"]
    assert titles("防晒") == ["青禾 清透防晒乳 SPF50+ PA++++"]
    assert titles("SPF50+") == ["青禾 清透防晒乳 SPF50+ PA++++"]
    brand = [p.title for m in data.MERCHANTS for p in m.products if p.title.startswith("青禾")]
    assert sorted(titles("青禾")) == sorted(brand)


def test_sharemall_reindex_search_subcommand_runs_the_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Not run for real: Django closes the database connection after a command line.
    ran: list[list[str]] = []
    monkeypatch.setattr(management, "execute_from_command_line", ran.append)

    cli.main(["reindex-search"])

    assert ran == [["sharemall", "reindex_search"]]
