"""The composer registry: each app registers, per kind of e-mail, the function that builds the
message of an outbox row (`register("invitation", compose_invitation)` in its AppConfig.ready);
the outbox asks it for each row it sends. A composer raises `Skip` for a row that must not go."""

from __future__ import annotations

from collections.abc import Callable

from django.core.mail import EmailMessage

from ..models import Delivery

Composer = Callable[[Delivery], EmailMessage | None]
_composers: dict[str, Composer] = {}


class Skip(Exception):
    """Raised by a composer: this row must not be sent (the reason is shown to the coordinator).

    Also what a `retry_failed` decision gives for a row that must stay as it is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def register(kind: str, composer: Composer) -> None:
    _composers[kind] = composer


def composer_for(kind: str) -> Composer:
    try:
        return _composers[kind]
    except KeyError:
        raise LookupError(f"Aucun modèle d'e-mail enregistré pour « {kind} ».") from None
