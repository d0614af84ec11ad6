"""Every word that Trame itself writes in an e-mail or a calendar goes through the catalogue.

The e-mails and the calendar texts are written in French, and the committed catalogue says them
as written (tests/cls_platform/test_mail_catalog.py). Here they are rendered through a
pseudo-language in which every message of that catalogue reads ⟦as written⟧: what remains
outside the brackets, once the names, titles and addresses given to the template are taken
out, must hold no word. A text left out of gettext, or out of the catalogue (run
`make messages`), would be sent in French to the partners of a translated instance.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable
from pathlib import Path

import polib
import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from icalendar import Calendar

from cls_platform.mail import outbox
from cls_platform.management.commands.french_catalog import catalog_path
from cls_platform.models import DeliveryStatus
from tests.cls_platform.test_mail_catalog import BARE, FULL, TEMPLATES
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from workgroups.calendar import duration_label, feed_ics, meeting_ics
from workgroups.models import AgendaItem, Invitation

pytestmark = pytest.mark.django_db

PSEUDO = "xx"
OPEN, CLOSE = "⟦", "⟧"
INNERMOST = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
TAG = re.compile(r"<[^>]*>")
URL = re.compile(r"(?:https?|mailto|webcal)://\S+|mailto:\S+")
WORD = re.compile(r"[^\W\d_]+")


@pytest.fixture
def pseudo(settings, tmp_path: Path):
    """The committed catalogue as a language of its own, each message in brackets."""
    catalog = polib.pofile(str(catalog_path()))
    for entry in catalog:
        if entry.msgid_plural:
            entry.msgstr_plural = {
                0: f"{OPEN}{entry.msgid}{CLOSE}",
                1: f"{OPEN}{entry.msgid_plural}{CLOSE}",
            }
        else:
            entry.msgstr = f"{OPEN}{entry.msgid}{CLOSE}"
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    folder = tmp_path / PSEUDO / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog.save_as_mofile(str(folder / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path]  # resets Django's cache of translations
    with translation.override(PSEUDO):
        yield


def strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def words_outside_the_catalogue(text: str, given: Iterable[str], *, is_html: bool = False) -> list:
    """The words of `text` that neither a message of the catalogue nor a value given wrote."""
    if is_html:
        text = html.unescape(TAG.sub(" ", text))
    while INNERMOST.search(text):
        text = INNERMOST.sub(" ", text)
    text = URL.sub(" ", text)
    if is_html:  # a value holding HTML (the compte-rendu) is read as the text was
        given = [html.unescape(TAG.sub(" ", value)) for value in given]
    for value in sorted({v for v in given if v}, key=len, reverse=True):
        text = text.replace(value, " ")
    return WORD.findall(text)


@pytest.mark.parametrize("context", [FULL, BARE], ids=["full", "bare"])
@pytest.mark.parametrize("name", TEMPLATES)
def test_every_word_of_an_e_mail_template_is_a_message_of_the_catalogue(pseudo, name, context):
    given = list(strings(context))
    for suffix, engine in ((".subject.txt", "text"), (".txt", "text"), (".html", None)):
        rendered = render_to_string(f"emails/{name}{suffix}", context, using=engine)
        assert OPEN in rendered, f"emails/{name}{suffix} was not rendered through the catalogue"
        left = words_outside_the_catalogue(rendered, given, is_html=suffix == ".html")
        assert not left, f"emails/{name}{suffix}: {left}"


@pytest.fixture
def meeting(territory):
    group = WorkGroupFactory(contract=ContractFactory(territory=territory), name="GT Nutrition")
    start = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=10), dt.time(14, 0))
    )
    meeting = MeetingFactory(
        group=group,
        title="Ateliers cuisine",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Maison de quartier des Touleuses",
        online_url="https://visio.exemple.fr/gt",
        description="Bienvenue à toutes et à tous.",
    )
    AgendaItem.objects.create(
        meeting=meeting, title="Tour de table", presenter="David Roux", duration_minutes=90, order=1
    )
    AgendaItem.objects.create(meeting=meeting, title="Bilan", duration_minutes=45, order=2)
    return meeting


def meeting_values(meeting) -> list[str]:
    return [
        meeting.group.name,
        meeting.title,
        meeting.place,
        meeting.online_url,
        meeting.description,
        *(value for item in meeting.agenda_items.all() for value in (item.title, item.presenter)),
    ]


def descriptions(ics: bytes) -> list[str]:
    return [str(event["DESCRIPTION"]) for event in Calendar.from_ical(ics).walk("VEVENT")]


def test_the_calendar_texts_are_messages_of_the_catalogue(pseudo, meeting):
    invitation = meeting_ics(
        meeting=meeting,
        method="REQUEST",
        attendee_email="zoe@asso.fr",
        rsvp_url="https://trame.exemple.fr/reunion/t/oui/",
        decline_url="https://trame.exemple.fr/reunion/t/non/",
    )
    one_link = meeting_ics(
        meeting=meeting,
        method="REQUEST",
        attendee_email="zoe@asso.fr",
        rsvp_url="https://trame.exemple.fr/reunion/t/",
    )
    feed = feed_ics(
        name=meeting.group.name,
        meetings=[meeting],
        page_url=lambda m: "https://trame.exemple.fr/reunion/page/",
    )
    texts = descriptions(invitation) + descriptions(one_link) + descriptions(feed)
    assert len(texts) == 3
    for text in texts:
        assert OPEN in text
        assert not words_outside_the_catalogue(text, meeting_values(meeting)), text
    assert duration_label(90).startswith(OPEN) and duration_label(45).startswith(OPEN)


def test_the_hours_of_a_meeting_e_mail_are_messages_of_the_catalogue(pseudo, territory, meeting):
    zoe = ContactFactory(territory=territory, email="zoe@asso.fr")
    Invitation.objects.create(meeting=meeting, contact=zoe)
    (pk,) = outbox.enqueue(
        territory=territory,
        kind="invitation",
        topic=meeting.topic,
        recipients=[outbox.Recipient(email=zoe.email, contact_id=zoe.pk)],
    ).queued
    assert outbox.deliver(pk) == DeliveryStatus.SENT
    (message,) = mail.outbox
    assert f"{OPEN}14 h{CLOSE}" in message.body and f"{OPEN}16 h{CLOSE}" in message.body
