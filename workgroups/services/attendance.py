"""Writes of the attendance: who came, from the invitation list or at the door (a walk-in joins
the directory, with their structure when it was not there)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Contact, ContactSource, Organization, normalize_email
from partners.services import contact_create, existing_contact, organization_save

from ..models import Attendance, Invitation, Meeting, MeetingStatus, Rsvp
from .meetings import ensure_started


def _held(meeting: Meeting) -> None:
    """A meeting with attendance counts as held; its people were active in the network."""
    present = meeting.invitations.filter(attendance=Attendance.PRESENT).values("contact_id")
    Contact.objects.filter(pk__in=present).update(last_activity_at=timezone.now())
    if meeting.status == MeetingStatus.PLANNED and meeting.starts_at <= timezone.now():
        meeting.status = MeetingStatus.HELD
        Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)


@transaction.atomic
def attendance_record(*, meeting: Meeting, marks: dict[int, str]) -> int:
    """Tick who came from the invitation list. Only the invitations named in `marks` change
    (the page may show a filtered part of the list); returns how many changed."""
    ensure_started(meeting)
    valid = {value for value, _label in Attendance.choices}
    changed = 0
    for invitation in meeting.invitations.filter(pk__in=list(marks)):
        status = marks[invitation.pk]
        if status in valid and status != invitation.attendance:
            invitation.attendance = status
            invitation.save(update_fields=["attendance"])
            changed += 1
    _held(meeting)
    return changed


@transaction.atomic
def attendance_mark_said_yes(*, meeting: Meeting) -> int:
    """ "Marquer présents tous ceux qui ont dit venir": everyone who answered yes and whose
    attendance is not recorded yet (an "absent" or "excusé" ticked by hand stays). Returns how
    many were marked."""
    ensure_started(meeting)
    marked = meeting.invitations.filter(rsvp=Rsvp.YES, attendance=Attendance.UNKNOWN).update(
        attendance=Attendance.PRESENT
    )
    _held(meeting)
    return marked


def walk_in_organization(*, meeting: Meeting, name: str) -> Organization:
    """The structure of a walk-in who named one the directory does not hold: the existing one
    of that name (whatever its case) when there is one, a new one otherwise. A name the
    directory keeps for an archived structure is refused: the walk-in would join a structure
    the coordination closed, which no picker offers any more."""
    name = " ".join(name.split())
    existing = _organization_named(meeting, name)
    if existing is None:
        try:
            # In a savepoint: another walk-in naming the same new structure at the same moment
            # (two coordinators at the door) creates it first; its row is read back below.
            with transaction.atomic():
                return organization_save(
                    organization=Organization(territory=meeting.territory, name=name)
                )
        except IntegrityError:
            existing = _organization_named(meeting, name)
            if existing is None:  # not a name clash after all
                raise
    if existing.archived_at is not None:
        raise ValidationError(
            {
                "new_organization": _(
                    "« %(name)s » est une structure archivée de l'annuaire : choisissez une "
                    "structure active, ou laissez ce champ vide pour ajouter la personne sans "
                    "structure."
                )
                % {"name": existing.name}
            }
        )
    return existing


def _organization_named(meeting: Meeting, name: str) -> Organization | None:
    # The directory holds one structure per name, whatever its case (a unique constraint on
    # the lowered name): an active one first should that ever change.
    return (
        Organization.objects.filter(territory_id=meeting.territory_id, name__iexact=name)
        .order_by(F("archived_at").asc(nulls_first=True), "pk")
        .first()
    )


@transaction.atomic
def walk_in_add(*, meeting: Meeting, data: dict[str, Any]) -> Invitation:
    """Someone came who is not in the directory yet: the directory grows with every meeting,
    and so does it with their structure when it was not there (`new_organization`)."""
    ensure_started(meeting)
    data = dict(data)
    new_organization = (data.pop("new_organization", "") or "").strip()
    if new_organization:
        if data.get("organization"):
            raise ValidationError(
                {
                    "new_organization": _(
                        "Choisissez une structure de l'annuaire ou indiquez une nouvelle "
                        "structure, pas les deux."
                    )
                }
            )
        data["organization"] = walk_in_organization(meeting=meeting, name=new_organization)
    email = normalize_email(data["email"])
    contact = existing_contact(territory=meeting.territory, email=email)
    if contact is None:
        contact = contact_create(
            territory=meeting.territory,
            data={
                k: v
                for k, v in data.items()
                if k in {"first_name", "last_name", "email", "job_title", "organization", "phone"}
            },
            source=ContactSource.WALK_IN,
            source_detail=_("Présent·e à « %(meeting)s » du %(date)s")
            % {
                "meeting": meeting.group.name,
                "date": timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y"),
            },
        )
    invitation, created = Invitation.objects.get_or_create(
        meeting=meeting,
        contact=contact,
        defaults={"walk_in": True, "attendance": Attendance.PRESENT},
    )
    if not created:
        invitation.attendance = Attendance.PRESENT
        invitation.save(update_fields=["attendance"])
    _held(meeting)
    return invitation
