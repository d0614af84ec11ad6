"""The public directory of the health offer: what anyone reads at /offre-de-sante/<territory>/
(only structures marked public, of that territory, never archived, no person), its search, and
what the coordination does to publish it."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import formats, timezone

from actions.models import Public
from evaluation.public_directory.models import PublicDirectory, PublicListing
from evaluation.public_directory.services import listing_save, listings_publish, listings_withdraw
from partners.models import Organization, Qpv, Sector
from tests.conftest import login
from tests.factories import ContactFactory, OrganizationFactory
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

URL = "/offre-de-sante/cergy/"


def text_of(response) -> str:
    return html_lib.unescape(response.content.decode())


def plain(response) -> str:
    """The page's text as read: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text_of(response)).split()).replace(" .", ".")


def names_listed(response) -> list[str]:
    """The structures' names in the result cards, in order."""
    return re.findall(r'<h3 class="card__title"><a href="[^"]+">([^<]+)</a>', text_of(response))


def online(territory, intro: str = "") -> PublicDirectory:
    return PublicDirectory.objects.update_or_create(
        territory=territory, defaults={"is_published": True, "intro": intro}
    )[0]


def structure(
    territory,
    name: str,
    *,
    public: bool = True,
    sectors: tuple[str, ...] = ("sante",),
    publics: tuple[str, ...] = (),
    qpv: Qpv | None = None,
    **fields,
) -> Organization:
    org = OrganizationFactory(territory=territory, name=name, qpv=qpv, **fields)
    org.sectors.set(Sector.objects.filter(slug__in=sectors))
    listing = PublicListing.objects.create(
        organization=org, is_public=public, agreed_on=dt.date(2026, 1, 5) if public else None
    )
    listing.publics.set(Public.objects.filter(slug__in=publics))
    return org


# --- what the public reads ------------------------------------------------------------------


def test_only_structures_marked_public_are_listed(client, territory, other_territory):
    online(territory)
    online(other_territory)
    shown = structure(territory, "Centre de santé des Touleuses")
    private = structure(territory, "Cabinet privé", public=False)
    unlisted = OrganizationFactory(territory=territory, name="Structure jamais réglée")
    archived = structure(territory, "Structure fermée", archived_at=timezone.now())
    elsewhere = structure(other_territory, "Centre municipal de santé de Vitry")

    response = client.get(URL)

    assert response.status_code == 200
    assert names_listed(response) == ["Centre de santé des Touleuses"]
    page = text_of(response)
    for hidden in (private, unlisted, archived, elsewhere):
        assert hidden.name not in page
    assert client.get(f"{URL}structures/{shown.pk}/").status_code == 200
    for hidden in (private, unlisted, archived, elsewhere):
        assert client.get(f"{URL}structures/{hidden.pk}/").status_code == 404
    # Vitry's own public page lists Vitry's structure, and only it.
    assert names_listed(client.get("/offre-de-sante/vitry-sur-seine/")) == [elsewhere.name]


def test_a_directory_not_online_answers_not_found(client, territory):
    org = structure(territory, "Centre de santé")
    assert client.get(URL).status_code == 404  # no directory yet
    PublicDirectory.objects.create(territory=territory, is_published=False)
    assert client.get(URL).status_code == 404
    assert client.get(f"{URL}structures/{org.pk}/").status_code == 404
    assert client.get("/offre-de-sante/inconnue/").status_code == 404


def test_the_public_page_shows_what_the_structure_offers(client, territory):
    online(territory, intro="Où se faire soigner à Cergy ?")
    qpv = Qpv.objects.create(territory=territory, name="Axe Majeur-Horloge")
    org = structure(
        territory,
        "Centre de planification et d'éducation familiale",
        acronym="CPEF",
        sectors=("sante", "jeunesse"),
        publics=("jeunes", "femmes"),
        qpv=qpv,
        address="1 place de l'Horloge, 95000 Cergy",
        website="https://cpef.example.fr",
        offer_description="Contraception et dépistage gratuits pour les mineurs.",
    )
    listing = org.public_listing
    listing.phone, listing.email = "01 99 00 10 01", "accueil@cpef.example.fr"
    listing.save()

    listing_page = text_of(client.get(URL))
    for expected in (
        "Où se faire soigner à Cergy ?",
        "(CPEF)",
        "Contraception et dépistage gratuits",
        "Jeunesse, Santé",
        "Adolescents et jeunes adultes, Femmes",
        "1 place de l'Horloge, 95000 Cergy",
        "Axe Majeur-Horloge",
        'href="https://cpef.example.fr"',
    ):
        assert expected in listing_page
    detail = text_of(client.get(f"{URL}structures/{org.pk}/"))
    for expected in (
        "<h1>Centre de planification et d'éducation familiale",
        "Contraception et dépistage gratuits pour les mineurs.",
        'href="tel:0199001001"',
        'href="mailto:accueil@cpef.example.fr"',
        'href="https://cpef.example.fr"',
        "Axe Majeur-Horloge",
    ):
        assert expected in detail
    # A page for the public: no signed-in navigation, no sign-out button.
    assert "Se déconnecter" not in detail and "Tableau de bord" not in detail


def test_no_person_appears_even_when_the_structure_has_contacts(client, territory):
    online(territory)
    org = structure(territory, "Maison de santé", offer_description="Soins de premier recours.")
    ContactFactory(
        territory=territory,
        organization=org,
        first_name="Nadia",
        last_name="Benali",
        email="nadia.benali@maison-sante.fr",
        phone="06 12 34 56 78",
        job_title="Directrice",
    )
    # A person's name finds nothing: people are not searched.
    assert names_listed(client.get(f"{URL}?q=benali")) == []
    for url in (URL, f"{URL}structures/{org.pk}/", f"{URL}?q=maison"):
        page = text_of(client.get(url)).lower()
        for personal in ("nadia", "benali", "@maison-sante.fr", "06 12 34 56 78", "directrice"):
            assert personal not in page, f"{url} montre {personal}"


def test_the_page_says_when_it_was_last_updated(client, territory):
    online(territory)
    org = structure(territory, "Centre de santé")
    other = structure(territory, "Autre structure")
    long_ago = timezone.make_aware(dt.datetime(2025, 3, 10, 12))

    def dated_long_ago() -> str:
        PublicListing.objects.update(updated_at=long_ago)
        PublicDirectory.objects.update(updated_at=long_ago)
        return plain(client.get(URL))

    today = formats.date_format(timezone.localdate(), "j F Y")
    assert "Mis à jour le 10 mars 2025." in dated_long_ago()

    # What the directory (partners) holds of a published structure dates the page...
    org.offer_description = "Consultations sans rendez-vous le samedi."
    org.save()
    assert f"Mis à jour le {today}." in plain(client.get(URL))
    dated_long_ago()
    org.sectors.add(Sector.objects.get(slug="social"))
    assert f"Mis à jour le {today}." in plain(client.get(URL))
    # ... and so does a structure withdrawn, which no published entry carries any more.
    dated_long_ago()
    listings_withdraw(territory=territory, organizations=[other])
    assert f"Mis à jour le {today}." in plain(client.get(URL))
    # A structure that is not public changes nothing the public reads.
    dated_long_ago()
    other.offer_description = "Texte jamais publié."
    other.save()
    assert "Mis à jour le 10 mars 2025." in plain(client.get(URL))


# --- the public search ----------------------------------------------------------------------


@pytest.fixture
def offer(territory):
    online(territory)
    qpv = Qpv.objects.create(territory=territory, name="Sébille")
    Qpv.objects.create(territory=territory, name="Quartier sans structure")
    return {
        "cmp": structure(
            territory,
            "Centre médico-psychologique",
            sectors=("sante",),
            publics=("tout-public",),
            offer_description="Consultations de psychiatrie gratuites.",
        ),
        "pmi": structure(
            territory,
            "Protection maternelle et infantile",
            acronym="PMI",
            sectors=("petite-enfance", "sante"),
            publics=("petite-enfance", "familles"),
            qpv=qpv,
        ),
        "paej": structure(
            territory,
            "Point d'accueil écoute jeunes",
            sectors=("jeunesse",),
            publics=("jeunes",),
            qpv=qpv,
        ),
        "private": structure(
            territory, "Cabinet non publié", public=False, publics=("jeunes",), qpv=qpv
        ),
        "qpv": qpv,
    }


def test_search_by_words_ignores_case_and_accents(client, offer):
    assert names_listed(client.get(f"{URL}?q=PSYCHIATRIE")) == ["Centre médico-psychologique"]
    assert names_listed(client.get(f"{URL}?q=ecoute+jeunes")) == ["Point d'accueil écoute jeunes"]
    assert names_listed(client.get(f"{URL}?q=pmi")) == ["Protection maternelle et infantile"]
    response = client.get(f"{URL}?q=dentiste")
    assert names_listed(response) == []
    assert "Aucune structure ne correspond à cette recherche." in text_of(response)


def test_search_by_sector_public_and_neighbourhood(client, offer):
    assert names_listed(client.get(f"{URL}?secteur=petite-enfance")) == [
        "Protection maternelle et infantile"
    ]
    assert names_listed(client.get(f"{URL}?public=jeunes")) == ["Point d'accueil écoute jeunes"]
    by_qpv = names_listed(client.get(f"{URL}?quartier={offer['qpv'].pk}"))
    assert by_qpv == ["Point d'accueil écoute jeunes", "Protection maternelle et infantile"]
    both = client.get(f"{URL}?quartier={offer['qpv'].pk}&secteur=sante")
    assert names_listed(both) == ["Protection maternelle et infantile"]


def test_the_search_offers_only_what_published_structures_have(client, offer):
    page = text_of(client.get(URL))
    assert '<option value="petite-enfance">Petite enfance</option>' in page
    assert ">Sport</option>" not in page  # no published structure in that sector
    assert ">Sébille</option>" in page
    assert "Quartier sans structure" not in page
    assert ">Aidants</option>" not in page


def test_an_unknown_choice_is_said_in_french_and_filters_nothing(client, offer):
    response = client.get(f"{URL}?secteur=inconnu&public=%00")
    assert response.status_code == 200
    page = text_of(response)
    assert "Sélectionnez un choix valide" in page
    assert len(names_listed(response)) == 3
    # Odd addresses answer a page, never a server error: a NUL, an id no database stores.
    for odd in (
        "q=%00sant%C3%A9",
        "quartier=99999999999999999999",
        "quartier=%C2%B2",
        "public=a%00",
    ):
        assert client.get(f"{URL}?{odd}").status_code == 200, odd
    assert client.get(f"{URL}structures/99999999999999999999/").status_code == 404


def test_the_list_is_paginated_and_keeps_the_search(client, territory):
    online(territory)
    for n in range(23):
        structure(territory, f"Cabinet infirmier {n:02d}", publics=("tout-public",))
    first = client.get(f"{URL}?public=tout-public")
    assert len(names_listed(first)) == 20
    assert "23 structures" in text_of(first)
    assert 'href="?public=tout-public&amp;page=2"' in first.content.decode()
    second = client.get(f"{URL}?public=tout-public&page=2")
    assert names_listed(second) == [
        "Cabinet infirmier 20",
        "Cabinet infirmier 21",
        "Cabinet infirmier 22",
    ]


def test_public_pages_keep_their_query_count(client, territory):
    online(territory)
    qpv = Qpv.objects.create(territory=territory, name="Sébille")
    org = structure(territory, "Premier centre", publics=("jeunes",), qpv=qpv)
    size = iter(range(100))

    def grow():
        for _ in range(25):
            n = next(size)
            structure(
                territory,
                f"Structure {n}",
                sectors=("sante", "social"),
                publics=("jeunes", "familles"),
                qpv=Qpv.objects.create(territory=territory, name=f"Quartier {n}"),
            )

    for url in (URL, f"{URL}?q=structure&public=jeunes", f"{URL}structures/{org.pk}/"):
        assert_constant_queries(client, url, grow, at_most=10)


# --- the coordination's pages ---------------------------------------------------------------

MANAGE = "/t/cergy/offre-de-sante/"
SETTINGS = "/t/cergy/offre-de-sante/presentation/"


def listing_url(org: Organization) -> str:
    return f"/t/cergy/offre-de-sante/structures/{org.pk}/"


@pytest.mark.parametrize("who", ["copilot", "viewer"])
def test_only_the_coordination_manages_the_public_directory(request, who, territory):
    access = request.getfixturevalue(who)
    org = OrganizationFactory(territory=territory)
    client = login(Client(), access)
    for url in (MANAGE, SETTINGS, listing_url(org)):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"is_public": "on", "is_published": "on"}).status_code == 403
    post = client.post(MANAGE, {"organizations": [org.pk], "action": "publier"})
    assert post.status_code == 403
    assert not PublicListing.objects.exists() and not PublicDirectory.objects.exists()


def test_another_territory_structure_is_not_found(login_as, coordinator, other_territory):
    client = login_as(coordinator)
    theirs = OrganizationFactory(territory=other_territory, name="Structure de Vitry")
    assert client.get(listing_url(theirs)).status_code == 404
    assert client.post(listing_url(theirs), {"is_public": "on"}).status_code == 404
    response = client.post(
        MANAGE, {"organizations": [theirs.pk], "action": "publier", "agreed_on": "2026-01-05"}
    )
    assert response.status_code == 200
    assert not PublicListing.objects.exists()
    assert "Structure de Vitry" not in text_of(client.get(MANAGE))


def test_the_coordinator_publishes_ticked_structures_that_agreed(login_as, coordinator, territory):
    client = login_as(coordinator)
    cmp, pmi, paej = (
        OrganizationFactory(territory=territory, name=name)
        for name in ("Centre médico-psychologique", "PMI de Cergy", "PAEJ")
    )
    OrganizationFactory(territory=territory, name="Ancienne structure", archived_at=timezone.now())
    page = text_of(client.get(MANAGE))
    assert "Ancienne structure" not in page
    assert "3 structures" in page

    # Without the date of their agreement: refused, in French, the boxes still ticked.
    refused = client.post(MANAGE, {"organizations": [cmp.pk, pmi.pk], "action": "publier"})
    assert refused.status_code == 200
    body = text_of(refused)
    assert "Indiquez la date de l'accord de ces structures" in body
    assert f'value="{cmp.pk}" id="structure-{cmp.pk}" checked' in body
    assert f'value="{paej.pk}" id="structure-{paej.pk}">' in body
    assert not PublicListing.objects.filter(is_public=True).exists()

    done = client.post(
        f"{MANAGE}?q=c",
        {"organizations": [cmp.pk, pmi.pk], "action": "publier", "agreed_on": "2026-02-02"},
    )
    assert done.status_code == 302 and done["Location"] == f"{MANAGE}?q=c"
    public = PublicListing.objects.filter(is_public=True)
    assert {listing.organization for listing in public} == {cmp, pmi}
    assert {listing.agreed_on for listing in public} == {dt.date(2026, 2, 2)}
    assert "2 structures ajoutées à l'annuaire public." in text_of(client.get(MANAGE))

    # Published once agreed: a later publish keeps the first date; withdrawing keeps it too.
    client.post(MANAGE, {"organizations": [cmp.pk], "action": "retirer"})
    assert set(
        PublicListing.objects.filter(is_public=True).values_list("organization", flat=True)
    ) == {pmi.pk}
    client.post(MANAGE, {"organizations": [cmp.pk], "action": "publier"})
    assert PublicListing.objects.get(organization=cmp).is_public
    assert PublicListing.objects.get(organization=cmp).agreed_on == dt.date(2026, 2, 2)

    nothing = client.post(MANAGE, {"action": "publier", "agreed_on": "2026-02-02"})
    assert "Cochez au moins une structure." in text_of(nothing)
    for odd in ("99999999999999999999", "²", "x"):
        unknown = client.post(MANAGE, {"organizations": [odd], "action": "publier"})
        assert "Cette structure est inconnue." in text_of(unknown), odd
    future = client.post(
        MANAGE, {"organizations": [paej.pk], "action": "publier", "agreed_on": "2099-01-01"}
    )
    assert "La date de l'accord ne peut pas être dans le futur." in text_of(future)
    assert not PublicListing.objects.filter(organization=paej).exists()


def test_the_coordinator_puts_the_directory_online_and_offline(login_as, coordinator, territory):
    client = login_as(coordinator)
    structure(territory, "Centre de santé")
    assert "Hors ligne" in text_of(client.get(MANAGE))
    response = client.post(SETTINGS, {"is_published": "on", "intro": "Se soigner à Cergy."})
    assert response.status_code == 302
    public = text_of(Client().get(URL))
    assert "Se soigner à Cergy." in public and "Centre de santé" in public
    manage = text_of(client.get(MANAGE))
    assert "L'annuaire public est en ligne." in manage and '/offre-de-sante/cergy/">' in manage

    # A partial post (the box unticked, no text sent) takes it offline and keeps the text.
    client.post(SETTINGS, {})
    directory = PublicDirectory.objects.get(territory=territory)
    assert not directory.is_published and directory.intro == "Se soigner à Cergy."
    assert Client().get(URL).status_code == 404


def test_a_public_entry_is_edited_with_french_errors_and_nothing_lost(
    login_as, coordinator, territory
):
    client = login_as(coordinator)
    org = OrganizationFactory(territory=territory, name="Maison de santé")
    ContactFactory(
        territory=territory,
        organization=org,
        first_name="Nadia",
        last_name="Benali",
        email="nadia.benali@maison-sante.fr",
        phone="06 12 34 56 78",
    )
    form = text_of(client.get(listing_url(org)))
    assert "Fiche publique · Maison de santé" in form
    assert "À rédiger : sans elle, le public ne lit que le nom de la structure." in form
    jeunes = Public.objects.get(slug="jeunes")

    bad = client.post(
        listing_url(org),
        {
            "is_public": "on",
            "publics": [jeunes.pk],
            "phone": "+33 6 12 34 56 78",
            "email": "Nadia.Benali@maison-sante.fr",
        },
    )
    assert bad.status_code == 200
    page = text_of(bad)
    assert "Indiquez la date à laquelle la structure a donné son accord" in page
    assert "Cette adresse est celle de Nadia Benali, une personne de l'annuaire" in page
    assert "Ce numéro est celui de Nadia Benali, une personne de l'annuaire" in page
    assert 'value="+33 6 12 34 56 78"' in page  # what was typed comes back
    assert f'value="{jeunes.pk}" id="id_publics_' in page and "checked" in page
    assert not PublicListing.objects.exists()

    letters = client.post(listing_url(org), {"phone": "appelez-nous"})
    assert "Ce numéro n'est pas valide" in text_of(letters)

    good = client.post(
        listing_url(org),
        {
            "is_public": "on",
            "agreed_on": "2026-01-05",
            "publics": [jeunes.pk],
            "phone": "01 99 00 10 01",
            "email": "Accueil@maison-sante.fr",
        },
    )
    assert good.status_code == 302
    listing = PublicListing.objects.get(organization=org)
    assert listing.is_public and listing.agreed_on == dt.date(2026, 1, 5)
    assert listing.email == "accueil@maison-sante.fr" and listing.phone == "01 99 00 10 01"
    assert list(listing.publics.all()) == [jeunes]

    # A partial post (an old page, a script) blanks nothing it does not carry.
    client.post(listing_url(org), {"is_public": "on", "publics": [jeunes.pk]})
    listing.refresh_from_db()
    assert listing.email == "accueil@maison-sante.fr" and listing.agreed_on == dt.date(2026, 1, 5)


def test_an_archived_structure_is_never_published(login_as, coordinator, territory):
    org = OrganizationFactory(territory=territory, archived_at=timezone.now())
    client = login_as(coordinator)
    assert client.get(listing_url(org)).status_code == 404
    with pytest.raises(ValidationError, match="archivée"):
        listing_save(organization=org, data={"is_public": True, "agreed_on": dt.date(2026, 1, 1)})
    with pytest.raises(ValidationError, match="archivée"):
        listings_publish(territory=territory, organizations=[org], agreed_on=dt.date(2026, 1, 1))


def test_the_management_pages_keep_their_query_count(login_as, coordinator, territory):
    client = login_as(coordinator)
    online(territory)
    org = structure(territory, "Premier centre", publics=("jeunes",))
    size = iter(range(200))

    def grow():
        for _ in range(30):
            n = next(size)
            structure(territory, f"Structure {n}", public=bool(n % 2), sectors=("sante", "social"))

    for url in (MANAGE, f"{MANAGE}?q=structure&public=oui", SETTINGS, listing_url(org)):
        assert_constant_queries(client, url, grow, at_most=14)


def test_the_structure_page_section_is_for_the_coordination(coordinator, viewer, territory):
    from django.template.loader import render_to_string

    from evaluation.public_directory.views import organization_section

    org = structure(territory, "Centre de santé")
    assert organization_section(viewer, org) is None
    section = organization_section(coordinator, org)
    html = render_to_string(
        section["template"], {"section": section, "territory": territory, "organization": org}
    )
    assert "Cette structure figure dans l'annuaire public." in html
    assert listing_url(org) in html
