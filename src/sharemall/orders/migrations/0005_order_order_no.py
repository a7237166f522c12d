"""Orders get a human order number (yyyymmdd + ten digits).

Existing orders are numbered from the day they were placed and their id, which is unique
already; new ones take ten random digits (see orders.models.new_order_no).
"""

from typing import Any

from django.db import migrations, models
from django.utils import timezone

import sharemall.orders.models

BATCH = 2000


def number_existing_orders(apps: Any, schema_editor: Any) -> None:
    Order = apps.get_model("orders", "Order")
    pending = Order.objects.filter(order_no__isnull=True).order_by("pk")
    while True:
        batch = list(pending.only("pk", "created_at")[:BATCH])
        if not batch:
            return
        for order in batch:
            day = timezone.localtime(order.created_at).date()
            order.order_no = f"{day:%Y%m%d}{order.pk:010d}"
        Order.objects.bulk_update(batch, ["order_no"])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_orderevent_status_event"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="order_no",
            field=models.CharField(max_length=24, null=True),
        ),
        migrations.RunPython(number_existing_orders, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="order",
            name="order_no",
            field=models.CharField(
                default=sharemall.orders.models.new_order_no, max_length=24, unique=True
            ),
        ),
    ]
