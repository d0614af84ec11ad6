"""Vitry-sur-Seine, as the Vitry narrative tells it: a CLS 2023-2028 coordinated by the Service
Promotion de la santé, seven axes each followed by a work group co-piloted with a professional of
another sector; four groups meet steadily, three are stalled; the mid-term review of 2025
(questionnaire and interviews) asks the partners why."""

from __future__ import annotations

from cls_platform.models import Territory, User
from demo.accounts import coordinator
from demo.contracts import seed_contracts
from demo.directory import seed_directory
from demo.groups import SeededGroups
from demo.vitry.contract import CONTRACTS
from demo.vitry.directory import DIRECTORY
from demo.vitry.evaluation import seed_evaluation
from demo.vitry.groups import seed_groups


def seed(territory: Territory, users: dict[str, User]) -> SeededGroups:
    """Vitry-sur-Seine's directory, contracts, groups and mid-term review; the demo co-pilot
    account is given to the professional who co-pilots GT 3."""
    organizations = seed_directory(territory, DIRECTORY)
    contract = seed_contracts(territory, organizations, DIRECTORY, CONTRACTS)
    groups = seed_groups(territory, contract, organizations, users["copilote@vitry.demo"])
    seed_evaluation(territory, contract, list(groups), organizations, coordinator(territory))
    return groups
