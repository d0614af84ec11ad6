"""Every page that lists, details or summarises issues as many SQL queries in a small territory
as in a larger one, and as many again when the larger one's directory is ten times bigger.

The URL patterns are walked (tests/support/urlwalk.py): a page added later is counted here
without a line to write, unless it is listed below as a file, an export or a POST-only
action. Three territories are seeded once for the module, on PostgreSQL:

- "petit": demo/scale.py's territory at a small size, plus a row of each kind the archive holds
  (tests/evaluation/test_archive.py `fill`, every relation of a fiche, a meeting with its
  compte-rendu, a campaign, an interview, a COPIL decision, a departure...);
- "moyen": everything three times as many;
- "annuaire-x10": "moyen" with ten times its structures, contacts and invitations.

Each page is requested as the coordination and, where it is theirs, as a signatory (read
only), in the three territories; a page that names an object is requested with the first
object of its kind (the scale seed's: big directory, bare relations) and the last (the
archive's: every relation filled). Absolute counts are not pinned (other work changes them):
only equality across sizes, under a generous ceiling.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, models, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.views.generic.edit import DeletionMixin, FormMixin

from actions.models import ActionPartner, Axis, Contract, FicheAction, Indicator
from cls_platform.access import POLICY_AUTHENTICATED, POLICY_PUBLIC, POLICY_TERRITORY
from cls_platform.models import Role, Territory
from cls_platform.security import sessions
from evaluation.progress.models import CopilDecision
from evaluation.surveys.models import Question, Section
from partners.importing import partner_import_stage
from partners.models import Contact, Organization
from tests.cls_platform.test_tenancy import ROUTES, has_method, is_write_page, route_id, url_model
from tests.evaluation.test_archive import fill
from tests.factories import AccessFactory
from tests.support.urlwalk import Route, sample_value
from workgroups.models import Invitation, Membership, WorkGroup

pytestmark = [pytest.mark.django_db]

# A page past this many queries is wrong whatever the data (today's heaviest need about 25).
CEILING = 80

# (name, factor of demo/scale.py's small sizes, directory factor)
SIZES = (("petit", 1, 1), ("moyen", 3, 1), ("annuaire-x10", 3, 10))
# demo/scale.py's constants for factor 1: a few of each, enough for every page to show some.
SMALL = {
    "ORGANIZATIONS": 4,
    "CONTACTS": 10,
    "FICHES": 4,
    "AXES": 2,
    "GROUPS": 2,
    # The first meeting is held at every size (demo/scale.py dates them from MEETINGS).
    "MEETINGS": 6,
    "INVITED": 4,
}
DIRECTORY = ("ORGANIZATIONS", "CONTACTS", "INVITED")

# Not pages: files, exports and JSON, each with the reason it is left out. A route of the walk
# that is neither here nor a GET page fails `test_every_route_is_counted_or_left_out`.
LEFT_OUT = {
    "processing_register_pdf": "PDF (tests/cls_platform, rendu WeasyPrint)",
    "evaluation:interview_export_csv": "export",
    "evaluation:interview_export_xlsx": "export",
    "evaluation:contract_bilan": "PDF",
    "evaluation:archive_download": "archive ZIP en flux",
    "partners:export": "export",
    "partners:contact_search": "JSON du sélecteur (tests/partners)",
    "partners:organization_search": "JSON du sélecteur (tests/partners)",
    "partners:organization_filter_search": "JSON du filtre (tests/actions/test_fiche_list.py)",
    "actions:contract_pdf": "PDF (tests/actions/test_pdf.py)",
    "actions:contract_document": "fichier déposé, servi tel quel",
    "actions:fiche_export_csv": "export",
    "actions:fiche_export_xlsx": "export",
    "actions:fiche_pdf": "PDF",
    "workgroups:report_pdf": "PDF",
    "portfolio:export_csv": "export",
    "portfolio:export_xlsx": "export",
    "opendata:schema": "JSON",
    "opendata:document": "JSON",
    "opendata:table": "CSV",
    "healthz": "sonde JSON",
    "csp_report": "POST du navigateur",
    "session_keep_alive": "POST",
    "home": "redirige vers le tableau de bord avec un seul territoire",
}
# Pages of one's account, none of a territory's data: nothing grows with a territory.
NOT_TERRITORY_DATA = {
    "security:account",
    "security:enrol",
    "security:verify",
    "security:recovery_codes",
    "security:new_recovery_codes",
    "security:remove",
    "security:password_change",
    "security:sign_out_everywhere",
    "security:proconnect",
    "security:proconnect_callback",
    "security:proconnect_logout",
    "login",
    "logout",
    "accessibility_statement",
    "site_map",  # its own test: tests/cls_platform/test_rgaa_fixes.py, 3 and 30 territories
}

# How the objects of a model without a `territory` column reach theirs.
TERRITORY_PATH = {
    Axis: "contract__territory",
    Indicator: "fiche__territory",
    Section: "questionnaire__territory",
    Question: "section__questionnaire__territory",
    CopilDecision: "contract__territory",
}
# Objects a page cannot show: an erased person's record answers 404; a structure that is not
# in the public directory too.
SHOWN = {Contact: {"anonymized_at__isnull": True}}
PUBLIC_STRUCTURE = {"public_directory:structure": {"public_listing__is_public": True}}


def is_get_page(route: Route) -> bool:
    """A class-based view without a GET handler is POST-only; the function views that are
    not pages are in LEFT_OUT."""
    return route.view_class is None or has_method(route, "get")


def names_a_territory(route: Route) -> bool:
    return any(name == "territory" for _, name in route.kwargs)


COUNTED = [
    r
    for r in ROUTES
    if route_id(r) not in LEFT_OUT
    and route_id(r) not in NOT_TERRITORY_DATA
    and is_get_page(r)
    and (
        r.policy == POLICY_TERRITORY
        or (r.policy == POLICY_PUBLIC and names_a_territory(r))
        or r.policy == POLICY_AUTHENTICATED
    )
    # Public pages reached by a signed link (partners, meetings, surveys): their own tests.
    and not any(name == "token" for _, name in r.kwargs)
]


def is_form(route: Route) -> bool:
    return issubclass(route.view_class or object, FormMixin | DeletionMixin)


def variants(route: Route) -> tuple[str, ...]:
    """A page naming an object is counted with the first and the last of its kind; a form
    with the last only (the richest: its pickers list the same directory either way)."""
    if not any(converter == "int" for converter, _ in route.kwargs):
        return ("",)
    return ("dernier",) if is_form(route) else ("premier", "dernier")


CASES = [(route, which) for route in COUNTED for which in variants(route)]
# A signatory reads; the pages that write are refused them (tests/cls_platform/test_tenancy.py).
READ_CASES = [(route, which) for route, which in CASES if not is_write_page(route)]


@contextmanager
def scale_sizes(factor: int, directory: int) -> Iterator[Any]:
    from demo import scale

    saved = {name: getattr(scale, name) for name in SMALL}
    for name, value in SMALL.items():
        setattr(scale, name, value * factor * (directory if name in DIRECTORY else 1))
    try:
        yield scale
    finally:
        for name, value in saved.items():
            setattr(scale, name, value)


def seed(slug: str, index: int, factor: int, directory: int) -> Territory:
    with scale_sizes(factor, directory) as scale:
        territory = scale.seed_territory(slug, index, random.Random(index))
    fill(territory, size=factor, tag=slug)
    # Both contracts published in open data, so that the public pages list them.
    Contract.objects.filter(territory=territory).update(open_data_published_at=timezone.now())
    # Each group's members: the people invited to its meetings (as many as the directory).
    Membership.objects.bulk_create(
        [
            Membership(territory=territory, group_id=group_id, contact_id=contact_id)
            for group_id, contact_id in Invitation.objects.filter(
                territory=territory, contact__anonymized_at__isnull=True
            )
            .values_list("meeting__group_id", "contact_id")
            .distinct()
        ],
        ignore_conflicts=True,
    )
    # The first structure works with the second at every size (its page lists them; the seed's
    # partners may already have them together).
    first, second = Organization.objects.filter(territory=territory).order_by("pk")[:2]
    fiche = FicheAction.objects.filter(territory=territory, pilot_organization=first).first()
    ActionPartner.objects.get_or_create(
        fiche=fiche, organization=second, defaults={"role": "Partenaire"}
    )
    for group in WorkGroup.objects.filter(territory=territory):
        group.pilots.add(*Contact.objects.filter(territory=territory)[: 2 * factor])
    rows = "".join(
        f"Nom{n};Prénom{n};import{n}@{slug}.fr;Structure {n}\n"
        for n in range(5 * factor * directory)
    )
    partner_import_stage(
        territory=territory,
        content=f"Nom;Prénom;Courriel;Structure\n{rows}".encode(),
        file_name="annuaire.csv",
        uploaded_by=None,
    )
    return territory


@pytest.fixture(scope="module")
def territories(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict]:
    """The three territories and, in each, a coordinator's and a signatory's signed-in client."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.getbasetemp() / "media"))
    # The session's end is pushed back once a minute (a write): never during the counts.
    with (
        media,
        pytest.MonkeyPatch.context() as patch,
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        patch.setattr(sessions, "RENEW_AFTER_SECONDS", 10**9)
        made = {}
        for index, (name, factor, directory) in enumerate(SIZES, start=1):
            territory = seed(f"compte-{name}", index, factor, directory)
            made[name] = {"territory": territory}
            for role in (Role.COORDINATOR, Role.VIEWER):
                made[name][role] = Client()
                made[name][role].force_login(AccessFactory(territory=territory, role=role).user)
        with connection.cursor() as cursor:  # fresh bulk rows: the planner's statistics
            cursor.execute("ANALYZE")
        yield made
        transaction.set_rollback(True)


def in_territory(model: type[models.Model], territory: Territory) -> models.QuerySet:
    path = TERRITORY_PATH.get(model, "territory")
    return model._base_manager.filter(**{path: territory})


def url_of(route: Route, territory: Territory, which: str) -> str:
    values: dict[str, Any] = {}
    for converter, name in route.kwargs:
        if name == "territory":
            values[name] = territory.slug
        elif converter == "int":
            model = url_model(route) or (Organization if "structure" in route.name else None)
            assert model is not None, f"{route_id(route)} : quel modèle nomme <int:{name}> ?"
            found = in_territory(model, territory).filter(
                **SHOWN.get(model, {}), **PUBLIC_STRUCTURE.get(route_id(route), {})
            )
            found = found.order_by("pk" if which == "premier" else "-pk")
            values[name] = found.values_list("pk", flat=True).first()
        else:
            values[name] = sample_value(converter)
    return route.build(values)


def count(client: Client, url: str) -> tuple[int, int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def counts_of(territories: dict, route: Route, which: str, role: str) -> dict[str, tuple]:
    urls = {name: url_of(route, made["territory"], which) for name, made in territories.items()}
    # Once first: the caches of the process (content types, templates) are then warm for all.
    territories["petit"][role].get(urls["petit"])
    return {name: count(made[role], urls[name]) for name, made in territories.items()}


def case_id(case: tuple[Route, str]) -> str:
    route, which = case
    return f"{route_id(route)}-{which}" if which else route_id(route)


def test_every_route_is_counted_or_left_out():
    counted = {route_id(r) for r in COUNTED}
    for route in ROUTES:
        name = route_id(route)
        reason = (
            name in counted
            or name in LEFT_OUT
            or name in NOT_TERRITORY_DATA
            or not is_get_page(route)
            or any(kwarg == "token" for _, kwarg in route.kwargs)
        )
        assert reason, f"{name} : à compter ici ou à écarter avec sa raison (LEFT_OUT)."
    assert {"evaluation:dashboard", "workgroups:meeting_detail", "portfolio:table"} <= counted


def assert_constant(found: dict[str, tuple], what: str) -> None:
    statuses = {name: status for name, (status, _, _) in found.items()}
    assert len(set(statuses.values())) == 1, f"{what} : réponses {statuses}"
    numbers = {name: n for name, (_, n, _) in found.items()}
    small = found["petit"][2]
    assert len(set(numbers.values())) == 1, (
        f"{what} : {numbers} requêtes selon la taille.\n"
        + "\n".join(
            f"--- {name}\n" + "\n".join(sql)
            for name, (_, _, sql) in found.items()
            if len(sql) != len(small) or name == "petit"
        )
    )
    assert numbers["petit"] <= CEILING, f"{what} : {numbers['petit']} requêtes"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_coordination_s_pages_keep_their_query_count(territories, case):
    route, which = case
    found = counts_of(territories, route, which, Role.COORDINATOR)
    assert found["petit"][0] in {200, 301, 302}, f"{case_id(case)} : {found['petit'][0]}"
    assert_constant(found, case_id(case))


@pytest.mark.parametrize("case", READ_CASES, ids=case_id)
def test_a_signatory_s_pages_keep_their_query_count(territories, case):
    route, which = case
    found = counts_of(territories, route, which, Role.VIEWER)
    if found["petit"][0] == 200:
        assert_constant(found, case_id(case))
    else:  # not theirs: refused alike whatever the size
        statuses = {name: status for name, (status, _, _) in found.items()}
        assert len(set(statuses.values())) == 1, f"{case_id(case)} : réponses {statuses}"
