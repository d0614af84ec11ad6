"""Writes to fiches-actions: the fiche with its partners and funding lines, its status, its
dated news (updates)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cls_platform.models import User
from partners.models import Organization

from ..models import (
    ActionPartner,
    ActionStatus,
    ActionUpdate,
    Axis,
    CollaborationLevel,
    Contract,
    FicheAction,
    FundingLine,
    FundingStatus,
    StatusChange,
)
from ..selectors import meetings_for
from .contracts import amendment_record
from .pdf_warm import warm_after_commit

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


class PartnerRow(NamedTuple):
    """A structure taking part in an action, its role, its level on the collaboration scale."""

    organization: Organization
    role: str = ""
    level: CollaborationLevel | None = None


class FundingRow(NamedTuple):
    """One funder's share of an action's budget; `pk` names the line it edits (None: a new one)."""

    funder: str
    amount: Decimal
    status: str = FundingStatus.REQUESTED
    year: int | None = None
    pk: int | None = None

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FUNDING_FIELDS}


FUNDING_FIELDS = ("funder", "amount", "status", "year")


def partner_rows_checked(*, contract: Contract, rows: Iterable[PartnerRow]) -> list[PartnerRow]:
    """The rows, once each names a structure of the contract's territory, and only once."""
    rows = list(rows)
    seen: set[int] = set()
    for row in rows:
        if row.organization.territory_id != contract.territory_id:
            raise ValidationError(
                _("Un partenaire doit être une structure de l'annuaire du territoire.")
            )
        if row.organization.pk in seen:
            raise ValidationError(
                _("La structure %(org)s est citée deux fois.") % {"org": row.organization}
            )
        seen.add(row.organization.pk)
    return rows


def funding_rows_checked(*, rows: Iterable[FundingRow]) -> list[FundingRow]:
    """The rows, once each is a valid funding line (a funder, an amount of 0 or more...)."""
    rows = list(rows)
    for row in rows:
        try:
            FundingLine(**row.values()).full_clean(exclude=["fiche"], validate_unique=False)
        except ValidationError as exc:
            # Told above the fiche's form, which has fields of the same names (its status).
            raise ValidationError(
                _("Ligne de financement « %(funder)s » : %(problems)s")
                % {"funder": row.funder, "problems": " ".join(exc.messages)}
            ) from exc
    return rows


@transaction.atomic
def fiche_save(
    *,
    fiche: FicheAction,
    m2m: dict[str, Iterable[Any]] | None = None,
    partners: Iterable[PartnerRow] | None = None,
    funding: Iterable[FundingRow] | None = None,
    amendment_note: str = "",
    user: User | None = None,
) -> FicheAction:
    """Create or edit a fiche, with its partners and funding lines when given (None leaves them
    as they are); a new fiche or a new number in a signed contract is an amendment."""
    contract = fiche.contract
    # Checked before anything is written: a refused row leaves a new fiche unsaved.
    if partners is not None:
        partners = partner_rows_checked(contract=contract, rows=partners)
    if funding is not None:
        funding = funding_rows_checked(rows=funding)
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
    if partners is not None:
        fiche_set_partners(fiche=fiche, rows=partners)
    if funding is not None:
        fiche_set_funding(fiche=fiche, rows=funding)
    if old_status is not None and old_status != fiche.status:
        StatusChange.objects.create(
            fiche=fiche,
            old_status=old_status,
            new_status=fiche.status,
            progress=fiche.progress,
            author=user,
        )
    warm_after_commit(contract_id=contract.pk)
    return fiche


@transaction.atomic
def fiche_set_partners(*, fiche: FicheAction, rows: Iterable[PartnerRow]) -> None:
    """Make the action's partners exactly `rows`: a structure already partner keeps its row
    (with the role and level given), the others are removed or added."""
    rows = partner_rows_checked(contract=fiche.contract, rows=rows)
    current = {partner.organization_id: partner for partner in fiche.partnerships.all()}
    wanted = {row.organization.pk: row for row in rows}
    gone = [partner.pk for org_id, partner in current.items() if org_id not in wanted]
    if gone:
        ActionPartner.objects.filter(pk__in=gone).delete()
    changed, added = [], []
    for organization_id, row in wanted.items():
        partner = current.get(organization_id)
        if partner is None:
            added.append(
                ActionPartner(
                    fiche=fiche, organization=row.organization, role=row.role, level=row.level
                )
            )
        elif (partner.role, partner.level_id) != (row.role, row.level and row.level.pk):
            partner.role, partner.level = row.role, row.level
            changed.append(partner)
    if changed:
        ActionPartner.objects.bulk_update(changed, ["role", "level"])
    if added:
        ActionPartner.objects.bulk_create(added)


@transaction.atomic
def fiche_set_funding(*, fiche: FicheAction, rows: Iterable[FundingRow]) -> None:
    """Make the action's funding lines exactly `rows`: a row naming one of its lines edits it,
    the lines no row names are removed, the other rows added."""
    rows = funding_rows_checked(rows=rows)
    current = {line.pk: line for line in fiche.funding_lines.all()}
    if any(row.pk is not None and row.pk not in current for row in rows):
        raise ValidationError(
            _("Une ligne de financement vient d'être supprimée : rechargez la page.")
        )
    named = {row.pk for row in rows}
    gone = [pk for pk in current if pk not in named]
    if gone:
        FundingLine.objects.filter(pk__in=gone).delete()
    changed, added = [], []
    for row in rows:
        values = row.values()
        line = current.get(row.pk) if row.pk is not None else None
        if line is None:
            added.append(FundingLine(fiche=fiche, **values))
        elif any(getattr(line, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(line, name, value)
            changed.append(line)
    if changed:
        FundingLine.objects.bulk_update(changed, FUNDING_FIELDS)
    if added:
        FundingLine.objects.bulk_create(added)


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
        warm_after_commit(contract_id=fiche.contract_id)
    return fiche


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
