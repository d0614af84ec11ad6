# Who came to each meeting, counted from a partial index (group health: progress page, dashboard,
# table of all contracts). See Invitation.Meta.indexes.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workgroups", "0007_meeting_change_note_calendar_feed"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(
                condition=models.Q(("attendance", "present")),
                fields=["meeting"],
                name="invitation_present_meeting",
            ),
        ),
    ]
