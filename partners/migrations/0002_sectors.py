from django.db import migrations

SECTORS = [
    ("sante", "Santé", True),
    ("social", "Social", False),
    ("medico-social", "Médico-social", True),
    ("education", "Éducation", False),
    ("logement", "Logement et habitat", False),
    ("sport", "Sport", False),
    ("culture", "Culture", False),
    ("petite-enfance", "Petite enfance", False),
    ("jeunesse", "Jeunesse", False),
    ("personnes-agees", "Personnes âgées", False),
    ("handicap", "Handicap", False),
    ("emploi", "Emploi et insertion", False),
    ("environnement", "Environnement", False),
    ("transport", "Transports et mobilité", False),
    ("securite", "Sécurité et prévention de la délinquance", False),
    ("urbanisme", "Urbanisme et aménagement", False),
    ("politique-ville", "Politique de la ville", False),
    ("droits-femmes", "Droits des femmes et égalité", False),
    ("justice", "Justice et accès au droit", False),
]


def create_sectors(apps, schema_editor):
    Sector = apps.get_model("partners", "Sector")
    for slug, name, is_health in SECTORS:
        Sector.objects.update_or_create(slug=slug, defaults={"name": name, "is_health": is_health})


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]
    operations = [migrations.RunPython(create_sectors, migrations.RunPython.noop)]
