"""Journal lines without database foreign-key constraints (see docs/loans.md, "Constraints on the high-volume
tables"); ``ledger_check`` verifies the references instead. SQLite rebuilds the table to drop them, which drops
its append-only triggers too: they are installed again."""

import django.db.models.deletion
from django.db import migrations, models

JOURNAL_LINES = ("ledger_journalline",)


def install_triggers(apps, schema_editor):
    from loancrm.core import audit_triggers

    audit_triggers.install(schema_editor.connection, JOURNAL_LINES)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_period_close"), ("loans", "0005_unconstrained_lines")]

    operations = [
        migrations.AlterField(
            model_name="journalline",
            name="account",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="ledger.ledgeraccount",
            ),
        ),
        migrations.AlterField(
            model_name="journalline",
            name="entry",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="ledger.journalentry",
            ),
        ),
        migrations.AlterField(
            model_name="journalline",
            name="loan",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="loans.loan",
            ),
        ),
        migrations.RunPython(install_triggers, install_triggers),
    ]
