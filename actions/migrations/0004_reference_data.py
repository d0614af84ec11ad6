from django.db import migrations

from actions.reference import ensure_reference_data


def create(apps, schema_editor):
    ensure_reference_data(
        apps.get_model("actions", "Public"),
        apps.get_model("actions", "OttawaArea"),
        apps.get_model("actions", "CollaborationLevel"),
    )


class Migration(migrations.Migration):
    dependencies = [("actions", "0003_collaborationlevel_ottawaarea_public_axis_objectives_and_more")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
