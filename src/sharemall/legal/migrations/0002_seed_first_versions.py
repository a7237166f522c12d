from typing import Any

from django.db import migrations

from sharemall.legal import first_versions


def seed(apps: Any, schema_editor: Any) -> None:
    document = apps.get_model("legal", "LegalDocument")
    for kind, (title, body) in first_versions.FIRST_VERSIONS.items():
        if not document.objects.filter(kind=kind).exists():
            document.objects.create(kind=kind, version=1, title=title, body=body)


class Migration(migrations.Migration):
    dependencies = [
        ("legal", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
