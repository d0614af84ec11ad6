"""Writes to contracts: creation, edits (an amendment once signed), signature, the signed PDF,
closing and renewal. A signed contract's structure changes only with an amendment (avenant)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cls_platform.models import Territory, User
from partners.models import Organization

from ..models import (
    ActionPartner,
    Axis,
    Contract,
    ContractAmendment,
    ContractEvent,
    ContractEventKind,
    ContractKind,
    ContractStatus,
    FicheAction,
    Indicator,
    Signatory,
)
from .pdf_warm import warm_after_commit


@transaction.atomic
def contract_create(*, territory: Territory, data: dict[str, Any]) -> Contract:
    contract = Contract(territory=territory, status=ContractStatus.DRAFT, **data)
    contract.full_clean(exclude=["territory"])
    contract.save()
    warm_after_commit(contract_id=contract.pk)
    return contract


@transaction.atomic
def contract_update(
    *, contract: Contract, data: dict[str, Any], amendment_note: str = "", user: User | None = None
) -> Contract:
    """Edit a contract's presentation; its kind and period are structural: once the contract is
    signed, changing them is an amendment (avenant) recorded in its history."""
    before = Contract.objects.get(pk=contract.pk)
    for name, value in data.items():
        setattr(contract, name, value)
    contract.full_clean(exclude=["territory", "previous", "signed_document"])
    changes = []
    if before.kind != contract.kind:
        changes.append(
            _("dispositif : %(before)s → %(after)s")
            % {
                "before": ContractKind(before.kind).label,
                "after": ContractKind(contract.kind).label,
            }
        )
    if (before.start_year, before.end_year) != (contract.start_year, contract.end_year):
        changes.append(
            _("période : %(before)s → %(after)s")
            % {"before": before.period, "after": contract.period}
        )
    if changes:
        amendment_record(
            contract=before,
            note=amendment_note,
            changes=_("Contrat modifié : %(changes)s") % {"changes": " ; ".join(changes)},
            user=user,
        )
    contract.save()
    warm_after_commit(contract_id=contract.pk)
    return contract


def event_record(
    *, contract: Contract, kind: str, user: User | None = None, detail: str = ""
) -> ContractEvent:
    return ContractEvent.objects.create(
        contract=contract, kind=kind, detail=detail[:300], created_by=user
    )


@transaction.atomic
def contract_sign(
    *,
    contract: Contract,
    signed_on: dt.date,
    signatories: Sequence[Organization],
    document: Any = None,
    user: User | None = None,
) -> Contract:
    """Draft → signed: the date, the signatories in the order of the signature page, the PDF."""
    if contract.status != ContractStatus.DRAFT:
        raise ValidationError(_("Seul un contrat en préparation peut être signé."))
    if not signatories:
        raise ValidationError(_("Indiquez au moins un signataire."))
    if any(org.territory_id != contract.territory_id for org in signatories):
        raise ValidationError(
            _("Les signataires doivent être des structures de l'annuaire du territoire.")
        )
    contract.signatories.all().delete()
    Signatory.objects.bulk_create(
        [
            Signatory(contract=contract, organization=org, order=order, signed_on=signed_on)
            for order, org in enumerate(signatories, start=1)
        ]
    )
    contract.status = ContractStatus.SIGNED
    contract.signed_on = signed_on
    if document:
        contract.signed_document = document
    contract.save()
    event_record(
        contract=contract,
        kind=ContractEventKind.SIGNED,
        user=user,
        # At least one signatory (checked above): where French and English plurals agree.
        detail=ngettext(
            "Signé le %(date)s par %(count)s signataire.",
            "Signé le %(date)s par %(count)s signataires.",
            len(signatories),
        )
        % {"date": signed_on.strftime("%d/%m/%Y"), "count": len(signatories)},
    )
    if document:
        event_record(
            contract=contract,
            kind=ContractEventKind.DOCUMENT_ADDED,
            user=user,
            detail=getattr(document, "name", "") or "",
        )
    warm_after_commit(contract_id=contract.pk)
    return contract


@transaction.atomic
def contract_document_set(*, contract: Contract, document: Any, user: User | None) -> Contract:
    """Deposit (or replace) the signed contract's PDF after the signature was recorded: the
    scan often arrives weeks after the steering committee signed."""
    if contract.status == ContractStatus.DRAFT:
        raise ValidationError(
            _(
                "Ce contrat est en préparation : enregistrez d'abord sa signature, "
                "le PDF signé se dépose avec elle."
            )
        )
    if not document:
        raise ValidationError({"document": _("Choisissez le PDF du contrat signé.")})
    previous = contract.signed_document.name if contract.signed_document else ""
    contract.signed_document = document
    contract.save(update_fields=["signed_document"])
    event_record(
        contract=contract,
        kind=(
            ContractEventKind.DOCUMENT_REPLACED if previous else ContractEventKind.DOCUMENT_ADDED
        ),
        user=user,
        detail=getattr(document, "name", "") or "",
    )
    if previous and previous != contract.signed_document.name:
        storage = contract.signed_document.storage
        # Only once the new file is committed: a failed transaction keeps the old one.
        transaction.on_commit(lambda: storage.delete(previous))
    return contract


@transaction.atomic
def contract_close(
    *, contract: Contract, closed_on: dt.date | None = None, user: User | None = None
) -> Contract:
    if contract.status != ContractStatus.SIGNED:
        raise ValidationError(_("Seul un contrat signé peut être clos."))
    contract.status = ContractStatus.CLOSED
    contract.closed_on = closed_on or timezone.localdate()
    contract.save(update_fields=["status", "closed_on"])
    event_record(contract=contract, kind=ContractEventKind.CLOSED, user=user)
    warm_after_commit(contract_id=contract.pk)
    return contract


def amendment_record(
    *, contract: Contract, note: str, changes: str, user: User | None
) -> ContractAmendment | None:
    """Records the amendment a structural change to a signed contract needs (None for drafts)."""
    if not contract.structure_locked:
        return None
    if not (note or "").strip():
        raise ValidationError(
            {
                "amendment_note": _(
                    "Ce contrat est signé : indiquez l'avenant qui autorise cette modification."
                )
            }
        )
    last = contract.amendments.aggregate(n=Max("number"))["n"] or 0
    return ContractAmendment.objects.create(
        contract=contract,
        number=last + 1,
        adopted_on=timezone.localdate(),
        note=note.strip(),
        changes=changes,
        created_by=user,
    )


# --- renewal ---------------------------------------------------------------------------------


def last_measurement_or_baseline(indicator: Indicator) -> Any:
    """The carried indicator starts from where the old one ended; a last value of 0 counts."""
    last = indicator.values.order_by("-measured_on", "-id").values_list("value", flat=True).first()
    return indicator.baseline if last is None else last


COPIED_FICHE_FIELDS = (
    "title",
    "context",
    "general_objective",
    "operational_objectives",
    "description",
    "publics_detail",
    "territory_scope",
    "participation",
    "pilot_organization_id",
    "pilot_contact_id",
)


@transaction.atomic
def contract_renew(
    *,
    contract: Contract,
    title: str,
    start_year: int,
    end_year: int,
    axes: Sequence[Axis],
    fiches: Sequence[FicheAction],
) -> Contract:
    """Start the next contract from this one with the chosen axes and actions; carried actions
    keep a link to their predecessor, so that their history stays visible."""
    if contract.status not in (ContractStatus.SIGNED, ContractStatus.CLOSED):
        raise ValidationError(
            _(
                "Seul un contrat signé ou clos se renouvelle : un contrat en préparation "
                "se modifie directement."
            )
        )
    if hasattr(contract, "next") and contract.next is not None:
        raise ValidationError(
            _("Ce contrat a déjà un successeur : %(next)s.") % {"next": contract.next}
        )
    if start_year <= contract.end_year:
        raise ValidationError(
            {
                "start_year": _(
                    "Le nouveau contrat commence après la fin du précédent (%(year)s) : "
                    "indiquez %(next)s ou une année suivante."
                )
                % {"year": contract.end_year, "next": contract.end_year + 1}
            }
        )
    if end_year < start_year:
        raise ValidationError({"end_year": _("L'année de fin précède l'année de début.")})
    chosen_axes = {a.pk for a in axes}
    for fiche in fiches:
        if fiche.thematic_axis_id not in chosen_axes:
            raise ValidationError(
                _("La fiche %(fiche)s est reprise sans son axe thématique : reprenez aussi l'axe.")
                % {"fiche": fiche.number}
            )
    successor = Contract.objects.create(
        territory=contract.territory,
        kind=contract.kind,
        title=title,
        start_year=start_year,
        end_year=end_year,
        status=ContractStatus.DRAFT,
        previous=contract,
    )
    new_axes: dict[int, Axis] = {}
    for axis in sorted(axes, key=lambda a: (a.kind, a.number)):
        new_axes[axis.pk] = Axis.objects.create(
            contract=successor,
            kind=axis.kind,
            number=axis.number,
            title=axis.title,
            description=axis.description,
            objectives=axis.objectives,
        )
    for fiche in sorted(fiches, key=lambda f: f.number):
        copy = FicheAction.objects.create(
            contract=successor,
            number=fiche.number,
            thematic_axis=new_axes[fiche.thematic_axis_id],
            previous=fiche,
            **{f: getattr(fiche, f) for f in COPIED_FICHE_FIELDS},
        )
        copy.transversal_axes.set(
            [new_axes[a.pk] for a in fiche.transversal_axes.all() if a.pk in new_axes]
        )
        copy.publics.set(fiche.publics.all())
        copy.qpvs.set(fiche.qpvs.all())
        copy.ottawa_areas.set(fiche.ottawa_areas.all())
        copy.copilots.set(fiche.copilots.all())
        ActionPartner.objects.bulk_create(
            [
                ActionPartner(
                    fiche=copy, organization_id=p.organization_id, role=p.role, level_id=p.level_id
                )
                for p in fiche.partnerships.all()
            ]
        )
        Indicator.objects.bulk_create(
            [
                Indicator(
                    fiche=copy,
                    kind=i.kind,
                    title=i.title,
                    unit=i.unit,
                    baseline=last_measurement_or_baseline(i),
                    target=i.target,
                    source=i.source,
                    frequency=i.frequency,
                    order=i.order,
                )
                for i in fiche.indicators.all()
            ]
        )
    warm_after_commit(contract_id=successor.pk)
    return successor
