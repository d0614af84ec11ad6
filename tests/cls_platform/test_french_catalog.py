"""Counts read as French: 0 and 1 take the singular, through the committed French catalogue."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from cls_platform.management.commands.french_catalog import catalog_path

COUNT = (
    "{% load i18n %}{% blocktranslate count n=n %}{{ n }} fiche concernée{% plural %}"
    "{{ n }} fiches concernées{% endblocktranslate %}"
)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "0 fiche concernée"), (1, "1 fiche concernée"), (2, "2 fiches concernées")],
)
def test_counts_follow_the_french_plural_rule(n: int, expected: str) -> None:
    with translation.override("fr"):
        assert Template(COUNT).render(Context({"n": n})) == expected


def plural_ids(catalog: polib.POFile | polib.MOFile) -> set[str]:
    return {entry.msgid for entry in catalog if entry.msgid_plural}


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="xgettext (gettext) absent")
def test_every_plural_message_of_the_code_is_in_the_compiled_catalogue(
    tmp_path: Path, settings
) -> None:
    """A count added without running `make messages` would read "0 réunions" again."""
    committed = polib.pofile(str(catalog_path()))
    compiled = polib.mofile(str(catalog_path().with_suffix(".mo")))
    # makemessages writes beside the locale folder that sits above the files it reads: it reads
    # a copy of the sources here, so that the committed catalogue is left as it is.
    sources = tmp_path / "src"
    for folder in ("cls_platform", "partners", "actions", "workgroups", "evaluation", "templates"):
        shutil.copytree(
            Path(settings.BASE_DIR) / folder,
            sources / folder,
            ignore=shutil.ignore_patterns("migrations", "__pycache__"),
        )
    settings.LOCALE_PATHS = [sources / "locale"]
    cwd = os.getcwd()
    os.chdir(sources)
    try:
        call_command("makemessages", locale=["fr"], no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    fresh = polib.pofile(str(catalog_path(sources / "locale")))
    missing = plural_ids(fresh) - plural_ids(committed)
    assert not missing, f"Pluriels absents du catalogue, lancez `make messages` : {sorted(missing)}"
    assert plural_ids(compiled) == plural_ids(committed), "django.mo n'est pas compilé à jour"
    for entry in committed:
        if entry.msgid_plural:
            assert entry.msgstr_plural == {0: entry.msgid, 1: entry.msgid_plural}
