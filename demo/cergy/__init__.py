"""Cergy, as the Cergy narrative tells it: a CLS coordinated by the Service Santé, prévention,
handicap et lien intergénérationnel, with four transversal axes, and work groups that invite all
the territory's partners to build interconnaissance."""

from __future__ import annotations

from cls_platform.models import Territory, User
from demo.cergy.contract import CONTRACTS
from demo.cergy.directory import DIRECTORY
from demo.cergy.groups import seed_groups
from demo.contracts import seed_contracts
from demo.directory import seed_directory
from demo.groups import SeededGroups


def seed(territory: Territory, users: dict[str, User]) -> SeededGroups:
    """Cergy's directory, contracts and groups."""
    organizations = seed_directory(territory, DIRECTORY)
    contract = seed_contracts(territory, organizations, DIRECTORY, CONTRACTS)
    return seed_groups(territory, contract, organizations)
