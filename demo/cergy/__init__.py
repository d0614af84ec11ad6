"""Cergy, as the Cergy narrative tells it: a CLS coordinated by the Service Santé, prévention,
handicap et lien intergénérationnel, with four transversal axes, and work groups that invite all
the territory's partners to build interconnaissance, and asks them every year how they see the
partnership."""

from __future__ import annotations

from cls_platform.models import Territory, User
from demo.cergy.contract import CONTRACTS
from demo.cergy.decisions import seed_copil_decisions
from demo.cergy.directory import DIRECTORY
from demo.cergy.evaluation import seed_evaluation
from demo.cergy.groups import seed_groups
from demo.cergy.public_directory import seed_public_directory
from demo.contracts import seed_contracts
from demo.directory import seed_directory
from demo.groups import SeededGroups
from evaluation.opendata.services import contract_open_data_publish


def seed(territory: Territory, users: dict[str, User]) -> SeededGroups:
    """Cergy's directory, contracts, groups and self-evaluation campaigns."""
    organizations = seed_directory(territory, DIRECTORY)
    # The transversal axis "Visibilité et lisibilité de l'offre de santé": the structures that
    # agreed are in the public directory of the offer.
    seed_public_directory(territory)
    contract = seed_contracts(territory, organizations, DIRECTORY, CONTRACTS)
    # The signed contract is published as open data (publishing twice keeps the first date).
    contract_open_data_publish(contract=contract)
    groups = seed_groups(territory, contract, organizations)
    seed_copil_decisions(territory)
    survey = seed_evaluation(territory, contract)
    groups.to_answer = (
        survey.invitations.filter(submitted_at__isnull=True, contact__isnull=False)
        .order_by("contact__email")
        .first()
    )
    return groups
