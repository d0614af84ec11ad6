"""python manage.py seed_demo: the two territories of the seeds, ready to explore.

Each app seeds what it owns (cls_platform, partners, actions, workgroups); this command, in the
app that stands on all the others, runs them in order. Running it twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from actions.demo import seed_contracts
from cls_platform.demo import seed_accounts, seed_territories
from partners.demo import seed_directory
from workgroups.demo import seed_groups


class Command(BaseCommand):
    help = "Charge les données de démonstration (Cergy et Vitry-sur-Seine). Idempotent."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        territories = seed_territories()
        users = seed_accounts(territories)
        for slug, territory in territories.items():
            organizations = seed_directory(territory)
            contract = seed_contracts(territory, organizations)
            copilot = users["copilote@vitry.demo"] if slug == "vitry-sur-seine" else None
            seeded = seed_groups(territory, contract, organizations, copilot_user=copilot)
            self.stdout.write(
                f"{territory.name} : {territory.organizations.count()} structures, "
                f"{territory.contacts.count()} contacts, "
                f"{territory.fiches_actions.count()} fiches-actions, "
                f"{territory.work_groups.count()} groupes, {territory.meetings.count()} réunions."
            )
            for line in seeded.notes():
                self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                "Démo prête. Comptes (mot de passe demo-cls-2026) : " + ", ".join(sorted(users))
            )
        )
