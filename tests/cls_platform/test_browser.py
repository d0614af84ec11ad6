"""What people see in a real Chromium: sign-in, dashboards per role, keyboard use, axe-core."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from actions.models import ActionStatus, AxisKind, ContractKind, ContractStatus
from cls_platform.models import Access, Role, Territory
from tests.factories import (
    PASSWORD,
    AccessFactory,
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE_LABELS = {
    Role.COORDINATOR: "Coordination",
    Role.COPILOT: "Co-pilotage",
    Role.VIEWER: "Signataire (lecture seule)",
}


def populate(territory: Territory, *, pilot: Access | None = None) -> dict[str, object]:
    """A signed contract with axes, fiches-actions, a group and its next meeting, partners; plus a
    draft contract that only coordination and co-pilots may see."""
    contract = ContractFactory(territory=territory, title="CLS de Cergy 2023-2028")
    health_axis = AxisFactory(contract=contract, number=1, title="Accès aux droits et aux soins")
    AxisFactory(contract=contract, number=2, title="Santé mentale")
    AxisFactory(contract=contract, kind=AxisKind.TRANSVERSAL, number=1, title="Aller-vers")
    for number, status in [
        ("1.1", ActionStatus.IN_PROGRESS),
        ("1.2", ActionStatus.PLANNED),
        ("1.3", ActionStatus.DONE),
        ("1.4", ActionStatus.POSTPONED),
        ("1.5", ActionStatus.ABANDONED),
    ]:
        FicheActionFactory(
            contract=contract, thematic_axis=health_axis, number=number, status=status
        )
    mairie = OrganizationFactory(
        territory=territory, name="Direction de la santé publique", is_internal=True
    )
    association = OrganizationFactory(territory=territory, name="Association Relais Santé")
    ContactFactory(territory=territory, organization=mairie)
    pilot_contact = ContactFactory(territory=territory, organization=association)
    group = WorkGroupFactory(contract=contract, axis=health_axis, name="GT Accès aux soins")
    if pilot is not None:
        pilot_contact.user = pilot.user
        pilot_contact.save()
        group.pilots.add(pilot_contact)
    meeting = MeetingFactory(
        group=group,
        title="Bilan à mi-parcours",
        place="Maison de quartier des Linandes",
        starts_at=timezone.now() + dt.timedelta(days=10),
    )
    draft = ContractFactory(
        territory=territory,
        title="CLSM de Cergy (projet)",
        kind=ContractKind.CLSM,
        status=ContractStatus.DRAFT,
        signed_on=None,
        start_year=2026,
        end_year=2030,
    )
    return {"contract": contract, "group": group, "meeting": meeting, "draft": draft}


def stat(stats: Locator, label: str) -> Locator:
    """The figure shown under a label of the "En chiffres" list."""
    term = stats.page.get_by_role("term").filter(has_text=re.compile(f"^{re.escape(label)}$"))
    return stats.locator(".stat").filter(has=term).get_by_role("definition")


def test_login_page_has_no_accessibility_violation(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/connexion/")

    expect(page).to_have_title(re.compile(r"^Connexion"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page.get_by_label("Adresse e-mail")).to_be_focused()
    expect(page.get_by_label("Mot de passe")).to_be_visible()
    assert_no_axe_violations(page)


def test_wrong_password_shows_a_french_error(page: Page, live_server, coordinator) -> None:
    page.goto(f"{live_server.url}/connexion/")
    page.locator('input[name="username"]').fill(coordinator.user.email)
    page.locator('input[name="password"]').fill(PASSWORD + "-faux")
    page.get_by_role("button", name="Se connecter").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("mot de passe incorrect")
    expect(alert).to_contain_text("sensible à la casse")
    expect(page).to_have_url(re.compile(r"/connexion/$"))
    email = page.get_by_label("Adresse e-mail")
    expect(email).to_have_value(coordinator.user.email)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("mot de passe incorrect"))
    assert_no_axe_violations(page)


@pytest.mark.parametrize("role", ["coordinator", "copilot", "viewer"])
def test_dashboard_after_sign_in(
    page: Page, live_server, request: pytest.FixtureRequest, role: str
) -> None:
    access: Access = request.getfixturevalue(role)
    data = populate(access.territory, pilot=access if role == "copilot" else None)

    browser_login(page, live_server, access)

    expect(page).to_have_title(re.compile(r"^Tableau de bord · Cergy"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord · Cergy")
    banner = page.get_by_role("banner")
    expect(banner).to_contain_text("Cergy")
    expect(banner).to_contain_text(ROLE_LABELS[access.role])
    expect(
        page.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Tableau de bord"
        )
    ).to_have_attribute("aria-current", "page")
    # The stylesheet was served: the header wears the brand colour.
    expect(banner).to_have_css("background-color", "rgb(29, 63, 143)")

    contracts = page.get_by_role("table", name="Contrats du territoire")
    signed = contracts.get_by_role("row").filter(has_text="CLS de Cergy 2023-2028")
    expect(signed).to_contain_text("2023-2028")
    expect(signed).to_contain_text("Signé")
    expect(signed).to_contain_text("le 21 septembre 2023")
    expect(signed.get_by_role("cell").nth(2)).to_have_text("3")  # axes
    expect(signed.get_by_role("cell").nth(3)).to_have_text("5")  # fiches-actions
    draft = contracts.get_by_role("row").filter(has_text=str(data["draft"].title))
    if role == "viewer":
        expect(draft).to_have_count(0)
        expect(
            page.get_by_text("Vous consultez les contrats signés en lecture seule.")
        ).to_be_visible()
    else:
        expect(draft).to_contain_text("Conseil local de santé mentale (CLSM)")
        expect(draft).to_contain_text("En préparation")

    stats = page.get_by_role("region", name="En chiffres")
    expect(stat(stats, "Structures partenaires")).to_have_text("2")
    expect(stat(stats, "dont services de la collectivité")).to_have_text("1")
    expect(stat(stats, "Contacts joignables")).to_have_text("2")
    expect(stat(stats, "Fiches-actions")).to_have_text("5")
    expect(stat(stats, "Groupes de travail actifs")).to_have_text("1 / 1")

    meetings = page.get_by_role("region", name="Prochaines réunions")
    expect(meetings.get_by_role("listitem")).to_have_count(1)
    expect(meetings).to_contain_text("GT Accès aux soins")
    expect(meetings).to_contain_text("Bilan à mi-parcours")
    expect(meetings).to_contain_text("Maison de quartier des Linandes")

    my_groups = page.get_by_role("region", name="Mes groupes de travail")
    if role == "copilot":
        expect(my_groups.get_by_role("listitem")).to_have_text(["GT Accès aux soins (Actif)"])
    else:
        expect(my_groups).to_have_count(0)

    assert_no_axe_violations(page)


def test_keyboard_skip_link_reaches_main_content(page: Page, live_server, coordinator) -> None:
    populate(coordinator.territory)
    browser_login(page, live_server, coordinator)

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    assert skip.evaluate("el => parseFloat(getComputedStyle(el).outlineWidth)") >= 2
    assert_no_axe_violations(page)  # the link is on screen now: its contrast is checked too

    page.keyboard.press("Enter")
    main = page.get_by_role("main")
    expect(main).to_be_focused()
    expect(page).to_have_url(re.compile(r"#contenu$"))

    # The next Tab carries on from the content, not from the top of the page again.
    page.keyboard.press("Tab")
    in_header = page.evaluate("() => !!document.activeElement.closest('header')")
    assert not in_header, "Après l'évitement, Tab revient dans l'en-tête au lieu de continuer."
    focused_outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert focused_outline != "none"


FOCUSED = """() => {
    const el = document.activeElement, style = getComputedStyle(el);
    return {
        inHeader: !!el.closest("header"),
        text: el.textContent.replace(/\\s+/g, " ").trim(),
        style: style.outlineStyle,
        width: parseFloat(style.outlineWidth),
        color: style.outlineColor,
    };
}"""


def _luminance(css_colour: str) -> float:
    def channel(value: str) -> float:
        c = float(value) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in re.findall(r"[\d.]+", css_colour)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_focus_ring_stands_out_on_the_blue_header(page: Page, live_server, coordinator) -> None:
    browser_login(page, live_server, coordinator)
    header_background = page.get_by_role("banner").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )

    page.keyboard.press("Tab")  # the skip link
    focused = []
    for _ in range(10):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUSED)
        if not state["inHeader"]:
            break
        focused.append(state)

    assert [state["text"] for state in focused] == [
        "Trame · coordination du Contrat local de santé",
        "Tableau de bord",
        "Contrats",
        "Fiches-actions",
        "Groupes",
        "Annuaire",
        "Évaluation",
        "Mes territoires",
        "Sécurité du compte",
        "Se déconnecter",
    ]
    for state in focused:
        ratio = contrast(state["color"], header_background)
        assert state["style"] != "none" and state["width"] >= 2, state
        # WCAG 1.4.11: a focus indicator needs 3:1 against what surrounds it.
        assert ratio >= 3, f"Anneau de focus peu visible sur « {state['text']} » : {ratio:.1f}:1"


def test_home_lists_every_territory_of_the_user(
    page: Page, live_server, coordinator, other_territory
) -> None:
    AccessFactory(user=coordinator.user, territory=other_territory, role=Role.VIEWER)
    browser_login(page, live_server, coordinator)

    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mes territoires"
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mes territoires")
    expect(
        page.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Mes territoires"
        )
    ).to_have_attribute("aria-current", "page")
    cards = page.get_by_role("main").get_by_role("listitem")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("Cergy")
    expect(cards.nth(0)).to_contain_text("Coordination")
    expect(cards.nth(1)).to_contain_text("Vitry-sur-Seine")
    expect(cards.nth(1)).to_contain_text("Signataire (lecture seule)")
    assert_no_axe_violations(page)

    cards.nth(1).get_by_role("link", name="Vitry-sur-Seine").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord · Vitry-sur-Seine")
    expect(page.get_by_role("banner")).to_contain_text("Signataire (lecture seule)")


def test_the_header_wraps_on_a_phone(page: Page, live_server, coordinator) -> None:
    """At 390 px every link of the main navigation is on the screen: none pushed off its right
    edge, and the page does not scroll sideways."""
    populate(coordinator.territory)
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, coordinator)
    page.get_by_role("link", name="Groupes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Groupes de travail et instances")

    nav = page.get_by_role("navigation", name="Navigation principale")
    for link in nav.get_by_role("link").all():
        box = link.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390, link.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(page)
