"""Product search with Chinese word segmentation (ADR 0008).

Chinese has no spaces between words, and neither SQLite's nor PostgreSQL's full-text parser
knows where its words end. So the text is segmented here, with jieba, into space-joined words;
`ProductSearch` keeps them, and each database builds its full-text index from those rows:
SQLite an FTS5 table that triggers keep in step, PostgreSQL a generated tsvector column with a
GIN index. A query is segmented the same way, and a product matches when it holds every word.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import batched
from pathlib import Path
from typing import Any

from django.db import connections, transaction
from django.db.models import F, FloatField, Func, Prefetch, QuerySet, Value

from sharemall.catalog.models import Product, ProductSearch, Sku

# A longer query is no better a search, only more work for the segmenter and the index.
MAX_QUERY_CHARS = 100
_BATCH = 500

# Han ideographs (the unified block, extension A, compatibility, extensions B-G) go to jieba;
# any other run of letters, and any run of digits, is one word as it stands. Splitting letters
# from digits lets "iPhone15" be found by "iphone" and "357g" by "357".
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_WORDS = re.compile(rf"(?P<han>[{_HAN}]+)|(?P<digits>\d+)|(?:(?![{_HAN}])[^\W\d_])+")

SQLITE_TABLE = "catalog_product_fts"

_tokenizer: Any = None
_tokenizer_lock = threading.Lock()


def _jieba_cache_dir() -> str:
    """A directory only this account can write. jieba unmarshals its cache file, and in the
    shared temp directory another local account could plant one."""
    directory = Path(tempfile.gettempdir()) / f"sharemall-jieba-{os.getuid()}"
    try:
        directory.mkdir(mode=0o700, exist_ok=True)
        status = directory.stat()
        if status.st_uid == os.getuid() and not status.st_mode & 0o077:
            return str(directory)
    except OSError:
        pass
    return tempfile.mkdtemp(prefix="sharemall-jieba-")


def _jieba() -> Any:
    """jieba's tokenizer, its dictionary loaded once per process (about a second, or a tenth
    of that from its cache file) on the first call rather than at import."""
    global _tokenizer  # noqa: PLW0603 - one dictionary per process is the point
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba  # noqa: PLC0415 - importing it costs 80 ms most processes never need

                # jieba logs its loading at DEBUG through a handler of its own: quieten it, and
                # let what remains (a cache it could not write) reach our log configuration.
                jieba_log = logging.getLogger("jieba")
                jieba_log.setLevel(logging.WARNING)
                for handler in list(jieba_log.handlers):
                    jieba_log.removeHandler(handler)
                tokenizer = jieba.Tokenizer()
                tokenizer.tmp_dir = _jieba_cache_dir()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def _words(text: str, *, characters: bool) -> Iterator[str]:
    normalised = unicodedata.normalize("NFKC", text).lower()
    for match in _WORDS.finditer(normalised):
        run = match.group()
        if not match.group("han"):
            yield run
        elif characters:
            yield from (w for w in _jieba().cut_for_search(run) if len(w) > 1)
            yield from run  # every character, the one-character words among them
        else:
            yield from (w for w in _jieba().cut_for_search(run) if w.strip())


def segment(text: str) -> list[str]:
    """The words of `text`, lower-cased and NFKC-normalised (full-width Latin and digits become
    ordinary ones), punctuation and symbols dropped. Chinese is cut in jieba's search mode, which
    gives a long word's shorter dictionary words as well, so "普洱熟茶" is found by "熟茶"."""
    return list(_words(text, characters=False))


def index_words(text: str) -> list[str]:
    """What a document is indexed under: its words, and each Chinese character on its own as
    well, so that a one-character query (茶, 锅, 壶) finds the longer words that hold it."""
    return list(_words(text, characters=True))


@dataclass(frozen=True)
class SearchDocument:
    """Space-joined words: the title's, weighted above the body's."""

    title: str
    body: str


def document_of(
    title: str, description: str, category_names: Sequence[str], sku_names: Sequence[str]
) -> SearchDocument:
    body = "\n".join([description, *category_names, *sku_names])
    return SearchDocument(" ".join(index_words(title)), " ".join(index_words(body)))


def search_document(product: Product) -> SearchDocument:
    """What a shopper can find the product by: its title, above its description, its category
    and that category's parent, and its options' names."""
    categories: list[str] = []
    category = product.category
    if category is not None:
        categories.append(category.name)
        if category.parent is not None:
            categories.append(category.parent.name)
    skus = [sku.name for sku in product.skus.all()]
    return document_of(product.title, product.description, categories, skus)


def index_products(product_ids: Iterable[int]) -> int:
    """Write the search text of these products as they are now in the database; call it in the
    transaction that changed them. Returns how many were indexed."""
    indexed = 0
    for chunk in batched(product_ids, _BATCH, strict=False):
        with transaction.atomic():
            # The lock queues two writers of one product (two SKUs added at once), so the later
            # reads the earlier's committed SKUs instead of overwriting its text with a stale
            # one. PostgreSQL needs it; SQLite's writers queue for the database anyway.
            products = (
                Product.objects.select_for_update(of=("self",))
                .filter(pk__in=chunk)
                .order_by("pk")
                .select_related("category__parent")
                .prefetch_related(Prefetch("skus", queryset=Sku.objects.order_by("position", "id")))
            )
            rows = []
            for product in products:
                document = search_document(product)
                rows.append(
                    ProductSearch(product=product, title=document.title, body=document.body)
                )
            # An upsert: the first indexing of a product inserts, every later one updates.
            ProductSearch.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["product"],
                update_fields=["title", "body"],
            )
        indexed += len(rows)
    return indexed


def index_product(product: Product) -> None:
    index_products([product.pk])


def reindex_all() -> int:
    """Rebuild every product's search text, and on SQLite the FTS5 index itself (in case its
    triggers were lost). Returns how many products were indexed."""
    indexed = index_products(list(Product.objects.order_by("pk").values_list("pk", flat=True)))
    connection = connections[ProductSearch.objects.db]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('rebuild')")  # noqa: S608
    return indexed


def query_words(query: str) -> list[str]:
    """The distinct words of a shopper's query, at most MAX_QUERY_CHARS of it."""
    return list(dict.fromkeys(segment(query[:MAX_QUERY_CHARS])))


def _fts5_query(words: Sequence[str]) -> str:
    # Each word a quoted string, so nothing a shopper types is read as FTS5 syntax (NEAR, OR,
    # *, column filters); quoted strings side by side must all match.
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def search_products(products: QuerySet[Product], query: str) -> QuerySet[Product]:
    """`products` narrowed to those holding every word of `query`, most relevant first (ties in
    the queryset's own order), demoted products after the rest; the relevance is annotated as
    `search_rank`, higher being better. A query with no words (only punctuation or symbols)
    matches nothing: there is nothing in the index it could have meant.

    The index is joined, not looked up per row in a subquery: SQLite evaluates an FTS5 match
    again for each outer row, which made a page of a 2,000-match search take seconds.
    """
    words = query_words(query)
    if not words:
        return products.none()
    if connections[products.db].vendor == "postgresql":
        text = " ".join(words)
        matching = products.filter(search_tsvector__vector__matches=text)
        # ts_rank counts weight A (title) 1.0 and weight B (the rest) 0.4.
        tsquery = Func(
            Value(text), template="plainto_tsquery('simple'::regconfig, %(expressions)s)"
        )
        relevance: Any = Func(
            F("search_tsvector__vector"), tsquery, function="ts_rank", output_field=FloatField()
        )
    else:
        matching = products.filter(search_fts__fts=_fts5_query(words))
        relevance = -F("search_fts__rank")  # bm25 is negative, the lowest the most relevant
    # Demoted products (docs/quality.md) follow every other match, most relevant first among
    # each; the queryset's own order breaks ties.
    own_order = [field for field in products.query.order_by if field != "demoted"]
    return matching.annotate(search_rank=relevance).order_by("demoted", "-search_rank", *own_order)
