"""The dashboard's lists written in Python (evaluation/dashboard_rows.py) write what its template
wrote, byte for byte: contracts signed or not, titles typed with markup read as text."""

from __future__ import annotations

import pytest
from django.template import engines

from actions.models import ContractStatus
from actions.selectors import contract_list
from evaluation import dashboard_rows
from evaluation.selectors import territory_overview
from tests.factories import ContractFactory

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
