"""A lead's arrival is now read from the lead row itself; drop the stored copies written before (they would show
twice on the timeline)."""

from django.db import migrations


def drop_stored_arrivals(apps, schema_editor):
    interaction = apps.get_model("sales", "Interaction")
    interaction.objects.filter(kind="app_event", data__event="created").delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0004_alter_followuptask_status")]
    operations = [migrations.RunPython(drop_stored_arrivals, migrations.RunPython.noop)]
