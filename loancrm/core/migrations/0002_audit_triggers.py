from django.db import migrations


def install(apps, schema_editor):
    from loancrm.core import audit_triggers

    audit_triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from loancrm.core import audit_triggers

    audit_triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
