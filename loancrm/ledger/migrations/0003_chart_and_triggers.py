"""The built-in chart of accounts, and append-only triggers on the journal tables."""

from django.db import migrations

JOURNAL_TABLES = ("ledger_journalentry", "ledger_journalline")


def create_chart(apps, schema_editor):
    from loancrm.ledger.choices import CHART

    account = apps.get_model("ledger", "LedgerAccount")
    for code, kind, name_zh, name_en in CHART:
        account.objects.get_or_create(code=code, defaults={"kind": kind, "name_zh": name_zh, "name_en": name_en})


def install_triggers(apps, schema_editor):
    from loancrm.core import audit_triggers

    audit_triggers.install(schema_editor.connection, JOURNAL_TABLES)


def uninstall_triggers(apps, schema_editor):
    from loancrm.core import audit_triggers

    audit_triggers.uninstall(schema_editor.connection, JOURNAL_TABLES)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_initial"), ("core", "0002_audit_triggers")]

    operations = [
        migrations.RunPython(create_chart, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, uninstall_triggers),
    ]
