"""The RGAA 4.1 criteria's shape: their states, themes and one criterion of the grid."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    CONFORM = "C"
    NON_CONFORM = "NC"
    NOT_APPLICABLE = "NA"


C, NC, NA = State.CONFORM, State.NON_CONFORM, State.NOT_APPLICABLE
STATE_LABELS = {C: "Conforme", NC: "Non conforme", NA: "Non applicable"}


THEMES: dict[int, str] = {
    1: "Images",
    2: "Cadres",
    3: "Couleurs",
    4: "Multimédia",
    5: "Tableaux",
    6: "Liens",
    7: "Scripts",
    8: "Éléments obligatoires",
    9: "Structuration de l'information",
    10: "Présentation de l'information",
    11: "Formulaires",
    12: "Navigation",
    13: "Consultation",
}


@dataclass(frozen=True)
class Criterion:
    number: str
    state: State
    title: str
    note: str

    @property
    def theme(self) -> int:
        return int(self.number.split(".")[0])

    @property
    def theme_title(self) -> str:
        return THEMES[self.theme]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]
