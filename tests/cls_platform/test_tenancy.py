"""No URL of the project escapes tenancy.

Every pattern is walked: its view must declare an access policy through the helpers of
`cls_platform.access`, and is then requested as an anonymous visitor, as a coordinator of
another territory, as a read-only signatory (on signed and on draft contracts), and as a
co-pilot on objects they do not pilot. A view added without the helpers fails here.

Marker records live in the other territory: no page of one's own territory may show them. The
own territory holds a contact with no name but an address and a phone: no page may show
either to a signatory.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from actions.models import Axis, Contract, ContractStatus, FicheAction, Indicator, Signatory
from cls_platform.access import POLICY_AUTHENTICATED, POLICY_PUBLIC, POLICY_TERRITORY
from cls_platform.models import Access
from evaluation.interviews.models import Interview
from evaluation.progress.models import CopilDecision
from evaluation.surveys import questionnaires
from evaluation.surveys.models import Question, Questionnaire, Section, Survey
from partners.models import Contact, HandOver, Organization, PartnerImport, Qpv
from tests.conftest import login
from tests.evaluation.test_survey_data import campaign
from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    OrganizationFactory,
    TerritoryFactory,
    WorkGroupFactory,
)
from tests.support.urlwalk import Route, sample_value, walk, without_tokens
from workgroups.models import Invitation, Meeting, Membership, WorkGroup

pytestmark = pytest.mark.django_db

# Reachable without an account, by namespaced name. Adding one here is a decision: say why in
# the commit. The partners' pages carry their own proof: a signed link naming one contact.
PUBLIC_URL_NAMES = {
    "login",
    "logout",
    "healthz",
    "partner_links:self_service",
    "partner_links:self_service_left",
    # The "update my details" link of mass e-mails: it only sends a fresh link to the address on file.
    "partner_links:self_service_request",
    "partner_links:self_service_unsubscribe",
    "meeting_links:rsvp",
    "meeting_links:document",
    "meeting_links:feed",
    "meeting_links:feed_revoke",
    "meeting_links:meeting_page",
    "meeting_links:report_pdf",
    # A partner's questionnaire: the signed link of the survey e-mail is its proof.
    "evaluation:survey_answer",
    # The public directory of the health offer: only structures marked public, no person.
    "public_directory:directory",
    "public_directory:structure",
    # Open data: the contracts a coordination published, with no personal data, and its schema.
    "opendata:territory",
    "opendata:document",
    "opendata:table",
    "opendata:schema",
    # The accessibility statement: the RGAA requires it reachable from every page, signed in or not.
    "accessibility_statement",
    # The site map (RGAA 12.1): signed out, it lists only the pages anyone may read.
    "site_map",
    # ProConnect (404 unless configured): the way there and back of a sign-in, like "login",
    # and the way back of a sign-out, like "logout".
    "security:proconnect",
    "security:proconnect_callback",
    "security:proconnect_logout",
    # Where browsers post Content-Security-Policy violations: they send no cookie to sign it.
    "csp_report",
}

# What a signatory must never read: the address and phone of a contact, even one with no name
# (then a careless page falls back to the address).
SECRET_DOMAIN = "@partenaire.fr"
SECRET_PHONE = "06 12 34 56 78"
# Every record of the other territory carries this word; no page of one's own may show it.
MARKER = "zqxmarqueur"


def nameless(territory, **kwargs: Any) -> Contact:
    """A contact known by their address only, as imports and hand-overs make them."""
    return ContactFactory(
        territory=territory, first_name="", last_name="", phone=SECRET_PHONE, **kwargs
    )


def signed(t):
    return ContractFactory(territory=t)


def draft(t):
    return ContractFactory(territory=t, title="Contrat brouillon", status=ContractStatus.DRAFT)


def makers(contract_for) -> dict[type, Any]:
    """For routes that name an object (<int:pk>...), how to make one in a territory, by model;
    objects that hang on a contract hang on `contract_for(territory)`. People in them are
    nameless, so that every page showing a person is checked for addresses and phones."""

    def group(t):
        made = WorkGroupFactory(contract=contract_for(t))
        member = nameless(t)
        Membership.objects.create(group=made, contact=member)
        made.pilots.add(member)
        return made

    def meeting(t):
        made = MeetingFactory(group=group(t))
        Invitation.objects.create(meeting=made, contact=nameless(t), attendance="present")
        return made

    def organization(t):
        made = OrganizationFactory(territory=t)
        nameless(t, organization=made)
        return made

    def contact(t):
        former = nameless(t)
        made = nameless(t, organization=former.organization)
        former.left_at, former.is_active, former.successor = dt.date(2026, 1, 5), False, made
        former.save()
        return made

    return {
        Organization: organization,
        Contact: contact,
        PartnerImport: lambda t: PartnerImport.objects.create(
            territory=t, file_name="a.csv", content=b""
        ),
        HandOver: lambda t: HandOver.objects.create(contact=nameless(t)),
        Contract: contract_for,
        Axis: lambda t: AxisFactory(contract=contract_for(t)),
        FicheAction: lambda t: FicheActionFactory(
            contract=contract_for(t), pilot_contact=nameless(t)
        ),
        WorkGroup: group,
        Meeting: meeting,
        Invitation: lambda t: Invitation.objects.create(meeting=meeting(t), contact=nameless(t)),
        Indicator: lambda t: Indicator.objects.create(
            fiche=FicheActionFactory(contract=contract_for(t)), title="Indicateur"
        ),
        Questionnaire: lambda t: questionnaires.questionnaire_create_default(territory=t),
        Section: lambda t: questionnaires.questionnaire_create_default(
            territory=t
        ).sections.first(),
        Question: lambda t: Question.objects.filter(
            section__questionnaire=questionnaires.questionnaire_create_default(territory=t)
        ).first(),
        Survey: lambda t: campaign(t, contract=contract_for(t)),
        Interview: lambda t: Interview.objects.create(
            contract=contract_for(t), held_on=dt.date(2025, 5, 12), contact=nameless(t)
        ),
        CopilDecision: lambda t: CopilDecision.objects.create(
            contract=contract_for(t), what="Décision", who_label="Coordination CLS"
        ),
    }


# A new territory-scoped detail view must register its model here; the walk fails otherwise.
OBJECT_MAKERS: dict[type, Any] = makers(signed)
# The same objects on a contract still in preparation, which signatories must not reach.
DRAFT_MAKERS: dict[type, Any] = makers(draft)
DRAFT_MODELS = {
    Contract,
    Axis,
    FicheAction,
    WorkGroup,
    Meeting,
    Invitation,
    Indicator,
    Survey,
    Interview,
    CopilDecision,
}

# Pages of an optional file (signed contract, compte-rendu not yet written): a fresh object
# has none, hence 404.
MAY_BE_ABSENT = {"actions:contract_document", "workgroups:report_pdf"}

ROUTES = [r for r in walk() if r.namespace != "admin"]
TERRITORY_ROUTES = [r for r in ROUTES if r.policy == POLICY_TERRITORY]


def route_id(route: Route) -> str:
    return f"{route.namespace}:{route.name}" if route.namespace else route.name or route.route


def url_model(route: Route) -> type | None:
    """The model the URL's id names: a creation page names its parent (url_model)."""
    return getattr(route.view_class, "url_model", None) or getattr(route.view_class, "model", None)


def url_for(route: Route, territory_slug: str, object_territory, object_makers=None) -> str:
    object_makers = object_makers or OBJECT_MAKERS
    values: dict[str, Any] = {}
    for converter, name in route.kwargs:
        if name == "territory":
            values[name] = territory_slug
        elif converter == "int":
            model = url_model(route)
            maker = object_makers.get(model)
            assert maker is not None, (
                f"{route_id(route)} : ajoutez une fabrique pour {model} dans OBJECT_MAKERS "
                "afin que le test de cloisonnement couvre cette page."
            )
            values[name] = maker(object_territory).pk
        else:
            values[name] = sample_value(converter)
    return route.build(values)


def has_method(route: Route, method: str) -> bool:
    view = route.view_class
    return method in getattr(view, "http_method_names", []) and hasattr(view, method)


def is_write_page(route: Route) -> bool:
    """A page refused to a role that cannot change it, whatever the method."""
    view = route.view_class
    return bool(getattr(view, "write", False) or getattr(view, "coordinator_only", False))


@pytest.fixture
def other_territory_markers(outsider):
    """Records of the other territory, one of each kind a page may list, all marked."""
    t = outsider.territory
    qpv = Qpv.objects.create(territory=t, name=f"QPV {MARKER}")
    org = OrganizationFactory(territory=t, name=f"Structure {MARKER}", qpv=qpv)
    person = ContactFactory(
        territory=t,
        organization=org,
        last_name=f"Personne {MARKER}",
        email=f"{MARKER}@vitry-partenaire.fr",
    )
    contract = ContractFactory(territory=t, title=f"Contrat {MARKER}")
    Signatory.objects.create(contract=contract, organization=org)
    group = WorkGroupFactory(contract=contract, name=f"Groupe {MARKER}")
    Membership.objects.create(group=group, contact=person)
    meeting = MeetingFactory(group=group, title=f"Réunion {MARKER}")
    Invitation.objects.create(meeting=meeting, contact=person, attendance="present")
    FicheActionFactory(contract=contract, title=f"Fiche {MARKER}", pilot_contact=person)
    HandOver.objects.create(contact=person, successor_email=f"suite-{MARKER}@vitry.fr")


def test_every_route_is_walked():
    names = {route_id(r) for r in ROUTES}
    assert {"home", "login", "healthz", "evaluation:dashboard"} <= names


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_view_declares_its_access_policy(route: Route):
    assert route.policy in {POLICY_TERRITORY, POLICY_AUTHENTICATED, POLICY_PUBLIC}, (
        f"{route_id(route)} ({route.route}) ne passe par aucune aide de cls_platform.access : "
        "utilisez TerritoryMixin, territory_view, authenticated_view ou public_view."
    )
    if route.policy == POLICY_PUBLIC:
        assert route_id(route) in PUBLIC_URL_NAMES, f"{route_id(route)} est public sans être listé."
    if route.policy == POLICY_TERRITORY:
        assert "<slug:territory>" in route.route, f"{route_id(route)} : territoire absent de l'URL."


@pytest.mark.parametrize("route", TERRITORY_ROUTES, ids=route_id)
def test_anonymous_visitor_is_sent_to_sign_in(route: Route, territory):
    url = url_for(route, territory.slug, territory)
    for method in ("get", "post"):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, f"{method.upper()} {url} → {response.status_code}"
        assert response["Location"].startswith("/connexion/")


@pytest.mark.parametrize("route", TERRITORY_ROUTES, ids=route_id)
def test_another_territory_answers_not_found(route: Route, territory, outsider):
    """A Vitry coordinator asking for a Cergy page gets the same 404 as for a missing page."""
    client = login(Client(), outsider)
    url = url_for(route, territory.slug, territory)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(
    "route", [r for r in TERRITORY_ROUTES if any(c == "int" for c, _ in r.kwargs)], ids=route_id
)
def test_object_of_another_territory_answers_not_found(route, territory, coordinator, outsider):
    """Own territory in the URL, another territory's object id: still 404."""
    client = login(Client(), coordinator)
    url = url_for(route, territory.slug, outsider.territory)
    assert client.get(url).status_code in (404, 405)
    assert client.post(url).status_code in (404, 405)  # 405: a read-only page, nothing revealed


@pytest.mark.parametrize("route", TERRITORY_ROUTES, ids=route_id)
def test_viewer_cannot_change_anything(route: Route, territory, viewer):
    """Refused before anything is looked up: the same 403 whatever the page or the object."""
    client = login(Client(), viewer)
    url = url_for(route, territory.slug, territory)
    response = client.post(url, {"title": "modifié", "name": "modifié"})
    assert response.status_code == 403, f"POST {url} → {response.status_code}"


DRAFT_ROUTES = [r for r in TERRITORY_ROUTES if url_model(r) in DRAFT_MODELS]


@pytest.mark.parametrize("route", DRAFT_ROUTES, ids=route_id)
def test_viewer_reaches_nothing_of_a_draft_contract(route: Route, territory, viewer):
    """Signatories read signed contracts only: a draft's pages are missing pages to them."""
    client = login(Client(), viewer)
    url = url_for(route, territory.slug, territory, DRAFT_MAKERS)
    response = client.get(url)
    if is_write_page(route):
        expected = 403  # refused before the object is looked up: nothing revealed
    elif not has_method(route, "get"):
        expected = 405
    else:
        expected = 404
    assert response.status_code == expected, f"GET {url} → {response.status_code}"
    assert b"brouillon" not in response.content


OBJECT_ROUTES = [r for r in TERRITORY_ROUTES if any(c == "int" for c, _ in r.kwargs)]


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=route_id)
def test_copilot_changes_nothing_they_do_not_pilot(route: Route, territory, copilot):
    """Every object of the walk is piloted by someone else: each write answers 403."""
    client = login(Client(), copilot)
    url = url_for(route, territory.slug, territory)
    response = client.post(url, {"title": "modifié", "name": "modifié", "status": "done"})
    expected = 403 if has_method(route, "post") or is_write_page(route) else 405
    assert response.status_code == expected, f"POST {url} → {response.status_code}"
    if is_write_page(route) and has_method(route, "get"):
        assert client.get(url).status_code == 403, f"GET {url}"


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.policy == POLICY_AUTHENTICATED], ids=route_id
)
def test_signed_in_pages_need_an_account(route: Route, territory):
    response = Client().get(url_for(route, territory.slug, territory))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def _text(response) -> str:
    """What a page or an export shows, lower case (an XLSX is read cell by cell), CSRF tokens
    emptied."""
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = (str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
        return " ".join(cells).lower()
    return without_tokens(response.content.decode(errors="replace").lower())


ACROSS_TERRITORIES = [r for r in ROUTES if r.name == "home" or r.namespace == "portfolio"]


@pytest.mark.parametrize("route", ACROSS_TERRITORIES, ids=route_id)
@pytest.mark.parametrize("who", ["coordinator", "viewer"])
def test_pages_across_territories_show_only_ones_own(request, route, who, other_territory_markers):
    """The chooser and the table of all one's contracts (and its exports): the territories of
    one's accesses only, and no draft contract for a signatory."""
    access = request.getfixturevalue(who)
    signed(access.territory)
    draft(access.territory)
    # A second territory of one's own, so that the chooser lists them instead of redirecting.
    Access.objects.create(user=access.user, territory=TerritoryFactory(), role=access.role)
    response = login(Client(), access).get(url_for(route, access.territory.slug, access.territory))
    assert response.status_code == 200, f"{route_id(route)} → {response.status_code}"
    shown = _text(response)
    assert "cergy" in shown, route_id(route)
    assert MARKER not in shown and "vitry" not in shown, f"{route_id(route)} : autre territoire"
    assert ("brouillon" in shown) == (who == "coordinator" and "contrats" in route.route)


def test_administration_is_for_staff_only(coordinator):
    client = login(Client(), coordinator)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def forgotten_view(request):
    return HttpResponse("données de tous les territoires")


urlpatterns = [path("t/<slug:territory>/fuite/", forgotten_view, name="fuite")]


@override_settings(ROOT_URLCONF=__name__)
def test_walk_catches_a_view_that_forgets_the_helpers():
    """The guard itself: a plain view under /t/<territory>/ is reported, not silently walked."""
    (route,) = list(walk(__name__))
    with pytest.raises(AssertionError, match="ne passe par aucune aide"):
        test_every_view_declares_its_access_policy(route)


# What a GET of each page of one's own territory answers, by role; a page listed nowhere below
# answers 200 to every role. Every object of the walk is piloted by someone else.
# Pages a co-pilot is refused (403): the coordination's, and changes to an object they do not
# pilot. A signatory (viewer) is refused them too.
REFUSED_TO_COPILOTS = {
    # The audit trail (who changed what, sign-ins, exports): the coordination's.
    "audit_trail",
    # The register of processing (art. 30 GDPR): the controller's, hence the coordination's.
    "processing_register",
    "processing_register_pdf",
    "actions:axis_create",
    "actions:axis_move",
    "actions:axis_update",
    "actions:collaboration_scale",
    "actions:contract_close",
    "actions:contract_create",
    "actions:contract_document_upload",
    "actions:contract_renew",
    "actions:contract_sign",
    "actions:contract_update",
    "actions:fiche_create",
    "actions:fiche_update",
    "actions:indicator_create",
    "actions:indicator_delete",
    "actions:indicator_update",
    "actions:indicator_value_corrections",
    "actions:update_corrections",
    "partners:contact_create",
    "partners:contact_data",
    "partners:contact_departure",
    "partners:contact_erase",
    "partners:contact_request_confirmation",
    "partners:contact_review",
    # The review of contacts kept too long and its erasures; the territory's whole archive.
    "partners:retention_review",
    "partners:retention_erase",
    "evaluation:archive",
    "evaluation:archive_download",
    "partners:contact_update",
    "partners:export",
    "partners:handover_decide",
    "partners:handover_list",
    "partners:import_detail",
    "partners:import_upload",
    "partners:organization_create",
    "partners:organization_update",
    "workgroups:group_create",
    "workgroups:group_update",
    "workgroups:invitations_send",
    "workgroups:meeting_cancel",
    "workgroups:meeting_create",
    "workgroups:meeting_update",
    "workgroups:report_edit",
    "workgroups:report_send",
    # The surveys' questionnaires and settings, and the interviews: the coordination's.
    *(
        f"evaluation:{name}"
        for name in (
            # The COPIL decisions: recorded and followed up by the coordination.
            "decision_create",
            "decision_delete",
            "decision_update",
            "interview_create",
            "interview_delete",
            "interview_detail",
            "interview_edit",
            "interview_export_csv",
            "interview_export_xlsx",
            "interview_list",
            "opendata_manage",
            "opendata_publish",
            "opendata_unpublish",
            "public_directory_listing",
            "public_directory_manage",
            "public_directory_settings",
            "question_create",
            "question_delete",
            "question_edit",
            "question_move",
            "questionnaire_create",
            "questionnaire_create_default",
            "questionnaire_detail",
            "questionnaire_edit",
            "questionnaire_list",
            "section_create",
            "section_delete",
            "section_edit",
            "survey_create",
            "survey_edit",
            "survey_remind",
            "survey_send",
        )
    ),
}
# Pages that change data, refused (403) to a signatory whatever the method, before anything is
# looked up; a co-pilot reaches them (the pickers of their forms, or a POST-only action).
REFUSED_TO_VIEWERS = REFUSED_TO_COPILOTS | {
    "actions:indicator_value",
    # No page about a person for signatories: they read structures and counts.
    "partners:contact_detail",
    "partners:contact_list",
    "partners:contact_search",
    "partners:organization_search",
    "workgroups:group_membership",
    "workgroups:invitation_add",
    "workgroups:walk_in",
}
# Actions a form posts to: a GET answers 405 to whoever the role lets through.
POST_ONLY = {
    "evaluation:opendata_publish",
    "evaluation:opendata_unpublish",
    "evaluation:question_move",
    "evaluation:questionnaire_create_default",
    "evaluation:survey_remind",
    "evaluation:survey_send",
    "actions:axis_move",
    "actions:contract_close",
    "actions:fiche_status",
    "actions:fiche_update_post",
    "actions:indicator_value",
    "partners:contact_request_confirmation",
    "partners:handover_decide",
    "workgroups:attendance",
    "workgroups:attendance_said_yes",
    "workgroups:document_upload",
    "workgroups:group_membership",
    "workgroups:invitation_add",
    "workgroups:invitation_remove",
    "workgroups:invitations_prepare",
    "workgroups:retry_failed",
    "workgroups:walk_in",
}


# Old addresses kept as permanent redirects to the page that replaced them.
MOVED = {"partners:contact_review"}


def expected_status(name: str, who: str) -> int:
    """The exact answer a role gets to a GET of a page of its own territory."""
    if name in MAY_BE_ABSENT:
        return 404
    if (who == "copilot" and name in REFUSED_TO_COPILOTS) or (
        who == "viewer" and name in REFUSED_TO_VIEWERS
    ):
        return 403
    if name in POST_ONLY:
        return 405
    if name in MOVED:
        return 301
    return 200


def test_the_expected_statuses_name_existing_pages():
    names = {route_id(route) for route in TERRITORY_ROUTES}
    listed = REFUSED_TO_VIEWERS | POST_ONLY | MAY_BE_ABSENT | MOVED
    assert listed <= names, f"pages listed that no longer exist: {sorted(listed - names)}"


@pytest.mark.parametrize("route", TERRITORY_ROUTES, ids=route_id)
@pytest.mark.parametrize("who", ["coordinator", "copilot", "viewer"])
def test_every_page_of_ones_own_territory_answers_without_error(
    request, route: Route, who, other_territory_markers
):
    """The other side of the walk: inside one's territory, each page answers each role exactly
    as `expected_status` says, and shows nothing of another territory; a signatory reads no
    address and no phone."""
    access = request.getfixturevalue(who)
    # A person the lists show, in a signed group, with no name to hide their address behind.
    person = nameless(access.territory)
    group = WorkGroupFactory(contract=ContractFactory(territory=access.territory))
    Membership.objects.create(group=group, contact=person)
    client = login(Client(), access)
    response = client.get(url_for(route, access.territory.slug, access.territory))
    expected = expected_status(route_id(route), who)
    assert response.status_code == expected, f"{route_id(route)} → {response.status_code}"
    # A file sent as it is read (the territory's archive) has no `content`.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    page = without_tokens(body.decode(errors="replace").lower())
    assert MARKER not in page, f"{route_id(route)} montre un autre territoire"
    assert "vitry" not in page, f"{route_id(route)} montre un autre territoire"
    if who == "viewer" and response.status_code == 200:
        assert SECRET_DOMAIN not in page, f"{route_id(route)} : adresse vue par un signataire"
        assert SECRET_PHONE not in page, f"{route_id(route)} : téléphone vu par un signataire"
