"""The dashboard's parts written in Python (evaluation/dashboard_rows.py) write what its template
wrote, byte for byte: contracts signed or not, titles typed with markup read as text, figures at
zero, one and more, campaigns answered by none, one or several."""

from __future__ import annotations

import pytest
from django.template import engines
from django.utils import timezone

from actions.models import ContractStatus
from actions.progress import contract_figures
from actions.selectors import contract_list
from cls_platform.templatetags.navigation import render_fragment
from evaluation import dashboard_rows
from evaluation.selectors import territory_overview
from evaluation.surveys.models import SurveyInvitation
from evaluation.views import ContractProgressLink, progress_links
from tests.evaluation.test_survey_data import campaign
from tests.factories import (
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

TEMPLATE = engines["django"].from_string(
    """{% load i18n %}<tbody>
    {% for contract in overview.contracts %}
      <tr>
        <th scope="row"><a href="{% url 'actions:contract_detail' territory=territory.slug pk=contract.pk %}">{{ contract.title }}</a><br><span
          class="muted">{{ contract.get_kind_display }}</span></th>
        <td>{{ contract.period }}</td>
        <td><span class="badge badge--{{ contract.status }}">{{ contract.get_status_display }}</span>{% if contract.signed_on %}<br><span
          class="muted">{% blocktranslate with date=contract.signed_on|date:"j F Y" %}le {{ date }}{% endblocktranslate %}</span>{% endif %}</td>
        <td>{{ contract.axis_count }}</td>
        <td>{{ contract.action_count }}</td>
        <td>{% if contract.status != "draft" %}<a href="{% url 'evaluation:contract_progress' territory=territory.slug pk=contract.pk %}">{% translate "Avancement" %}<span class="visually-hidden"> : {{ contract.title }}</span></a>{% else %}—{% endif %}</td>
      </tr>
    {% endfor %}
    </tbody>
  <ul class="status-list">
    {% for row in overview.actions_by_status %}
    <li><span class="badge badge--{{ row.status }}">{{ row.label }}</span> {{ row.count }}</li>
    {% endfor %}
  </ul>
  <ul class="status-list">
    {% for row in overview.health_counts %}
    <li>{{ row.label|capfirst }} : {{ row.count }}</li>
    {% endfor %}
  </ul>"""
)


@pytest.mark.parametrize("contracts", [0, 3])
def test_the_lists_are_the_template_byte_for_byte(coordinator, contracts):
    territory = coordinator.territory
    if contracts:
        ContractFactory(territory=territory, title="CLS <b>O'Neil</b> & co")
        ContractFactory(territory=territory, status=ContractStatus.DRAFT, signed_on=None)
        ContractFactory(territory=territory, status=ContractStatus.CLOSED, start_year=2017)
    overview = territory_overview(access=coordinator)
    assert len(list(contract_list(access=coordinator))) == contracts
    expected = TEMPLATE.render({"overview": overview, "territory": territory})
    slug = territory.slug
    written = (
        f"<tbody>{dashboard_rows.contract_rows(overview.contracts, slug)}</tbody>\n"
        f'  <ul class="status-list">{dashboard_rows.status_items(overview.actions_by_status)}'
        "</ul>\n"
        f'  <ul class="status-list">{dashboard_rows.health_items(overview.health_counts)}</ul>'
    )
    assert written == expected
    assert "<b>O" not in written


# The rest of the page as its template wrote it (templates/evaluation/dashboard.html and
# progress/_dashboard_progress.html before dashboard_rows.py).
PAGE = engines["django"].from_string(
    """{% load i18n %}<title>{% blocktranslate with name=territory.name %}Tableau de bord · {{ name }}{% endblocktranslate %}</title>
  <dl class="stats">
    <div class="stat"><dt>{% translate "Structures partenaires" %}</dt>
      <dd><a href="{% url 'partners:organization_list' territory=territory.slug %}"
        aria-label="{% if overview.organization_count %}{% blocktranslate trimmed count n=overview.organization_count %}
          {{ n }} structure partenaire : voir l'annuaire{% plural %}{{ n }} structures partenaires : voir l'annuaire
        {% endblocktranslate %}{% else %}{% translate "0 structure partenaire : voir l'annuaire" %}{% endif %}"
        >{{ overview.organization_count }}</a></dd></div>
    <div class="stat"><dt>{% translate "dont services de la collectivité" %}</dt><dd>{{ overview.internal_organization_count }}</dd></div>
    <div class="stat"><dt>{% translate "Contacts joignables" %}</dt><dd>{{ overview.contact_count }}</dd></div>
    <div class="stat"><dt>{% translate "Fiches-actions" %}</dt>
      <dd><a href="{% url 'actions:fiche_list' territory=territory.slug %}"
        aria-label="{% if overview.action_count %}{% blocktranslate trimmed count n=overview.action_count %}
          {{ n }} fiche-action : voir la liste{% plural %}{{ n }} fiches-actions : voir la liste
        {% endblocktranslate %}{% else %}{% translate "0 fiche-action : voir la liste" %}{% endif %}"
        >{{ overview.action_count }}</a></dd></div>
    <div class="stat"><dt>{% translate "Groupes de travail actifs" %}</dt><dd>{{ overview.active_group_count }} / {{ overview.group_count }}</dd></div>
  </dl>
  <ul class="cards">
    {% for item in progress_links %}{% with contract=item.contract figures=item.figures %}
    <li class="card">
      <h3 class="card__title"><a href="{% url 'evaluation:contract_progress' territory=territory.slug pk=contract.pk %}">{% blocktranslate with title=contract.title %}Avancement · {{ title }}{% endblocktranslate %}</a></h3>
      <p class="muted">{{ contract.get_kind_display }} · {{ contract.period }} · {{ contract.get_status_display }}</p>
      <dl class="facts facts--stacked">
        <div><dt>{% translate "Fiches-actions réalisées" %}</dt><dd>{{ figures.done }} / {{ figures.fiches }} ({{ figures.done_share }} %)</dd></div>
        <div><dt>{% translate "En cours" %}</dt><dd>{{ figures.in_progress }}</dd></div>
        <div><dt>{% translate "En retard" %}</dt><dd>{{ figures.late }}</dd></div>
        <div><dt>{% translate "Indicateurs atteints ou en bonne voie" %}</dt><dd>{{ figures.on_track }} / {{ figures.measurable }}</dd></div>
      </dl>
    </li>
    {% endwith %}{% endfor %}
  </ul>
  <ul>{% for survey in overview.open_surveys %}<li><a href="{% url 'evaluation:survey_detail' territory=territory.slug pk=survey.pk %}">{{ survey.title }}</a>
    {% blocktranslate trimmed with closes=survey.closes_on|date:"j F Y" invited=survey.invited count answered=survey.answered %}
      ouverte jusqu'au {{ closes }} : {{ answered }} réponse sur {{ invited }} sollicitations{% plural %}
      ouverte jusqu'au {{ closes }} : {{ answered }} réponses sur {{ invited }} sollicitations
    {% endblocktranslate %}
    ({% widthratio survey.answered survey.invited 100 %} %)</li>{% endfor %}</ul>
  <ul class="links">
    <li><a href="{% url 'evaluation:survey_list' territory=territory.slug %}">{% translate "Campagnes de questionnaire" %}</a></li>
    {% if access.is_coordinator %}<li><a href="{% url 'evaluation:interview_list' territory=territory.slug %}">{% translate "Entretiens de la revue à mi-parcours" %}</a></li>{% endif %}
    {% if access.is_coordinator %}<li><a href="{% url 'evaluation:public_directory_manage' territory=territory.slug %}">{% translate "Annuaire public de l'offre de santé" %}</a></li>
    <li><a href="{% url 'evaluation:opendata_manage' territory=territory.slug %}">{% translate "Données ouvertes des contrats" %}</a></li>
    <li><a href="{% url 'audit_trail' territory=territory.slug %}">{% translate "Journal des modifications" %}</a></li>
    <li><a href="{% url 'evaluation:archive' territory=territory.slug %}">{% translate "Archive des données du territoire" %}</a></li>{% endif %}
    <li><a href="{% url 'evaluation:partnership_network' territory=territory.slug %}">{% translate "Réseau partenarial" %}</a></li>
    {% for contract in overview.contracts %}
    <li><a href="{% url 'evaluation:ottawa_matrix' territory=territory.slug pk=contract.pk %}">{% blocktranslate trimmed with title=contract.title %}
      Matrice de la charte d'Ottawa : {{ title }}{% endblocktranslate %}</a></li>
    {% endfor %}
  </ul>"""
)


@pytest.mark.parametrize("who", ["coordinator", "viewer"])
@pytest.mark.parametrize("size", [0, 1, 2])
def test_the_rest_of_the_page_is_the_template_byte_for_byte(request, who, size):
    """Nothing, one and several of each: structures, fiches, contracts, campaigns (answered by
    none, one or some of those asked; one asked no one)."""
    access = request.getfixturevalue(who)
    territory = access.territory
    territory.name = "Cergy & <Pontoise>"
    for n in range(size):
        OrganizationFactory(territory=territory)
        contract = ContractFactory(territory=territory, title=f"CLS <i>{n}</i> d'été")
        FicheActionFactory(contract=contract)
        survey = campaign(territory, contract=contract, title=f"Bilan <b>{n}</b> & co")
        for k in range(3 * n):
            SurveyInvitation.objects.create(
                territory=territory,
                survey=survey,
                contact=ContactFactory(territory=territory),
                submitted_at=timezone.now() if k < n else None,
            )
    overview = territory_overview(access=access)
    links = progress_links(overview.contracts)
    expected = PAGE.render(
        {"overview": overview, "territory": territory, "access": access, "progress_links": links}
    )
    slug = territory.slug
    links_html = render_fragment(
        "evaluation/_dashboard_links.html", territory=slug, coordinator=access.is_coordinator
    )
    written = (
        f"<title>{dashboard_rows.heading(territory.name)}</title>\n"
        f'  <dl class="stats">{dashboard_rows.stats(overview, slug)}</dl>\n'
        f'  <ul class="cards">{dashboard_rows.progress_cards(links, slug)}</ul>\n'
        f"  <ul>{dashboard_rows.survey_items(overview.open_surveys, slug)}</ul>\n"
        f'  <ul class="links">{links_html}    '
        f"{dashboard_rows.ottawa_items(overview.contracts, slug)}\n  </ul>"
    )
    assert written == expected
    assert "<b>" not in written and "<i>" not in written and "<Pontoise>" not in written
    assert len(links) == size and len(overview.open_surveys) == size


def test_progress_links_are_the_signed_contracts_figures(viewer):
    signed = ContractFactory(territory=viewer.territory)
    ContractFactory(territory=viewer.territory, status=ContractStatus.CLOSED, start_year=2017)
    FicheActionFactory(contract=signed)
    contracts = list(contract_list(access=viewer))
    links = progress_links(contracts)
    assert links == [
        ContractProgressLink(contract=c, figures=f)
        for c, f in zip(contracts, contract_figures(contracts).values(), strict=True)
    ]
