"""The French catalogue leaves every e-mail as written.

E-mails are written in French and marked for translation; the catalogue (french_catalog) only
exists for the plural forms of counts. A message it gives another text to ("Je ne viens pas :"
turned into "%(n)s ne vient pas" by a guess of msgmerge kept as a translation) would reach 200
partners: every template is rendered with the catalogue and without it, and must read the same.
"""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

TEMPLATES = [
    "meeting_invitation",
    "meeting_reminder",
    "meeting_cancellation",
    "meeting_report",
    "details_check",
    "hand_over_declared",
]
FULL = {
    "territory_name": "Cergy",
    "group_name": "GT Santé mentale",
    "meeting_title": "La Maison hospitalière se présente",
    "date": "05/01/2027",
    "long_date": "mardi 5 janvier 2027",
    "hours": "14 h à 16 h",
    "place": "Espace santé Denis Mukwege",
    "online_url": "https://visio.exemple.fr/gt",
    "description": "Bienvenue à toutes et à tous.",
    "agenda": [
        {
            "kind": "Interconnaissance",
            "title": "Tour de table",
            "duration": 30,
            "duration_label": "30 min",
            "presenter": "David Roux",
        }
    ],
    "contact_name": "Zoé Martin",
    "self_service_url": "https://trame.exemple.fr/partenaire/a/",
    "unsubscribe_url": "https://trame.exemple.fr/partenaire/a/desinscription/",
    "reply_name": "Katia Lebrun",
    "reply_email": "katia@cergy.fr",
    "yes_url": "https://trame.exemple.fr/reunion/t/oui/",
    "no_url": "https://trame.exemple.fr/reunion/t/non/",
    "is_update": True,
    "change_note": "La salle a changé.",
    "feed_url": "https://trame.exemple.fr/reunion/agenda/t.ics",
    "answered_yes": False,
    "report_html": "<h2>Suites</h2><p>Prochaine rencontre au printemps.</p>",
    "report_text": "Suites\n\nProchaine rencontre au printemps.",
    "fiches": ["3.2 Ateliers cuisine"],
    "documents": [{"title": "Diaporama", "url": "https://trame.exemple.fr/d/1/"}],
    "documents_attached": True,
    "organization_name": "Maison de quartier des Touleuses",
    "job_title": "Médecin",
    "email": "zoe@asso.fr",
    "phone": "01 02 03 04 05",
    "link": "https://trame.exemple.fr/partenaire/a/",
    "unsubscribe_link": "https://trame.exemple.fr/partenaire/a/desinscription/",
    "successor_name": "Léa Hôte",
    "successor_email": "lea@asso.fr",
    "message": "Je pars à la fin du mois.",
    "review_url": "https://trame.exemple.fr/t/cergy/annuaire/departs/",
}
# The other branch of each {% if %}: no title, first sending, no name to sign with...
BARE = {
    **FULL,
    **dict.fromkeys(
        ["meeting_title", "place", "online_url", "description", "reply_name", "change_note"], ""
    ),
    **dict.fromkeys(["organization_name", "job_title", "phone", "successor_name", "message"], ""),
    **dict.fromkeys(["feed_url", "reply_email", "successor_email"], ""),
    "is_update": False,
    "answered_yes": True,
    "documents_attached": False,
}


def rendered(template: str, context: dict, engine: str | None) -> str:
    return render_to_string(template, context, using=engine)


@pytest.mark.parametrize("context", [FULL, BARE], ids=["full", "bare"])
@pytest.mark.parametrize("name", TEMPLATES)
def test_the_french_catalogue_changes_no_word_of_an_e_mail(name, context):
    for suffix, engine in ((".subject.txt", "text"), (".txt", "text"), (".html", None)):
        template = f"emails/{name}{suffix}"
        with translation.override(None):  # the words as written in the template
            written = rendered(template, context, engine)
        with translation.override("fr"):  # through the committed catalogue
            sent = rendered(template, context, engine)
        assert sent == written, template
