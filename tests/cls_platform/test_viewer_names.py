"""A signatory (viewer) reads structures and counts, never a person's name.

Every page a viewer may open (the routes of the tenancy walk that answer them 200) is read on a
fresh contract where people are everywhere (a fiche's pilot who left and their successor, its
co-pilots, a group's pilots and members, a meeting's presenter, invitees present and excused, a
compte-rendu whose text names the presenter), then on the demo's Cergy. Every person of the
territory carries a distinctive name; none may appear on the page, nor in the compte-rendu PDF
a viewer downloads (read back with pdftotext). The pages about people themselves (the contact
list and a contact's page) answer them 403 and are linked from nowhere they go.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actions.models import Contract, FicheAction
from cls_platform.access import scoped
from cls_platform.models import Access, Territory
from partners.models import Contact, Organization
from tests.cls_platform.test_tenancy import OBJECT_MAKERS, route_id, url_for, url_model
from tests.cls_platform.test_viewer_pages import (
    DEMO_PASSWORD,
    VIEWER_PAGES,
    is_html,
    objects_of,
)
from tests.conftest import login
from tests.factories import (
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from tests.support.urlwalk import sample_value
from workgroups.models import (
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    MeetingAction,
    MeetingStatus,
    Membership,
)

pytestmark = pytest.mark.django_db

# Names no page writes by chance: "Zéphyrine Tartempion3" can only come from the directory.
FIRST, LAST = "Zéphyrine", "Tartempion"
NAMES = re.compile(rf"{FIRST}|{LAST}", re.IGNORECASE)


def pdf_text(content: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


def body_text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return pdf_text(body)
    return body.decode(errors="replace")


def person(territory: Territory, organization: Organization | None = None, **kwargs) -> Contact:
    return ContactFactory(territory=territory, organization=organization, **kwargs)


def name_everyone(territory: Territory) -> None:
    """Everyone of the territory, made by the scene or by the walk's makers, gets a name."""
    for contact in Contact.objects.filter(territory=territory):
        contact.first_name, contact.last_name = FIRST, f"{LAST}{contact.pk}"
        contact.save(update_fields=["first_name", "last_name"])


@pytest.fixture
def scene(viewer):
    """A signed contract where people are named everywhere a page could name them."""
    t = viewer.territory
    epicerie = OrganizationFactory(territory=t, name="Épicerie solidaire")
    centre = OrganizationFactory(territory=t, name="Centre social des Linandes")
    contract = ContractFactory(territory=t)
    successor = person(t, epicerie)
    pilot = person(t, epicerie, left_at=dt.date(2026, 1, 5), is_active=False, successor=successor)
    copilot = person(t, centre)
    fiche = FicheActionFactory(contract=contract, pilot_organization=epicerie, pilot_contact=pilot)
    fiche.copilots.add(copilot)
    group = WorkGroupFactory(contract=contract)
    group_pilot = person(t, centre, left_at=dt.date(2026, 2, 1))  # a vacant seat names them
    group.pilots.add(group_pilot, copilot)
    Membership.objects.create(group=group, contact=person(t, centre))
    presenter = person(t, epicerie)
    name_everyone(t)
    presenter.refresh_from_db()
    copilot.refresh_from_db()
    # The fiche's free texts name people too, as coordinators write them.
    fiche.context = f"Constat partagé avec {copilot.full_name} en 2025."
    fiche.description = f"{presenter.last_name} {presenter.first_name} anime les ateliers."
    fiche.calendar = f"Point d'étape avec {copilot.full_name} en juin."
    fiche.save(update_fields=["context", "description", "calendar"])
    start = timezone.now() - dt.timedelta(days=3)
    meeting = MeetingFactory(
        group=group,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        status=MeetingStatus.HELD,
        report=f"<p>{presenter.full_name} a présenté l'épicerie ; "
        f"{presenter.last_name.upper()} {presenter.first_name} y reviendra.</p>",
        report_written_at=start + dt.timedelta(days=1),
    )
    AgendaItem.objects.create(
        meeting=meeting,
        title="L'épicerie se présente",
        presenter=f"{presenter.full_name}, Épicerie solidaire",
        organization=epicerie,
    )
    MeetingAction.objects.create(meeting=meeting, fiche=fiche, note="Les paniers démarrent.")
    for contact, attendance in [
        (presenter, Attendance.PRESENT),
        (copilot, Attendance.PRESENT),
        (successor, Attendance.EXCUSED),
    ]:
        Invitation.objects.create(meeting=meeting, contact=contact, attendance=attendance)
    return {
        Contract: contract,
        FicheAction: fiche,
        Meeting: meeting,
        Organization: epicerie,
        type(group): group,
    }


def viewer_urls(scene, territory: Territory) -> list[tuple[str, str]]:
    makers = {**OBJECT_MAKERS, **{model: (lambda t, o=obj: o) for model, obj in scene.items()}}
    urls = [
        (route_id(r), url_for(r, territory.slug, territory, makers))
        for r in VIEWER_PAGES
        if url_model(r) in makers or not any(c == "int" for c, _n in r.kwargs)
    ]
    meeting = scene[Meeting]
    urls.append(
        (
            "workgroups:report_pdf",
            reverse(
                "workgroups:report_pdf", kwargs={"territory": territory.slug, "pk": meeting.pk}
            ),
        )
    )
    name_everyone(territory)  # the walk's makers added nameless people
    return urls


def names_read(client: Client, urls: list[tuple[str, str]]) -> list[str]:
    problems = []
    for name, url in urls:
        response = client.get(url)
        assert response.status_code == 200, f"{url} → {response.status_code}"
        problems += [f"{name} {url} : {m}" for m in NAMES.findall(body_text(response))]
    return problems


def test_a_signatory_reads_no_name_on_any_page_nor_in_any_pdf(scene, viewer):
    """Pages, the compte-rendu, the contract and the fiche-action PDFs, and the dashboard."""
    urls = viewer_urls(scene, viewer.territory)
    assert {"actions:contract_pdf", "actions:fiche_pdf", "evaluation:dashboard"} <= {
        name for name, _url in urls
    }
    assert names_read(login(Client(), viewer), urls) == []


def test_the_printed_contract_shows_a_signatory_structures_where_the_coordination_reads_names(
    scene, viewer, coordinator
):
    """The same contract and fiche printed for both, in either order: the PDF cache keeps each
    reader's print apart, and names typed in a fiche's texts give way to structures."""
    t = viewer.territory
    fiche = scene[FicheAction]
    copilot = fiche.copilots.get()
    FicheAction.objects.filter(pk=fiche.pk).update(
        description=f"Contact : {copilot.full_name}, au centre social."
    )
    contract_url = reverse(
        "actions:contract_pdf", kwargs={"territory": t.slug, "pk": fiche.contract_id}
    )
    fiche_url = reverse("actions:fiche_pdf", kwargs={"territory": t.slug, "pk": fiche.pk})
    viewer_client, coordinator_client = login(Client(), viewer), login(Client(), coordinator)
    for url in (contract_url, fiche_url):
        before = pdf_text(viewer_client.get(url).content)
        coordination = pdf_text(coordinator_client.get(url).content)
        after = pdf_text(viewer_client.get(url).content)
        for text in (before, after):
            assert not NAMES.search(text), url
            assert "Épicerie solidaire" in text  # the pilot structure
            assert "un·e professionnel·le de Centre social des Linandes" in squash(text)
            assert "Contact : un·e professionnel·le de Centre social des Linandes" in squash(text)
        assert squash(copilot.full_name) in squash(coordination), url
        assert "Pilote " in coordination and "Pilote " not in before.replace("Structure pilote", "")
        assert f"Contact : {copilot.full_name}" in squash(coordination)


def squash(text: str) -> str:
    """pdftotext's layout breaks lines and pads columns: words with single spaces between."""
    return re.sub(r"\s+", " ", text)


def test_the_coordination_still_reads_the_names(scene, viewer, coordinator):
    """The same pages name people for the coordination: the test above can fail."""
    client = login(Client(), coordinator)
    t = coordinator.territory
    meeting, fiche, group = scene[Meeting], scene[FicheAction], scene[Meeting].group
    pages = [
        reverse("actions:fiche_detail", kwargs={"territory": t.slug, "pk": fiche.pk}),
        reverse("workgroups:group_detail", kwargs={"territory": t.slug, "pk": group.pk}),
        reverse("workgroups:group_list", kwargs={"territory": t.slug}),
        reverse("workgroups:meeting_detail", kwargs={"territory": t.slug, "pk": meeting.pk}),
        reverse(
            "partners:organization_detail",
            kwargs={"territory": t.slug, "pk": fiche.pilot_organization_id},
        ),
    ]
    for url in pages:
        assert NAMES.search(client.get(url).content.decode()), url
    pdf = client.get(
        reverse("workgroups:report_pdf", kwargs={"territory": t.slug, "pk": meeting.pk})
    )
    text = pdf_text(pdf.content)
    assert "Participants" in text and NAMES.search(text)


def test_a_signatory_reads_structures_and_counts_in_place_of_people(scene, viewer):
    client = login(Client(), viewer)
    t = viewer.territory
    meeting, fiche = scene[Meeting], scene[FicheAction]
    page = client.get(
        reverse("workgroups:meeting_detail", kwargs={"territory": t.slug, "pk": meeting.pk})
    ).content.decode()
    assert "un·e professionnel·le d’Épicerie solidaire a présenté" in page
    assert "2 présents" in page and "1 excusé·e" in page
    fiche_page = client.get(
        reverse("actions:fiche_detail", kwargs={"territory": t.slug, "pk": fiche.pk})
    ).content.decode()
    assert "un·e professionnel·le de Centre social des Linandes" in fiche_page  # the co-pilot
    organization = client.get(
        reverse(
            "partners:organization_detail",
            kwargs={"territory": t.slug, "pk": fiche.pilot_organization_id},
        )
    ).content.decode()
    assert "personnes en poste sont connues dans cette structure" in organization
    text = pdf_text(
        client.get(
            reverse("workgroups:report_pdf", kwargs={"territory": t.slug, "pk": meeting.pk})
        ).content
    )
    assert "Structures présentes" in text and "Centre social des Linandes" in text
    assert "Participants" not in text.replace("participants", "")
    assert "un·e professionnel·le d’Épicerie solidaire" in text


def test_the_pages_about_people_are_refused_and_unlinked(scene, viewer):
    client = login(Client(), viewer)
    t = viewer.territory
    someone = Contact.objects.filter(territory=t).first()
    assert (
        client.get(reverse("partners:contact_list", kwargs={"territory": t.slug})).status_code
        == 403
    )
    assert (
        client.get(
            reverse("partners:contact_detail", kwargs={"territory": t.slug, "pk": someone.pk})
        ).status_code
        == 403
    )
    structures = client.get(
        reverse("partners:organization_list", kwargs={"territory": t.slug})
    ).content.decode()
    assert "/contacts/" not in structures


def test_the_signatorys_pdf_is_cached_apart_and_follows_the_report(scene, viewer, coordinator):
    t = viewer.territory
    meeting = scene[Meeting]
    url = reverse("workgroups:report_pdf", kwargs={"territory": t.slug, "pk": meeting.pk})
    viewer_client, coordinator_client = login(Client(), viewer), login(Client(), coordinator)
    first = pdf_text(viewer_client.get(url).content)
    assert "Participants" in pdf_text(coordinator_client.get(url).content)
    assert pdf_text(viewer_client.get(url).content) == first  # the cached one, still redacted
    Meeting.objects.filter(pk=meeting.pk).update(report="<p>Un texte revu.</p>")
    again = pdf_text(viewer_client.get(url).content)
    assert "Un texte revu." in again and "Participants" not in again.replace("participants", "")


# --- On the demo's Cergy ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def cergy(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def demo_names(territory: Territory) -> re.Pattern[str]:
    """The demo's people by their full names (either order): a last name alone may be a
    street or a word ("Martin", "Moulin"), a full name is a person."""
    names = set()
    for first, last in Contact.objects.filter(territory=territory).values_list(
        "first_name", "last_name"
    ):
        if first.strip() and last.strip():
            names |= {f"{first.strip()} {last.strip()}", f"{last.strip()} {first.strip()}"}
    pattern = "|".join(
        re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True)
    )
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE)


def test_on_the_demo_a_signatory_reads_no_name(cergy, settings):
    settings.DEBUG = True  # the demo's accounts are refused otherwise
    access = Access.objects.select_related("territory").get(
        user__email="ars95@ars.demo", territory__slug="cergy"
    )
    client = Client()
    assert client.login(username="ars95@ars.demo", password=DEMO_PASSWORD)
    names = demo_names(access.territory)
    read, problems = 0, []
    routes = list(VIEWER_PAGES)
    meetings = list(scoped(Meeting.objects.exclude(report=""), access).order_by("-starts_at")[:3])
    assert meetings, "the demo holds meetings with a compte-rendu"
    urls = [
        reverse("workgroups:report_pdf", kwargs={"territory": "cergy", "pk": m.pk})
        for m in meetings
    ]
    for route in routes:
        if any(converter == "int" for converter, _name in route.kwargs):
            ids = [{"pk": o.pk} for o in objects_of(url_model(route), access)]
            if url_model(route) is Meeting:
                ids += [{"pk": m.pk} for m in meetings]
        else:
            ids = [{}]
        for values in ids:
            values = {"territory": "cergy", **values}
            for converter, name in route.kwargs:
                values.setdefault(name, sample_value(converter))
            urls.append(route.build(values))
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue
        if not (is_html(response) or response["Content-Type"].startswith("application/pdf")):
            continue
        read += 1
        problems += [f"{url} : {m}" for m in names.findall(body_text(response))]
    assert problems == []
    assert read > len(routes)
