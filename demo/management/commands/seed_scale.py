"""python manage.py seed_scale --territories N: realistic bulk data for the benchmarks.

Per territory, about 250 contacts, 90 organizations, 60 fiches-actions, 8 groups, 40 meetings
and 200 invitations per meeting, groups and fiches with their pilots (demo/scale.py).
Territories already there (slug "echelle-0001"...) are skipped, so the command can grow a
database step by step.
"""

from __future__ import annotations

import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from cls_platform.models import Territory
from demo.scale import seed_territory


class Command(BaseCommand):
    help = "Crée des territoires de données réalistes en masse pour les bancs d'essai."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--territories", type=int, default=1, help="Nombre de territoires")
        parser.add_argument("--seed", type=int, default=2026, help="Graine du hasard")

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(options["seed"])
        started = time.perf_counter()
        created = 0
        for index in range(1, options["territories"] + 1):
            slug = f"echelle-{index:04d}"
            if Territory.objects.filter(slug=slug).exists():
                continue
            with transaction.atomic():
                seed_territory(slug, index, rng)
            created += 1
            if created % 10 == 0:
                self.stdout.write(f"{created} territoire(s) créé(s)…")
        self.stdout.write(
            self.style.SUCCESS(
                f"{created} territoire(s) créé(s) en {time.perf_counter() - started:.1f} s "
                f"(coordination : coordination@{'echelle-0001'}.scale, mot de passe demo-cls-2026)."
            )
        )
