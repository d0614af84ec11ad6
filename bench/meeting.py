"""Server time of a meeting's page at Cergy's scale: 200 invitees, 45 present, as the coordinator.

Builds its own territory once ("banc-reunion": ~90 structures, 250 contacts, a held meeting and
an upcoming one, each with 200 invitations, their invitation e-mails sent and, for the held one,
its compte-rendu sent), then times repeated renders beside the floor (bench/floor.py). Run it alone
with `python -m bench.meeting` (DATABASE_URL=postgres://... for the figure that counts) or
through `make bench`.
"""

from __future__ import annotations

import datetime as dt
import os
import random

if __name__ == "__main__":  # standalone: `python -m bench.meeting`
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cls_platform.settings")
    django.setup()

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from bench.table import Row, ratio_row

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
SLUG = "banc-reunion"
COORDINATOR = "coordination@banc-reunion.bench"
INVITED = 200
PRESENT = 45
SAID_YES = 40


def build() -> None:
    """The territory, once (idempotent: an existing one is kept as it is)."""
    from actions.models import Axis, Contract, ContractStatus, FicheAction
    from cls_platform.models import Access, Delivery, DeliveryStatus, Role, Territory, User
    from partners.models import Contact, Organization
    from workgroups.models import (
        AgendaItem,
        Attendance,
        Invitation,
        Meeting,
        MeetingAction,
        MeetingStatus,
        Rsvp,
        WorkGroup,
    )

    if Territory.objects.filter(slug=SLUG).exists():
        return
    rng = random.Random(2026)
    now = timezone.now()
    with transaction.atomic():
        territory = Territory.objects.create(name="Banc réunion", slug=SLUG, department_code="95")
        user = User.objects.create_user(COORDINATOR, full_name="Coordination du banc")
        Access.objects.create(user=user, territory=territory, role=Role.COORDINATOR)
        organizations = Organization.objects.bulk_create(
            Organization(territory=territory, name=f"Structure {n:03d}", acronym=f"S{n}")
            for n in range(90)
        )
        first_names = ["Bruno", "Camille", "Nadia", "Karim", "Sophie", "Luc", "Aïcha", "Élodie"]
        contacts = Contact.objects.bulk_create(
            Contact(
                territory=territory,
                first_name=rng.choice(first_names),
                last_name=f"Partenaire{n:03d}",
                email=f"partenaire{n:03d}@banc.example",
                organization=rng.choice(organizations),
            )
            for n in range(250)
        )
        contract = Contract.objects.create(
            territory=territory,
            title="CLS du banc",
            start_year=2023,
            end_year=2028,
            status=ContractStatus.SIGNED,
        )
        axis = Axis.objects.create(contract=contract, number=1, title="Axe du banc")
        fiches = FicheAction.objects.bulk_create(
            FicheAction(
                territory=territory,
                contract=contract,
                thematic_axis=axis,
                number=f"1.{n}",
                title=f"Action {n}",
            )
            for n in range(1, 6)
        )
        group = WorkGroup.objects.create(territory=territory, contract=contract, name="GT du banc")
        held_start = now - dt.timedelta(days=3)
        next_start = now + dt.timedelta(days=12)
        held, upcoming = (
            Meeting.objects.create(
                territory=territory,
                group=group,
                title=title,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                place="Maison de quartier",
                status=status,
                invitations_sent_at=start - dt.timedelta(days=20),
                invitees_prepared_at=start - dt.timedelta(days=20),
                report=report,
                report_written_at=now if report else None,
                report_sent_at=now if report else None,
            )
            for title, start, status, report in (
                ("Réunion tenue", held_start, MeetingStatus.HELD, "<p>Compte-rendu.</p>"),
                ("Réunion à venir", next_start, MeetingStatus.PLANNED, ""),
            )
        )
        for meeting in (held, upcoming):
            AgendaItem.objects.bulk_create(
                AgendaItem(meeting=meeting, title=f"Point {n}", order=n, presenter="Bruno Faure")
                for n in range(4)
            )
            MeetingAction.objects.bulk_create(
                MeetingAction(territory=territory, meeting=meeting, fiche=fiche)
                for fiche in fiches[:3]
            )
            invited = contacts[:INVITED]
            answers = [Rsvp.YES] * SAID_YES + [Rsvp.NO] * 25
            answers += [Rsvp.PENDING] * (INVITED - len(answers))
            rng.shuffle(answers)
            rows = []
            present = 0
            for contact, answer in zip(invited, answers, strict=True):
                came = meeting is held and (
                    answer == Rsvp.YES or (present < PRESENT - SAID_YES and answer != Rsvp.YES)
                )
                if came and answer != Rsvp.YES:
                    present += 1
                rows.append(
                    Invitation(
                        territory=territory,
                        meeting=meeting,
                        contact=contact,
                        rsvp=answer,
                        rsvp_at=now if answer != Rsvp.PENDING else None,
                        attendance=Attendance.PRESENT if came else Attendance.UNKNOWN,
                    )
                )
            Invitation.objects.bulk_create(rows)
            kinds = ["invitation", "report"] if meeting is held else ["invitation"]
            Delivery.objects.bulk_create(
                Delivery(
                    territory=territory,
                    kind=kind,
                    topic=meeting.topic,
                    contact_id=contact.pk,
                    to_email=contact.email,
                    status=DeliveryStatus.FAILED if n % 50 == 7 else DeliveryStatus.SENT,
                    last_error="550 boîte inconnue" if n % 50 == 7 else "",
                    attempts=1,
                    sent_at=now,
                )
                for kind in kinds
                for n, contact in enumerate(invited)
            )


def run(runs: int = RUNS) -> list[Row]:
    from bench.floor import URL as FLOOR_URL
    from bench.scale import PAGE_TARGET, client_for, paired
    from workgroups.models import Meeting

    build()
    meetings = Meeting.objects.filter(territory__slug=SLUG).order_by("starts_at")
    base = f"/t/{SLUG}/reunions"
    pages = [
        ("réunion tenue (200 invités, 45 présents)", f"{base}/{meetings[0].pk}/"),
        ("réunion à venir (200 invités)", f"{base}/{meetings[1].pk}/"),
        ("réunion tenue, filtrée (?q=partenaire01)", f"{base}/{meetings[0].pk}/?q=partenaire01"),
    ]
    rows = []
    with override_settings(ROOT_URLCONF="bench.urls"):
        client = client_for(COORDINATOR)
        for label, url in pages:
            page, floor = paired(client, url, FLOOR_URL, runs)
            rows.append(
                ratio_row(
                    "page d'une réunion (envois faits)",
                    label,
                    page,
                    "vue nue",
                    floor,
                    at_most=PAGE_TARGET,
                )
            )
    return rows


if __name__ == "__main__":
    from bench import client_environment
    from bench.table import render

    client_environment()
    print(render(run()))
