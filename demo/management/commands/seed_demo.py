"""python manage.py seed_demo: the two territories of the seeds, ready to explore.

The accounts and territories first (demo/accounts.py), then each territory as its narrative tells
it (demo/cergy/, demo/vitry/): directory, contracts, groups, the evaluation of the partnership.
Running it twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from demo import cergy, vitry
from demo.accounts import seed_accounts, seed_territories
from demo.territories_figures import seed_territory_figures

# The territories of demo/accounts.py, by slug.
NARRATIVES = {"cergy": cergy, "vitry-sur-seine": vitry}


class Command(BaseCommand):
    help = "Charge les données de démonstration (Cergy et Vitry-sur-Seine). Idempotent."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        territories = seed_territories()
        seed_territory_figures(territories)
        users = seed_accounts(territories)
        for slug, territory in territories.items():
            seeded = NARRATIVES[slug].seed(territory, users)
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
