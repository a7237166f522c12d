"""The side table of segmented search text, and each database's own full-text index over it
(ADR 0008). The index lives outside the model state, so it is created with vendor-specific SQL."""

import django.db.models.deletion
from django.db import migrations, models

import sharemall.catalog.models

SQLITE_FORWARD = [
    # External content: FTS5 reads the words from catalog_productsearch and stores only the
    # index. Diacritics are kept, as PostgreSQL's `simple` configuration keeps them.
    """CREATE VIRTUAL TABLE catalog_product_fts USING fts5(
        title, body,
        content='catalog_productsearch', content_rowid='product_id',
        tokenize='unicode61 remove_diacritics 0'
    )""",
    # The `rank` column: bm25 with title words weighed 4:1 against the rest.
    "INSERT INTO catalog_product_fts(catalog_product_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0)')",
    # What queries join (the unmanaged ProductFts). The unary plus hides rowid from the join's
    # index planning: otherwise SQLite may loop over products and run the whole match again for
    # each one; this way it reads the matches once and finds each product by its primary key.
    """CREATE VIEW catalog_product_fts_hit AS
    SELECT +rowid AS product_id, catalog_product_fts AS fts, rank FROM catalog_product_fts""",
    """CREATE TRIGGER catalog_productsearch_fts_insert AFTER INSERT ON catalog_productsearch
    BEGIN
        INSERT INTO catalog_product_fts(rowid, title, body)
        VALUES (new.product_id, new.title, new.body);
    END""",
    """CREATE TRIGGER catalog_productsearch_fts_delete AFTER DELETE ON catalog_productsearch
    BEGIN
        INSERT INTO catalog_product_fts(catalog_product_fts, rowid, title, body)
        VALUES ('delete', old.product_id, old.title, old.body);
    END""",
    """CREATE TRIGGER catalog_productsearch_fts_update AFTER UPDATE ON catalog_productsearch
    BEGIN
        INSERT INTO catalog_product_fts(catalog_product_fts, rowid, title, body)
        VALUES ('delete', old.product_id, old.title, old.body);
        INSERT INTO catalog_product_fts(rowid, title, body)
        VALUES (new.product_id, new.title, new.body);
    END""",
]
SQLITE_BACKWARD = [
    "DROP VIEW IF EXISTS catalog_product_fts_hit",
    "DROP TRIGGER IF EXISTS catalog_productsearch_fts_update",
    "DROP TRIGGER IF EXISTS catalog_productsearch_fts_delete",
    "DROP TRIGGER IF EXISTS catalog_productsearch_fts_insert",
    "DROP TABLE IF EXISTS catalog_product_fts",
]
POSTGRESQL_FORWARD = [
    """ALTER TABLE catalog_productsearch ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title), 'A')
        || setweight(to_tsvector('simple'::regconfig, body), 'B')
    ) STORED""",
    "CREATE INDEX catalog_productsearch_vector_gin ON catalog_productsearch USING gin (search_vector)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS catalog_productsearch_vector_gin",
    "ALTER TABLE catalog_productsearch DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProductSearch",
            fields=[
                (
                    "product",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_text",
                        serialize=False,
                        to="catalog.product",
                    ),
                ),
                ("title", models.TextField()),
                ("body", models.TextField()),
            ],
            options={
                "verbose_name": "product search text",
                "verbose_name_plural": "product search texts",
            },
        ),
        # Unmanaged: the index each database builds, declared so that queries can join it.
        migrations.CreateModel(
            name="ProductFts",
            fields=[
                (
                    "product",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_fts",
                        serialize=False,
                        to="catalog.product",
                    ),
                ),
                ("fts", models.TextField()),
                ("rank", models.FloatField()),
            ],
            options={"db_table": "catalog_product_fts_hit", "managed": False},
        ),
        migrations.CreateModel(
            name="ProductTsvector",
            fields=[
                (
                    "product",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_tsvector",
                        serialize=False,
                        to="catalog.product",
                    ),
                ),
                ("vector", sharemall.catalog.models.TsvectorField(db_column="search_vector")),
            ],
            options={"db_table": "catalog_productsearch", "managed": False},
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
