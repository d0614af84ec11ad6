"""Writes to contracts, axes and fiches-actions. Each service validates, then writes in one
transaction; a signed contract's structure changes only with an amendment (avenant)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cls_platform.models import Territory, User
from partners.models import Organization

from .models import (
    ActionPartner,
    ActionStatus,
    ActionUpdate,
    Axis,
    AxisKind,
    CollaborationLevel,
    Contract,
    ContractAmendment,
    ContractEvent,
    ContractEventKind,
    ContractKind,
    ContractStatus,
    FicheAction,
    FundingLine,
    Indicator,
    IndicatorValue,
    Signatory,
    StatusChange,
)
from .selectors import meetings_for

# --- contracts -----------------------------------------------------------------------------


@transaction.atomic
def contract_create(*, territory: Territory, data: dict[str, Any]) -> Contract:
    contract = Contract(territory=territory, status=ContractStatus.DRAFT, **data)
    contract.full_clean(exclude=["territory"])
    contract.save()
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


Renumbering = list[tuple[FicheAction, str, str]]  # (fiche, old number, new number)


def fiche_renumbering(*, contract: Contract, moves: dict[int, tuple[int, int]]) -> Renumbering:
    """The fiches whose number follows their thematic axis ("2.3" under axis 2) and must follow
    it to its new number. `moves` maps an axis id to its (old, new) number. Numbers written
    another way ("A3") are left alone."""
    plan: Renumbering = []
    fiches = contract.fiches_actions.filter(thematic_axis_id__in=list(moves)).order_by("number")
    for fiche in fiches:
        old, new = moves[fiche.thematic_axis_id]
        prefix = f"{old}."
        if old != new and fiche.number.startswith(prefix):
            plan.append((fiche, fiche.number, f"{new}.{fiche.number[len(prefix) :]}"))
    moving = {fiche.pk for fiche, _old, _new in plan}
    taken = set(contract.fiches_actions.exclude(pk__in=moving).values_list("number", flat=True))
    max_length = FicheAction._meta.get_field("number").max_length
    for _fiche, old, new in plan:
        if new in taken:
            raise ValidationError(
                _(
                    "La fiche %(old)s devrait devenir %(new)s, mais ce numéro est déjà celui "
                    "d'une autre fiche-action : renumérotez-la d'abord."
                )
                % {"old": old, "new": new}
            )
        if len(new) > max_length:
            raise ValidationError(
                _("Le numéro %(new)s serait trop long pour la fiche %(old)s.")
                % {"old": old, "new": new}
            )
    return plan


def describe_renumbering(plan: Renumbering) -> str:
    if not plan:
        return ""
    return _("fiches renumérotées : %(list)s") % {
        "list": ", ".join(f"{old} → {new}" for _fiche, old, new in plan)
    }


def apply_renumbering(plan: Renumbering) -> None:
    if not plan:
        return
    fiches = [fiche for fiche, _old, _new in plan]
    # Through numbers nobody uses, as (contract, number) is unique at every step of a swap.
    for fiche in fiches:
        fiche.number = f"#{fiche.pk}"
    FicheAction.objects.bulk_update(fiches, ["number"])
    for fiche, _old, new in plan:
        fiche.number = new
    FicheAction.objects.bulk_update(fiches, ["number"])


@transaction.atomic
def axis_save(*, axis: Axis, amendment_note: str = "", user: User | None = None) -> Axis:
    """Create or edit an axis. Its kind is structural: an axis that carries fiches keeps it.
    A new number for a thematic axis carries its fiches' numbers along ("1.2" → "3.2")."""
    contract = axis.contract
    if axis.kind not in AxisKind.values:
        raise ValidationError({"kind": _("Choisissez un type d'axe.")})
    plan: Renumbering = []
    if axis.pk is None:
        before = None
    else:
        before = Axis.objects.get(pk=axis.pk)
        if before.kind != axis.kind and before.carries_fiches():
            raise ValidationError(
                {
                    "kind": _(
                        "Cet axe porte des fiches-actions : son type (thématique ou transversal) "
                        "ne peut pas changer. Rattachez d'abord ses fiches à un autre axe."
                    )
                }
            )
    if axis.number is None:
        if before is not None and before.kind == axis.kind:
            axis.number = before.number
        else:
            last = contract.axes.filter(kind=axis.kind).aggregate(n=Max("number"))["n"] or 0
            axis.number = last + 1
    if contract.axes.filter(kind=axis.kind, number=axis.number).exclude(pk=axis.pk).exists():
        raise ValidationError(
            {"number": _("Ce numéro est déjà pris par un autre axe de ce contrat.")}
        )
    if before is None:
        amendment_record(
            contract=contract,
            note=amendment_note,
            # str(axis) starts with "Axe 7": "Ajout de l'axe Axe 7 : ..." said it twice.
            changes=(
                _("Ajout de l'axe %(number)s : %(title)s")
                if axis.kind == AxisKind.THEMATIC
                else _("Ajout de l'axe transversal %(number)s : %(title)s")
            )
            % {"number": axis.number, "title": axis.plain_title},
            user=user,
        )
    elif (before.kind, before.title, before.number) != (axis.kind, axis.title, axis.number):
        if axis.kind == AxisKind.THEMATIC and before.kind == AxisKind.THEMATIC:
            plan = fiche_renumbering(
                contract=contract, moves={axis.pk: (before.number, axis.number)}
            )
        changes = _("« %(before)s » devient « %(after)s »") % {"before": before, "after": axis}
        if plan:
            changes = f"{changes} ; {describe_renumbering(plan)}"
        amendment_record(contract=contract, note=amendment_note, changes=changes, user=user)
    axis.save()
    apply_renumbering(plan)
    return axis


@transaction.atomic
def axis_move(
    *, axis: Axis, direction: int, amendment_note: str = "", user: User | None = None
) -> Axis:
    """Swap an axis with its neighbour (direction -1: up, +1: down); numbers follow the order,
    and so do the numbers of the fiches under a thematic axis."""
    siblings = list(axis.contract.axes.filter(kind=axis.kind).order_by("number"))
    index = next(i for i, a in enumerate(siblings) if a.pk == axis.pk)
    other_index = index + direction
    if not 0 <= other_index < len(siblings):
        return axis
    other = siblings[other_index]
    first, second = axis.number, other.number
    plan: Renumbering = []
    if axis.kind == AxisKind.THEMATIC:
        plan = fiche_renumbering(
            contract=axis.contract, moves={axis.pk: (first, second), other.pk: (second, first)}
        )
    changes = _("Ordre des axes : %(a)s et %(b)s échangés") % {"a": axis.title, "b": other.title}
    if plan:
        changes = f"{changes} ; {describe_renumbering(plan)}"
    amendment_record(contract=axis.contract, note=amendment_note, changes=changes, user=user)
    # Through a free number, as (contract, kind, number) is unique at every step.
    free = (max(a.number for a in siblings) or 0) + 1
    Axis.objects.filter(pk=axis.pk).update(number=free)
    Axis.objects.filter(pk=other.pk).update(number=first)
    Axis.objects.filter(pk=axis.pk).update(number=second)
    apply_renumbering(plan)
    axis.refresh_from_db()
    return axis


# --- fiches-actions -----------------------------------------------------------------------------


STRUCTURE_FIELDS = ("number", "thematic_axis_id")
# "3.2" under axis 3; also "3.2.1", "3.2a", "3.2 bis" for the contracts that split an action.
FICHE_NUMBER = re.compile(r"(\d+)\.\d+(?:\.\d+)*(?:[a-z]| ?(?:bis|ter|quater))?", re.IGNORECASE)


def fiche_number_follows(number: str, axis: Axis) -> bool:
    match = FICHE_NUMBER.fullmatch((number or "").strip())
    return bool(match) and int(match.group(1)) == axis.number


def fiche_number_problem(number: str, axis: Axis) -> str | None:
    """Why `number` cannot be the number of a fiche of `axis`, or None: a fiche of axis 3 is
    numbered 3.1, 3.2... (the contract's documents and the PDF's contents rely on it)."""
    if fiche_number_follows(number, axis):
        return None
    return _(
        "Une fiche de l'axe %(axis)s est numérotée %(axis)s.1, %(axis)s.2… : « %(number)s » ne "
        "suit pas le numéro de son axe. Indiquez par exemple %(example)s."
    ) % {
        "axis": axis.number,
        "number": number,
        "example": next_fiche_number(contract=axis.contract, axis=axis),
    }


def next_fiche_number(*, contract: Contract, axis: Axis) -> str:
    """The first number after the highest one of the axis ("3.5" after "3.4")."""
    prefix = f"{axis.number}."
    taken = contract.fiches_actions.filter(number__startswith=prefix).values_list(
        "number", flat=True
    )
    ranks = [int(m.group(0)) for n in taken if (m := re.match(r"\d+", n[len(prefix) :]))]
    return f"{prefix}{max(ranks, default=0) + 1}"


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
    if fiche.status == ActionStatus.DONE:
        fiche.progress = 100  # a finished action is finished: its progress says so
    if not 0 <= (fiche.progress or 0) <= 100:
        raise ValidationError({"progress": _("L'avancement est un pourcentage entre 0 et 100.")})
    if fiche.thematic_axis.contract_id != contract.pk:
        raise ValidationError({"thematic_axis": _("Cet axe appartient à un autre contrat.")})
    fiche.number = (fiche.number or "").strip()
    before = FicheAction.objects.get(pk=fiche.pk) if fiche.pk is not None else None
    if (
        before is not None
        and before.thematic_axis_id != fiche.thematic_axis_id
        and before.number == fiche.number
        and not fiche_number_follows(fiche.number, fiche.thematic_axis)
    ):
        # Moved to another axis with its old number: it takes the next number of its new axis.
        # The fiches left behind keep theirs (a signed contract's numbers are quoted elsewhere).
        fiche.number = next_fiche_number(contract=contract, axis=fiche.thematic_axis)
    if before is None or any(getattr(before, f) != getattr(fiche, f) for f in STRUCTURE_FIELDS):
        # Checked when the number or the axis is written, so that a fiche numbered another way
        # before this rule ("A3") keeps being followed and updated until it is renumbered.
        problem = fiche_number_problem(fiche.number, fiche.thematic_axis)
        if problem:
            raise ValidationError({"number": problem})
    if before is None:
        amendment_record(
            contract=contract,
            note=amendment_note,
            changes=_("Ajout de la fiche-action %(fiche)s") % {"fiche": fiche},
            user=user,
        )
        old_status = None
    else:
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


WRONG_MEETING = gettext_lazy(
    "Cette réunion n'est pas une réunion des groupes de ce contrat : choisissez-en une dans la "
    "liste, ou « Aucune »."
)


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
    What the meeting already said about the action (the link's note) is never overwritten: the
    update is attached to the existing link.
    """
    if not text.strip():
        raise ValidationError({"text": _("Écrivez l'actualité.")})
    meeting = None
    if meeting_id:
        meeting = meetings_for(fiche).filter(pk=meeting_id).first()
        if meeting is None:
            raise ValidationError({"meeting": WRONG_MEETING})
    update = ActionUpdate.objects.create(
        fiche=fiche, happened_on=happened_on, text=text.strip(), author=user
    )
    if meeting is not None:
        link = fiche.meeting_links.filter(meeting=meeting).first()
        if link is None:
            fiche.meeting_links.create(meeting=meeting, update=update, note=update.text)
        else:
            link.update = update
            link.save(update_fields=["update"])
    return update


@transaction.atomic
def update_edit(*, update: ActionUpdate, happened_on: dt.date, text: str) -> ActionUpdate:
    if not text.strip():
        raise ValidationError({"text": _("Écrivez l'actualité.")})
    update.happened_on = happened_on
    update.text = text.strip()
    update.edited_at = timezone.now()
    update.save(update_fields=["happened_on", "text", "edited_at"])
    return update


@transaction.atomic
def update_delete(*, update: ActionUpdate) -> None:
    """The meeting's own record of the discussion (its link and note) stays."""
    update.delete()


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


@transaction.atomic
def indicator_value_edit(
    *, value: IndicatorValue, measured_on: dt.date, amount: Any, comment: str = ""
) -> IndicatorValue:
    if measured_on > timezone.localdate():
        raise ValidationError(
            {"measured_on": _("Une mesure ne peut pas être datée dans le futur.")}
        )
    value.measured_on, value.value, value.comment = measured_on, amount, comment
    value.save(update_fields=["measured_on", "value", "comment"])
    return value


@transaction.atomic
def indicator_value_delete(*, value: IndicatorValue) -> None:
    value.delete()


@transaction.atomic
def indicator_delete(*, indicator: Indicator) -> int:
    """Delete an indicator and its measurements; returns how many measurements went with it."""
    count = indicator.values.count()
    indicator.delete()
    return count


# --- collaboration scale -----------------------------------------------------------------------


@transaction.atomic
def collaboration_scale_save(
    *, levels: Sequence[CollaborationLevel], removed: Sequence[CollaborationLevel] = ()
) -> list[CollaborationLevel]:
    """Save the whole scale at once: edited and new levels, the removed ones gone. Ranks may be
    swapped freely; a level partners are rated with cannot be removed."""
    kept = [level for level in levels if level not in removed]
    if not kept:
        raise ValidationError(_("L'échelle doit garder au moins un niveau."))
    ranks = [level.rank for level in kept]
    if len(set(ranks)) != len(ranks):
        raise ValidationError(
            _("Deux niveaux ont le même rang : chaque rang n'est utilisé qu'une fois.")
        )
    for level in kept:
        if not (level.label or "").strip():
            raise ValidationError(_("Chaque niveau a un libellé."))
    removed = [level for level in removed if level.pk]
    listed = [level.pk for level in [*levels, *removed] if level.pk]
    # A level added meanwhile (another tab, another coordinator) keeps its rank.
    others = set(CollaborationLevel.objects.exclude(pk__in=listed).values_list("rank", flat=True))
    if others & set(ranks):
        raise ValidationError(
            _("Le rang %(rank)s vient d'être pris par un autre niveau : rechargez la page.")
            % {"rank": min(others & set(ranks))}
        )
    in_use = sorted(
        ActionPartner.objects.filter(level__in=removed)
        .values_list("level__label", flat=True)
        .distinct()
    )
    if in_use:
        raise ValidationError(
            _(
                "Le niveau « %(label)s » qualifie déjà des partenariats de fiches-actions : "
                "renommez-le plutôt que de le supprimer."
            )
            % {"label": in_use[0]}
        )
    CollaborationLevel.objects.filter(pk__in=[level.pk for level in removed]).delete()
    existing = [level for level in kept if level.pk]
    # Through ranks nobody uses, as rank is unique at every step of a swap.
    offset = 1 + max([*ranks, *CollaborationLevel.objects.values_list("rank", flat=True), 0])
    final = {level.pk: level.rank for level in existing}
    for level in existing:
        level.rank = offset + level.rank
    CollaborationLevel.objects.bulk_update(existing, ["rank"])
    for level in existing:
        level.rank = final[level.pk]
        level.label = level.label.strip()
    CollaborationLevel.objects.bulk_update(existing, ["rank", "label", "description"])
    for level in kept:
        if not level.pk:
            level.label = level.label.strip()
            level.save()
    return sorted(kept, key=lambda level: level.rank)


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
    return successor
