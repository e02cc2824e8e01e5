"""Bank statement files: what the background posting needs on the import (stored file, detected columns, resume
point, counts), the memo and channel on each line, and "a bank transaction id is posted once per channel"."""

import django.db.models.deletion
from django.db import migrations, models

FILL_CHANNEL = (
    "UPDATE loans_statementline SET channel_id = "
    "(SELECT s.channel_id FROM loans_statementimport s WHERE s.id = loans_statementline.statement_id)"
)


class Migration(migrations.Migration):
    dependencies = [("loans", "0001_initial")]

    operations = [
        migrations.AlterModelOptions(
            name="statementimport",
            options={"ordering": ["-id"], "verbose_name": "bank statement", "verbose_name_plural": "bank statements"},
        ),
        migrations.AddField("statementimport", "columns", models.JSONField(blank=True, default=dict)),
        migrations.AddField("statementimport", "encoding", models.CharField(blank=True, max_length=20)),
        migrations.AddField("statementimport", "error", models.CharField(blank=True, max_length=500)),
        migrations.AddField("statementimport", "file_kind", models.CharField(blank=True, max_length=4)),
        migrations.AddField("statementimport", "file_size", models.PositiveIntegerField(default=0)),
        migrations.AddField("statementimport", "headers", models.JSONField(blank=True, default=list)),
        migrations.AddField("statementimport", "invalid", models.PositiveIntegerField(default=0)),
        migrations.AddField("statementimport", "lines_done", models.PositiveIntegerField(default=0)),
        migrations.AddField("statementimport", "started_at", models.DateTimeField(blank=True, null=True)),
        migrations.AddField("statementimport", "stored_path", models.CharField(blank=True, max_length=300)),
        migrations.AddField(
            "statementline",
            "channel",
            models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="loans.paymentchannel",
            ),
        ),  # fmt: skip
        migrations.RunSQL(FILL_CHANNEL, migrations.RunSQL.noop),
        migrations.AlterField(
            "statementline",
            "channel",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="loans.paymentchannel",
            ),
        ),  # fmt: skip
        migrations.AddField("statementline", "memo", models.CharField(blank=True, max_length=200)),
        migrations.AlterField(
            "statementline",
            "statement",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="loans.statementimport",
            ),
        ),  # fmt: skip
        migrations.AddConstraint(
            "statementline",
            models.UniqueConstraint(fields=("statement", "line_no"), name="loans_statementline_line_once"),
        ),
        migrations.AddConstraint(
            "statementline",
            models.UniqueConstraint(
                condition=models.Q(("result", "matched")),
                fields=("channel", "bank_txn_id"),
                name="loans_statementline_posted_once",
            ),
        ),
    ]
