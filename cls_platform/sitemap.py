"""The site map (/plan-du-site/): a second way around the site beside the menu (RGAA 12.1).

It lists, for each territory the person holds an access to, the pages their role opens there
(a signatory reads no page about people and none of the coordination's tools), then the pages
of their account and those anyone may read. Signed out, only the latter. Like the home chooser,
the territories come by pages of SITE_MAP_PAGE_SIZE and may be searched (`?q=`): a person with
access to 1,000 territories gets a page of a few dozen links, in the same two queries (the
count and the page's accesses with their territory) whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from .access import accesses_of, public_view
from .models import Access
from .views import territory_page

# Territories per page: each brings up to sixteen links.
SITE_MAP_PAGE_SIZE = 20

# Who opens a page: everyone with an access, those who read people (not signatories), the
# coordination only.
ALL, PEOPLE, COORDINATION = "all", "people", "coordination"

# (heading, [(title, URL name, who)]) for the pages under /t/<territory>/.
TERRITORY_PAGES = (
    (
        _("Pilotage du contrat"),
        (
            (_("Tableau de bord"), "evaluation:dashboard", ALL),
            (_("Contrats"), "actions:contract_list", ALL),
            (_("Fiches-actions"), "actions:fiche_list", ALL),
            (_("Groupes de travail"), "workgroups:group_list", ALL),
        ),
    ),
    (
        _("Annuaire"),
        (
            (_("Structures"), "partners:organization_list", ALL),
            (_("Contacts"), "partners:contact_list", PEOPLE),
            (_("Départs annoncés"), "partners:handover_list", COORDINATION),
            (
                _("Contacts à revoir (durée de conservation)"),
                "partners:retention_review",
                COORDINATION,
            ),
            (_("Importer un tableau de partenaires"), "partners:import_upload", COORDINATION),
        ),
    ),
    (
        _("Évaluation"),
        (
            (_("Campagnes d'évaluation"), "evaluation:survey_list", ALL),
            (_("Réseau partenarial"), "evaluation:partnership_network", ALL),
            (_("Questionnaires"), "evaluation:questionnaire_list", COORDINATION),
            (_("Entretiens"), "evaluation:interview_list", COORDINATION),
        ),
    ),
    (
        _("Coordination"),
        (
            (_("Données ouvertes"), "evaluation:opendata_manage", COORDINATION),
            (
                _("Annuaire public de l'offre de santé"),
                "evaluation:public_directory_manage",
                COORDINATION,
            ),
            (_("Journal des modifications"), "audit_trail", COORDINATION),
            (_("Registre des traitements"), "processing_register", COORDINATION),
            (_("Archive des données du territoire"), "evaluation:archive", COORDINATION),
        ),
    ),
)


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Section:
    title: str
    links: list[Link]


@dataclass(frozen=True)
class TerritoryMap:
    access: Access
    sections: list[Section]


def _opens(access: Access, who: str) -> bool:
    if who == COORDINATION:
        return access.is_coordinator
    if who == PEOPLE:
        return not access.is_viewer
    return True


def territory_map(access: Access) -> TerritoryMap:
    slug = access.territory.slug
    sections = []
    for heading, pages in TERRITORY_PAGES:
        links = [
            Link(str(title), reverse(name, kwargs={"territory": slug}))
            for title, name, who in pages
            if _opens(access, who)
        ]
        if links:
            sections.append(Section(str(heading), links))
    return TerritoryMap(access, sections)


@public_view
@require_safe
def site_map(request: HttpRequest) -> HttpResponse:
    context = {"territories": [], "several_territories": False, "searchable": False}
    if request.user.is_authenticated:
        page, found = territory_page(request, accesses_of(request.user), SITE_MAP_PAGE_SIZE)
        text = found["q"]
        context.update(
            found,
            territories=[territory_map(access) for access in page.object_list],
            # Searching narrows the count: "all my contracts" stays for whoever has several.
            several_territories=bool(text) or page.paginator.count > 1,
            searchable=bool(text) or page.has_other_pages(),
        )
    return render(request, "cls_platform/site_map.html", context)
