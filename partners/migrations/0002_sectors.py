from django.db import migrations

from partners.reference import ensure_sectors


def create_sectors(apps, schema_editor):
    ensure_sectors(apps.get_model("partners", "Sector"))


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]
    operations = [migrations.RunPython(create_sectors, migrations.RunPython.noop)]
