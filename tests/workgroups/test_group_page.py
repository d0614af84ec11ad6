"""The parts of a group's page written in Python (workgroups/group_page.py) write what their
templates wrote, byte for byte: the health figures (the include workgroups/_health_figures.html,
kept as their reference), the pilots and the members; names typed with markup read as text."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import engines
from django.template.backends.utils import csrf_input
from django.test import RequestFactory

from partners.models import Sector
from tests.factories import ContactFactory, OrganizationFactory, WorkGroupFactory
from workgroups import group_page
from workgroups.health import Drifter, GroupHealth, HealthState
from workgroups.models import Membership, MembershipKind
from workgroups.selectors.groups import group_detail

pytestmark = pytest.mark.django_db

MARKUP = "<b>O'Neil</b>"

PILOTS = engines["django"].from_string(
    """{% load i18n people %}<ul>{% for p in pilots %}<li>{% if people %}{{ p.full_name }}{% if p.organization %}, {{ p.organization.name }}{% endif %}{% else %}{{ p|as_professional }}{% endif %}{% with sectors=p.organization.sectors.all %}{% if sectors %}
  <span class="muted">({% for s in sectors %}{{ s.name }}{% if not forloop.last %}, {% endif %}{% endfor %})</span>{% endif %}{% endwith %}{% if p.left_at %}
  <span class="badge badge--postponed">{% translate "a quitté sa structure" %}</span>{% endif %}</li>
{% empty %}<li>{% translate "Aucun pilote" %}</li>{% endfor %}</ul>"""
)
MEMBERS = engines["django"].from_string(
    """{% load i18n %}<ul>{% for m in memberships %}<li>{{ m.contact }} <span class="muted">({{ m.get_kind_display }})</span>{% if can_edit_group %}<form
  method="post" action="{{ membership_url }}" class="inline">{% csrf_token %}<button type="submit" name="remove"
  value="{{ m.contact_id }}" class="button--link">{% blocktranslate trimmed with name=m.contact %}
    Retirer<span class="visually-hidden"> {{ name }}</span>
  {% endblocktranslate %}</button></form>{% endif %}</li>{% endfor %}</ul>"""
)


def masked(html: str) -> str:
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1…", html)


def healths() -> list[GroupHealth]:
    group = WorkGroupFactory.build(name="GT")
    today = dt.date(2026, 6, 15)
    quiet = GroupHealth(group=group, today=today, target=1)
    busy = GroupHealth(
        group=group,
        today=today,
        target=4,
        held_last_year=1,
        last_held_on=dt.date(2026, 3, 2),
        next_planned_on=dt.date(2026, 7, 1),
        present_recent=4.5,
        present_earlier=6,
        trend="baisse",
        structures=[MARKUP, "CCAS"],
        sectors=["Santé", MARKUP],
        participants=1,
        outside_health=1,
        new_structures=[MARKUP],
        drifters=[
            Drifter(1, MARKUP, "", dt.date(2025, 11, 3)),
            Drifter(2, "Léa Roux", MARKUP, dt.date(2025, 1, 1)),
        ],
    )
    busy.add(HealthState.ACTIVE, f"Une note sur {MARKUP}.")
    busy.add(HealthState.FRAGILE, "Une raison.")
    rising = GroupHealth(
        group=group, today=today, target=2, held_last_year=3, participants=7, trend="hausse"
    )
    rising.present_recent, rising.present_earlier = 12, 3.25
    steady = GroupHealth(group=group, today=today, target=2, trend="stable")
    steady.present_recent = steady.present_earlier = 5
    return [quiet, busy, rising, steady]


@pytest.mark.parametrize("show_drifters", [True, False])
def test_health_figures_are_the_include_byte_for_byte(show_drifters):
    include = engines["django"].get_template("workgroups/_health_figures.html")
    for health in healths():
        expected = include.render({"health": health, "show_drifters": show_drifters})
        assert group_page.health_figures(health, show_drifters=show_drifters) == expected


def test_the_group_page_names_its_pilots_structures_sectors(login_as, coordinator):
    """As served: the sectors read with the group reach the list of pilots, escaped."""
    territory = coordinator.territory
    health = Sector.objects.create(slug="sante-page", name=f"Santé {MARKUP}")
    other = Sector.objects.create(slug="autre-page", name="Autre secteur")
    organization = OrganizationFactory(territory=territory, name="Maison de quartier")
    organization.sectors.set([health, other])
    group = WorkGroupFactory(contract__territory=territory)
    group.pilots.set([ContactFactory(territory=territory, organization=organization)])
    page = login_as(coordinator).get(f"/t/{territory.slug}/groupes/{group.pk}/").content.decode()
    escaped = MARKUP.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#x27;")
    assert f'<span class="muted">(Autre secteur, Santé {escaped})</span>' in page
    assert MARKUP not in page


def test_pilots_and_members_are_the_template_byte_for_byte(territory):
    health = Sector.objects.create(slug="sante-test", name=f"Santé {MARKUP}")
    other = Sector.objects.create(slug="autre-test", name="Autre secteur")
    organization = OrganizationFactory(territory=territory, name=f"Maison {MARKUP}")
    organization.sectors.set([health, other])
    pilots = [
        ContactFactory(territory=territory, first_name="Léa", last_name=MARKUP),
        ContactFactory(
            territory=territory,
            organization=organization,
            left_at=dt.date(2026, 1, 1),
        ),
        ContactFactory(territory=territory, organization=OrganizationFactory(territory=territory)),
    ]
    group = WorkGroupFactory(contract__territory=territory)
    group.pilots.set(pilots)
    # The group's page reads the sectors of its pilots' structures with the rest of the group,
    # one round trip (`group_detail`), rather than from each structure.
    sectors = group_detail(group=group)["pilot_sectors"]
    assert sectors == {organization.pk: [other.name, health.name]}
    for people in (True, False):
        for shown in (pilots, []):
            expected = PILOTS.render({"pilots": shown, "people": people})
            items = group_page.pilot_items(shown, people=people, sectors=sectors)
            assert f"<ul>{items}</ul>" == expected

    memberships = [
        Membership.objects.create(group=group, contact=pilots[0], kind=MembershipKind.MEMBER),
        Membership.objects.create(
            group=group, contact=pilots[1], kind=MembershipKind.choices[-1][0]
        ),
    ]
    request = RequestFactory().get("/")
    url = f"/t/{territory.slug}/groupes/{group.pk}/membres/?a=1&b=2"
    token = csrf_input(request)
    for editable in (True, False):
        expected = MEMBERS.render(
            {"memberships": memberships, "can_edit_group": editable, "membership_url": url},
            request,
        )
        items = group_page.member_items(
            memberships, can_edit=editable, action=url, csrf_input=token if editable else ""
        )
        # Each rendering masks the token afresh: the same token, another salt.
        assert masked(f"<ul>{items}</ul>") == masked(expected)
        assert MARKUP not in expected
