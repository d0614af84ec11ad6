"""The structure of each agenda line is a picker: the meeting form lists none of the territory's
structures, the one chosen in the combobox (its id beside the name) or typed without JavaScript
is saved with the line; several matches come back as radio buttons, none is refused in French,
and nothing typed is lost."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from tests.factories import OrganizationFactory
from workgroups.models import AgendaItem, Meeting

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


class _Forms(HTMLParser):
    """What a browser sends for each POST form of a page, untouched: text, hidden, date and
    time inputs, ticked boxes and radios, each select's chosen option, textareas."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._form: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = []
        if self._form is None:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button"):
                self._form.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected]
            self._form.append((self._select, (chosen or [v for v, _ in self._options] or [""])[0]))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._form.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self.forms.append(self._form)
            self._form = None


def meeting_form(client, url: str) -> dict[str, str]:
    parser = _Forms()
    parser.feed(client.get(url).content.decode())
    (form,) = [f for f in parser.forms if any(name == "odj-TOTAL_FORMS" for name, _ in f)]
    return dict(form)


@pytest.fixture
def structures(territory):
    return {
        "ccas": OrganizationFactory(
            territory=territory, name="Centre communal d'action sociale", acronym="CCAS"
        ),
        "linandes": OrganizationFactory(territory=territory, name="Maison de quartier Linandes"),
        "touleuses": OrganizationFactory(territory=territory, name="Maison de quartier Touleuses"),
    }


def new_meeting(client, group, **line: str) -> dict[str, str]:
    """The blank form filled in: a day in a fortnight, a title, one agenda line."""
    data = meeting_form(client, f"{BASE}/groupes/{group.pk}/reunions/nouvelle/")
    day = timezone.localdate() + dt.timedelta(days=14)
    data.update(day=day.isoformat(), start="14:00", end="16:00", title="Rencontre des partenaires")
    data.update({"odj-0-title": "Tour de table", **{f"odj-0-{k}": v for k, v in line.items()}})
    return data


def test_the_meeting_form_lists_no_structure(login_as, coordinator, group, structures):
    page = login_as(coordinator).get(f"{BASE}/groupes/{group.pk}/reunions/nouvelle/")
    html = page.content.decode()
    assert "Maison de quartier" not in html and "CCAS" not in html
    url = 'data-picker-url="/t/cergy/annuaire/recherche/structures/"'
    assert html.count(url) == 3, "one picker per blank agenda line"
    assert "js/picker.js" in html


def test_a_line_takes_the_structure_chosen_in_the_picker(login_as, coordinator, group, structures):
    client = login_as(coordinator)
    ccas = structures["ccas"]
    data = new_meeting(client, group, organization=str(ccas), organization_id=str(ccas.pk))
    response = client.post(f"{BASE}/groupes/{group.pk}/reunions/nouvelle/", data)
    assert response.status_code == 302
    (item,) = AgendaItem.objects.filter(meeting__group=group)
    assert (item.title, item.organization) == ("Tour de table", ccas)


def test_without_script_the_structure_typed_on_a_line_is_found(
    login_as, coordinator, group, structures
):
    client = login_as(coordinator)
    data = new_meeting(client, group, organization="ccas")
    response = client.post(f"{BASE}/groupes/{group.pk}/reunions/nouvelle/", data)
    assert response.status_code == 302
    assert AgendaItem.objects.get(meeting__group=group).organization == structures["ccas"]


def test_several_structures_for_a_line_are_offered_and_nothing_is_lost(
    login_as, coordinator, group, structures
):
    client = login_as(coordinator)
    url = f"{BASE}/groupes/{group.pk}/reunions/nouvelle/"
    data = new_meeting(client, group, organization="maison quartier")
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Plusieurs correspondances pour « maison quartier »" in page
    touleuses = structures["touleuses"]
    assert f'name="odj-0-organization_choice" value="{touleuses.pk}"' in page
    assert f'name="odj-0-organization_choice" value="{structures["linandes"].pk}"' in page
    assert 'value="Rencontre des partenaires"' in page and 'value="Tour de table"' in page
    assert not Meeting.objects.filter(group=group).exists()

    response = client.post(url, {**data, "odj-0-organization_choice": str(touleuses.pk)})
    assert response.status_code == 302
    assert AgendaItem.objects.get(meeting__group=group).organization == touleuses


def test_a_structure_found_nowhere_or_elsewhere_is_refused_in_french(
    login_as, coordinator, group, structures, other_territory
):
    client = login_as(coordinator)
    url = f"{BASE}/groupes/{group.pk}/reunions/nouvelle/"
    typed = client.post(url, new_meeting(client, group, organization="Clinique imaginaire"))
    assert typed.status_code == 200
    page = typed.content.decode()
    assert "Aucune correspondance dans l&#x27;annuaire pour « Clinique imaginaire »" in page
    assert 'value="Clinique imaginaire"' in page

    elsewhere = OrganizationFactory(territory=other_territory, name="CCAS de Vitry")
    forged = client.post(url, new_meeting(client, group, organization_id=str(elsewhere.pk)))
    assert "Ce choix n&#x27;est pas proposé ici" in forged.content.decode()
    assert not Meeting.objects.filter(group=group).exists()


def test_an_edit_sent_untouched_keeps_each_line_s_structure(
    login_as, coordinator, meeting, structures
):
    for n, key in enumerate(("linandes", "ccas")):
        AgendaItem.objects.create(
            meeting=meeting, title=f"Point {n}", order=n, organization=structures[key]
        )
    client = login_as(coordinator)
    url = f"{BASE}/reunions/{meeting.pk}/modifier/"
    data = meeting_form(client, url)
    assert data["odj-0-organization"] == "Maison de quartier Linandes"
    assert data["odj-1-organization"] == "Centre communal d'action sociale (CCAS)"

    response = client.post(url, data)
    assert response.status_code == 302
    saved = meeting.agenda_items.order_by("order")
    assert [(i.title, i.organization) for i in saved] == [
        ("Point 0", structures["linandes"]),
        ("Point 1", structures["ccas"]),
    ]
