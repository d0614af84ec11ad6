"""How long Trame keeps personal data: the periods its register of processing shows.

A period is read from settings where the project has one (SESSION_COOKIE_AGE,
CONTACT_REVIEW_MONTHS); the others are the constants below, the one place to change them until
they move to settings. Whether a period is applied by the machine is read from the periodic
tasks configured (CELERY_BEAT_SCHEDULE): a period that no task applies is declared, and the
register says that it is not applied automatically yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

# Spreadsheets uploaded to the directory and never confirmed (partners.PartnerImport) are erased
# after this many days. partners/services.py still holds its own PENDING_IMPORT_DAYS: a test
# checks that both agree until it reads this one.
PENDING_IMPORT_DAYS = 7
# Outbox rows (address, state and error of each e-mail sent): kept this long after sending, to
# show a coordinator which address refused what. No task deletes them yet.
DELIVERY_RETENTION_MONTHS = 12
# Invitations, answers, attendance, survey answers and interview notes: kept until this many
# years after the end of the contract they belong to (the next contract's diagnosis and the
# final evaluation read them). No task deletes them yet.
PARTICIPATION_RETENTION_YEARS = 5

SESSION_CLEANUP_TASK = "cls_platform.tasks.clear_expired_sessions"
IMPORT_PURGE_TASK = "partners.tasks.purge_pending_imports"


@dataclass(frozen=True)
class Period:
    """One line of the register's retention table."""

    key: str
    data: str
    duration: str
    source: str
    enforcement: str
    automatic: bool


def plural(count: int, singular: str, several: str) -> str:
    """French: 0 and 1 take the singular."""
    return f"{count} {singular if count <= 1 else several}"


def duration(seconds: int) -> str:
    """A setting in seconds as a person reads it: "12 heures", "1 an", "30 jours"."""
    seconds = int(seconds)
    for size, singular, several in (
        (365 * 24 * 3600, "an", "ans"),
        (24 * 3600, "jour", "jours"),
        (3600, "heure", "heures"),
        (60, "minute", "minutes"),
    ):
        if seconds >= size and seconds % size == 0:
            return plural(seconds // size, singular, several)
    return plural(seconds, "seconde", "secondes")


def scheduled_every(task: str) -> str | None:
    """How often the periodic task `task` runs (CELERY_BEAT_SCHEDULE), or None if it does not."""
    for entry in getattr(settings, "CELERY_BEAT_SCHEDULE", {}).values():
        if entry.get("task") != task:
            continue
        schedule = entry.get("schedule")
        if isinstance(schedule, dt.timedelta):
            schedule = schedule.total_seconds()
        if isinstance(schedule, int | float) and schedule > 0:
            every = int(schedule)
            if every == 24 * 3600:
                return "chaque jour"
            if every == 3600:
                return "chaque heure"
            return f"toutes les {duration(every)}"
        return "périodiquement"
    return None


def _applied_by(task: str, what: str) -> tuple[str, bool]:
    every = scheduled_every(task)
    if every is None:
        return "Pas encore appliquée automatiquement (aucune tâche périodique configurée).", False
    return f"{what}, {every} (tâche périodique).", True


def session_duration() -> str:
    age = duration(settings.SESSION_COOKIE_AGE)
    if getattr(settings, "SESSION_SAVE_EVERY_REQUEST", False):
        return f"{age} après la dernière page ouverte"
    return f"{age} après la connexion"


def retention_periods() -> list[Period]:
    """Every retention period of the register, with where it comes from and what applies it."""
    not_automatic = "Pas encore appliquée automatiquement : aucune tâche ne supprime ces lignes."
    sessions, sessions_auto = _applied_by(SESSION_CLEANUP_TASK, "Sessions expirées effacées")
    imports, imports_auto = _applied_by(IMPORT_PURGE_TASK, "Fichiers effacés")
    months = settings.CONTACT_REVIEW_MONTHS
    return [
        Period(
            key="sessions",
            data="Sessions de connexion des utilisateurs",
            duration=session_duration(),
            source="Réglage SESSION_COOKIE_AGE",
            enforcement=sessions,
            automatic=sessions_auto,
        ),
        Period(
            key="accounts",
            data="Comptes des utilisateurs (coordination, co-pilotes, signataires)",
            duration="tant que l'accès au territoire est ouvert",
            source="Décision de l'administration de l'instance",
            enforcement="Compte désactivé ou supprimé par l'administration à la fin des fonctions.",
            automatic=False,
        ),
        Period(
            key="contacts",
            data="Coordonnées des partenaires (annuaire)",
            duration=(
                "tant que la personne participe au CLS ; revue après "
                f"{plural(months, 'mois', 'mois')} sans interaction"
            ),
            source="Réglage CONTACT_REVIEW_MONTHS",
            enforcement=(
                "Revue par la coordination (« Contacts à revoir ») : confirmer, redemander à la "
                "personne ou effacer. Un effacement ne garde qu'une empreinte de l'adresse, "
                "pour qu'aucun import ne la réinscrive."
            ),
            automatic=False,
        ),
        Period(
            key="imports",
            data="Fichiers de partenaires déposés et non confirmés",
            duration=plural(PENDING_IMPORT_DAYS, "jour", "jours"),
            source="Constante cls_platform.retention.PENDING_IMPORT_DAYS",
            enforcement=imports,
            automatic=imports_auto,
        ),
        Period(
            key="deliveries",
            data="Envois d'e-mails (adresse, état, erreur éventuelle)",
            duration=f"{plural(DELIVERY_RETENTION_MONTHS, 'mois', 'mois')} après l'envoi",
            source="Constante cls_platform.retention.DELIVERY_RETENTION_MONTHS",
            enforcement=not_automatic,
            automatic=False,
        ),
        Period(
            key="participation",
            data=(
                "Invitations, réponses, présences, réponses aux questionnaires et notes d'entretien"
            ),
            duration=(
                f"{plural(PARTICIPATION_RETENTION_YEARS, 'an', 'ans')} après la fin du contrat "
                "concerné"
            ),
            source="Constante cls_platform.retention.PARTICIPATION_RETENTION_YEARS",
            enforcement=not_automatic,
            automatic=False,
        ),
    ]
