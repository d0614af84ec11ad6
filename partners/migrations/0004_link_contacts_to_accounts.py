"""Existing contacts are tied to the account bearing their address in the same territory, as
new ones are by the services: a co-pilot can then edit what they pilot."""

from django.db import migrations


def link(apps, schema_editor):
    Contact = apps.get_model("partners", "Contact")
    Access = apps.get_model("cls_platform", "Access")
    # One query per access (far fewer than contacts); the oldest account wins a shared address.
    rows = (
        Access.objects.filter(user__is_active=True)
        .order_by("user_id")
        .values_list("territory_id", "user_id", "user__email")
    )
    for territory_id, user_id, email in rows:
        email = (email or "").strip()
        if email:
            Contact.objects.filter(
                territory_id=territory_id,
                email__iexact=email,
                user__isnull=True,
                anonymized_at__isnull=True,
            ).update(user_id=user_id)


class Migration(migrations.Migration):
    dependencies = [
        ("cls_platform", "0002_delivery"),
        ("partners", "0003_contact_anonymized_at_contact_last_activity_at_and_more"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
