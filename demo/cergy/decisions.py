"""What Cergy's steering committee decided at its annual review, followed up since.

The Cergy narrative gives the COPIL's matter: renew the CLS on the orientations of the PRS3,
make the health offer visible and legible (a transversal axis: an annuaire), keep the time of
interconnaissance the partners asked for in the self-evaluation, explain the postponed actions
(the Conseil local de santé mentale, the bed bugs), bring the city's participative bodies into
the groups. Each decision is carried by a structure of the directory and/or a label, never a
person; one is late on purpose, so that the progress page shows what a late one looks like.

Recorded through the services (`decision_create`, `decision_update`), then the days of each
step are set to when they happened, relative to the day of the COPIL. A decision is keyed on
its contract and its text: a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from actions.models import Contract, ContractKind, ContractStatus
from cls_platform.models import Territory
from demo.accounts import coordinator
from demo.cergy.directory import DIRECTORY
from evaluation.progress.models import CopilDecision, DecisionKind, DecisionStatus
from evaluation.progress.services import decision_create, decision_update
from partners.models import Organization
from workgroups.models import GroupKind, Meeting, MeetingStatus

# The COPIL whose decisions are followed up (demo/cergy/groups.py, CERGY_COPIL).
COPIL_TITLE = "Comité de pilotage annuel : bilan des actions"


@dataclass(frozen=True)
class Step:
    """A later step of the follow-up: `days` after the COPIL, the new state and the comment."""

    days: int
    status: str
    note: str = ""


@dataclass(frozen=True)
class D:
    what: str
    kind: str = DecisionKind.DECISION
    org: str = ""  # an alias of DIRECTORY
    label: str = ""
    due: int | None = None  # days after the COPIL
    steps: tuple[Step, ...] = ()


DECISIONS = [
    D(
        "Préparer le renouvellement du CLS sur les orientations du PRS3 : diagnostic partagé "
        "actualisé, bilan des fiches-actions, nouveaux axes présentés au prochain comité de "
        "pilotage.",
        org="sante",
        label="Coordination CLS, avec l'ARS 95",
        due=380,
        steps=(Step(40, DecisionStatus.IN_PROGRESS, "Bilan des fiches-actions lancé par axe."),),
    ),
    D(
        "Publier un annuaire de l'offre de santé du territoire, ouvert aux habitants et aux "
        "professionnels (axe transversal « Visibilité et lisibilité de l'offre de santé »).",
        org="sante",
        label="Coordination CLS et service communication",
        due=240,
        steps=(
            Step(
                60,
                DecisionStatus.IN_PROGRESS,
                "Les structures sont sollicitées pour leur accord et la description de leur offre.",
            ),
        ),
    ),
    D(
        "Garder un temps d'interconnaissance à chaque groupe de travail : une structure s'y "
        "présente, ses ressources partent avec le compte-rendu.",
        kind=DecisionKind.RECOMMENDATION,
        label="Co-pilotes des groupes de travail",
        due=120,
        steps=(Step(95, DecisionStatus.DONE, "Inscrit à l'ordre du jour type des groupes."),),
    ),
    D(
        "Relancer la préfiguration du Conseil local de santé mentale, reportée pendant la "
        "crise sanitaire.",
        org="maison_hosp",
        label="avec le CMP et la coordination CLS",
        due=450,
    ),
    D(
        "Associer les conseils citoyens et les instances participatives de la Ville aux groupes "
        "de travail, en accordant leurs calendriers à celui du CLS.",
        kind=DecisionKind.RECOMMENDATION,
        org="ddss",
        due=300,
        steps=(Step(150, DecisionStatus.IN_PROGRESS, "Présentation du CLS au conseil citoyen."),),
    ),
    D(
        "Poursuivre l'action contre les punaises de lit avec le bailleur social dans le cadre "
        "du CLS.",
        org="cergy_habitat",
        due=180,
        steps=(
            Step(
                170,
                DecisionStatus.ABANDONED,
                "Reprise par le bailleur dans son plan de traitement : l'action sort du CLS.",
            ),
        ),
    ),
]


def _organization(territory: Territory, alias: str) -> Organization | None:
    if not alias:
        return None
    name = DIRECTORY.aliases.get(alias, alias)
    return (
        Organization.objects.filter(territory=territory)
        .filter(Q(name=name) | Q(acronym=name))
        .order_by("pk")
        .first()
    )


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0)))


@transaction.atomic
def seed_copil_decisions(territory: Territory) -> list[CopilDecision]:
    """The decisions of Cergy's annual COPIL on its signed CLS, each followed up to today.
    Nothing happens when the contract or the COPIL meeting is not there (yet)."""
    contract = (
        Contract.objects.filter(
            territory=territory, kind=ContractKind.CLS, status=ContractStatus.SIGNED
        )
        .order_by("-start_year")
        .first()
    )
    meeting = (
        Meeting.objects.filter(
            group__contract=contract,
            group__kind=GroupKind.COPIL,
            title=COPIL_TITLE,
            status=MeetingStatus.HELD,
        )
        .order_by("starts_at")
        .first()
        if contract
        else None
    )
    if contract is None or meeting is None:
        return []
    held_on = timezone.localdate(meeting.starts_at)
    today = timezone.localdate()
    author = coordinator(territory)
    seeded = []
    for order, spec in enumerate(DECISIONS):
        existing = contract.copil_decisions.filter(what=spec.what).first()
        if existing is not None:
            seeded.append(existing)
            continue
        data = {
            "kind": spec.kind,
            "what": spec.what,
            "meeting": meeting,
            "organization": _organization(territory, spec.org),
            "who_label": spec.label,
            "due_on": held_on + dt.timedelta(days=spec.due) if spec.due is not None else None,
            "status": DecisionStatus.TODO,
            "order": order,
        }
        decision = decision_create(contract=contract, data=data, by=author, today=held_on)
        decision.changes.update(changed_at=_at(held_on))
        for step in spec.steps:
            day = min(held_on + dt.timedelta(days=step.days), today)
            decision_update(
                decision=decision,
                data={**data, "status": step.status},
                note=step.note,
                by=author,
                today=day,
            )
            decision.changes.filter(changed_at__date__gt=day).update(changed_at=_at(day))
        CopilDecision.objects.filter(pk=decision.pk).update(created_at=_at(held_on))
        decision.refresh_from_db()
        seeded.append(decision)
    return seeded
