"""Segment the search text of every product that exists already (ADR 0008)."""

from itertools import batched

from django.db import migrations
from django.db.models import Prefetch

BATCH = 500


def backfill(apps, schema_editor):
    # Historical models, with the segmenter of today: the text is derived data, and
    # `sharemall reindex-search` rebuilds it whenever the segmenter changes.
    from sharemall.catalog.search import document_of  # noqa: PLC0415

    Product = apps.get_model("catalog", "Product")
    Sku = apps.get_model("catalog", "Sku")
    ProductSearch = apps.get_model("catalog", "ProductSearch")
    ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    for chunk in batched(ids, BATCH, strict=False):
        rows = []
        products = (
            Product.objects.filter(pk__in=chunk)
            .select_related("category__parent")
            .prefetch_related(Prefetch("skus", queryset=Sku.objects.order_by("position", "id")))
        )
        for product in products:
            category = product.category
            categories = [c.name for c in (category, category and category.parent) if c]
            document = document_of(
                product.title,
                product.description,
                categories,
                [sku.name for sku in product.skus.all()],
            )
            rows.append(ProductSearch(product=product, title=document.title, body=document.body))
        ProductSearch.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_product_search"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
