"""The contract's print kept warm: once a change is committed, a worker (eager Celery here: the
task runs on commit) renders what the next print needs, so that the print lays nothing out; a
cold cache still prints, and correctly (read back with poppler)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.cache import caches
from django.core.management import call_command

from actions import pdf as actions_pdf
from actions import services
from actions.models import Contract, FicheAction
from actions.pdf import contract_layout, contract_pdf, warm_contract_pdf
from actions.services import pdf_warm
from cls_platform.pdf import parts as pdfparts
from tests.actions.test_pdf import build_contract, page_of, pdf_pages, squash
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

LONG = "\n\n".join(
    f"Étape {n} : les permanences se tiennent chaque semaine dans les centres sociaux, avec "
    "les partenaires de l'accès aux droits, et un accompagnement physique vers les soins pour "
    "les habitants qui le demandent, jusqu'au premier rendez-vous chez le médecin traitant."
    for n in range(1, 31)
)


@pytest.fixture
def laid_out(monkeypatch) -> list[str]:
    """The HTML of every part WeasyPrint lays out from now on, from an empty cache."""
    written: list[str] = []
    real = pdfparts.write_pdf_pages

    def spy(html, **options):
        written.append(html)
        return real(html, **options)

    monkeypatch.setattr(pdfparts, "write_pdf_pages", spy)
    caches["pdf"].clear()
    return written


@pytest.fixture
def warming(settings):
    settings.PDF_WARM = True
    settings.PDF_WARM_DELAY = 0


def fresh(fiche: FicheAction) -> FicheAction:
    return FicheAction.objects.select_related("contract", "thematic_axis").get(pk=fiche.pk)


def committed(capture, change, *args, **kwargs):
    """A service's change, committed: its on-commit callbacks (the warming) run."""
    with capture(execute=True):
        return change(*args, **kwargs)


def toc_pages(pages: list[str]) -> dict[str, int]:
    """Each fiche's page as the contents give it."""
    toc = squash(
        " ".join(pages[page_of(pages, "Sommaire") - 1 : page_of(pages, "Axes thématiques") - 1])
    )
    return {
        number: int(page)
        for number, page in re.findall(r"(\d\.\d+) Action numéro \d+ pour [^\d]*?(\d+)(?!\d)", toc)
    }


def test_an_edited_fiche_is_rendered_on_commit_and_the_print_finds_it(
    laid_out, warming, django_capture_on_commit_callbacks
):
    built = build_contract(3)
    warm_contract_pdf(contract=built.contract)
    laid_out.clear()

    fiche = fresh(built.fiches[1])
    fiche.description = "Un bus santé stationne chaque mardi devant la maison de quartier."
    committed(django_capture_on_commit_callbacks, services.fiche_save, fiche=fiche)

    # the worker laid out that fiche, once for each audience (its contents did not change)
    assert len(laid_out) == 2
    assert all("Un bus santé stationne" in html for html in laid_out)
    laid_out.clear()
    for for_signatories in (False, True):
        text = squash(
            " ".join(
                pdf_pages(contract_pdf(contract=built.contract, for_signatories=for_signatories))
            )
        )
        assert "Un bus santé stationne chaque mardi devant la maison de quartier." in text
    assert laid_out == []  # both prints joined kept parts


def test_a_measurement_and_a_renamed_axis_are_warmed_too(
    laid_out, warming, django_capture_on_commit_callbacks
):
    built = build_contract(2)
    warm_contract_pdf(contract=built.contract)
    indicator = built.fiches[0].indicators.first()
    committed(
        django_capture_on_commit_callbacks,
        services.indicator_value_add,
        indicator=indicator,
        measured_on=dt.date(2025, 3, 1),
        value=987,
    )
    axis = built.fiches[0].thematic_axis
    axis.title = "Accès aux droits, aux soins et à la prévention"
    committed(
        django_capture_on_commit_callbacks,
        services.axis_save,
        axis=axis,
        amendment_note="Avenant n° 1 du 12 mars 2025",
    )
    laid_out.clear()

    text = squash(" ".join(pdf_pages(contract_pdf(contract=built.contract))))
    assert "987" in text
    assert "Axe 1 : Accès aux droits, aux soins et à la prévention" in text
    assert laid_out == []


def test_a_contract_level_change_warms_the_front_matter(
    laid_out, warming, django_capture_on_commit_callbacks
):
    built = build_contract(2)
    warm_contract_pdf(contract=built.contract)
    laid_out.clear()
    contract = Contract.objects.get(pk=built.contract.pk)
    committed(
        django_capture_on_commit_callbacks,
        services.contract_update,
        contract=contract,
        data={"title": "Contrat local de santé de Cergy-Pontoise"},
    )
    assert laid_out  # the title is on every part: the worker laid them out
    laid_out.clear()
    pages = pdf_pages(contract_pdf(contract=built.contract))
    assert "Contrat local de santé de Cergy-Pontoise" in squash(pages[0]).replace("- ", "-")
    assert laid_out == []


def test_a_print_with_a_cold_cache_renders_what_it_lacks(laid_out, warming):
    """No worker ran (or the cache was emptied): the print does the whole work itself."""
    built = build_contract(3)
    pages = pdf_pages(contract_pdf(contract=built.contract))
    assert len(laid_out) >= 3 + 1 + 1 + 1  # the fiches, the axes, the front matter, the numbers
    for fiche in built.fiches:
        page_of(pages, f"Fiche-action {fiche.number} {fiche.title}")
    assert toc_pages(pages) == {
        f.number: page_of(pages, f"Fiche-action {f.number} {f.title}") for f in built.fiches
    }


def test_a_save_goes_through_when_the_warming_cannot_be_queued(
    laid_out, warming, monkeypatch, django_capture_on_commit_callbacks
):
    from actions.tasks import warm_contract_pdf as task

    def refused(*args, **kwargs):
        raise ConnectionError("Redis injoignable")

    monkeypatch.setattr(task, "apply_async", refused)
    built = build_contract(1)
    fiche = fresh(built.fiches[0])
    fiche.title = "Un titre enregistré malgré tout"
    committed(django_capture_on_commit_callbacks, services.fiche_save, fiche=fiche)
    assert FicheAction.objects.get(pk=fiche.pk).title == "Un titre enregistré malgré tout"
    assert laid_out == []
    # the saves that follow do not wait for the broker again, for a minute
    attempts = []
    monkeypatch.setattr(task, "apply_async", lambda *a, **kw: attempts.append(a))
    fiche = fresh(built.fiches[0])
    fiche.progress = 90
    committed(django_capture_on_commit_callbacks, services.fiche_save, fiche=fiche)
    assert attempts == []
    text = squash(" ".join(pdf_pages(contract_pdf(contract=built.contract))))
    assert "Un titre enregistré malgré tout" in text


def test_the_contents_stay_right_when_a_fiche_grows_by_a_page(
    laid_out, warming, django_capture_on_commit_callbacks
):
    built = build_contract(4)
    before = pdf_pages(contract_pdf(contract=built.contract))
    starts_before = toc_pages(before)

    first = fresh(built.fiches[0])
    first.description = LONG
    committed(django_capture_on_commit_callbacks, services.fiche_save, fiche=first)
    laid_out.clear()
    pages = pdf_pages(contract_pdf(contract=built.contract))
    assert laid_out == []  # the worker laid out the fiche and the contents with new numbers

    assert len(pages) > len(before)
    grown = len(pages) - len(before)
    starts = toc_pages(pages)
    assert starts == {
        f.number: page_of(pages, f"Fiche-action {f.number} {f.title}") for f in built.fiches
    }
    assert starts[first.number] == starts_before[first.number]
    for fiche in built.fiches[1:]:
        if starts_before[fiche.number] > starts_before[first.number]:
            assert starts[fiche.number] == starts_before[fiche.number] + grown
    for number, page in enumerate(pages[1:], start=2):
        assert f"page {number} / {len(pages)}" in squash(page)


def test_coordination_and_signatories_parts_stay_apart(
    laid_out, warming, django_capture_on_commit_callbacks
):
    built = build_contract(1)
    fiche = fresh(built.fiches[0])
    pilot = fiche.pilot_contact
    fiche.calendar = f"Point d'étape avec {pilot.first_name} {pilot.last_name} en juin."
    committed(django_capture_on_commit_callbacks, services.fiche_save, fiche=fiche)
    laid_out.clear()

    coordination = squash(" ".join(pdf_pages(contract_pdf(contract=built.contract))))
    signatories = squash(
        " ".join(pdf_pages(contract_pdf(contract=built.contract, for_signatories=True)))
    )
    assert laid_out == []  # both were warmed
    name = f"{pilot.first_name} {pilot.last_name}"
    assert f"Point d'étape avec {name} en juin." in coordination
    assert name not in signatories
    assert f"Point d'étape avec un·e professionnel·le de {pilot.organization.name}" in signatories


def test_edits_in_a_row_share_one_warming(warming, monkeypatch, django_capture_on_commit_callbacks):
    from actions.tasks import warm_contract_pdf as task

    queued: list[tuple] = []
    monkeypatch.setattr(task, "apply_async", lambda args, **kw: queued.append(args))
    caches["pdf"].clear()
    built = build_contract(2)
    for title in ("Premier titre", "Deuxième titre"):
        fiche = fresh(built.fiches[0])
        fiche.title = title
        committed(django_capture_on_commit_callbacks, services.fiche_save, fiche=fiche)
    assert queued == [(built.contract.pk,)]

    pdf_warm.warming_started(built.contract.pk)  # the worker took it: later edits need another
    fiche = fresh(built.fiches[1])
    fiche.progress = 80
    committed(django_capture_on_commit_callbacks, services.fiche_save, fiche=fiche)
    assert queued == [(built.contract.pk,), (built.contract.pk,)]


def test_no_warming_without_a_broker(settings, monkeypatch, django_capture_on_commit_callbacks):
    """Eager Celery (runserver, tests) would render in the request: warming is off there."""
    from actions.tasks import warm_contract_pdf as task

    settings.PDF_WARM = False
    queued: list[tuple] = []
    monkeypatch.setattr(task, "apply_async", lambda args, **kw: queued.append(args))
    built = build_contract(1)
    fiche = fresh(built.fiches[0])
    fiche.title = "Sans worker"
    committed(django_capture_on_commit_callbacks, services.fiche_save, fiche=fiche)
    assert queued == []


def test_warm_pdfs_prepares_every_contract(laid_out):
    built = build_contract(2)
    out = io.StringIO()
    call_command("warm_pdfs", stdout=out)
    assert "1 contrat(s) prêt(s) à imprimer" in out.getvalue()
    assert laid_out
    laid_out.clear()
    for for_signatories in (False, True):
        contract_pdf(contract=built.contract, for_signatories=for_signatories)
    assert laid_out == []


def test_a_warming_cut_short_keeps_the_parts_it_made(monkeypatch):
    """A worker stopped by its time limit midway: the parts it made are kept, and the print
    lays out only the others."""
    caches["pdf"].clear()
    built = build_contract(3)
    real = pdfparts.write_pdf_pages
    made: list[str] = []

    def stopped_at_the_second(html, **options):
        if made:
            raise TimeoutError("limite de temps de la tâche")
        made.append(html)
        return real(html, **options)

    monkeypatch.setattr(pdfparts, "write_pdf_pages", stopped_at_the_second)
    with pytest.raises(TimeoutError):
        warm_contract_pdf(contract=built.contract)
    (kept,) = made

    written: list[str] = []

    def spy(html, **options):
        written.append(html)
        return real(html, **options)

    monkeypatch.setattr(pdfparts, "write_pdf_pages", spy)
    contract_pdf(contract=built.contract)
    assert kept not in written
    assert len(written) >= 2  # the two other fiches, the front matter, the page numbers


def test_signatories_read_structures_however_a_name_is_typed():
    """The signatories' print looks each text over for the directory's last names first (a
    contract's hundreds of texts against every person took seconds): a name typed either way,
    in any case, across a line break or with a typographic apostrophe is still replaced, the
    same as against the whole directory."""
    from django.utils.html import escape

    from actions.pdf import unnamed_for_signatories
    from cls_platform.templatetags.people import redact_names
    from partners.models import Contact
    from tests.factories import ContactFactory, OrganizationFactory, TerritoryFactory

    territory = TerritoryFactory()
    ContactFactory(
        territory=territory,
        first_name="Anne",
        last_name="D'Arcy",
        organization=OrganizationFactory(territory=territory, name="Épicerie solidaire"),
    )
    ContactFactory(
        territory=territory,
        first_name="Jean",
        last_name="Le Goff",
        organization=OrganizationFactory(territory=territory, name="Mission locale"),
    )
    ContactFactory(territory=territory, first_name="", last_name="Sansprénom")
    people = list(
        Contact.objects.filter(territory=territory).values_list(
            "first_name", "last_name", "organization__name"
        )
    )
    unnamed = unnamed_for_signatories(territory_id=territory.pk)
    texts = [
        "Réunion avec Anne D'Arcy et JEAN LE GOFF.",
        "Le Goff\nJean anime ; D’Arcy  Anne co-anime.",
        "Rien à remplacer ici, ni Sansprénom seul.",
        "Mme D'Arcy seule reste (un nom seul n'est pas remplacé).",
        "",
    ]
    for text in texts:
        assert unnamed(text) == (redact_names(escape(text), people) if text else text), text
    assert unnamed(texts[0]) == (
        "Réunion avec un·e professionnel·le d’Épicerie solidaire et "
        "un·e professionnel·le de Mission locale."
    )
    assert "Anne" not in unnamed(texts[1]) and "Jean" not in unnamed(texts[1])


# Warmed again after an emptied cache or a new print layout -------------------------------------


def marked_warm(contract: Contract) -> bool:
    return bool(caches["pdf"].get(pdf_warm.warmed_key(contract_layout(), contract.pk)))


def test_an_emptied_cache_is_warmed_again_by_the_sweep(laid_out, warming):
    """Beat's sweep warms a contract never warmed and marks it; once the cache is emptied (a
    wiped volume), the mark is gone with the parts, the next sweep warms it again, and both
    audiences' prints find every part."""
    built = build_contract(2)
    assert not marked_warm(built.contract)
    assert pdf_warm.rewarm() == [built.contract.pk]
    assert laid_out and marked_warm(built.contract)
    laid_out.clear()
    assert pdf_warm.rewarm() == []
    assert laid_out == []

    caches["pdf"].clear()
    assert pdf_warm.rewarm() == [built.contract.pk]
    laid_out.clear()
    for for_signatories in (False, True):
        pages = pdf_pages(contract_pdf(contract=built.contract, for_signatories=for_signatories))
        page_of(pages, f"Fiche-action {built.fiches[1].number} {built.fiches[1].title}")
    assert laid_out == []


@pytest.mark.parametrize("change", ["format of parts", "code writing the HTML"])
def test_a_deploy_that_changes_the_print_layout_is_warmed_again(
    laid_out, warming, monkeypatch, change
):
    """Parts made another way (a new format of parts, as new stylesheets, fonts, renderer or
    templates would) or from code that changed are a new layout: the contract is no longer
    marked warm, and the sweep warms it again."""
    built = build_contract(2)
    warm_contract_pdf(contract=built.contract)
    assert marked_warm(built.contract)
    if change == "format of parts":
        monkeypatch.setattr(pdfparts, "FORMAT", "contract-parts-next")
    else:
        monkeypatch.setattr(
            actions_pdf, "LAYOUT_SOURCES", (*actions_pdf.LAYOUT_SOURCES, "README.md")
        )
    assert not marked_warm(built.contract)
    assert pdf_warm.rewarm() == [built.contract.pk]
    laid_out.clear()
    contract_pdf(contract=built.contract)
    if change == "format of parts":
        assert laid_out == []  # the parts made the new way were made by the sweep's warming


def test_a_warming_keeps_what_it_finds_as_long_as_what_it_makes(warming, monkeypatch):
    """A warming touches every part it finds kept: a contract marked warm keeps all its parts as
    long as its mark, not only those a recent change made."""
    built = build_contract(2)
    warm_contract_pdf(contract=built.contract)
    touched = []
    cache = caches["pdf"]
    real = cache.touch
    monkeypatch.setattr(
        cache, "touch", lambda key, *a, **k: touched.append(key) or real(key, *a, **k)
    )
    warm_contract_pdf(contract=built.contract)
    parts = [key for key in touched if key.startswith("part:")]
    # per audience: the axes, two fiches, the front matter with its marks and with its
    # numbers; the page numbers' sample
    assert len(set(parts)) == 2 * (1 + 2 + 2) + 1
    assert all(cache.get(key) is not None for key in parts)


def test_the_sweep_warms_a_few_contracts_at_a_time_running_ones_first(settings):
    """A deploy that changes the layout of a thousand contracts does not queue a thousand
    warmings before the next e-mail: REWARM_BATCH per sweep, those not closed first, the latest
    first."""
    closed = ContractFactory(start_year=2025, end_year=2030, closed_on=dt.date(2026, 1, 31))
    by_year = {
        year: ContractFactory(start_year=year, end_year=year + 5) for year in range(2019, 2025)
    }
    running = [by_year[year].pk for year in sorted(by_year, reverse=True)]
    assert pdf_warm.cold_contracts() == running[: pdf_warm.REWARM_BATCH]
    assert len(running) > pdf_warm.REWARM_BATCH
    assert pdf_warm.cold_contracts(limit=100) == [*running, closed.pk]
    settings.PDF_WARM = False  # no broker: nothing queued, cold or not
    assert pdf_warm.rewarm() == []


def test_a_contract_whose_warming_fails_leaves_its_turn_to_the_others(warming, monkeypatch):
    """A warming queued that never marks its contract (it failed, ran out of time, or was lost
    with its worker) does not hold the sweeps: the next ones take the other contracts, and it is
    queued again a day later."""
    monkeypatch.setattr(pdf_warm, "REWARM_BATCH", 1)
    failing, other = ContractFactory(start_year=2025), ContractFactory(start_year=2024)
    caches["pdf"].clear()
    queued = []
    monkeypatch.setattr(pdf_warm, "schedule_warming", lambda pk: queued.append(pk) or True)
    for _sweep in range(3):
        pdf_warm.rewarm()
    assert queued == [failing.pk, other.pk]
