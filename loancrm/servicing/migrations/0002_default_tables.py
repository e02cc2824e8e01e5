"""The default overdue rule (product code "": every product without its own), buckets M0…M7+ and the five-level
classification bands."""

from django.db import migrations


def seed(apps, schema_editor):
    from loancrm.servicing.overdue import DEFAULT_BUCKETS, DEFAULT_CLASSES

    apps.get_model("servicing", "OverdueRule").objects.get_or_create(product_code="")
    bucket = apps.get_model("servicing", "DpdBucket")
    for band in DEFAULT_BUCKETS:
        bucket.objects.get_or_create(code=band.code, defaults={"min_dpd": band.min_dpd, "max_dpd": band.max_dpd})
    risk = apps.get_model("servicing", "RiskClassBand")
    for band in DEFAULT_CLASSES:
        risk.objects.get_or_create(risk_class=band.code, defaults={"min_dpd": band.min_dpd, "max_dpd": band.max_dpd})


class Migration(migrations.Migration):
    dependencies = [("servicing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
