"""What every e-mail shares (cls_platform.mail): who writes in the From line, whom a question
reaches, text parts without runs of blank lines, a report's headings under the e-mail's own."""

from __future__ import annotations

import email
import email.policy

import pytest

from cls_platform.mail.html import nest_headings
from cls_platform.mail.messages import build_message, coordination_sender
from tests.factories import AccessFactory

pytestmark = pytest.mark.django_db


def parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


@pytest.mark.parametrize(
    "name",
    [
        "Coordination du CLS de Cergy",
        "Coordination du CLS de Saint-Ouen, l'Île « centre »",
        'Coordination "santé" \\ ville',
    ],
)
def test_the_from_line_names_who_writes_at_the_sending_address(settings, name):
    settings.DEFAULT_FROM_EMAIL = "Trame CLS <ne-pas-repondre@trame.local>"
    message = build_message(
        template="details_check",
        to=["zoe@asso.fr"],
        context={"contact_name": "Zoé", "territory_name": "Cergy", "email": "zoe@asso.fr"},
        sender_name=name,
    )
    sender = parsed(message)["From"]
    # Squashed: Python's parser keeps the folding space between two encoded words of a
    # display name, which RFC 2047 (and mail clients) drop.
    assert " ".join(sender.addresses[0].display_name.split()) == name
    assert sender.addresses[0].addr_spec == "ne-pas-repondre@trame.local"


def test_without_a_name_the_from_line_is_the_configured_one(settings):
    settings.DEFAULT_FROM_EMAIL = "Trame CLS <ne-pas-repondre@trame.local>"
    message = build_message(
        template="details_check", to=["zoe@asso.fr"], context={"email": "zoe@asso.fr"}
    )
    assert str(parsed(message)["From"]) == "Trame CLS <ne-pas-repondre@trame.local>"


def test_a_question_reaches_the_coordination_s_address_or_its_first_coordinator(territory):
    assert coordination_sender(territory) == ("", "")
    AccessFactory(
        territory=territory,
        role="coordinator",
        user__email="katia@cergy.fr",
        user__full_name="Katia Lebrun",
    )
    assert coordination_sender(territory) == ("Katia Lebrun", "katia@cergy.fr")
    territory.coordination_email = "sante@ville-cergy.fr"
    territory.save()
    assert coordination_sender(territory.pk) == ("", "sante@ville-cergy.fr")


def test_a_text_part_keeps_one_blank_line_between_paragraphs_whatever_is_missing():
    message = build_message(
        template="details_check",
        to=["zoe@asso.fr"],
        context={"contact_name": "Zoé", "territory_name": "Cergy", "email": "zoe@asso.fr"},
    )
    assert "\n\n\n" not in message.body
    assert message.body.startswith("Bonjour Zoé,\n\n")
    assert message.body.endswith("\n") and not message.body.endswith("\n\n")


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<h3>Un</h3><p>x</p><h4>Deux</h4>", "<h2>Un</h2><p>x</p><h3>Deux</h3>"),
        ('<h1 id="a">Un</h1><h2>Deux</h2>', '<h2 id="a">Un</h2><h3>Deux</h3>'),
        ("<h2>Un</h2><h6>Six</h6>", "<h2>Un</h2><h6>Six</h6>"),
        ("<h5>Un</h5><h6>Deux</h6>", "<h2>Un</h2><h3>Deux</h3>"),
        ("<p>Sans titre, avec <hr> et <header>x</header></p>", None),
    ],
)
def test_a_report_s_headings_follow_the_e_mail_s_own(fragment, expected):
    assert nest_headings(fragment, top=2) == (fragment if expected is None else expected)
    assert nest_headings("<h1>Un</h1><h6>Six</h6>", top=2) == "<h2>Un</h2><h6>Six</h6>"
