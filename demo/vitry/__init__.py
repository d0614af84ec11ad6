"""Vitry-sur-Seine, as the Vitry narrative tells it: a CLS 2023-2028 coordinated by the Service
Promotion de la santé, seven axes each followed by a work group co-piloted with a professional of
another sector; four groups meet steadily, three are stalled."""

from __future__ import annotations

from cls_platform.models import Territory, User
from demo.contracts import seed_contracts
from demo.directory import seed_directory
from demo.groups import SeededGroups
from demo.vitry.contract import CONTRACTS
from demo.vitry.directory import DIRECTORY
from demo.vitry.groups import seed_groups


def seed(territory: Territory, users: dict[str, User]) -> SeededGroups:
    """Vitry-sur-Seine's directory, contracts and groups; the demo co-pilot account is given to
    the professional who co-pilots GT 3."""
    organizations = seed_directory(territory, DIRECTORY)
    contract = seed_contracts(territory, organizations, DIRECTORY, CONTRACTS)
    return seed_groups(territory, contract, organizations, users["copilote@vitry.demo"])
