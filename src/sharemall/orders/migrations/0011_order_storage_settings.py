"""PostgreSQL storage settings for the order tables (docs/schema.md); nothing on SQLite.

fillfactor leaves room on each page, so an update that changes no indexed column (after-sales
counts, refunded totals, holds, line claims) can keep the new row version on its page: a HOT
update, with no index entry to write. It applies to pages written from now on; `VACUUM FULL`
or pg_repack rewrites old ones. Every status change is a new row version in the indexes (status
is indexed), so dead versions come at four or five per order: autovacuum runs after 2 % of the
rows changed instead of 20 %, and analyze after 1 %, so the sweeps' partial indexes keep true
statistics as orders move through their states.
"""

from django.db import migrations

from sharemall.core.migrations_util import StorageSettings

SETTINGS = {
    "orders_order": {
        "fillfactor": "85",
        "autovacuum_vacuum_scale_factor": "0.02",
        "autovacuum_analyze_scale_factor": "0.01",
    },
    "orders_orderline": {
        "fillfactor": "90",
        "autovacuum_vacuum_scale_factor": "0.05",
        "autovacuum_analyze_scale_factor": "0.02",
    },
}


class Migration(migrations.Migration):
    dependencies = [("orders", "0010_order_partial_indexes")]

    operations = [StorageSettings(SETTINGS)]
