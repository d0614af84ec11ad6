"""The open data of a territory: its published contracts as one JSON document.

The document follows docs/opendata/schema.json; the CSV files (tables.py) are flat views of
the same document, so that the two never disagree. It is read in a fixed number of queries
whatever the number of contracts, fiches-actions and indicators.

What never goes in: contacts, people's names, e-mail addresses, phone numbers, answers,
attendance, free-text descriptions and comments. A fiche-action's pilot is given as its
structure only, and a structure that is a person (a liberal professional) is given by its kind
alone. Every string is scrubbed of e-mail addresses, phone numbers and people's names on the
way out (redaction.py), in case one was typed into a title or a source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import DecimalField, Max, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from actions.models import (
    READABLE_BY_VIEWERS,
    ActionStatus,
    Axis,
    AxisKind,
    Contract,
    ContractStatus,
    FicheAction,
    FundingStatus,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    Signatory,
    TerritoryScope,
)
from actions.progress import CLOSED_STATUSES
from cls_platform.models import Territory, TerritoryKind
from partners.models import Contact, Organization, OrganizationKind

from .redaction import names_pattern, scrub_all

FORMAT_VERSION = "1.0"
LICENCE = {
    "nom": "Licence Ouverte / Open Licence version 2.0",
    "identifiant": "etalab-2.0",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}

# Codes of the document, in French like its keys; the labels come from the models.
CONTRACT_STATUS = {ContractStatus.SIGNED: "signe", ContractStatus.CLOSED: "clos"}
ACTION_STATUS = {
    ActionStatus.PLANNED: "prevue",
    ActionStatus.IN_PROGRESS: "en_cours",
    ActionStatus.DONE: "realisee",
    ActionStatus.POSTPONED: "reportee",
    ActionStatus.ABANDONED: "abandonnee",
}
AXIS_KIND = {AxisKind.THEMATIC: "thematique", AxisKind.TRANSVERSAL: "transversal"}
INDICATOR_KIND = {
    IndicatorKind.PROCESS: "processus",
    IndicatorKind.RESULT: "resultat",
    IndicatorKind.IMPACT: "impact",
}
SCOPE = {TerritoryScope.WHOLE: "territoire", TerritoryScope.QPV: "qpv"}
# The national schema of local authorities' projects names its kinds "Commune" and "EPCI".
TERRITORY_KIND = {
    TerritoryKind.COMMUNE: "Commune",
    TerritoryKind.EPCI: "EPCI",
    TerritoryKind.DEPARTMENT: "Département",
    TerritoryKind.OTHER: "Autre",
}

# The phase and the status of the phase of the national schema of local authorities' projects
# (schema.data.gouv.fr, "Projets des collectivités"): "Étude" until the action starts,
# "Opération" once it has; a postponed or abandoned action is in the phase it had reached.
PHASE_STUDY, PHASE_OPERATION = "Étude", "Opération"
PHASE_STATUS = {
    ActionStatus.PLANNED: "En cours",
    ActionStatus.IN_PROGRESS: "En cours",
    ActionStatus.DONE: "Terminé",
    ActionStatus.POSTPONED: "En pause",
    ActionStatus.ABANDONED: "Abandonné",
}
LATE = "En retard"


def published_contracts(territory: Territory) -> QuerySet[Contract]:
    """The territory's contracts its coordination published, signed or closed: a draft never
    is, even if its flag were set by hand."""
    return Contract.objects.filter(
        territory=territory,
        status__in=READABLE_BY_VIEWERS,
        open_data_published_at__isnull=False,
    ).order_by("-start_year", "-end_year", "kind", "pk")


def last_update(territory: Territory) -> dt.datetime | None:
    """When the published data last changed, as far as the records tell: the latest publication
    or change of a fiche-action (its status, dates, budget...). None when nothing is published.
    One query."""
    found = published_contracts(territory).aggregate(
        published=Max("open_data_published_at"), changed=Max("fiches_actions__updated_at")
    )
    moments = [moment for moment in found.values() if moment is not None]
    return max(moments) if moments else None


def phase(fiche: FicheAction, today: dt.date) -> tuple[str, str]:
    if fiche.status in (ActionStatus.IN_PROGRESS, ActionStatus.DONE):
        name = PHASE_OPERATION
    elif fiche.status == ActionStatus.PLANNED:
        name = PHASE_STUDY
    else:
        started = fiche.start_date is not None and fiche.start_date <= today
        name = PHASE_OPERATION if started else PHASE_STUDY
    status = PHASE_STATUS[fiche.status]
    if is_late(fiche, today):
        status = LATE
    return name, status


def is_late(fiche: FicheAction, today: dt.date) -> bool:
    """The rule of actions/progress.py (`late_q`), on a fiche already read."""
    return bool(fiche.end_date and fiche.end_date < today and fiche.status not in CLOSED_STATUSES)


def euros(amount: Decimal | None) -> int | None:
    if amount is None:
        return None
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def number(value: Decimal | None) -> int | float | None:
    """A measurement as a JSON number: whole when it is whole (12, not 12.0)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def iso_date(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def iso_moment(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def structure(organization: Organization | None) -> dict[str, Any] | None:
    """A structure as the public may read it: a liberal professional is a person, named by
    the kind of structure only."""
    if organization is None:
        return None
    is_person = organization.kind == OrganizationKind.PROFESSIONAL
    return {
        "nom": None if is_person else organization.name,
        "sigle": (None if is_person else organization.acronym) or None,
        "type": organization.kind,
        "typeLibelle": str(organization.get_kind_display()),
    }


def territory_part(territory: Territory) -> dict[str, Any]:
    return {
        "nom": territory.name,
        "type": TERRITORY_KIND.get(territory.kind, "Autre"),
        "codeInsee": territory.insee_code or None,
        "codeDepartement": territory.department_code or None,
        "region": territory.region or None,
        "servicePorteur": territory.health_service_name or None,
    }


@dataclass(frozen=True)
class Links:
    """Absolute addresses the document gives: its page, its schema."""

    page: str
    schema: str


def fiche_queryset(contract_ids: list[int]) -> QuerySet[FicheAction]:
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))
    values = IndicatorValue.objects.order_by("measured_on", "pk").only(
        "indicator_id", "measured_on", "value"
    )
    indicators = Indicator.objects.order_by("order", "pk").prefetch_related(
        Prefetch("values", queryset=values)
    )
    return (
        FicheAction.objects.filter(contract__in=contract_ids)
        .select_related("thematic_axis", "pilot_organization", "pilot_contact__organization")
        .annotate(
            secured=Coalesce(
                Sum("funding_lines__amount", filter=Q(funding_lines__status=FundingStatus.SECURED)),
                zero,
            ),
            requested=Coalesce(
                Sum(
                    "funding_lines__amount",
                    filter=Q(funding_lines__status=FundingStatus.REQUESTED),
                ),
                zero,
            ),
        )
        .prefetch_related(
            Prefetch("transversal_axes", queryset=Axis.objects.order_by("number")),
            "publics",
            "ottawa_areas",
            "qpvs",
            Prefetch("indicators", queryset=indicators),
        )
        .order_by("contract", "number", "pk")
    )


def fiche_part(fiche: FicheAction, today: dt.date) -> dict[str, Any]:
    # The pilot is a structure; a pilot named as a person counts by their structure alone.
    pilot = fiche.pilot_organization or (
        fiche.pilot_contact.organization if fiche.pilot_contact_id else None
    )
    phase_name, phase_status = phase(fiche, today)
    return {
        "id": fiche.pk,
        "numero": fiche.number,
        "nom": fiche.title,
        "axeThematiqueId": fiche.thematic_axis_id,
        "axeThematiqueNumero": fiche.thematic_axis.number,
        "axesTransversauxNumeros": [axis.number for axis in fiche.transversal_axes.all()],
        "statut": ACTION_STATUS[fiche.status],
        "statutLibelle": str(fiche.get_status_display()),
        "phase": phase_name,
        "phaseStatut": phase_status,
        "enRetard": is_late(fiche, today),
        "avancement": fiche.progress,
        "dateDebutPrevisionnelle": iso_date(fiche.start_date),
        "dateFinPrevisionnelle": iso_date(fiche.end_date),
        "publics": [public.name for public in fiche.publics.all()],
        "axesOttawa": [area.name for area in fiche.ottawa_areas.all()],
        "territoireIntervention": SCOPE[fiche.territory_scope],
        "qpv": [{"nom": qpv.name, "code": qpv.code or None} for qpv in fiche.qpvs.all()],
        "participationHabitants": str(fiche.get_participation_display()),
        "porteur": structure(pilot),
        "budgetPrevisionnel": euros(fiche.budget_total),
        "financementsAcquis": euros(fiche.secured),
        "financementsDemandes": euros(fiche.requested),
        "dateMiseAJour": iso_moment(fiche.updated_at),
        "indicateurs": [indicator_part(indicator) for indicator in fiche.indicators.all()],
    }


def indicator_part(indicator: Indicator) -> dict[str, Any]:
    return {
        "id": indicator.pk,
        "type": INDICATOR_KIND[indicator.kind],
        "typeLibelle": str(indicator.get_kind_display()),
        "nom": indicator.title,
        "unite": indicator.unit or None,
        "valeurInitiale": number(indicator.baseline),
        "cible": number(indicator.target),
        "source": indicator.source or None,
        "frequence": indicator.frequency or None,
        "mesures": [
            {"date": value.measured_on.isoformat(), "valeur": number(value.value)}
            for value in indicator.values.all()
        ],
    }


def contract_part(
    contract: Contract,
    *,
    published_ids: set[int],
    signatories: list[Signatory],
    axes: list[Axis],
    fiches: list[dict[str, Any]],
    updated: dt.datetime,
) -> dict[str, Any]:
    return {
        "id": contract.pk,
        "dispositif": contract.kind,
        "dispositifLibelle": str(contract.get_kind_display()),
        "titre": contract.title,
        "anneeDebut": contract.start_year,
        "anneeFin": contract.end_year,
        "statut": CONTRACT_STATUS[contract.status],
        "statutLibelle": str(contract.get_status_display()),
        "dateSignature": iso_date(contract.signed_on),
        "dateCloture": iso_date(contract.closed_on),
        # A former contract is named only if it is published too.
        "contratPrecedentId": (
            contract.previous_id if contract.previous_id in published_ids else None
        ),
        "datePublication": iso_moment(contract.open_data_published_at),
        "dateMiseAJour": iso_moment(updated),
        "signataires": [
            {
                **structure(signatory.organization),  # type: ignore[dict-item]
                "dateSignature": iso_date(signatory.signed_on),
                "ordre": signatory.order,
            }
            for signatory in signatories
        ],
        "axes": [
            {
                "id": axis.pk,
                "type": AXIS_KIND[axis.kind],
                "numero": axis.number,
                "libelle": str(axis.label),
                "titre": axis.plain_title,
            }
            for axis in axes
        ],
        "fichesActions": fiches,
    }


def open_data_document(
    *, territory: Territory, links: Links, today: dt.date | None = None
) -> dict[str, Any] | None:
    """The territory's published contracts as one document, or None when none is published.
    Eleven queries whatever the size."""
    today = today or timezone.localdate()
    contracts = list(published_contracts(territory))
    if not contracts:
        return None
    ids = [contract.pk for contract in contracts]
    signatories: dict[int, list[Signatory]] = {pk: [] for pk in ids}
    for signatory in (
        Signatory.objects.filter(contract__in=ids)
        .select_related("organization")
        .order_by("order", "pk")
    ):
        signatories[signatory.contract_id].append(signatory)
    axes: dict[int, list[Axis]] = {pk: [] for pk in ids}
    for axis in Axis.objects.filter(contract__in=ids).order_by("kind", "number"):
        axes[axis.contract_id].append(axis)
    fiches: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    # The latest publication or change of a fiche-action (the rule of `last_update`).
    updated = {contract.pk: contract.open_data_published_at for contract in contracts}
    for fiche in fiche_queryset(ids):
        fiches[fiche.contract_id].append(fiche_part(fiche, today))
        updated[fiche.contract_id] = max(updated[fiche.contract_id], fiche.updated_at)
    parts = [
        contract_part(
            contract,
            published_ids=set(ids),
            signatories=signatories[contract.pk],
            axes=axes[contract.pk],
            fiches=fiches[contract.pk],
            updated=updated[contract.pk],
        )
        for contract in contracts
    ]
    document = {
        "schema": links.schema,
        "version": FORMAT_VERSION,
        "licence": LICENCE,
        "source": links.page,
        "dateMiseAJour": iso_moment(max(updated.values())),
        "collectivite": territory_part(territory),
        "contrats": parts,
    }
    people = Contact.objects.filter(territory=territory).values_list("first_name", "last_name")
    return scrub_all(document, names_pattern(people))
