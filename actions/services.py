"""Writes to contracts, axes and fiches-actions. Each service validates, then writes in one
transaction; a signed contract's structure changes only with an amendment (avenant)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cls_platform.models import Territory, User
from partners.models import Organization

from .models import (
    ActionPartner,
    ActionStatus,
    ActionUpdate,
    Axis,
    Contract,
    ContractAmendment,
    ContractStatus,
    FicheAction,
    FundingLine,
    Indicator,
    IndicatorValue,
    Signatory,
    StatusChange,
)

# --- contracts -----------------------------------------------------------------------------


@transaction.atomic
def contract_create(*, territory: Territory, data: dict[str, Any]) -> Contract:
    contract = Contract(territory=territory, status=ContractStatus.DRAFT, **data)
    contract.full_clean(exclude=["territory"])
    contract.save()
    return contract


@transaction.atomic
def contract_sign(
    *,
    contract: Contract,
    signed_on: dt.date,
    signatories: Sequence[Organization],
    document: Any = None,
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
    return contract


@transaction.atomic
def contract_close(*, contract: Contract, closed_on: dt.date | None = None) -> Contract:
    if contract.status != ContractStatus.SIGNED:
        raise ValidationError(_("Seul un contrat signé peut être clos."))
    contract.status = ContractStatus.CLOSED
    contract.closed_on = closed_on or timezone.localdate()
    contract.save(update_fields=["status", "closed_on"])
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


# --- axes ------------------------------------------------------------------------------------


@transaction.atomic
def axis_save(*, axis: Axis, amendment_note: str = "", user: User | None = None) -> Axis:
    contract = axis.contract
    if axis.pk is None:
        if axis.number is None:
            last = contract.axes.filter(kind=axis.kind).aggregate(n=Max("number"))["n"] or 0
            axis.number = last + 1
        amendment_record(
            contract=contract,
            note=amendment_note,
            changes=_("Ajout de l'axe %(axis)s") % {"axis": axis},
            user=user,
        )
    else:
        before = Axis.objects.get(pk=axis.pk)
        if (before.title, before.number) != (axis.title, axis.number):
            amendment_record(
                contract=contract,
                note=amendment_note,
                changes=_("« %(before)s » devient « %(after)s »")
                % {"before": before, "after": axis},
                user=user,
            )
    if contract.axes.filter(kind=axis.kind, number=axis.number).exclude(pk=axis.pk).exists():
        raise ValidationError(
            {"number": _("Ce numéro est déjà pris par un autre axe de ce contrat.")}
        )
    axis.save()
    return axis


@transaction.atomic
def axis_move(
    *, axis: Axis, direction: int, amendment_note: str = "", user: User | None = None
) -> Axis:
    """Swap an axis with its neighbour (direction -1: up, +1: down); numbers follow the order."""
    siblings = list(axis.contract.axes.filter(kind=axis.kind).order_by("number"))
    index = next(i for i, a in enumerate(siblings) if a.pk == axis.pk)
    other_index = index + direction
    if not 0 <= other_index < len(siblings):
        return axis
    other = siblings[other_index]
    amendment_record(
        contract=axis.contract,
        note=amendment_note,
        changes=_("Ordre des axes : %(a)s et %(b)s échangés") % {"a": axis.title, "b": other.title},
        user=user,
    )
    first, second = axis.number, other.number
    # Through a free number, as (contract, kind, number) is unique at every step.
    free = (max(a.number for a in siblings) or 0) + 1
    Axis.objects.filter(pk=axis.pk).update(number=free)
    Axis.objects.filter(pk=other.pk).update(number=first)
    Axis.objects.filter(pk=axis.pk).update(number=second)
    axis.refresh_from_db()
    return axis


# --- fiches-actions -----------------------------------------------------------------------------


STRUCTURE_FIELDS = ("number", "thematic_axis_id")


@transaction.atomic
def fiche_save(
    *,
    fiche: FicheAction,
    m2m: dict[str, Iterable[Any]] | None = None,
    amendment_note: str = "",
    user: User | None = None,
) -> FicheAction:
    """Create or edit a fiche; a new fiche or a new number in a signed contract is an amendment."""
    contract = fiche.contract
    if fiche.thematic_axis.contract_id != contract.pk:
        raise ValidationError({"thematic_axis": _("Cet axe appartient à un autre contrat.")})
    if fiche.pk is None:
        amendment_record(
            contract=contract,
            note=amendment_note,
            changes=_("Ajout de la fiche-action %(fiche)s") % {"fiche": fiche},
            user=user,
        )
        old_status = None
    else:
        before = FicheAction.objects.get(pk=fiche.pk)
        if any(getattr(before, f) != getattr(fiche, f) for f in STRUCTURE_FIELDS):
            amendment_record(
                contract=contract,
                note=amendment_note,
                changes=_("Fiche-action %(before)s renumérotée ou changée d'axe : %(after)s")
                % {"before": before, "after": fiche},
                user=user,
            )
        old_status = before.status
    if contract.fiches_actions.filter(number=fiche.number).exclude(pk=fiche.pk).exists():
        raise ValidationError(
            {"number": _("Ce numéro est déjà celui d'une autre fiche-action du contrat.")}
        )
    fiche.save()
    for name, values in (m2m or {}).items():
        getattr(fiche, name).set(values)
    if old_status is not None and old_status != fiche.status:
        StatusChange.objects.create(
            fiche=fiche,
            old_status=old_status,
            new_status=fiche.status,
            progress=fiche.progress,
            author=user,
        )
    return fiche


@transaction.atomic
def fiche_set_status(
    *, fiche: FicheAction, status: str, progress: int, user: User | None
) -> FicheAction:
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("L'avancement est un pourcentage entre 0 et 100.")})
    if status == ActionStatus.DONE:
        progress = 100
    if (status, progress) != (fiche.status, fiche.progress):
        StatusChange.objects.create(
            fiche=fiche, old_status=fiche.status, new_status=status, progress=progress, author=user
        )
        fiche.status, fiche.progress = status, progress
        fiche.save(update_fields=["status", "progress", "updated_at"])
    return fiche


@transaction.atomic
def fiche_set_partners(
    *, fiche: FicheAction, rows: Iterable[tuple[Organization, str, Any]]
) -> None:
    """Replace the action's partners by (structure, role, collaboration level) rows."""
    rows = [r for r in rows if r[0] is not None]
    seen: set[int] = set()
    for org, _role, _level in rows:
        if org.territory_id != fiche.territory_id:
            raise ValidationError(
                _("Un partenaire doit être une structure de l'annuaire du territoire.")
            )
        if org.pk in seen:
            raise ValidationError(_("La structure %(org)s est citée deux fois.") % {"org": org})
        seen.add(org.pk)
    fiche.partnerships.all().delete()
    ActionPartner.objects.bulk_create(
        [
            ActionPartner(fiche=fiche, organization=org, role=role, level=level)
            for org, role, level in rows
        ]
    )


@transaction.atomic
def fiche_set_funding(*, fiche: FicheAction, rows: Iterable[dict[str, Any]]) -> None:
    fiche.funding_lines.all().delete()
    FundingLine.objects.bulk_create([FundingLine(fiche=fiche, **row) for row in rows])


@transaction.atomic
def update_post(
    *,
    fiche: FicheAction,
    happened_on: dt.date,
    text: str,
    user: User | None,
    meeting_id: int | None = None,
) -> ActionUpdate:
    """Dated news of an action; linked to the meeting where it was discussed when there is one.

    The link belongs to the workgroups app, reached through its reverse relation on the fiche.
    """
    if not text.strip():
        raise ValidationError({"text": _("Écrivez l'actualité.")})
    update = ActionUpdate.objects.create(
        fiche=fiche, happened_on=happened_on, text=text.strip(), author=user
    )
    if meeting_id:
        meeting = fiche.territory.meetings.filter(pk=meeting_id).first()
        if meeting is None:
            raise ValidationError({"meeting": _("Cette réunion n'existe pas dans ce territoire.")})
        fiche.meeting_links.update_or_create(
            meeting=meeting, defaults={"update": update, "note": update.text}
        )
    return update


@transaction.atomic
def indicator_save(*, indicator: Indicator) -> Indicator:
    if indicator.pk is None and indicator.order == 0:
        indicator.order = (indicator.fiche.indicators.aggregate(n=Max("order"))["n"] or 0) + 1
    indicator.save()
    return indicator


@transaction.atomic
def indicator_value_add(
    *, indicator: Indicator, measured_on: dt.date, value: Any, comment: str = ""
) -> IndicatorValue:
    if measured_on > timezone.localdate():
        raise ValidationError(
            {"measured_on": _("Une mesure ne peut pas être datée dans le futur.")}
        )
    return IndicatorValue.objects.create(
        indicator=indicator, measured_on=measured_on, value=value, comment=comment
    )


# --- renewal ---------------------------------------------------------------------------------


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
    if hasattr(contract, "next") and contract.next is not None:
        raise ValidationError(
            _("Ce contrat a déjà un successeur : %(next)s.") % {"next": contract.next}
        )
    if start_year < contract.start_year:
        raise ValidationError({"start_year": _("Le nouveau contrat commence après le précédent.")})
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
                    baseline=(
                        i.values.order_by("-measured_on").values_list("value", flat=True).first()
                        or i.baseline
                    ),
                    target=i.target,
                    source=i.source,
                    frequency=i.frequency,
                    order=i.order,
                )
                for i in fiche.indicators.all()
            ]
        )
    return successor
