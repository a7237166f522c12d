"""Two fake merchant official accounts a component can be authorised for."""

from django.db import migrations

ACCOUNTS = [
    ("wx5a0d1e00000001d1", "茶语小店公众号", "gh_5a0d1e0000d1", "杭州茶语小店商贸有限公司"),
    ("wx5a0d1e00000002d2", "果园鲜生公众号", "gh_5a0d1e0000d2", "成都果园鲜生农业有限公司"),
]


def seed(apps, schema_editor):
    MerchantAccount = apps.get_model("wechat_sim", "MerchantAccount")
    for app_id, name, original_id, principal in ACCOUNTS:
        MerchantAccount.objects.get_or_create(
            app_id=app_id,
            defaults={"name": name, "original_id": original_id, "principal_name": principal},
        )


def unseed(apps, schema_editor):
    apps.get_model("wechat_sim", "MerchantAccount").objects.filter(
        app_id__in=[row[0] for row in ACCOUNTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("wechat_sim", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
