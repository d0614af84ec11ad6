# The COPIL decisions and recommendations followed up (evaluation/progress/models.py).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

STATUSES = [
    ("todo", "À faire"),
    ("in_progress", "En cours"),
    ("done", "Faite"),
    ("abandoned", "Abandonnée"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("actions", "0005_contract_events_and_validation"),
        ("cls_platform", "0004_territory_coordination_email"),
        ("evaluation", "0001_initial"),
        ("partners", "0004_link_contacts_to_accounts"),
        ("workgroups", "0007_meeting_change_note_calendar_feed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CopilDecision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("decision", "Décision"), ("recommendation", "Recommandation")], default="decision", max_length=15, verbose_name="nature")),
                ("what", models.TextField(verbose_name="décision ou recommandation")),
                ("who_label", models.CharField(blank=True, help_text="Un service, une instance ou une fonction (« Coordination CLS », « Tous les signataires »), jamais le nom d'une personne : les signataires le lisent.", max_length=200, verbose_name="qui la porte (libellé)")),
                ("due_on", models.DateField(blank=True, null=True, verbose_name="échéance")),
                ("status", models.CharField(choices=STATUSES, default="todo", max_length=12, verbose_name="état")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
                ("closed_on", models.DateField(blank=True, null=True, verbose_name="close le")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="saisie le")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="modifiée le")),
                ("contract", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="copil_decisions", to="actions.contract", verbose_name="contrat")),
                ("meeting", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="copil_decisions", to="workgroups.meeting", verbose_name="réunion du comité de pilotage")),
                ("organization", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="copil_decisions", to="partners.organization", verbose_name="structure qui la porte")),
                ("territory", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="copil_decisions", to="cls_platform.territory", verbose_name="territoire")),
            ],
            options={
                "verbose_name": "décision du comité de pilotage",
                "verbose_name_plural": "décisions du comité de pilotage",
                "ordering": ["contract", "order", "id"],
                "indexes": [models.Index(fields=["contract", "status"], name="copil_decision_status")],
            },
        ),
        migrations.CreateModel(
            name="CopilDecisionChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="le")),
                ("old_status", models.CharField(blank=True, choices=STATUSES, max_length=12, verbose_name="ancien état")),
                ("new_status", models.CharField(choices=STATUSES, max_length=12, verbose_name="nouvel état")),
                ("note", models.CharField(blank=True, max_length=500, verbose_name="commentaire")),
                ("author", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="par")),
                ("decision", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="changes", to="evaluation.copildecision", verbose_name="décision")),
            ],
            options={
                "verbose_name": "suivi d'une décision",
                "verbose_name_plural": "suivi des décisions",
                "ordering": ["decision", "-changed_at", "-id"],
            },
        ),
    ]
