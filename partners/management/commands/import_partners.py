"""python manage.py import_partners FILE --territory SLUG [--dry-run]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cls_platform.models import Territory
from partners.importing import ImportFileError, import_partners


class Command(BaseCommand):
    help = (
        "Importe un tableau de partenaires (CSV ou XLSX) dans l'annuaire d'un territoire et "
        "affiche ce qui a été créé, mis à jour, fusionné et rejeté, ligne par ligne."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Fichier .csv ou .xlsx")
        parser.add_argument("--territory", required=True, help="Identifiant du territoire")
        parser.add_argument("--dry-run", action="store_true", help="Simule sans rien enregistrer")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            territory = Territory.objects.get(slug=options["territory"])
        except Territory.DoesNotExist:
            raise CommandError(f"Territoire inconnu : {options['territory']}") from None
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Fichier illisible : {path} ({exc.strerror})") from None
        try:
            report = import_partners(
                territory=territory,
                content=content,
                file_name=path.name,
                dry_run=options["dry_run"],
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(report.as_text())
