"""PostgreSQL storage settings for payments (docs/schema.md); nothing on SQLite.

Capture changes an indexed column (the provider's transaction id is unique), so it is never a
HOT update; closing a timed-out payment and recording a pay-for-me payer are HOT-eligible, and
fillfactor leaves them room on the page. Autovacuum and analyze run after 2 % and 1 % of the
rows changed (defaults: 20 % and 10 %): each payment is rewritten at least once.
"""

from django.db import migrations

from sharemall.core.migrations_util import StorageSettings

SETTINGS = {
    "payments_payment": {
        "fillfactor": "85",
        "autovacuum_vacuum_scale_factor": "0.02",
        "autovacuum_analyze_scale_factor": "0.01",
    },
}


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_payment_unique_constraints_partial_expiry")]

    operations = [StorageSettings(SETTINGS)]
