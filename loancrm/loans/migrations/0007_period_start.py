"""Instalments carry the date their period's interest starts accruing (the previous row's due date, the loan's start
for the first row), filled here for existing rows; the end-of-day batch reads it instead of a window over the
schedule."""

from django.db import migrations, models

FILL = """
UPDATE loans_installment SET period_start = COALESCE(
    (SELECT p.due_date FROM loans_installment p WHERE p.loan_id = loans_installment.loan_id
     AND p.version = loans_installment.version AND p.period = loans_installment.period - 1),
    (SELECT l.start_date FROM loans_loan l WHERE l.id = loans_installment.loan_id))
"""


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0006_overdue_column_defaults"),
    ]

    operations = [
        migrations.AddField(
            model_name="installment",
            name="period_start",
            field=models.DateField(null=True, verbose_name="period start"),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
