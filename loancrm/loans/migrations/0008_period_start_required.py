"""``period_start`` required once filled, and the index by which the end-of-day batch reaches a loan's unpaid rows
by due date (partial: paid rows leave it; no column the batch rewrites daily is in it)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0007_period_start"),
    ]

    operations = [
        migrations.AlterField(
            model_name="installment",
            name="period_start",
            field=models.DateField(verbose_name="period start"),
        ),
        migrations.AddIndex(
            model_name="installment",
            index=models.Index(
                condition=models.Q(("status", "paid"), _negated=True),
                fields=["loan", "version", "due_date"],
                name="loans_installment_unpaid_due",
            ),
        ),
    ]
