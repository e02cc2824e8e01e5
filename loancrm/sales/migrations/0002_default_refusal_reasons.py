"""The refusal reasons a fresh installation starts with (sales leads edit the list afterwards)."""

from django.db import migrations

DEFAULTS = ["利率太高", "额度不足", "期限不合适", "已在他处借款", "暂无资金需求", "资质不符", "家人反对", "其他"]


def add_defaults(apps, schema_editor):
    reason = apps.get_model("sales", "RefusalReason")
    for position, label in enumerate(DEFAULTS, start=1):
        reason.objects.get_or_create(label=label, defaults={"position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
