from django.db import migrations

PUBLICS = [
    ("tout-public", "Tout public"),
    ("petite-enfance", "Petite enfance (0-6 ans)"),
    ("enfants", "Enfants"),
    ("jeunes", "Adolescents et jeunes adultes"),
    ("etudiants", "Étudiants"),
    ("familles", "Parents et familles"),
    ("femmes", "Femmes"),
    ("personnes-agees", "Personnes âgées"),
    ("handicap", "Personnes en situation de handicap"),
    ("precarite", "Personnes en situation de précarité"),
    ("habitants-qpv", "Habitants des quartiers prioritaires"),
    ("professionnels", "Professionnels"),
    ("aidants", "Aidants"),
]

OTTAWA = [
    ("politiques", "Élaborer une politique publique saine"),
    ("milieux", "Créer des milieux favorables"),
    ("communautaire", "Renforcer l'action communautaire"),
    ("aptitudes", "Acquérir des aptitudes individuelles"),
    ("services", "Réorienter les services de santé"),
]

# Bilodeau, Parent, Potvin (2019): four levels of intersectoral collaboration.
LEVELS = [
    (1, "Échange d'informations", "Les structures se tiennent informées de leurs actions."),
    (2, "Coordination", "Les structures ajustent leurs actions pour qu'elles se complètent."),
    (3, "Coopération", "Les structures mettent des ressources en commun pour une action."),
    (
        4,
        "Action en partenariat",
        "Les structures conçoivent, décident et mènent l'action ensemble.",
    ),
]


def create(apps, schema_editor):
    Public = apps.get_model("actions", "Public")
    OttawaArea = apps.get_model("actions", "OttawaArea")
    CollaborationLevel = apps.get_model("actions", "CollaborationLevel")
    for order, (slug, name) in enumerate(PUBLICS):
        Public.objects.update_or_create(slug=slug, defaults={"name": name, "order": order})
    for order, (slug, name) in enumerate(OTTAWA):
        OttawaArea.objects.update_or_create(slug=slug, defaults={"name": name, "order": order})
    for rank, label, description in LEVELS:
        CollaborationLevel.objects.update_or_create(
            rank=rank, defaults={"label": label, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0003_collaborationlevel_ottawaarea_public_axis_objectives_and_more")
    ]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
