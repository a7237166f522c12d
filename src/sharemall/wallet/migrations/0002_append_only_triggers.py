"""The database itself refuses to change or remove ledger history, whoever asks.

The ORM already refuses; these triggers also stop raw SQL, a shell, a careless data migration.
PostgreSQL's TRUNCATE is left alone (it fires no row triggers): it is what the test runner's
flush uses there, and no application code path issues it.
"""

from django.db import migrations

TABLES = ("wallet_ledgertransaction", "wallet_posting")

SQLITE_FORWARD = [
    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
    for table in TABLES
    for op in ("UPDATE", "DELETE")
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {table}_no_{op.lower()}"
    for table in TABLES
    for op in ("UPDATE", "DELETE")
]

POSTGRESQL_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION wallet_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
    END;
    $$
    """,
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION wallet_refuse_change()"
        for table in TABLES
    ),
]
POSTGRESQL_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS wallet_refuse_change()",
]

FORWARD = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}
REVERSE = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}


def _run(statements_by_vendor, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements_by_vendor:
        raise NotImplementedError(f"no append-only triggers written for {vendor}")
    for sql in statements_by_vendor[vendor]:
        schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor):
    _run(FORWARD, schema_editor)


def drop_triggers(apps, schema_editor):
    _run(REVERSE, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("wallet", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
