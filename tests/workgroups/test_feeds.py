"""A group's calendar that a partner subscribes to once: a secret, revocable `.ics` address, the
meeting page its events link to, and where the partner finds it (their own page, invitations)."""

from __future__ import annotations

import datetime as dt
import html
import re
import time

import pytest
from django.core import mail, signing
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from cls_platform.mail import outbox
from cls_platform.models import DeliveryStatus
from partners.tokens import SALT, contact_token
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from tests.support.browser import assert_no_axe_violations
from workgroups import feeds
from workgroups.calendar import calendar_uid
from workgroups.models import (
    AgendaItem,
    CalendarFeed,
    Invitation,
    Meeting,
    MeetingDocument,
    MeetingStatus,
    Membership,
    Rsvp,
)

pytestmark = pytest.mark.django_db


def days(n: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=n)


def add_meeting(group, start: dt.datetime, **fields) -> Meeting:
    meeting = MeetingFactory(
        group=group, starts_at=start, ends_at=start + dt.timedelta(hours=2), **fields
    )
    AgendaItem.objects.create(meeting=meeting, title=f"Point de {meeting.title}", order=1)
    return meeting


@pytest.fixture
def camille(territory):
    return ContactFactory(
        territory=territory, first_name="Camille", last_name="Roux", email="camille@asso.fr"
    )


@pytest.fixture
def group(territory, camille):
    group = WorkGroupFactory(
        contract=ContractFactory(territory=territory), name="GT Santé mentale — jeunes"
    )
    Membership.objects.create(group=group, contact=camille)
    return group


@pytest.fixture
def meetings(group, camille):
    held = add_meeting(group, days(-150), title="Hiver", status=MeetingStatus.HELD)
    moved = add_meeting(group, days(12), title="Printemps", place="Salle « Érable »")
    moved.sequence = 2
    moved.save()
    cancelled = add_meeting(group, days(30), title="Été", status=MeetingStatus.CANCELLED)
    cancelled.sequence = 1
    cancelled.save()
    too_old = add_meeting(group, days(-400), title="Il y a longtemps", status=MeetingStatus.HELD)
    elsewhere = add_meeting(
        WorkGroupFactory(contract=group.contract, name="Autre groupe"), days(5), title="Ailleurs"
    )
    Invitation.objects.create(meeting=moved, contact=camille)
    return {
        "held": held,
        "moved": moved,
        "cancelled": cancelled,
        "too_old": too_old,
        "elsewhere": elsewhere,
    }


@pytest.fixture
def feed(camille, group) -> CalendarFeed:
    return feeds.feed_for(contact=camille, group=group)


def path_of(url: str) -> str:
    return re.sub(r"^[a-z]+://[^/]+", "", url)


def read_feed(feed: CalendarFeed):
    return Client().get(path_of(feeds.feed_url(feed)))


def test_the_feed_has_the_group_s_meetings_as_the_invitations_name_them(feed, meetings, group):
    response = read_feed(feed)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content.decode("utf-8"))
    assert cal.get("METHOD") in (None, "PUBLISH")
    assert str(cal["X-WR-CALNAME"]) == "GT Santé mentale — jeunes"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert cal.get_missing_tzids() == set()
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    expected = {calendar_uid(meetings[k]) for k in ("held", "moved", "cancelled")}
    assert set(events) == expected

    moved = events[calendar_uid(meetings["moved"])]
    assert moved["SEQUENCE"] == 2
    assert moved["DTSTART"].dt == meetings["moved"].starts_at.replace(microsecond=0)
    assert moved["DTSTART"].params["TZID"] == "Europe/Paris"
    assert moved["STATUS"] == "CONFIRMED"
    assert str(moved["LOCATION"]) == "Salle « Érable »"
    cancelled = events[calendar_uid(meetings["cancelled"])]
    assert cancelled["STATUS"] == "CANCELLED" and cancelled["SEQUENCE"] == 1
    assert events[calendar_uid(meetings["held"])]["STATUS"] == "CONFIRMED"

    # The description leads to the meeting's page, for this person.
    description = str(moved["DESCRIPTION"])
    assert "Point de Printemps" in description
    link = re.search(r"Page de la réunion : (\S+)", description).group(1)
    page = Client().get(path_of(link))
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert "GT Santé mentale — jeunes : Printemps" in text
    assert "Salle « Érable »" in text
    assert "Vous n'avez pas encore répondu." in text


def test_the_feed_moves_a_meeting_when_it_moves(feed, meetings):
    first = Calendar.from_ical(read_feed(feed).content)
    moved = meetings["moved"]
    moved.starts_at += dt.timedelta(days=7)
    moved.ends_at += dt.timedelta(days=7)
    moved.sequence = 3
    moved.save()
    second = Calendar.from_ical(read_feed(feed).content)

    def event(cal):
        return next(e for e in cal.walk("VEVENT") if str(e["UID"]) == calendar_uid(moved))

    assert event(second)["SEQUENCE"] > event(first)["SEQUENCE"]
    assert event(second)["DTSTART"].dt - event(first)["DTSTART"].dt == dt.timedelta(days=7)
    assert str(event(second)["DESCRIPTION"]) == str(event(first)["DESCRIPTION"])


def test_a_revoked_unknown_or_erased_feed_is_refused(feed, camille, group, meetings):
    feeds.feed_revoke(feed=feed)
    revoked = read_feed(feed)
    assert revoked.status_code == 410
    assert "révoqué" in revoked.content.decode()
    assert Client().get("/reunion/agenda/pas-un-jeton-valide.ics").status_code == 404

    fresh = feeds.feed_for(contact=camille, group=group)
    assert fresh.token != feed.token
    assert read_feed(fresh).status_code == 200
    camille.anonymized_at = timezone.now()
    camille.save()
    erased = read_feed(fresh)
    assert erased.status_code == 404
    assert "Cet agenda n'existe pas" in erased.content.decode()
    assert b"BEGIN:VCALENDAR" not in erased.content


def test_the_feed_costs_the_same_queries_whatever_the_number_of_meetings(feed, group):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert read_feed(feed).status_code == 200
        return len(queries)

    add_meeting(group, days(3), title="Une")
    read_feed(feed)  # the first reading is recorded (one UPDATE), the next ones within the hour not
    few = count()
    for n in range(12):
        add_meeting(group, days(10 + n), title=f"Réunion {n}")
    many = count()
    assert few == many
    assert len(Calendar.from_ical(read_feed(feed).content).walk("VEVENT")) == 13


def test_a_reading_is_recorded_at_most_once_an_hour(feed, meetings):
    read_feed(feed)
    feed.refresh_from_db()
    first = feed.last_fetched_at
    assert first is not None

    with CaptureQueriesContext(connection) as queries:
        read_feed(feed)
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    feed.refresh_from_db()
    assert feed.last_fetched_at == first

    CalendarFeed.objects.filter(pk=feed.pk).update(
        last_fetched_at=timezone.now() - dt.timedelta(hours=2)
    )
    read_feed(feed)
    feed.refresh_from_db()
    assert feed.last_fetched_at > first


# --- where the partner finds it -----------------------------------------------------------------


def test_the_partner_s_page_offers_a_feed_per_group_and_revokes_it(
    territory, camille, group, meetings, settings
):
    invited_by = WorkGroupFactory(contract=group.contract, name="COPIL")
    Invitation.objects.create(
        meeting=add_meeting(invited_by, days(-60), title="Copil"), contact=camille
    )
    forgotten = WorkGroupFactory(contract=group.contract, name="GT d'il y a deux ans")
    Invitation.objects.create(
        meeting=add_meeting(forgotten, days(-500), title="Vieux"), contact=camille
    )
    page_url = f"/partenaire/{contact_token(camille)}/"
    page = html.unescape(Client().get(page_url).content.decode())

    active = {f.group.name: f for f in CalendarFeed.objects.filter(revoked_at__isnull=True)}
    assert set(active) == {"GT Santé mentale — jeunes", "COPIL"}
    for feed in active.values():
        url = feeds.feed_url(feed)
        assert url.startswith(settings.SITE_URL)
        assert f'value="{url}"' in page
        assert f'href="{feeds.webcal_url(url)}"' in page
        assert feeds.webcal_url(url).startswith("webcal://")
    assert "Adresse de l'agenda « COPIL »" in page
    assert "GT d'il y a deux ans" not in page
    assert page.count("Révoquer cette adresse") == 2

    # Shown again: the same addresses, not new ones.
    Client().get(page_url)
    assert CalendarFeed.objects.count() == 2

    old = active["COPIL"]
    client = Client(enforce_csrf_checks=False)
    revoke_url = f"/reunion/agenda/{contact_token(camille)}/revoquer/{old.pk}/"
    question = html.unescape(client.post(revoke_url).content.decode())
    assert "Révoquer l'adresse de l'agenda « COPIL » ?" in question
    assert 'name="confirm" value="1"' in question and f'action="{revoke_url}"' in question
    # Back to the partner's page: a fresh link of theirs (signed anew: another second, another
    # timestamp and signature, the same contact).
    back = re.search(r'href="/partenaire/([^"/]+)/#agendas"', question)
    assert back and signing.loads(back[1], salt=SALT) == signing.loads(
        contact_token(camille), salt=SALT
    )
    old.refresh_from_db()
    assert old.revoked_at is None, "nothing revoked before the second press"
    response = client.post(revoke_url, {"confirm": "1"})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert read_feed(old).status_code == 410
    after = html.unescape(client.get(response["Location"]).content.decode())
    assert "L'ancienne adresse de l'agenda « COPIL » ne fonctionne plus." in after
    new = CalendarFeed.objects.get(group=invited_by, revoked_at__isnull=True)
    assert new.token != old.token and feeds.feed_url(new) in after


def test_only_the_owner_s_link_revokes_a_feed(camille, group, territory):
    feed = feeds.feed_for(contact=camille, group=group)
    other = ContactFactory(territory=territory)
    for data in ({}, {"confirm": "1"}):  # neither the question nor the answer
        url = f"/reunion/agenda/{contact_token(other)}/revoquer/{feed.pk}/"
        assert Client().post(url, data).status_code == 404
    assert (
        Client().get(f"/reunion/agenda/{contact_token(camille)}/revoquer/{feed.pk}/").status_code
        == 405
    )
    feed.refresh_from_db()
    assert feed.revoked_at is None


def test_the_invitation_gives_the_group_s_calendar(territory, camille, group, meetings):
    meeting = meetings["moved"]
    (pk,) = outbox.enqueue(
        territory=territory,
        kind="invitation",
        topic=meeting.topic,
        recipients=[outbox.Recipient(email=camille.email, contact_id=camille.pk)],
        revision=meeting.sequence,
    ).queued
    assert outbox.deliver(pk) == DeliveryStatus.SENT
    (message,) = mail.outbox
    feed = CalendarFeed.objects.get(contact=camille, group=group, revoked_at__isnull=True)
    line = f"Ajouter toutes les réunions de ce groupe à votre agenda : {feeds.feed_url(feed)}"
    assert line in message.body
    html_part = next(c for c, m in message.alternatives if m == "text/html")
    assert feeds.feed_url(feed) in html_part
    assert "Ajouter toutes les réunions de ce groupe à votre agenda" in html_part


# --- the partner's meeting page -----------------------------------------------------------------


def test_the_meeting_page_answers_through_the_invitation_and_then_gives_the_report(
    territory, camille, group, meetings
):
    meeting = meetings["moved"]
    page_url = path_of(feeds.meeting_page_url(meeting.pk, camille.pk))
    page = Client().get(page_url).content.decode()
    yes = re.search(r'<form method="post" action="(/reunion/[^"]+/oui/)"', page).group(1)
    client = Client(enforce_csrf_checks=False)
    assert client.post(yes).status_code == 302
    invitation = Invitation.objects.get(meeting=meeting, contact=camille)
    assert invitation.rsvp == Rsvp.YES
    page = html.unescape(client.get(page_url).content.decode())
    assert "Vous avez répondu que vous venez." in page
    assert "/oui/" not in page and "/non/" in page

    held = meetings["held"]
    Invitation.objects.create(meeting=held, contact=camille)
    held.report_sent_at = timezone.now()
    held.report_pdf.save("cr.pdf", ContentFile(b"%PDF-1.4 compte-rendu"), save=True)
    MeetingDocument.objects.create(
        meeting=held, title="Diaporama de l'OPH", file=ContentFile(b"diapos", name="d.pdf")
    )
    page = html.unescape(
        Client().get(path_of(feeds.meeting_page_url(held.pk, camille.pk))).content.decode()
    )
    assert "Vous n'avez pas encore répondu." not in page  # over: no answer offered
    pdf = re.search(r'href="(/reunion/compte-rendu/[^"]+/)"', page).group(1)
    response = Client().get(pdf)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 compte-rendu"
    document = re.search(r'href="(/reunion/document/[^"]+/)">Diaporama', page).group(1)
    assert b"".join(Client().get(document).streaming_content) == b"diapos"


def test_a_forged_or_erased_meeting_page_reveals_nothing(camille, meetings, feed):
    meeting = meetings["moved"]
    token = feeds.meeting_page_token(meeting.pk, feed_id=feed.pk)
    assert Client().get(f"/reunion/{token}/").status_code == 200
    assert Client().get(f"/reunion/{token[:-2]}xx/").status_code == 404
    camille.anonymized_at = timezone.now()
    camille.save()
    response = Client().get(f"/reunion/{token}/")
    assert response.status_code == 404
    assert "Printemps" not in response.content.decode()


def page_links(feed: CalendarFeed) -> dict[str, str]:
    """The meeting page's path of each event of the feed, by meeting title."""
    cal = Calendar.from_ical(read_feed(feed).content)
    return {
        str(event["SUMMARY"]).rpartition(" — ")[2]: path_of(
            re.search(r"Page de la réunion : (\S+)", str(event["DESCRIPTION"])).group(1)
        )
        for event in cal.walk("VEVENT")
    }


def send_report(meeting: Meeting) -> None:
    meeting.report_sent_at = timezone.now()
    meeting.report_pdf.save("cr.pdf", ContentFile(b"%PDF-1.4 compte-rendu"), save=True)


def pdf_link(page_path: str) -> str:
    page = Client().get(page_path).content.decode()
    return re.search(r'href="(/reunion/compte-rendu/[^"]+/)"', page).group(1)


def test_revoking_a_feed_closes_the_meeting_pages_and_the_report_it_led_to(
    camille, group, feed, meetings
):
    send_report(meetings["held"])
    links = page_links(feed)
    assert Client().get(links["Printemps"]).status_code == 200
    pdf = pdf_link(links["Hiver"])
    assert Client().get(pdf).status_code == 200

    feeds.feed_revoke(feed=feed)

    for title, link in links.items():
        response = Client().get(link)
        assert response.status_code == 404, title
        assert title not in response.content.decode()
    assert Client().get(pdf).status_code == 404
    # The new address's events lead to pages that work.
    fresh = feeds.feed_for(contact=camille, group=group)
    assert Client().get(page_links(fresh)["Printemps"]).status_code == 200


def test_erasing_the_person_closes_the_report_link_of_their_meeting_page(camille, feed, meetings):
    from partners.services import contact_erase

    send_report(meetings["held"])
    pdf = pdf_link(page_links(feed)["Hiver"])
    assert Client().get(pdf).status_code == 200

    contact_erase(contact=camille)

    assert Client().get(pdf).status_code == 404


def test_a_meeting_page_from_an_invitation_outlives_the_feed_but_not_the_invitation(
    camille, group, feed, meetings
):
    """The page as an e-mail would link it (signed with the invitation): revoking the calendar
    address does not close it; removing the person from the list, or erasing them, does."""
    meeting = meetings["moved"]
    link = path_of(feeds.meeting_page_url(meeting.pk, camille.pk))
    feeds.feed_revoke(feed=feed)
    page = html.unescape(Client().get(link).content.decode())
    assert "GT Santé mentale — jeunes : Printemps" in page

    Invitation.objects.filter(meeting=meeting, contact=camille).delete()
    assert Client().get(link).status_code == 404
    # Without an invitation there is no such link to give.
    assert feeds.meeting_page_url(meeting.pk, camille.pk) == ""


def test_a_feed_s_link_opens_only_its_own_group_s_meetings(camille, feed, meetings):
    elsewhere = meetings["elsewhere"]
    token = feeds.meeting_page_token(elsewhere.pk, feed_id=feed.pk)
    assert Client().get(f"/reunion/{token}/").status_code == 404


def test_a_meeting_page_link_signed_before_the_feeds_were_named_is_refused(camille, meetings):
    """Links of the first version named only the meeting and the person, for ever: calendars
    read the feed again within the hour and get links that revocation closes."""
    token = signing.Signer(salt=feeds.MEETING_PAGE_SALT).sign_object(
        {"m": meetings["moved"].pk, "c": camille.pk}, compress=True
    )
    assert Client().get(f"/reunion/{token}/").status_code == 404


# --- in a real browser, phone-sized -------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_partner_pages_work_on_a_phone(page, live_server, territory, camille, group, settings):
    settings.SITE_URL = live_server.url
    meeting = add_meeting(group, days(9), title="Printemps", place="Salle « Érable »")
    Invitation.objects.create(meeting=meeting, contact=camille)
    page.set_viewport_size({"width": 375, "height": 740})

    page.goto(f"{live_server.url}/partenaire/{contact_token(camille)}/")
    expect(page.get_by_role("heading", name="Les réunions dans votre agenda")).to_be_visible()
    address = page.get_by_label("Adresse de l'agenda « GT Santé mentale — jeunes »")
    first = address.input_value()
    assert first.startswith(f"{live_server.url}/reunion/agenda/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name=re.compile("Révoquer cette adresse")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Révoquer l'adresse de l'agenda « GT Santé mentale — jeunes » ?"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Révoquer cette adresse").click()
    expect(page.get_by_text("ne fonctionne plus")).to_be_visible()
    assert address.input_value() != first
    assert_no_axe_violations(page)

    page.goto(feeds.meeting_page_url(meeting.pk, camille.pk))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Printemps")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Je viens").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Merci")
    assert Invitation.objects.get(meeting=meeting, contact=camille).rsvp == Rsvp.YES

    # An expired link: the coordination's address and a new link, by the keyboard.
    real = time.time
    try:
        time.time = lambda: real() - 200 * 24 * 3600
        old = signing.dumps({"c": camille.pk, "t": territory.pk}, salt=SALT, compress=True)
    finally:
        time.time = real
    page.goto(f"{live_server.url}/partenaire/{old}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien a expiré")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="M'envoyer un nouveau lien").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Un nouveau lien vient de partir")
    assert_no_axe_violations(page)
