"""`python manage.py french_catalog`: the French catalogue that gives counts French plurals.

The interface is written in French, so most messages need no translation. Counts do: without a
catalogue, gettext applies the English rule to untranslated plurals ("0 invités", "0 fiches"),
whereas French takes the singular for 0 and 1. This command extracts the messages
(makemessages), fills every plural entry with its own two forms (singular for n <= 1, plural
above) and compiles the catalogue (compilemessages). Both files are committed; a test fails
when a plural message of the code is missing from them.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

PLURAL_FORMS = "nplurals=2; plural=(n > 1);"


def catalog_path(base: Path | None = None) -> Path:
    return Path(base or settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.po"


def fill(path: Path) -> int:
    """Give each plural entry its own forms and the header French rules; returns how many."""
    import polib

    catalog = polib.pofile(str(path), wrapwidth=100)
    catalog.metadata.update(
        {
            "Language": "fr",
            "Plural-Forms": PLURAL_FORMS,
            "Content-Type": "text/plain; charset=UTF-8",
            "Project-Id-Version": "Trame",
        }
    )
    filled = 0
    for entry in catalog:
        # msgmerge "guesses" a translation for a new message from a similar old one ("Je ne
        # viens pas :" became "%(n)s ne vient pas"): nothing is guessed here, every entry says
        # its own text.
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            filled += 1
        else:
            entry.msgstr = ""
        # "fuzzy" would keep msgfmt from compiling an entry makemessages guessed.
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.metadata_is_fuzzy = False
    catalog.header = "French messages of Trame: the plural forms of counts (french_catalog)."
    catalog.save()
    return filled


class Command(BaseCommand):
    help = "Extrait les messages, remplit les pluriels français et compile le catalogue."

    def handle(self, *args: object, **options: object) -> None:
        call_command(
            "makemessages",
            locale=["fr"],
            no_obsolete=True,
            no_location=True,
            ignore_patterns=["var/*", "tests/*", "bench/*", "static/*", "node_modules/*"],
            verbosity=0,
        )
        n = fill(catalog_path())
        call_command("compilemessages", locale=["fr"], verbosity=0)
        self.stdout.write(f"Catalogue français : {n} messages au pluriel.")
