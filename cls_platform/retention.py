"""How long Trame keeps personal data: the periods its register of processing shows.

Every period is read from settings (SESSION_COOKIE_AGE, CONTACT_REVIEW_MONTHS,
PENDING_IMPORT_DAYS, DELIVERY_RETENTION_MONTHS, PARTICIPATION_RETENTION_YEARS,
AUDIT_RETENTION_MONTHS), each from an environment variable of the same name. Whether a period
is applied by the machine is read from the periodic tasks configured (CELERY_BEAT_SCHEDULE): a
period that no task applies is declared, and the register says that it is not applied
automatically yet.

The outbox's period is applied here (`deliveries_purge`, run daily by the task
`cls_platform.tasks.purge_old_deliveries`), as the audit trail's is in audit.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Delivery, DeliveryStatus

SESSION_CLEANUP_TASK = "cls_platform.tasks.clear_expired_sessions"
IMPORT_PURGE_TASK = "partners.tasks.purge_pending_imports"
AUDIT_PURGE_TASK = "cls_platform.audit.purge_audit_trail"
DELIVERY_PURGE_TASK = "cls_platform.tasks.purge_old_deliveries"

# Rows deleted per statement: a year of a large instance's outbox goes in short transactions.
PURGE_BATCH = 2000
# The outbox's states after which a row has nothing more to do (a failed one may still be
# resumed by the sweep for a while: see deliveries_purge).
FINAL_STATES = (DeliveryStatus.SENT, DeliveryStatus.SKIPPED, DeliveryStatus.FAILED)


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
    renewed = "cls_platform.security.middleware.IdleSessionMiddleware" in settings.MIDDLEWARE
    if renewed or getattr(settings, "SESSION_SAVE_EVERY_REQUEST", False):
        return f"{age} après la dernière page ouverte"
    return f"{age} après la connexion"


def retention_periods() -> list[Period]:
    """Every retention period of the register, with where it comes from and what applies it."""
    not_automatic = "Pas encore appliquée automatiquement : aucune tâche ne supprime ces lignes."
    sessions, sessions_auto = _applied_by(SESSION_CLEANUP_TASK, "Sessions expirées effacées")
    deliveries, deliveries_auto = _applied_by(
        DELIVERY_PURGE_TASK,
        "Envois plus anciens effacés (ceux encore en attente ou en reprise sont gardés)",
    )
    imports, imports_auto = _applied_by(IMPORT_PURGE_TASK, "Fichiers effacés")
    audit, audit_auto = _applied_by(AUDIT_PURGE_TASK, "Entrées plus anciennes effacées")
    pending_days = settings.PENDING_IMPORT_DAYS
    delivery_months = settings.DELIVERY_RETENTION_MONTHS
    participation_years = settings.PARTICIPATION_RETENTION_YEARS
    audit_months = settings.AUDIT_RETENTION_MONTHS
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
            duration=plural(pending_days, "jour", "jours"),
            source="Réglage PENDING_IMPORT_DAYS",
            enforcement=imports,
            automatic=imports_auto,
        ),
        Period(
            key="deliveries",
            data="Envois d'e-mails (adresse, état, erreur éventuelle)",
            duration=f"{plural(delivery_months, 'mois', 'mois')} après l'envoi",
            source="Réglage DELIVERY_RETENTION_MONTHS",
            enforcement=deliveries,
            automatic=deliveries_auto,
        ),
        Period(
            key="participation",
            data=(
                "Invitations, réponses, présences, réponses aux questionnaires et notes d'entretien"
            ),
            duration=(
                f"{plural(participation_years, 'an', 'ans')} après la fin du contrat concerné"
            ),
            source="Réglage PARTICIPATION_RETENTION_YEARS",
            enforcement=not_automatic,
            automatic=False,
        ),
        Period(
            key="audit",
            data=(
                "Journal des modifications et des connexions (qui, quand, quel objet, valeurs "
                "avant et après ; adresse IP des connexions)"
            ),
            duration=plural(audit_months, "mois", "mois"),
            source="Réglage AUDIT_RETENTION_MONTHS",
            enforcement=audit,
            automatic=audit_auto,
        ),
    ]


def deliveries_purge(*, months: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete the outbox rows older than `months` (DELIVERY_RETENTION_MONTHS) after their
    sending (or, never sent, after they were written); returns how many.

    A row still to go is kept whatever its age: queued or being sent, or failed by a long SMTP
    outage and still resumed by the sweep (OUTBOX_RESUME_DAYS)."""
    months = settings.DELIVERY_RETENTION_MONTHS if months is None else months
    now = now or timezone.now()
    limit = now - relativedelta(months=months)
    resumable = Q(
        status=DeliveryStatus.FAILED,
        created_at__gte=now - dt.timedelta(days=settings.OUTBOX_RESUME_DAYS),
    )
    old = (
        Delivery.objects.filter(status__in=FINAL_STATES)
        .exclude(resumable)
        .alias(done_at=Coalesce("sent_at", "created_at"))
        .filter(done_at__lt=limit)
    )
    deleted = 0
    while ids := list(old.order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH]):
        # The state is checked again: a row resumed since it was read is not lost.
        count, _detail = Delivery.objects.filter(pk__in=ids, status__in=FINAL_STATES).delete()
        deleted += count
        if len(ids) < PURGE_BATCH:
            break
    return deleted
